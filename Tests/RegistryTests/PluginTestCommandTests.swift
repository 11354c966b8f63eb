import Foundation
import Schema
import WfhostTestSupport
import Testing

/// Declared examples (ABI 1.2, `wfh_example`) and `wfhost plugins test`: the shipped plugins pass their own, each
/// way an example fails is reported with its text, the validator checks examples, and an ABI 1.1 plugin still loads.
@Suite struct PluginTestCommandTests {
    let dir: String
    let plugins: String
    init() throws {
        dir = try TestSupport.temporaryDirectory("ptest")
        plugins = dir + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
    }

    private func wfhost(_ args: [String], pluginPath: String? = nil) throws -> TestSupport.RunResult {
        try TestSupport.wfhost(args, stateDir: dir + "/state", pluginPath: pluginPath ?? plugins)
    }

    /// Timings vary: `(12 ms)` becomes `(N ms)`.
    private func untimed(_ text: String) -> String {
        text.replacingOccurrences(of: #"\(\d+ ms\)"#, with: "(N ms)", options: .regularExpression)
    }

    @Test func theShippedPluginsPassTheirExamples() throws {
        defer { TestSupport.cleanup(dir) }
        let junit = dir + "/reports/plugins.xml"
        let r = try wfhost(["plugins", "test", "core", "chaos", "--junit", junit], pluginPath: TestSupport.buildDir)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let out = untimed(r.stdout)
        #expect(out.contains("  ok   core.echo example 1: returns the message (N ms)\n"), "\(out)")
        #expect(out.contains("  ok   core.add example 2: fractions and negatives (N ms)\n"), "\(out)")
        #expect(out.contains("  ok   chaos.flaky example 1: no failures asked for: the first call succeeds (N ms)\n"))
        #expect(out.hasSuffix("12 examples in 2 plugins: 12 passed, 0 failed (N ms)\n"), "\(out)")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == 12)
        #expect(xml.contains(#"<testsuite name="core" tests="8" failures="0" errors="0""#))
        #expect(!xml.contains("<failure"))

        let json = try wfhost(["plugins", "test", "core", "--json"], pluginPath: TestSupport.buildDir)
        #expect(json.status == 0)
        let doc = try JSONValue.parse(json.stdout)
        #expect(doc["passed"] == .int(8))
        #expect(doc["failed"] == .int(0))
        #expect(doc["plugins"]?[0]?["examples"]?[0]?["tool"] == .string("core.echo"))
        #expect(doc["plugins"]?[0]?["examples"]?[0]?["result"] == .object(["message": .string("hello")]))
    }

    @Test func eachWayAnExampleFailsIsReportedAndExitsOne() throws {
        defer { TestSupport.cleanup(dir) }
        try TestSupport.compileFixture("examples.c", to: plugins + "/examples.so", extra: ["-Werror"])
        let junit = dir + "/j.xml"
        let r = try wfhost(["plugins", "test", "examples", "--junit", junit])
        #expect(r.status == 1)
        #expect(untimed(r.stdout) == """
            examples 1.0.0 (\(plugins)/examples.so)
              ok   examples.greet example 1: greets (N ms)
              ok   examples.greet example 2 (N ms)
              FAIL examples.greet example 3: a wrong expectation (N ms)
                   the result does not contain the expected value: /text is "hi", expected "hello"
                   result: {"text":"hi","name":"Zoe","tags":["a","b"]}
              FAIL examples.greet example 4: a wrong length (N ms)
                   the result does not contain the expected value: /tags has 2 elements, expected 1
                   result: {"text":"hello","name":"Ann","tags":["a","b"]}
              FAIL examples.greet example 5: a missing member (N ms)
                   the result does not contain the expected value: /count is missing
                   result: {"text":"hello","name":"Ann","tags":["a","b"]}
              FAIL examples.greet example 6: a failing call (N ms)
                   the call failed: tool_error: names starting with X are refused
              FAIL examples.greet example 7: against the output schema (N ms)
                   the call failed: protocol: the result of examples.greet does not match its output schema:
                     /text: 1 is not of type string
                   hint: this is a defect in the plugin \(plugins)/examples.so
            7 examples in 1 plugin: 2 passed, 5 failed (N ms)

            """)
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains(#"<testsuite name="examples" tests="7" failures="5" errors="0""#))
        #expect(xml.contains(#"<failure message="the result does not contain the expected value: /text is &quot;hi&quot;, expected &quot;hello&quot;">"#))

        let show = try wfhost(["plugins", "show", "examples.greet"])
        #expect(show.stdout.contains("""
            examples (`wfhost plugins test examples` runs them):
              1. greets
                 args:     {"name":"Ann"}
                 expected: {"text":"hello","tags":["a","b"]}
              2. (no description)
                 args:     {"name":"Bob"}
                 expected: any successful result
            """), "\(show.stdout)")
        let showJSON = try JSONValue.parse(try wfhost(["plugins", "show", "examples.greet", "--json"]).stdout)
        #expect(showJSON["examples"]?[0]?["expected"]?["text"] == .string("hello"))
    }

    @Test func theValidatorChecksExamples() throws {
        defer { TestSupport.cleanup(dir) }
        let so = try TestSupport.compileFixture("examples.c", to: dir + "/bad.so", defines: ["BAD_EXAMPLES"])
        let r = try wfhost(["plugins", "validate", so])
        #expect(r.status == 1)
        #expect(r.stdout == """
            \(so): error: tool 'greet': example 1 (wrong type): the arguments do not match the input schema: /name: 5 is not of type string
              hint: fix the example or the schema; `wfhost plugins show TOOL` prints the schema
            \(so): error: tool 'greet': example 2: the arguments are not JSON: unexpected end of input at byte offset 8
              hint: check the string literal's quoting and escapes; `wfhost schema validate` checks a value
            \(so): error: tool 'greet': example 3 (bad expectation): the expected result is not JSON: unexpected character at byte offset 1
              hint: check the string literal's quoting and escapes; `wfhost schema validate` checks a value

            """)
    }

    /// A plugin built against ABI 1.1 has tool entries without the example fields: the scanner reads only its
    /// struct_size, the plugin stays ok and callable, and `plugins test` says it declares no examples.
    @Test func anABI11PluginStillLoadsAndHasNoExamples() throws {
        defer { TestSupport.cleanup(dir) }
        let so = try TestSupport.compileFixture("examples.c", to: plugins + "/old.so", defines: ["OLD_ABI"])
        let v = try wfhost(["plugins", "validate", so])
        #expect(v.stdout == "\(so): ok: plugin 'examples' 1.0.0, 1 tool, ABI 1.1\n")
        let call = try wfhost(["call", "examples.greet", "--args", #"{"name":"Ann"}"#])
        #expect(call.status == 0, "\(call.stderr)")
        let t = try wfhost(["plugins", "test", so])
        #expect(t.status == 1)
        #expect(untimed(t.stdout) == "examples 1.0.0 (\(so))\n"
                    + "0 examples in 1 plugin: 0 passed, 0 failed, 1 plugin not tested (N ms)\n")
        #expect(t.stderr == """
            error: \(so): plugin 'examples' declares no examples
              hint: declare them with WFH_EXAMPLE entries passed to WFH_TOOL_WITH_EXAMPLES (share/doc/wfhost/SDK.md, "Examples and plugins test")

            """)
    }

    @Test func anUnknownPluginIsInvalidInput() throws {
        defer { TestSupport.cleanup(dir) }
        try TestSupport.compileFixture("examples.c", to: plugins + "/examples.so")
        let r = try wfhost(["plugins", "test", "exampels"])
        #expect(r.status == 2)
        #expect(r.stderr == "error: no plugin named 'exampels' on the plugin path\n  hint: did you mean 'examples'?\n")
        let missing = try wfhost(["plugins", "test", dir + "/nothing.so"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: no such file or directory: \(dir)/nothing.so\n")
    }
}
