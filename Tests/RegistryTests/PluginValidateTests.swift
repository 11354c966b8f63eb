import Foundation
import WfhostTestSupport
import Testing

/// `wfhost plugins validate` against real shared objects compiled from fixtures during the run.
@Suite struct PluginValidateTests {
    let dir: String
    init() throws { dir = try TestSupport.temporaryDirectory("validate") }

    private func validate(_ paths: [String], _ extra: [String] = []) throws -> TestSupport.RunResult {
        try TestSupport.wfhost(["plugins", "validate"] + extra + paths, stateDir: dir)
    }

    @Test func goodPluginIsOK() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: dir + "/good.so")
        let r = try validate([so])
        #expect(r.status == 0)
        #expect(r.stdout == "\(so): ok: plugin 'fixture' 1.2.3, 2 tools, ABI 1.2\n")
    }

    @Test func shippedPluginsValidate() throws {
        let r = try validate([TestSupport.buildDir + "/libcore.so", TestSupport.buildDir + "/libchaos.so"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("ok: plugin 'core' 1.0.0, 6 tools, ABI 1.2"))
        #expect(r.stdout.contains("ok: plugin 'chaos' 1.0.0, 9 tools, ABI 1.2"))
    }

    @Test func wrongABIMajorNamesBothVersionsAndTheFix() throws {
        let so = try TestSupport.compileFixture("abi.c", to: dir + "/abi2.so", defines: ["ABI_MAJOR=2"])
        let r = try validate([so])
        #expect(r.status == 1)
        #expect(r.stdout == """
            \(so): error: incompatible plugin ABI: the plugin was built against ABI 2.0, but this wfhost loads ABI 1.x (host ABI 1.2)
              hint: rebuild the plugin against SDK 1 (the include/wfhost/plugin.h installed with this wfhost, `pkg-config --cflags wfhost-plugin`)

            """)
    }

    @Test func newerMinorWithGrownStructsLoads() throws {
        let so = try TestSupport.compileFixture("abi.c", to: dir + "/future.so", defines: ["FUTURE_MINOR"])
        let r = try validate([so])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout == "\(so): ok: plugin 'future' 1.7.0, 2 tools, ABI 1.7\n")
        let json = try validate([so], ["--json"])
        #expect(json.stdout.contains("\"grown\""))
        #expect(json.stdout.contains("\"second\""))
    }

    @Test func missingEntrySymbol() throws {
        let so = try TestSupport.compileFixture("abi.c", to: dir + "/noentry.so", defines: ["NO_ENTRY"])
        let r = try validate([so])
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix(
            "\(so): error: not a wfhost plugin: it does not export the entry symbol 'wfhost_plugin_descriptor'\n"
                + "  hint: define the plugin with WFH_PLUGIN_DEFINE(...)"))
    }

    @Test func executableAndTextFileAreNotPlugins() throws {
        let text = dir + "/x.so"
        try "not a library\n".write(toFile: text, atomically: true, encoding: .utf8)
        let r = try validate(["/bin/ls", text])
        #expect(r.status == 1)
        let hint = "  hint: a wfhost plugin is a shared library built with `cc -shared -fPIC $(pkg-config --cflags "
            + "wfhost-plugin) ...` (the SDK guide: share/doc/wfhost/SDK.md in the install tree); remove this file from the plugin path or rebuild it"
        #expect(r.stdout == """
            /bin/ls: error: not a plugin: an executable program, not a shared object
            \(hint)
            \(text): error: not a plugin: not an ELF shared object (it does not start with the ELF magic bytes)
            \(hint)

            """)
    }

    @Test func missingLibraryDependencyQuotesTheLoader() throws {
        let depSource = dir + "/dep.c"
        try "int fixture_dep_value(void) { return 1; }\n".write(toFile: depSource, atomically: true, encoding: .utf8)
        let dep = dir + "/libfixturedep.so"
        #expect(try TestSupport.run("/usr/bin/cc", ["-shared", "-fPIC", depSource, "-o", dep]).status == 0)
        let so = try TestSupport.compileFixture("plugin.c", to: dir + "/needslib.so", defines: ["NEEDS_LIB"],
                                                extra: ["-L", dir, "-lfixturedep"])
        try FileManager.default.removeItem(atPath: dep)
        let r = try validate([so])
        #expect(r.status == 1)
        #expect(r.stdout.contains(
            "\(so): error: cannot load: a library it needs is missing: libfixturedep.so: cannot open shared object file"))
        #expect(r.stdout.contains("hint: install the missing library or link it statically; `ldd \(so)`"))
    }

    @Test func constructorSegfaultIsReportedNotSuffered() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: dir + "/segv.so", defines: ["CTOR_SEGV"])
        let r = try validate([so])
        #expect(r.status == 1) // an exit code, not a signal: the host survived
        #expect(r.stdout.hasPrefix("\(so): error: the plugin crashed while loading (killed by SIGSEGV"))
        #expect(r.stdout.contains("hint: a constructor in the shared object"))
    }

    @Test func constructorAbortAndExit() throws {
        let abort = try TestSupport.compileFixture("plugin.c", to: dir + "/abort.so", defines: ["CTOR_ABORT"])
        let exit = try TestSupport.compileFixture("plugin.c", to: dir + "/exit.so", defines: ["CTOR_EXIT"])
        let r = try validate([abort, exit])
        #expect(r.status == 1)
        #expect(r.stdout.contains("\(abort): error: the plugin crashed while loading (killed by SIGABRT"))
        #expect(r.stdout.contains("\(exit): error: the plugin ended the scanner while loading (exit code 7)"))
    }

    @Test func constructorHangTimesOut() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: dir + "/hang.so", defines: ["CTOR_HANG"])
        let started = Date()
        let r = try validate([so], ["--scan-timeout", "1"])
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix(
            "\(so): error: loading did not finish: no descriptor within 1s; the scanner was killed with SIGKILL\n"))
        #expect(Date().timeIntervalSince(started) < 15)
    }

    @Test func outputWhileLoadingDoesNotCorruptTheReport() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: dir + "/noisy.so", defines: ["CTOR_STDOUT"])
        let r = try validate([so])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout == "\(so): ok: plugin 'fixture' 1.2.3, 2 tools, ABI 1.2\n")
    }

    @Test func schemaThatIsNotJSONGivesTheByteOffset() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: dir + "/notjson.so", defines: ["SCHEMA_NOT_JSON"])
        let r = try validate([so])
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("\(so): error: tool 'alpha': the input schema is not JSON: "))
        #expect(r.stdout.contains("unexpected character: '}', expected a string key at byte offset 58 (line 1, column 59)"))
    }

    @Test func invalidSchemaGivesPointers() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: dir + "/badschema.so", defines: ["SCHEMA_INVALID"])
        let r = try validate([so])
        #expect(r.status == 1)
        #expect(r.stdout.contains("\(so): error: tool 'alpha': the input schema is invalid at /properties/n/minimum:"))
        #expect(r.stdout.contains("\(so): error: tool 'alpha': the input schema is invalid at /required:"))
    }

    @Test func duplicateAndInvalidNames() throws {
        let dup = try TestSupport.compileFixture("plugin.c", to: dir + "/dup.so", defines: ["TOOL_B=\"alpha\""])
        let bad = try TestSupport.compileFixture("plugin.c", to: dir + "/bad.so",
                                                 defines: ["PLUGIN_NAME=\"Bad-Name\"", "TOOL_A=\"9lives\"",
                                                           "VERSION=\"1.0\""])
        let r = try validate([dup, bad])
        #expect(r.status == 1)
        #expect(r.stdout.contains(
            "\(dup): error: tool 'alpha': tool name 'alpha' is declared twice (entries 1 and 2)\n"
                + "  hint: give every tool in a plugin a distinct name"))
        #expect(r.stdout.contains("\(bad): error: plugin name 'Bad-Name' is invalid\n  hint: names match [a-z][a-z0-9_]*"))
        #expect(r.stdout.contains("\(bad): error: tool '9lives': tool name '9lives' is invalid"))
        #expect(r.stdout.contains("\(bad): error: plugin version '1.0' is not a semantic version"))
    }

    /// The header says descriptions are required; the validator agrees (an error, the plugin is invalid).
    @Test func emptyDescriptionsAreErrors() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: dir + "/nodesc.so", defines: ["NO_DESCRIPTION"])
        let r = try validate([so])
        #expect(r.status == 1)
        #expect(r.stdout.contains("""
            \(so): error: tool 'alpha': the tool has no description (the SDK header requires one)
              hint: describe what the tool does and what it returns; `wfhost plugins show` prints it
            """))
    }

    @Test func githubAndJSONFormats() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: dir + "/dup2.so", defines: ["TOOL_B=\"alpha\""])
        let gh = try validate([so], ["--format", "github"])
        #expect(gh.status == 1)
        #expect(gh.stdout.hasPrefix("::error file=\(so),title=duplicate_tool::tool 'alpha': tool name 'alpha' is declared twice"))
        let json = try validate([so], ["--json"])
        #expect(json.status == 1)
        #expect(json.stdout.contains("\"code\" : \"duplicate_tool\"") || json.stdout.contains("\"code\": \"duplicate_tool\""))
    }
}
