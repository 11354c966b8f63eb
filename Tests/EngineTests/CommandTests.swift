import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Schema
import Store
import Testing
import WfhostTestSupport

/// `wfhost run` as CI runs it: exit codes, --json, --junit, --events, secret masking in every sink, --dry-run.
@Suite struct CommandTests {
    static let mixed = """
        error_policy: {mode: continue}
        stages:
          - {name: compile, tools: [{name: add, args: {a: 1, b: 2}}]}
          - {name: unit, depends_on: [compile], tools: [{name: fail, args: {message: "3 tests <failed> & more"}}]}
          - {name: lint, allow_failure: true, tools: [{name: fail, args: {message: style}}]}
          - {name: package, depends_on: [unit], tools: [echo], args: {message: x}}
        """

    @Test func exitCodes() throws {
        let h = try EngineHarness("exit")
        defer { h.cleanup() }
        let ok = try h.cli(["run", try h.write("stages: [{name: a, tools: [echo], args: {message: hi}}]", name: "ok.yaml"), "--quiet"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr.hasPrefix("session "))
        let failed = try h.cli(["run", try h.write(Self.mixed, name: "mixed.yaml"), "--quiet"])
        #expect(failed.status == 1)
        let invalid = try h.cli(["run", try h.write("stages: [{name: a, tools: [no_such_tool]}]", name: "bad.yaml"), "--quiet"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("error: unknown tool 'no_such_tool'"))
        let usage = try h.cli(["run", h.root + "/ok.yaml", "--max-concurrency", "0"])
        #expect(usage.status == 2)
    }

    @Test func jsonResultAndJUnitParsedBack() throws {
        let h = try EngineHarness("junit")
        defer { h.cleanup() }
        let junit = h.root + "/report.xml"
        let out = try h.cli(["run", try h.write(Self.mixed), "--json", "--junit", junit])
        #expect(out.status == 1)
        let doc = try EngineSupport.json(out.stdout)
        #expect(doc["status"] == .string("failed"))
        let stages = try #require(doc["stages"]?.arrayValue)
        let byName = Dictionary(uniqueKeysWithValues: stages.compactMap { s in s["name"]?.stringValue.map { ($0, s) } })
        #expect(byName["compile"]?["output"] == .object(["result": .int(3)]))
        #expect(byName["unit"]?["status"] == .string("failed"))
        #expect(byName["lint"]?["status"] == .string("allowed_failure"))
        #expect(byName["package"]?["status"] == .string("skipped"))

        let parsed = try JUnitReader.read(junit)
        #expect(parsed.suiteAttributes["tests"] == "4")
        #expect(parsed.suiteAttributes["failures"] == "1")
        #expect(parsed.suiteAttributes["skipped"] == "1")
        #expect(parsed.cases.map(\.name) == ["compile", "unit", "lint", "package"])
        let unit = try #require(parsed.cases.first { $0.name == "unit" })
        #expect(unit.failureMessage == "3 tests <failed> & more")
        #expect(unit.failureType == "tool_error")
        #expect(parsed.cases.first { $0.name == "package" }?.skipped == true)
        let lint = try #require(parsed.cases.first { $0.name == "lint" })
        #expect(lint.failureMessage == nil && lint.systemOut.contains("allowed failure"))
        #expect(parsed.cases.first { $0.name == "compile" }.map { $0.failureMessage == nil && !$0.skipped } == true)
    }

    @Test func eventStreamIsOneJSONObjectPerLine() throws {
        let h = try EngineHarness("events")
        defer { h.cleanup() }
        let out = try h.cli(["run", try h.write(Self.mixed), "--events", "-"])
        #expect(out.status == 1)
        let lines = out.stdout.split(separator: "\n").map(String.init)
        let events = lines.compactMap { try? EngineSupport.json($0) } // non-JSON lines are counted below
        #expect(events.count == lines.count, "every line of --events - is a JSON object")
        let kinds = events.compactMap { $0["event"]?.stringValue }
        #expect(kinds.first == "run_started" && kinds.last == "run_finished")
        for kind in ["stage_started", "attempt_started", "attempt_finished", "stage_finished", "stage_skipped", "progress"] {
            #expect(kinds.contains(kind), "\(kind)")
        }
        #expect(out.stderr.contains("STAGE") && out.stderr.contains("ATTEMPTS"), "the summary goes to stderr with --events -")
    }

    @Test func secretsAreMaskedInEverySink() throws {
        let h = try EngineHarness("secret-cli")
        defer { h.cleanup() }
        let cli = "Cli-Secret-0451", tagged = "Tagged-Secret-7733"
        let file = try h.write("""
            variables: {api_key: !secret \(tagged)}
            error_policy: {mode: continue}
            stages:
              - {name: show, tools: [{name: echo, args: {message: "token=${token} key=${api_key}"}}]}
              - {name: leak, tools: [{name: fail, args: {message: "failed with ${token} and ${api_key}"}}]}
              - {name: retry, tools: [{name: fail, args: {message: "retry ${token}", retryable: true}}],
                 retry_policy: {max_attempts: 2, initial_delay: 10ms}}
            """)
        let events = h.root + "/events.jsonl", junit = h.root + "/junit.xml"
        let out = try TestSupport.run(TestSupport.wfhost, ["run", file, "--secret", "token=env:WFH_TOKEN", "--json",
                                                           "--events", events, "--junit", junit],
                                      environment: h.environment.merging(["WFH_TOKEN": cli]) { $1 })
        #expect(out.status == 1)
        let sinks: [(String, String)] = [
            ("--json", out.stdout), ("stderr", out.stderr),
            ("--events", try String(contentsOfFile: events, encoding: .utf8)),
            ("--junit", try String(contentsOfFile: junit, encoding: .utf8)),
        ]
        for (name, text) in sinks {
            #expect(!text.contains(cli) && !text.contains(tagged), "\(name) holds a secret")
        }
        for (name, text) in sinks where name != "stderr" {
            #expect(text.contains("***"), "\(name) shows the mask")
        }
        // The database and its write-ahead log, byte for byte.
        let db = h.stateDir + "/wfhost.sqlite3"
        var checked = 0
        for path in [db, db + "-wal"] where FileManager.default.fileExists(atPath: path) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes.range(of: Data(cli.utf8)) == nil, "\(path) holds the --secret value")
            #expect(bytes.range(of: Data(tagged.utf8)) == nil, "\(path) holds the !secret value")
            checked += 1
        }
        #expect(checked >= 1)
        let session = try #require(try EngineSupport.json(out.stdout)["session_id"]?.stringValue)
        let stored = try h.store().stages(of: session)
        #expect(stored.first { $0.stage == "show" }?.output == #"{"message":"token=*** key=***"}"#)
        #expect(stored.first { $0.stage == "leak" }?.errorMessage == "failed with *** and ***")
    }

    @Test func dryRunCallsNothing() throws {
        let h = try EngineHarness("dry")
        defer { h.cleanup() }
        let file = try h.write("""
            variables: {target: prod}
            stages:
              - {name: count, tools: [{name: flaky, args: {key: k, failures: 0, path: "${target}-counter"}}]}
              - {name: boom, depends_on: [count], tools: [{name: fail, args: {message: "would fail ${target} ${stages.count.outputs.calls}"}}]}
            """)
        let out = try TestSupport.run(TestSupport.wfhost, ["run", file, "--dry-run", "--secret", "pw"],
                                      environment: h.environment.merging(["pw": "Dry-Secret-1"]) { $1 })
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("nothing is called"))
        #expect(out.stdout.contains(#"chaos.flaky {"failures":0,"key":"k","path":"prod-counter"}"#)
                || out.stdout.contains(#"flaky {"key":"k","failures":0,"path":"prod-counter"}"#), "\(out.stdout)")
        #expect(out.stdout.contains("known at run time"))
        #expect(try h.store().sessions(status: nil, workflow: nil).isEmpty)
        let leftovers = FileManager.default.enumerator(atPath: h.stateDir)?.allObjects.compactMap { $0 as? String } ?? []
        #expect(!leftovers.contains { $0.hasSuffix("prod-counter") })
    }
}

/// Reads a JUnit XML report back with Foundation's XMLParser.
final class JUnitReader: NSObject, XMLParserDelegate {
    struct Case {
        var name: String
        var failureMessage: String?
        var failureType: String?
        var skipped = false
        var systemOut = ""
    }
    var suiteAttributes: [String: String] = [:]
    var cases: [Case] = []
    private var inSystemOut = false

    struct Invalid: Error, CustomStringConvertible { var description: String }

    static func read(_ path: String) throws -> JUnitReader {
        let reader = JUnitReader()
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: path)))
        parser.delegate = reader
        guard parser.parse() else {
            throw Invalid(description: "\(path) is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error")")
        }
        return reader
    }

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        // Elements inside a test case before any test case would be malformed: ignore them.
        let inCase = !cases.isEmpty
        switch element {
        case "testsuite": suiteAttributes = attributes
        case "testcase": cases.append(Case(name: attributes["name"] ?? ""))
        case "failure" where inCase:
            cases[cases.count - 1].failureMessage = attributes["message"]
            cases[cases.count - 1].failureType = attributes["type"]
        case "skipped" where inCase: cases[cases.count - 1].skipped = true
        case "system-out": inSystemOut = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        if element == "system-out" { inSystemOut = false }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inSystemOut, !cases.isEmpty { cases[cases.count - 1].systemOut += string }
    }
}
