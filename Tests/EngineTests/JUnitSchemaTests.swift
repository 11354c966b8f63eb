import Foundation
import Schema
import Testing
import WfhostTestSupport

/// The JUnit report of a failing run, checked by real consumers: validated against the published `junit-10.xsd`
/// (Jenkins xUnit plugin, vendored in Fixtures/junit) by `xmlschema`, and parsed back by `junitparser`, both
/// installed from PyPI into a virtual environment the test makes in its temporary directory.
@Suite struct JUnitSchemaTests {
    static let checker = #"""
        import json, sys
        import xmlschema
        from junitparser import JUnitXml
        schema = xmlschema.XMLSchema(sys.argv[1])
        errors = [str(e.reason) for e in schema.iter_errors(sys.argv[2])]
        xml = JUnitXml.fromfile(sys.argv[2])
        suites = [xml] if xml._tag == "testsuite" else list(xml)
        out = {"schema_errors": errors, "suites": []}
        for suite in suites:
            cases = []
            for case in suite:
                cases.append({
                    "name": case.name, "time": case.time,
                    "results": [{"kind": type(r).__name__, "type": r.type, "message": r.message, "text": r.text} for r in case.result],
                    "system_out": case.system_out, "system_err": case.system_err,
                    "flaky": [{"type": f.get("type"), "message": f.get("message"),
                               "system_err": (f.findtext("system-err") or "")} for f in case._elem.findall("flakyFailure")],
                })
            out["suites"].append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                                  "skipped": suite.skipped, "time": suite.time, "timestamp": suite.timestamp,
                                  "hostname": suite.hostname, "cases": cases})
        print(json.dumps(out))
        """#

    /// The python of the shared venv with junitparser and xmlschema (`PythonVenv`), or a skip (PyPI unreachable).
    static func venv() throws -> String {
        do {
            return try PythonVenv.directory("junit") + "/bin/python"
        } catch let unreachable as PythonVenv.Unreachable {
            try Test.cancel(Comment(rawValue: unreachable.reason))
        }
    }

    @Test func theJUnitOfAFailingRunIsSchemaValidAndParsesBack() throws {
        let h = try FailureOutputTests.harness("junit-xsd")
        defer { h.cleanup() }
        let python = try Self.venv()
        let junit = h.root + "/reports/junit.xml"
        let file = try h.write("""
            error_policy: {mode: continue}
            stages:
              - {name: build, tools: [compile]}
              - {name: flaky, tools: [settle], retry_policy: {max_attempts: 2, initial_delay: 10ms}}
              - {name: after, depends_on: [build], tools: [echo], args: {message: x}}
              - {name: ok, tools: [echo], args: {message: fine}}
              - {name: lines, tools: [fail], args: {message: "first\\nsecond"}}
            """)
        let run = try h.cli(["run", file, "--quiet", "--junit", junit])
        #expect(run.status == 1, "\(run.stderr)")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("message=\"first&#10;second\""), "a newline in an attribute is a character reference")
        try Self.checker.write(toFile: h.root + "/check.py", atomically: true, encoding: .utf8)
        let xsd = TestSupport.repoRoot + "/Tests/EngineTests/Fixtures/junit/junit-10.xsd"
        let checked = try TestSupport.run(python, [h.root + "/check.py", xsd, junit])
        try #require(checked.status == 0, "\(checked.stderr)")
        let doc = try EngineSupport.json(checked.stdout)
        #expect(doc["schema_errors"] == .array([]), "\(checked.stdout)")
        let suite = try #require(doc["suites"]?[0])
        #expect(suite["name"] == .string("engine-test"))
        #expect(suite["tests"] == .int(5) && suite["failures"] == .int(2) && suite["skipped"] == .int(1))
        #expect(suite["hostname"] == .string(ProcessInfo.processInfo.hostName))
        let timestamp = try #require(suite["timestamp"]?.stringValue)
        #expect(timestamp.count == 20 && timestamp.hasSuffix("Z") && timestamp.contains("T"), "\(timestamp)")
        // The suite's time is the run's wall clock, at least the flaky stage's retry delay and both attempts.
        #expect((suite["time"]?.doubleValue ?? 0) > 0)

        let cases = try #require(suite["cases"]?.arrayValue)
        #expect(cases.compactMap { $0["name"]?.stringValue } == ["build", "flaky", "after", "ok", "lines"])
        let build = cases[0]
        #expect(build["results"]?[0]?["kind"] == .string("Failure"))
        #expect(build["results"]?[0]?["type"] == .string("tool_error"))
        #expect(build["results"]?[0]?["message"] == .string("compilation failed (see output)"))
        #expect(build["system_out"] == .string("""
            [noisy.compile] info: compiling main.c
            [noisy.compile] warning: 1 error generated
            cc -c main.c
            progress line 1
            progress line 2
            progress line 3
            """))
        #expect(build["system_err"] == .string("main.c:3:5: error: expected ';' before '<' & \"x\" | y"))
        let flaky = cases[1]
        #expect(flaky["results"] == .array([]), "the flaky stage passed")
        #expect(flaky["flaky"] == .array([.object(["type": .string("tool_error"), "message": .string("not settled yet"),
                                                   "system_err": .string("attempt 1 is flaky")])]))
        #expect(flaky["system_out"] == .string("settled"))
        #expect(cases[2]["results"]?[0]?["kind"] == .string("Skipped"))
        #expect(cases[3]["results"] == .array([]) && cases[3]["system_err"] == .null)
        #expect(cases[4]["results"]?[0]?["message"] == .string("first\nsecond"), "the line break reads back")
    }
}
