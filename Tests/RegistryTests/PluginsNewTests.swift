import Foundation
import WfhostTestSupport
import Testing

/// `wfhost plugins new`: each skeleton is generated, built by its own Makefile (C and C++ with -Werror, Rust with
/// cargo offline against SDK/rust, Swift with SwiftPM against the SDK/swift package), validated, and passes
/// `wfhost plugins test` through `make test`.
@Suite struct PluginsNewTests {
    let dir: String
    init() throws { dir = try TestSupport.temporaryDirectory("pnew") }

    private var environment: [String: String] {
        ["HOME": dir, "WFHOST_STATE_DIR": dir + "/state", "PATH": "/usr/bin:/bin", "SWIFT_BACKTRACE": "enable=no"]
    }

    @Test(arguments: ["c", "cpp"]) func aSkeletonBuildsValidatesAndPassesItsExample(lang: String) throws {
        defer { TestSupport.cleanup(dir) }
        let project = dir + "/hello_\(lang)"
        let new = try TestSupport.run(TestSupport.wfhost, ["plugins", "new", "hello_\(lang)", "--lang", lang,
                                                           "--dir", project], environment: environment)
        #expect(new.status == 0, "\(new.stderr)")
        #expect(new.stdout == "wrote \(project)/: hello_\(lang).\(lang), Makefile, .gitignore\n"
                    + "next: make -C \(project) && make -C \(project) test\n")
        let make = try TestSupport.run("/usr/bin/make", ["-C", project, "test"], environment: environment)
        #expect(make.status == 0, "\(make.stdout)\(make.stderr)")
        #expect(make.stdout.contains("./hello_\(lang).so: ok: plugin 'hello_\(lang)' 0.1.0, 1 tool, ABI 1.2\n"),
                "\(make.stdout)")
        #expect(make.stdout.contains("  ok   hello_\(lang).greet example 1: greets by name ("), "\(make.stdout)")
        #expect(make.stdout.contains("1 example in 1 plugin: 1 passed, 0 failed ("), "\(make.stdout)")
    }

    @Test func badNamesAndOccupiedDirectoriesAreRefused() throws {
        defer { TestSupport.cleanup(dir) }
        let bad = try TestSupport.run(TestSupport.wfhost, ["plugins", "new", "Hello", "--lang", "c", "--dir", dir + "/x"],
                                      environment: environment)
        #expect(bad.status == 2)
        #expect(bad.stderr == "error: plugin name 'Hello' is invalid\n  hint: names match [a-z][a-z0-9_]* "
                    + "(lowercase letters, digits and underscores, starting with a letter)\n")
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/keep"))
        let taken = try TestSupport.run(TestSupport.wfhost, ["plugins", "new", "hello", "--lang", "c", "--dir", dir],
                                        environment: environment)
        #expect(taken.status == 2)
        #expect(taken.stderr == "error: \(dir) already exists and is not empty\n  hint: choose another directory with --dir\n")
        let sdk = try TestSupport.run(TestSupport.wfhost, ["plugins", "new", "hello", "--lang", "c", "--dir",
                                                           dir + "/y", "--sdk", dir], environment: environment)
        #expect(sdk.status == 2)
        #expect(sdk.stderr == "error: \(dir) holds no wfhost/plugin.h\n  hint: --sdk names the directory that holds "
                    + "wfhost/plugin.h, such as the install tree's include/\n")
    }

    /// cargo: on PATH, else in CARGO_HOME or ~/.cargo (rustup's default); nil when Rust is not installed.
    static let cargo: String? = {
        let env = ProcessInfo.processInfo.environment
        let home = env["HOME"] ?? "/root"
        let candidates = (env["PATH"] ?? "").split(separator: ":").map { $0 + "/cargo" }
            + [(env["CARGO_HOME"] ?? home + "/.cargo") + "/bin/cargo", home + "/.cargo/bin/cargo"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The Swift toolchain that runs these tests (the test binary's own, so the skeleton builds with the same one).
    static let swift: String? = {
        let env = ProcessInfo.processInfo.environment
        let candidates = (env["PATH"] ?? "").split(separator: ":").map { $0 + "/swift" } + ["/opt/swift/usr/bin/swift"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The pinned environment, plus what cargo's rustup proxy needs to find its toolchain under another HOME.
    private var toolEnvironment: [String: String] {
        var env = environment
        let real = ProcessInfo.processInfo.environment
        let home = real["HOME"] ?? "/root"
        env["RUSTUP_HOME"] = real["RUSTUP_HOME"] ?? home + "/.rustup"
        env["CARGO_HOME"] = real["CARGO_HOME"] ?? home + "/.cargo"
        return env
    }

    @Test func aRustSkeletonBuildsOfflineValidatesAndPassesItsExample() throws {
        defer { TestSupport.cleanup(dir) }
        guard let cargo = Self.cargo else {
            print("PluginsNewTests: SKIPPED the Rust skeleton: cargo is not installed (not on PATH, in CARGO_HOME or "
                  + "~/.cargo/bin); install Rust to run it")
            return
        }
        let project = dir + "/hello_rust"
        let new = try TestSupport.run(TestSupport.wfhost, ["plugins", "new", "hello_rust", "--lang", "rust",
                                                           "--dir", project], environment: environment)
        #expect(new.status == 0, "\(new.stderr)")
        #expect(new.stdout == "wrote \(project)/: Cargo.toml, src/lib.rs, Makefile, .gitignore\n"
                    + "next: make -C \(project) && make -C \(project) test\n")
        let toml = try String(contentsOfFile: project + "/Cargo.toml", encoding: .utf8)
        #expect(toml.contains("wfhost-plugin = { path = \"\(TestSupport.repoRoot)/SDK/rust\" }"), "\(toml)")
        let make = try TestSupport.run("/usr/bin/make", ["-C", project, "test", "CARGO=" + cargo],
                                       environment: toolEnvironment)
        #expect(make.status == 0, "\(make.stdout)\(make.stderr)")
        #expect(make.stdout.contains("test tests::greets_by_name ... ok"), "\(make.stdout)")
        #expect(make.stdout.contains("./hello_rust.so: ok: plugin 'hello_rust' 0.1.0, 1 tool, ABI 1.2\n"),
                "\(make.stdout)")
        #expect(make.stdout.contains("  ok   hello_rust.greet example 1: greets by name ("), "\(make.stdout)")
        #expect(make.stdout.contains("1 example in 1 plugin: 1 passed, 0 failed ("), "\(make.stdout)")
        // The binding crate's own tests: the struct layouts against the header's, the JSON reader and writer.
        let crate = try TestSupport.run(cargo, ["test", "--offline", "--manifest-path",
                                                TestSupport.repoRoot + "/SDK/rust/Cargo.toml",
                                                "--target-dir", dir + "/crate-target"], environment: toolEnvironment)
        #expect(crate.status == 0, "\(crate.stdout)\(crate.stderr)")
        #expect(crate.stdout.contains("test sys::layout::structs_match_the_header ... ok"), "\(crate.stdout)")
    }

    @Test func aSwiftSkeletonBuildsAgainstTheKitPackageValidatesAndPassesItsExample() throws {
        defer { TestSupport.cleanup(dir) }
        let swift = try #require(Self.swift, "no swift on PATH or at /opt/swift/usr/bin")
        let project = dir + "/hello_swift"
        let new = try TestSupport.run(TestSupport.wfhost, ["plugins", "new", "hello_swift", "--lang", "swift",
                                                           "--dir", project], environment: environment)
        #expect(new.status == 0, "\(new.stderr)")
        #expect(new.stdout == "wrote \(project)/: Package.swift, Sources/hello_swift/hello_swift.swift, exports.map, "
                    + "Makefile, .gitignore\nnext: make -C \(project) && make -C \(project) test\n")
        let manifest = try String(contentsOfFile: project + "/Package.swift", encoding: .utf8)
        #expect(manifest.contains(".package(path: \"\(TestSupport.repoRoot)/SDK/swift\")"), "\(manifest)")
        let make = try TestSupport.run("/usr/bin/make", ["-C", project, "test", "SWIFT=" + swift],
                                       environment: toolEnvironment)
        #expect(make.status == 0, "\(make.stdout)\(make.stderr)")
        #expect(make.stdout.contains("./hello_swift.so: ok: plugin 'hello_swift' 0.1.0, 1 tool, ABI 1.2\n"),
                "\(make.stdout)")
        #expect(make.stdout.contains("  ok   hello_swift.greet example 1: greets by name ("), "\(make.stdout)")
        #expect(make.stdout.contains("1 example in 1 plugin: 1 passed, 0 failed ("), "\(make.stdout)")
        // The plugin carries its Swift runtime privately: no toolchain library is needed to load it.
        let ldd = try TestSupport.run("/usr/bin/ldd", [project + "/hello_swift.so"])
        #expect(!ldd.stdout.contains("libswiftCore"), "\(ldd.stdout)")
    }

    @Test func anSDKWithoutTheLanguagesPartIsNamed() throws {
        defer { TestSupport.cleanup(dir) }
        // Headers alone (as a C-only SDK copy would hold): the Rust crate and the Swift package are missing.
        let include = dir + "/sdk/include"
        try FileManager.default.createDirectory(atPath: include + "/wfhost", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestSupport.repoRoot + "/SDK/include/wfhost/plugin.h",
                                         toPath: include + "/wfhost/plugin.h")
        for (lang, what, part) in [("rust", "Rust binding crate", "rust"), ("swift", "Swift package (WfhostPluginKit)", "swift")] {
            let r = try TestSupport.run(TestSupport.wfhost, ["plugins", "new", "hello", "--lang", lang, "--dir",
                                                             dir + "/p_" + lang, "--sdk", include], environment: environment)
            #expect(r.status == 3)
            #expect(r.stderr == "wfhost: error: cannot find the wfhost \(what) beside \(include): neither "
                        + "\(include)/../share/wfhost/sdk/\(part) nor \(include)/../\(part) exists\n"
                        + "  hint: use the include directory of an install tree that `make` built (it holds "
                        + "share/wfhost/sdk/\(part)), with --sdk DIR\n")
            #expect(!FileManager.default.fileExists(atPath: dir + "/p_" + lang))
        }
    }
}
