import Foundation
import WfhostTestSupport
import Testing

/// Where a tool went (issue 15 item 4) and failures from outside the file rechecked (item 3).
@Suite struct UnavailableToolTests {
    let dir: String
    let plugins: String
    init() throws {
        dir = try TestSupport.temporaryDirectory("unavailable")
        plugins = dir + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
    }

    private func wfhost(_ args: [String]) throws -> TestSupport.RunResult {
        try TestSupport.wfhost(args, stateDir: dir + "/state", pluginPath: plugins)
    }

    @Test func aToolOfAnInvalidPluginIsNamedWithItsPluginPathAndReason() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: plugins + "/broken.so", defines: ["SCHEMA_INVALID"])
        let expected = """
            error: tool 'beta' is in plugin fixture (\(so)), which is invalid: the input schema is invalid at /properties/n/minimum: "minimum" must be a number, not a string ("3")
              hint: `wfhost plugins validate \(so)` lists every finding; fix them and rebuild the plugin

            """
        let call = try wfhost(["call", "beta"])
        #expect(call.status == 2)
        #expect(call.stderr == expected)
        let show = try wfhost(["plugins", "show", "fixture.beta"])
        #expect(show.status == 2)
        #expect(show.stderr == expected.replacingOccurrences(of: "tool 'beta'", with: "tool 'fixture.beta'"))
    }

    /// `wfhost validate` names the plugin a workflow's tool is in, at the tool's line, instead of "unknown tool".
    @Test func workflowValidationNamesThePluginOfAnUnavailableTool() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: plugins + "/broken.so", defines: ["SCHEMA_INVALID"])
        let flow = dir + "/flow.yaml"
        try "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: t}\nspec:\n  stages:\n    - name: a\n      tools: [beta]\n"
            .write(toFile: flow, atomically: true, encoding: .utf8)
        let r = try wfhost(["validate", flow])
        #expect(r.status == 2)
        #expect(r.stdout == """
            \(flow):7:15: error: tool 'beta' is in plugin fixture (\(so)), which is invalid: the input schema is invalid at /properties/n/minimum: "minimum" must be a number, not a string ("3")
              hint: `wfhost plugins validate \(so)` lists every finding; fix them and rebuild the plugin
            \(flow): invalid: 1 error

            """, "\(r.stdout)")
        #expect(!r.stdout.contains("unknown tool"))
    }

    @Test func aQualifiedNameOfAFailedPluginNamesItsFailure() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: plugins + "/crashy.so", defines: ["CTOR_SEGV"])
        let r = try wfhost(["call", "crashy.alpha"])
        #expect(r.status == 2)
        #expect(r.stderr == """
            error: tool 'crashy.alpha' is perhaps in plugin crashy (\(so)), which is failed: the plugin crashed while loading (killed by SIGSEGV)
              hint: fix the cause, then run `wfhost plugins scan --force` to load it again

            """)
    }

    @Test func showAcceptsAPluginName() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: plugins + "/good.so")
        let r = try wfhost(["plugins", "show", "fixture"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == """
            plugin fixture 1.2.3

            A plugin built by the tests.

            path:    \(so)
            status:  ok
            ABI:     1.2
            tools:   alpha, beta

            """)
    }

    /// A plugin that failed for a missing library is rechecked at the next refresh, with no --force and no
    /// change to its file, and recovers once the library is there.
    @Test func aFixedMissingDependencyIsPickedUpWithoutForce() throws {
        let depSource = dir + "/dep.c"
        try "int fixture_dep_value(void) { return 1; }\n".write(toFile: depSource, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: plugins + "/deps", withIntermediateDirectories: true)
        let dep = plugins + "/deps/libfixturedep.so"
        #expect(try TestSupport.run("/usr/bin/cc", ["-shared", "-fPIC", "-Wl,-soname,libfixturedep.so", depSource,
                                                    "-o", dep]).status == 0)
        let so = try TestSupport.compileFixture("plugin.c", to: plugins + "/needs.so", defines: ["NEEDS_LIB"],
                                                extra: ["-L", plugins + "/deps", "-lfixturedep",
                                                        "-Wl,-rpath,$ORIGIN/deps"])
        try FileManager.default.moveItem(atPath: dep, toPath: dir + "/libfixturedep.so")
        let before = try wfhost(["plugins", "list"])
        #expect(before.stdout == """
            PLUGIN    VERSION  ABI  STATUS  TOOLS
            needs.so  -        -    failed  -
            \(so): failed: cannot load: a library it needs is missing: libfixturedep.so: cannot open shared object file: No such file or directory
              hint: install the missing library or link it statically; `ldd \(so)` lists what the plugin needs; wfhost rechecks it at every registry refresh (`wfhost plugins scan --force` rechecks all files now)

            """)
        // Unchanged file, still missing: rechecked (scanned 1), still failed.
        #expect(try wfhost(["plugins", "scan"]).stdout.hasPrefix("scanned 1 of 1 plugin files (0 unchanged)\n"))
        // The library is installed: the next refresh loads the plugin, without --force.
        try FileManager.default.moveItem(atPath: dir + "/libfixturedep.so", toPath: dep)
        let after = try wfhost(["plugins", "list"])
        #expect(after.stdout == """
            PLUGIN   VERSION  ABI  STATUS  TOOLS
            fixture  1.2.3    1.2  ok      alpha, beta

            """)
        // Once ok, the file is not rescanned until it changes.
        #expect(try wfhost(["plugins", "scan"]).stdout == "scanned 0 of 1 plugin files (1 unchanged)\n")
    }

    @Test func aFailureFromInsideTheFileStaysAndNamesForce() throws {
        let so = try TestSupport.compileFixture("plugin.c", to: plugins + "/segv.so", defines: ["CTOR_SEGV"])
        _ = try wfhost(["plugins", "scan"])
        let again = try wfhost(["plugins", "scan"])
        #expect(again.stdout.hasPrefix("scanned 0 of 1 plugin files (1 unchanged)\n"))
        let list = try wfhost(["plugins", "list"])
        #expect(list.stdout.hasSuffix("""
            \(so): failed: the plugin crashed while loading (killed by SIGSEGV)
              hint: a constructor in the shared object (or in a library it links) or its wfhost_plugin_descriptor() faulted; `wfhost plugins debug \(so) --gdb` loads it under gdb and prints the backtrace; it stays failed until the file changes or you run `wfhost plugins scan --force`

            """), "\(list.stdout)")
    }
}
