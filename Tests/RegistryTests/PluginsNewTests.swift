import Foundation
import WfhostTestSupport
import Testing

/// `wfhost plugins new`: each skeleton is generated, built by its own Makefile with -Werror, validated, and passes
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
}
