import Foundation
import Schema
import Testing
import WfhostTestSupport

/// The JSON contract (issue 13 item 6): the real output of every `--json` command and each line of the event
/// stream validate against their schemas in `share/schemas/` with wfhost's own validator; every document starts
/// with `format_version`; keys are snake_case; under `--json` an error is a document on stdout.
@Suite struct JSONContractTests {
    static let schemaDir = TestSupport.repoRoot + "/share/schemas"

    /// The compiled schema `name` (`share/schemas/NAME.schema.json`).
    static func schema(_ name: String) throws -> CompiledSchema {
        let text = try String(contentsOfFile: schemaDir + "/\(name).schema.json", encoding: .utf8)
        return try CompiledSchema.compile(jsonText: Array(text.utf8))
    }

    /// Keys whose values are data (a tool's outputs and arguments, a schema), not keys of the contract.
    static let dataKeys: Set<String> = ["output", "result", "arguments", "arguments_as_written", "input_schema",
                                        "output_schema", "args", "expected", "error_classes"]

    /// Every key of `value` outside data, with its path, that is not snake_case.
    static func nonSnakeKeys(_ value: JSONValue, at path: String = "") -> [String] {
        switch value {
        case .object(let o):
            return o.flatMap { key, member -> [String] in
                let bad = key.unicodeScalars.contains { !(("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_") }
                let here = bad ? ["\(path)/\(key)"] : []
                return here + (dataKeys.contains(key) ? [] : nonSnakeKeys(member, at: "\(path)/\(key)"))
            }
        case .array(let items): return items.enumerated().flatMap { nonSnakeKeys($1, at: "\(path)/\($0)") }
        default: return []
        }
    }

    /// Parses `text` as one document and checks it against `schemaName`: the schema, `format_version` first, keys.
    @discardableResult
    static func check(_ text: String, _ schemaName: String, _ command: String,
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        let document: JSONValue
        do {
            document = try JSONValue.parse(text)
        } catch {
            Issue.record("\(command) printed no JSON document (\(error)): \(text)", sourceLocation: sourceLocation)
            throw error
        }
        let violations = try schema(schemaName).validate(document)
        #expect(violations.isEmpty, "\(command) against \(schemaName): \(violations.map(\.description)) in \(text)",
                sourceLocation: sourceLocation)
        #expect(document.objectValue?.keys.first == "format_version", "\(command): \(text.prefix(200))",
                sourceLocation: sourceLocation)
        #expect(nonSnakeKeys(document) == [], "\(command)", sourceLocation: sourceLocation)
        return document
    }

    @Test func everySchemaCompiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.schemaDir).filter { $0.hasSuffix(".schema.json") }
        #expect(names.count >= 20)
        for name in names { _ = try Self.schema(String(name.dropLast(".schema.json".count))) }
    }

    @Test func realOutputOfEveryCommandMatchesItsSchema() throws {
        let h = try EngineHarness("json-contract")
        defer { h.cleanup() }
        let file = try h.write("""
            variables: {who: world}
            error_policy: {mode: continue}
            stages:
              - {name: greet, tools: [{name: echo, args: {message: "hello ${who}"}}]}
              - {name: sum, depends_on: [greet], tools: [{name: add, args: {a: 40, b: 2}}]}
              - {name: broken, allow_failure: true, tools: [{name: fail, args: {message: "it broke", code: bad_thing}}]}
            """)
        let events = h.root + "/events.jsonl"
        let run = try h.cli(["run", file, "--json", "--quiet", "--events", events])
        let result = try Self.check(run.stdout, "run", "run --json")
        let session = try #require(result["session_id"]?.stringValue)
        #expect(result["stages"]?.arrayValue?.first { $0["name"] == "broken" }?["error_type"] == .string("tool_error"))

        // The event stream: every line one event of the schema, the same names as the documents.
        let lines = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count > 8)
        for line in lines { try Self.check(line, "event", "--events line") }
        let kinds = Set(try lines.compactMap { try JSONValue.parse($0)["event"]?.stringValue })
        #expect(kinds.isSuperset(of: ["run_started", "stage_started", "attempt_finished", "stage_finished", "run_finished"]))
        let failed = try lines.map { try JSONValue.parse($0) }.first { $0["event"] == "attempt_finished" && $0["ok"] == false }
        #expect(failed?["error"]?["error_type"] == .string("tool_error"))
        #expect(failed?["error"]?["code"] == .string("bad_thing"))

        try Self.check(h.cli(["status", session, "--json"]).stdout, "status", "status --json")
        let list = try Self.check(h.cli(["sessions", "list", "--json"]).stdout, "sessions-list", "sessions list --json")
        #expect(list["sessions"]?[0]?["session_id"] == .string(session))
        try Self.check(h.cli(["logs", session, "--json"]).stdout, "logs", "logs --json")
        let follow = try h.cli(["logs", session, "--follow", "--json"])
        let followLines = follow.stdout.split(separator: "\n")
        #expect(!followLines.isEmpty)
        for line in followLines { try Self.check(String(line), "logs-line", "logs --follow --json") }
        try Self.check(h.cli(["resume", session, "--explain", "--json"]).stdout, "resume-explain", "resume --explain --json")
        try Self.check(h.cli(["checkpoint", "create", session, "--name", "here", "--json"]).stdout,
                       "checkpoint-create", "checkpoint create --json")
        try Self.check(h.cli(["checkpoint", "list", session, "--json"]).stdout, "checkpoint-list", "checkpoint list --json")
        try Self.check(h.cli(["metrics", "--json"]).stdout, "metrics", "metrics --json")
        try Self.check(h.cli(["cleanup", "--older-than", "24h", "--dry-run", "--json"]).stdout, "cleanup", "cleanup --json")

        // A finished session cannot be paused: the error is a document.
        let pause = try h.cli(["pause", session, "--json"])
        try Self.check(pause.stdout, pause.status == 0 ? "session-action" : "error", "pause --json")

        try Self.check(h.cli(["analyze", file, "--json"]).stdout, "analyze", "analyze --json")
        try Self.check(h.cli(["graph", file, "--format", "json"]).stdout, "graph", "graph --format json")
        try Self.check(h.cli(["plan", file, "--json"]).stdout, "plan", "plan --json")
        try Self.check(h.cli(["run", file, "--dry-run", "--json"]).stdout, "dry-run", "run --dry-run --json")
        let invalid = try h.write("stages:\n  - {name: a, tools: [{name: nosuch_tool}]}\n", name: "invalid.yaml")
        // A dependency cycle: a diagnostic with notes (one per edge), each with its location.
        let cycle = try h.write("""
            stages:
              - {name: a, depends_on: [b], tools: [{name: echo, args: {message: a}}]}
              - {name: b, depends_on: [a], tools: [{name: echo, args: {message: b}}]}
            """, name: "cycle.yaml")
        let validate = try Self.check(h.cli(["validate", file, invalid, cycle, "--json"]).stdout, "validate", "validate --json")
        #expect(validate["files"]?[1]?["diagnostics"]?[0]?["code"] == .string("unknown_tool"))
        let notes = validate["files"]?[2]?["diagnostics"]?[0]?["notes"]
        #expect(notes?[0]?["location"]?["line"] != nil, "a cycle's diagnostic has located notes: \(String(describing: notes))")

        try Self.check(h.cli(["plugins", "list", "--json"]).stdout, "plugins-list", "plugins list --json")
        try Self.check(h.cli(["plugins", "show", "core", "--json"]).stdout, "plugins-list", "plugins show PLUGIN --json")
        try Self.check(h.cli(["plugins", "show", "echo", "--json"]).stdout, "plugins-show", "plugins show TOOL --json")
        try Self.check(h.cli(["plugins", "validate", h.pluginDir + "/core.so", "--json"]).stdout, "plugins-list",
                       "plugins validate --json")
        try Self.check(h.cli(["plugins", "scan", "--json"]).stdout, "plugins-list", "plugins scan --json")
        try Self.check(h.cli(["plugins", "test", "core", "--json"]).stdout, "plugins-test", "plugins test --json")
        try Self.check(h.cli(["call", "echo", "--json", "--args", #"{"message":"hi"}"#]).stdout, "call", "call --json")
        let failedCall = try Self.check(h.cli(["call", "fail", "--json", "--args", #"{"message":"no"}"#]).stdout, "call",
                                        "call --json (failure)")
        #expect(failedCall["error"]?["error_type"] == .string("tool_error"))
        try Self.check(h.cli(["doctor", "--json"]).stdout, "doctor", "doctor --json")
        try Self.check(h.cli(["workflows", "list", "--json"]).stdout, "workflows-list", "workflows list --json")
        let schemaFile = h.root + "/s.json"
        try #"{"type": "object"}"#.write(toFile: schemaFile, atomically: true, encoding: .utf8)
        try Self.check(h.cli(["schema", "check", schemaFile, "--json"]).stdout, "schema-result", "schema check --json")
    }

    @Test func underJSONAnErrorIsADocumentOnStdout() throws {
        let h = try EngineHarness("json-errors")
        defer { h.cleanup() }
        let unknown = try h.cli(["status", "nosuch", "--json"])
        #expect(unknown.status == 2)
        let doc = try Self.check(unknown.stdout, "error", "status nosuch --json")
        #expect(doc["error"] == .string("no session 'nosuch' in \(h.stateDir)/wfhost.sqlite3"))
        #expect(doc["hint"] == .string("`wfhost sessions list` shows the sessions"))
        #expect(doc["exit_code"] == .int(2))
        #expect(unknown.stderr.contains("error: no session 'nosuch'"))

        let missing = try Self.check(try h.cli(["analyze", h.root + "/none.yaml", "--json"]).stdout, "error", "analyze --json")
        #expect(missing["error"] == .string("\(h.root)/none.yaml:1:1: error: cannot read the file: No such file or directory"))

        let typo = try Self.check(try h.cli(["rnu", "--json"]).stdout, "error", "rnu --json")
        #expect(typo["error"] == .string("unknown command 'rnu'"))
        #expect(typo["hint"] == .string("did you mean 'run'? (`wfhost --help` lists the commands)"))

        let usage = try h.cli(["logs", "--json"])
        #expect(usage.status == 2)
        let usageDoc = try Self.check(usage.stdout, "error", "logs --json without a session")
        #expect(usageDoc["error"]?.stringValue?.contains("Missing expected argument") == true)

        // Without --json, stdout stays empty on an error.
        #expect(try h.cli(["status", "nosuch"]).stdout == "")
    }
}
