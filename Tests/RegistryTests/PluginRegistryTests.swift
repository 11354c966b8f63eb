import Foundation
import WfhostTestSupport
import Testing

/// The registry on a plugin path: listing, failures kept with their reason, ambiguity, and the rescan cache.
@Suite struct PluginRegistryTests {
    let dir: String
    let plugins: String
    init() throws {
        dir = try TestSupport.temporaryDirectory("registry")
        plugins = dir + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
    }

    private func wfhost(_ args: [String]) throws -> TestSupport.RunResult {
        try TestSupport.wfhost(args, stateDir: dir + "/state", pluginPath: plugins)
    }

    private func copyShipped() throws {
        try FileManager.default.copyItem(atPath: TestSupport.buildDir + "/libcore.so", toPath: plugins + "/core.so")
        try FileManager.default.copyItem(atPath: TestSupport.buildDir + "/libchaos.so", toPath: plugins + "/chaos.so")
    }

    @Test func listShowsPluginsAndACrashingOneAsFailed() throws {
        try copyShipped()
        try TestSupport.compileFixture("plugin.c", to: plugins + "/segv.so", defines: ["CTOR_SEGV"])
        let r = try wfhost(["plugins", "list"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == """
            PLUGIN   VERSION  ABI  STATUS  TOOLS
            chaos    1.0.0    1.2  ok      segfault, abort, hang, sleep, alloc, flood, exit, fail, flaky
            core     1.0.0    1.2  ok      echo, shell, write_file, read_file, checksum, add
            segv.so  -        -    failed  -
            \(plugins)/segv.so: failed: the plugin crashed while loading (killed by SIGSEGV)
              hint: a constructor in the shared object (or in a library it links) or its wfhost_plugin_descriptor() faulted; `wfhost plugins debug \(plugins)/segv.so --gdb` loads it under gdb and prints the backtrace; it stays failed until the file changes or you run `wfhost plugins scan --force`

            """)
        // The failure is remembered with its reason: a second list does not rescan, and still explains it.
        let again = try wfhost(["plugins", "scan"])
        #expect(again.stdout.hasPrefix("scanned 0 of 3 plugin files (3 unchanged)\n"))
        #expect(again.stdout.contains("segv.so: failed: the plugin crashed while loading (killed by SIGSEGV)"))
        let json = try wfhost(["plugins", "list", "--json"])
        #expect(json.stdout.contains("\"kind\" : \"crashed\"") || json.stdout.contains("\"kind\": \"crashed\""))
    }

    @Test func rebuiltPluginIsRescannedAndUnchangedIsNot() throws {
        try TestSupport.compileFixture("plugin.c", to: plugins + "/a.so", defines: ["PLUGIN_NAME=\"aaa\""])
        try TestSupport.compileFixture("plugin.c", to: plugins + "/b.so", defines: ["PLUGIN_NAME=\"bbb\""])
        let first = try wfhost(["plugins", "scan"])
        #expect(first.stdout == "scanned 2 of 2 plugin files (0 unchanged)\n")
        // Rebuild a.so with a different version: its content changes, so it is rescanned; b.so is not.
        try TestSupport.compileFixture("plugin.c", to: plugins + "/a.so",
                                       defines: ["PLUGIN_NAME=\"aaa\"", "VERSION=\"2.0.0\""])
        let second = try wfhost(["plugins", "scan"])
        #expect(second.stdout == "scanned 1 of 2 plugin files (1 unchanged)\n")
        #expect(try wfhost(["plugins", "list"]).stdout.contains("aaa     2.0.0    1.2  ok"))
        // Touching without changing bytes is not a rescan (the hash confirms the content).
        let now = Date()
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(5)], ofItemAtPath: plugins + "/b.so")
        #expect(try wfhost(["plugins", "scan"]).stdout == "scanned 0 of 2 plugin files (2 unchanged)\n")
        // --force rescans everything.
        #expect(try wfhost(["plugins", "scan", "--force"]).stdout == "scanned 2 of 2 plugin files (0 unchanged)\n")
    }

    @Test func fixingABrokenPluginRecoversWithoutDeletingAnyCache() throws {
        try TestSupport.compileFixture("plugin.c", to: plugins + "/p.so", defines: ["CTOR_ABORT"])
        #expect(try wfhost(["plugins", "list"]).stdout.contains("failed"))
        try TestSupport.compileFixture("plugin.c", to: plugins + "/p.so")
        let r = try wfhost(["plugins", "list"])
        #expect(!r.stdout.contains("failed"))
        #expect(r.stdout.contains("fixture  1.2.3    1.2  ok      alpha, beta"))
    }

    @Test func oneToolNameInTwoPluginsIsAmbiguousButQualifiedNamesWork() throws {
        try TestSupport.compileFixture("plugin.c", to: plugins + "/one.so", defines: ["PLUGIN_NAME=\"one\""])
        try TestSupport.compileFixture("plugin.c", to: plugins + "/two.so", defines: ["PLUGIN_NAME=\"two\""])
        let ambiguous = try wfhost(["plugins", "show", "alpha"])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr == """
            error: tool name 'alpha' is ambiguous: offered by 'one' and 'two'
              hint: name one of: one.alpha, two.alpha

            """)
        let qualified = try wfhost(["plugins", "show", "two.alpha"])
        #expect(qualified.status == 0)
        #expect(qualified.stdout.hasPrefix("two.alpha — Tool A\n"))
        let validate = try TestSupport.wfhost(["plugins", "validate", plugins], stateDir: dir)
        #expect(validate.stdout.contains(
            "\(plugins)/one.so: warning: tool 'alpha': tool name 'alpha' is also offered by plugin 'two' (\(plugins)/two.so); "
                + "the bare name is ambiguous\n  hint: workflows must name it 'one.alpha'"))
    }

    @Test func unknownToolSuggestsTheClosest() throws {
        try copyShipped()
        let r = try wfhost(["plugins", "show", "ecoh"])
        #expect(r.status == 2)
        #expect(r.stderr == "error: no plugin offers a tool named 'ecoh'\n  hint: did you mean 'echo'?\n")
    }

    @Test func versionNamesTheABI() throws {
        let r = try wfhost(["--version"])
        #expect(r.stdout == "wfhost 0.1.0 (plugin ABI 1.2)\n")
    }
}

/// Bad paths given to the CLI: what, where, what to do, and the exit code for invalid input.
@Suite struct CLIInputTests {
    @Test func missingOrDirectoryWorkflowFileIsInvalidInput() throws {
        let dir = try TestSupport.temporaryDirectory("cli-input")
        defer { TestSupport.cleanup(dir) }
        let missing = try TestSupport.wfhost(["run", dir + "/nope.yaml"], stateDir: dir)
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: no workflow file '\(dir)/nope.yaml'\n"
                + "  hint: check the path, or `wfhost workflows list` for the predefined workflows\n")
        let directory = try TestSupport.wfhost(["run", dir], stateDir: dir)
        #expect(directory.status == 2)
        #expect(directory.stderr == "error: '\(dir)' is a directory, not a workflow file\n  hint: name a .yaml file\n")
    }

    @Test func globalOptionsMayComeBeforeTheSubcommand() throws {
        let dir = try TestSupport.temporaryDirectory("cli-global")
        defer { TestSupport.cleanup(dir) }
        let r = try TestSupport.run(TestSupport.wfhost, ["--state-dir", dir + "/state", "sessions", "list", "--json"],
                                    environment: ["HOME": dir, "PATH": "/usr/bin:/bin"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "{\n  \"format_version\": 1,\n  \"sessions\": []\n}\n", "\(r.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir + "/state/wfhost.sqlite3"))
    }

    @Test func missingPluginFileSaysCheckThePath() throws {
        let dir = try TestSupport.temporaryDirectory("cli-plugin")
        defer { TestSupport.cleanup(dir) }
        let r = try TestSupport.wfhost(["plugins", "validate", dir + "/absent.so"], stateDir: dir)
        #expect(r.status == 2) // a missing path is invalid input, as everywhere
        #expect(r.stdout == "\(dir)/absent.so: error: cannot read the file: No such file or directory\n"
                + "  hint: check the path; `wfhost plugins list` shows the plugin path\n")
    }
}
