#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Registry
import Schema
import WfhostTestSupport
import Testing

/// A plugin that bundles its own library under `$ORIGIN/deps` (SDK/README.md, "Bundling dependencies"), and a
/// file replaced between the host's hashing and the worker's load.
@Suite struct BundledDependencyTests {
    let dir: String
    let plugins: String
    init() throws {
        dir = try TestSupport.temporaryDirectory("bundled")
        plugins = dir + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins + "/deps", withIntermediateDirectories: true)
    }

    private func wfhost(_ args: [String]) throws -> TestSupport.RunResult {
        try TestSupport.wfhost(args, stateDir: dir + "/state", pluginPath: plugins)
    }

    /// Builds deps/libbundleddep.so and bundled.so linked with `-Wl,-rpath,$ORIGIN/deps` (no shell: `$ORIGIN`
    /// reaches the linker as written).
    @discardableResult
    private func buildBundled() throws -> String {
        try TestSupport.compileFixture("bundled_dep.c", to: plugins + "/deps/libbundleddep.so",
                                       extra: ["-Wl,-soname,libbundleddep.so"])
        return try TestSupport.compileFixture("bundled.c", to: plugins + "/bundled.so",
                                              extra: ["-L", plugins + "/deps", "-lbundleddep",
                                                      "-Wl,-rpath,$ORIGIN/deps", "-Werror"])
    }

    @Test func originRunPathLoadsTheBundledLibraryInValidateAndCall() throws {
        let so = try buildBundled()
        let validate = try wfhost(["plugins", "validate", so])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        #expect(validate.stdout == "\(so): ok: plugin 'bundled' 1.0.0, 1 tool, ABI 1.2\n")

        let call = try wfhost(["call", "bundled.answer", "--json"])
        #expect(call.status == 0, "\(call.stdout)\(call.stderr)")
        let doc = try JSONValue.parse(call.stdout)
        #expect(doc["ok"] == .bool(true))
        #expect(doc["result"] == .object(["answer": .int(42)]))

        let list = try wfhost(["plugins", "list"])
        #expect(list.stdout.contains("bundled  1.0.0    1.2  ok      answer\n"), "\(list.stdout)")
    }

    /// The control: without deps/ beside it, the same plugin fails with the loader's text.
    @Test func withoutItsDepsDirectoryThePluginSaysWhatIsMissing() throws {
        let so = try buildBundled()
        try FileManager.default.removeItem(atPath: plugins + "/deps")
        let r = try wfhost(["plugins", "validate", so])
        #expect(r.status == 1)
        #expect(r.stdout == """
            \(so): error: cannot load: a library it needs is missing: libbundleddep.so: cannot open shared object file: No such file or directory
              hint: install the missing library or link it statically; `ldd \(so)` lists what the plugin needs; wfhost rechecks it at every registry refresh (`wfhost plugins scan --force` rechecks all files now)

            """)
    }

    /// A library that went missing after the scan fails the call, which says what the worker's environment lacks
    /// (the scrubbed environment of every worker: a host's LD_LIBRARY_PATH never reaches it).
    @Test func aCallWhoseLibraryIsMissingSaysWhatTheWorkersEnvironmentLacks() throws {
        try buildBundled()
        #expect(try wfhost(["plugins", "list"]).stdout.contains("bundled  1.0.0    1.2  ok"))
        try FileManager.default.moveItem(atPath: plugins + "/deps", toPath: dir + "/elsewhere")
        let env = ["WFHOST_STATE_DIR": dir + "/state", "WFHOST_PLUGIN_PATH": plugins, "WFHOST_WORKER": TestSupport.worker,
                   "PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": dir + "/elsewhere", "HOME": dir]
        let r = try TestSupport.run(TestSupport.wfhost, ["call", "bundled.answer"], environment: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("libbundleddep.so: cannot open shared object file: No such file or directory; workers "
                                  + "get only PATH, LANG, LC_ALL and TZ of wfhost's environment, so your "
                                  + "LD_LIBRARY_PATH (\(dir)/elsewhere) does not reach them: install the library "
                                  + "system-wide, or bundle it beside the plugin with an $ORIGIN run path "
                                  + "(share/doc/wfhost/SDK.md in the install tree, \"Bundling dependencies\")"), "\(r.stderr)")
    }

    /// The host opens and hashes one file (fd 5); by the time the worker loads, the path names another. The
    /// worker compares the path with the descriptor before dlopen and refuses.
    @Test func aFileReplacedAfterHashingIsRefused() throws {
        let hashed = try TestSupport.compileFixture("plugin.c", to: dir + "/hashed.so")
        let other = try TestSupport.compileFixture("plugin.c", to: plugins + "/swapped.so",
                                                   defines: ["PLUGIN_NAME=\"impostor\""])
        let fd = open(hashed, O_RDONLY | O_CLOEXEC)
        #expect(fd >= 0)
        defer { close(fd) }
        let scanner = PluginScanner(workerPath: TestSupport.worker, environment: ["PATH=/usr/bin:/bin"])
        let result = scanner.scan(fd: fd, displayPath: other)
        guard case .failed(let failure) = result else {
            Issue.record("the replaced file was loaded: \(result)")
            return
        }
        #expect(failure.kind == "replaced")
        #expect(failure.message == "\(other) changed after wfhost opened and hashed it (replaced or rewritten); "
                + "run `wfhost plugins scan` once it is no longer being written")
        #expect(failure.finding(path: other, hostABI: "1.1").description == """
            \(other): error: the file changed while it was being loaded: \(failure.message)
              hint: another program replaced or rewrote the plugin file after wfhost hashed it; \
            wait until it is fully written (install with `mv` from a temporary name), then run `wfhost plugins scan`
            """)
    }

    /// The same file renamed over with identical bytes is still another inode: refused as well, never a mix.
    @Test func aSameContentCopyWithAnotherInodeIsRefused() throws {
        let hashed = try TestSupport.compileFixture("plugin.c", to: dir + "/a.so")
        let copy = plugins + "/b.so"
        try FileManager.default.copyItem(atPath: hashed, toPath: copy)
        let fd = open(hashed, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        let scanner = PluginScanner(workerPath: TestSupport.worker, environment: ["PATH=/usr/bin:/bin"])
        guard case .failed(let failure) = scanner.scan(fd: fd, displayPath: copy) else {
            Issue.record("a file with another inode was loaded")
            return
        }
        #expect(failure.kind == "replaced")
    }
}
