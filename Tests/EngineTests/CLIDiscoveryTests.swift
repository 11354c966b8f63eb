import Foundation
import Testing
import WfhostTestSupport

/// The CLI finds what was meant: a did-you-mean for a mistyped command, predefined workflow names and `-` (stdin)
/// wherever `run` takes a workflow.
@Suite struct CLIDiscoveryTests {
    @Test func aMistypedCommandGetsADidYouMean() throws {
        let h = try EngineHarness("cli-typo")
        defer { h.cleanup() }
        let r = try h.cli(["rnu", "x.yaml"])
        #expect(r.status == 2)
        #expect(r.stderr == "error: unknown command 'rnu'\n  hint: did you mean 'run'? (`wfhost --help` lists the commands)\n")
        let far = try h.cli(["zzzzzz"])
        #expect(far.status == 2)
        #expect(far.stderr == "error: unknown command 'zzzzzz'\n  hint: `wfhost --help` lists the commands\n")
        let global = try h.cli(["--state-dir", h.stateDir, "statsu", "x"])
        #expect(global.stderr == "error: unknown command 'statsu'\n  hint: did you mean 'status'? (`wfhost --help` lists the commands)\n")
        #expect(try h.cli(["help", "logs"]).status == 0)
    }

    @Test func validateGraphAndAnalyzeTakePredefinedNamesAndStdin() throws {
        let h = try EngineHarness("cli-names")
        defer { h.cleanup() }
        let validate = try h.cli(["validate", "development-workflow", "--no-registry"])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        #expect(validate.stdout.contains(TestSupport.repoRoot + "/workflows/development-workflow.yaml"), "\(validate.stdout)")
        let graph = try h.cli(["graph", "development-workflow", "--format", "mermaid"])
        #expect(graph.status == 0 && graph.stdout.hasPrefix("flowchart"), "\(graph.stdout)\(graph.stderr)")
        let analyze = try h.cli(["analyze", "development-workflow", "--no-registry"])
        #expect(analyze.status == 0, "\(analyze.stderr)")

        let text = EngineSupport.workflow("stages: [{name: a, tools: [echo], args: {message: hi}}, {name: b, depends_on: [a], tools: [echo]}]")
        let piped = try TestSupport.run("/bin/sh", ["-c", "printf '%s' \"$1\" | \"$0\" graph - --format mermaid", TestSupport.wfhost, text],
                                        environment: h.environment)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.contains("-->"), "\(piped.stdout)")
        let bad = try TestSupport.run("/bin/sh", ["-c", "printf 'spec: [' | \"$0\" validate - --no-registry", TestSupport.wfhost],
                                      environment: h.environment)
        #expect(bad.status == 2)
        #expect(bad.stdout.hasPrefix("<stdin>:"), "\(bad.stdout)")
    }
}
