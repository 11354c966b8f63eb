import Foundation
import WfhostTestSupport
import Testing

/// Trusted plugins (issue 15 item 11): `wfhost plugins trust` records SHA-256s; with --require-trusted or
/// WFHOST_REQUIRE_TRUSTED=1 any other file is refused before it is loaded, naming the file and the command.
@Suite struct PluginTrustTests {
    let dir: String
    let plugins: String
    var state: String { dir + "/state" }
    var lock: String { state + "/trusted-plugins.lock" }

    init() throws {
        dir = try TestSupport.temporaryDirectory("trust")
        plugins = dir + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
    }

    private func wfhost(_ args: [String], require: Bool = false, extra: [String: String] = [:]) throws -> TestSupport.RunResult {
        var env = ["HOME": state, "WFHOST_STATE_DIR": state, "WFHOST_PLUGIN_PATH": plugins, "PATH": "/usr/bin:/bin",
                   "SWIFT_BACKTRACE": "enable=no"]
        if require { env["WFHOST_REQUIRE_TRUSTED"] = "1" }
        env.merge(extra) { $1 }
        return try TestSupport.run(TestSupport.wfhost, args, environment: env)
    }

    private func sha256(_ path: String) throws -> String {
        let r = try TestSupport.run("/usr/bin/sha256sum", [path])
        return String(r.stdout.prefix(64))
    }

    private func refusal(_ so: String, _ sha: String, lock: String? = nil) -> String {
        "refused: the plugin file \(so) is not trusted: its SHA-256 \(sha) is not in \(lock ?? self.lock), and "
            + "--require-trusted (or WFHOST_REQUIRE_TRUSTED=1) loads only trusted files"
    }

    @Test func anUntrustedFileIsRefusedUnloadedUntilItIsTrusted() throws {
        defer { TestSupport.cleanup(dir) }
        // A constructor that crashes: refused files are never loaded, so they cannot crash.
        let so = try TestSupport.compileFixture("plugin.c", to: plugins + "/crashy.so", defines: ["CTOR_SEGV"])
        let sha = try sha256(so)
        let validate = try wfhost(["plugins", "validate", so], require: true)
        #expect(validate.status == 1)
        #expect(validate.stdout == "\(so): error: \(refusal(so, sha))\n"
                    + "  hint: check the file, then trust it with `wfhost plugins trust \(so)`\n")
        let call = try wfhost(["call", "--require-trusted", "alpha"])
        #expect(call.status == 2)
        #expect(call.stderr == "error: tool 'alpha' is perhaps in plugin crashy (\(so)), which is failed: "
                    + refusal(so, sha) + "\n  hint: check the file, then trust it with `wfhost plugins trust \(so)`\n")
        // Without the requirement the same file is loaded (and crashes).
        let loose = try wfhost(["plugins", "validate", so])
        #expect(loose.stdout.hasPrefix("\(so): error: the plugin crashed while loading (killed by SIGSEGV)"), "\(loose.stdout)")

        let good = try TestSupport.compileFixture("plugin.c", to: plugins + "/good.so")
        try FileManager.default.removeItem(atPath: so)
        let trust = try wfhost(["plugins", "trust", plugins])
        #expect(trust.status == 0, "\(trust.stderr)")
        let goodSHA = try sha256(good)
        #expect(trust.stdout == "trusted \(good) (sha256 \(goodSHA))\nwrote \(lock)\n")
        let text = try String(contentsOfFile: lock, encoding: .utf8)
        #expect(text.hasSuffix("\n\(goodSHA)  \(good)\n"), "\(text)")
        // The lines are sha256sum's.
        let check = try TestSupport.run("/usr/bin/sha256sum", ["-c", lock])
        #expect(check.status == 0 && check.stdout == "\(good): OK\n", "\(check.stdout)\(check.stderr)")
        let ok = try wfhost(["call", "alpha"], require: true)
        #expect(ok.status == 0, "\(ok.stderr)")

        // A rebuilt file is new bytes: refused until trusted again, whose line then replaces the old one.
        try TestSupport.compileFixture("plugin.c", to: good, defines: ["VERSION=\"9.9.9\""])
        let newSHA = try sha256(good)
        let list = try wfhost(["plugins", "list"], require: true)
        #expect(list.stdout.contains("\(good): failed: \(refusal(good, newSHA))\n"), "\(list.stdout)")
        #expect(try wfhost(["plugins", "trust", good]).status == 0)
        #expect(try wfhost(["plugins", "list"], require: true).stdout.contains("fixture  9.9.9"))
        let again = try String(contentsOfFile: lock, encoding: .utf8)
        #expect(!again.contains(goodSHA) && again.contains("\(newSHA)  \(good)\n"), "\(again)")
    }

    @Test func aTrustFileNamedByTheEnvironmentAndItsErrors() throws {
        defer { TestSupport.cleanup(dir) }
        let so = try TestSupport.compileFixture("plugin.c", to: plugins + "/good.so")
        let custom = dir + "/ci/wfhost.lock"
        let env = ["WFHOST_TRUST_FILE": custom]
        let refused = try wfhost(["plugins", "validate", so], require: true, extra: env)
        #expect(refused.stdout.hasPrefix("\(so): error: \(refusal(so, try sha256(so), lock: custom))\n"), "\(refused.stdout)")
        #expect(try wfhost(["plugins", "trust", so], extra: env).stdout.hasSuffix("wrote \(custom)\n"))
        #expect(try wfhost(["plugins", "validate", so], require: true, extra: env).status == 0)

        try "# comment\n\nnot-a-hash  /x.so\n".write(toFile: custom, atomically: true, encoding: .utf8)
        let bad = try wfhost(["plugins", "list"], require: true, extra: env)
        #expect(bad.status == 3)
        #expect(bad.stderr == "wfhost: error: \(custom):3: not a trust line: 'not-a-hash  /x.so'\n  hint: each line is "
                    + "`SHA256  PATH` as `sha256sum` prints it (or a # comment); `wfhost plugins trust PATH` writes them\n")

        let missing = try wfhost(["plugins", "trust", dir + "/nope.so"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: cannot trust \(dir)/nope.so: no such file or directory\n"
                    + "  hint: give plugin files (*.so) or directories that hold them\n")
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        let empty = try wfhost(["plugins", "trust", dir + "/empty"])
        #expect(empty.status == 2)
        #expect(empty.stderr == "error: cannot trust \(dir)/empty: the directory holds no plugin files (*.so)\n"
                    + "  hint: give plugin files (*.so) or directories that hold them\n")
    }
}
