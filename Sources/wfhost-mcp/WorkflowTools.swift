import Foundation
import MCP
import WorkflowHost

/// The tools of the server's own: the `wfhost` commands that run and control workflows, named after them.
enum WorkflowTool: String, CaseIterable, Sendable {
    case run = "wfhost_run"
    case validate = "wfhost_validate"
    case workflows = "wfhost_workflows"
    case sessions = "wfhost_sessions"
    case status = "wfhost_status"
    case cancel = "wfhost_cancel"
    case pause = "wfhost_pause"
    case resume = "wfhost_resume"
    case retry = "wfhost_retry"

    static let names = Set(allCases.map(\.rawValue))

    private static let source = """
        "workflow": {"type": "string", "minLength": 1, "description": "A predefined workflow's name (see wfhost_workflows) or the path of a workflow file on the server; give this or yaml"},
        "yaml": {"type": "string", "minLength": 1, "description": "The workflow itself, as YAML text; give this or workflow"},
        "variables": {"type": "object", "description": "Values of the workflow's variables, like wfhost run --var; they override the file's"}
        """
    private static let session = #""session": {"type": "string", "minLength": 1, "description": "A session id (wfhost_run returns it; wfhost_sessions lists them)"}"#
    private static let wait = #""wait": {"type": "boolean", "default": true, "description": "true: answer when the run ends, with progress notifications when the request has a progress token (cancelling the request cancels the run); false: answer with the session id at once and let the run go on in the server"}"#

    /// The input schema, as JSON text.
    var inputSchemaText: String {
        switch self {
        case .run:
            return """
                {"type": "object", "properties": {\(Self.source), \(Self.wait),
                 "max_concurrency": {"type": "integer", "minimum": \(Limits.maxConcurrency.range.lowerBound), "maximum": \(Limits.maxConcurrency.range.upperBound), "description": "Tool calls running at once across the run (default: the workflow's max_concurrency, else the number of cores)"}},
                 "additionalProperties": false}
                """
        case .validate:
            return #"{"type": "object", "properties": {"# + Self.source + #"}, "additionalProperties": false}"#
        case .workflows:
            return #"{"type": "object", "properties": {}, "additionalProperties": false}"#
        case .sessions:
            let statuses = SessionStatus.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            return """
                {"type": "object", "properties": {"status": {"type": "string", "enum": [\(statuses)]},
                 "workflow": {"type": "string", "description": "Only sessions of this workflow (its metadata.name)"},
                 "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50, "description": "At most this many, newest first"}},
                 "additionalProperties": false}
                """
        case .status, .cancel, .pause:
            return #"{"type": "object", "properties": {"# + Self.session + #"}, "required": ["session"], "additionalProperties": false}"#
        case .retry:
            return """
                {"type": "object", "properties": {\(Self.session), \(Self.wait),
                 "stage": {"type": "string", "minLength": 1, "description": "The stage to run again with fresh attempts"},
                 "downstream": {"type": "boolean", "default": false, "description": "Also every stage that depends on it, directly or not"}},
                 "required": ["session", "stage"], "additionalProperties": false}
                """
        case .resume:
            return """
                {"type": "object", "properties": {\(Self.session), \(Self.wait),
                 "variables": {"type": "object", "description": "New values of variables (the session's own are kept otherwise)"}},
                 "required": ["session"], "additionalProperties": false}
                """
        }
    }

    var summary: String {
        switch self {
        case .run:
            return "Run a workflow (like `wfhost run`): a predefined one by name, a file on the server, or inline YAML, with variables. Every tool call runs isolated in a sandboxed worker; the session is stored, so it can be followed with wfhost_status and continued with wfhost_resume even after the server restarts. Returns the session id, its status and each stage's outcome and output."
        case .validate:
            return "Check a workflow (like `wfhost validate`) without running it: structure, dependencies, variables, tool names and arguments against the tools' schemas. Returns every problem with its line, column and a hint."
        case .workflows:
            return "List the predefined workflows (like `wfhost workflows list`): name, description, stages and variables."
        case .sessions:
            return "List the stored sessions, newest first (like `wfhost sessions list`)."
        case .status:
            return "A session's status (like `wfhost status --json`): its state, each stage's status, attempts, error and output."
        case .cancel:
            return "Cancel a session (like `wfhost cancel`): its running calls are cancelled and nothing new starts."
        case .pause:
            return "Pause a session (like `wfhost pause`): no new stage starts, running calls finish; wfhost_resume continues it."
        case .retry:
            return "Run a stage of a session again with fresh attempts (like `wfhost retry --stage`), then continue the session as wfhost_resume does."
        case .resume:
            return "Continue a paused, cancelled, failed or interrupted session (like `wfhost resume`): finished stages are kept, the rest run."
        }
    }

    var annotations: Tool.Annotations {
        switch self {
        case .run, .resume, .retry:
            return .init(readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true)
        case .validate, .workflows, .sessions, .status:
            return .init(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
        case .cancel, .pause:
            return .init(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)
        }
    }
}

/// A tool's result for the client: `structuredContent` and the same JSON as text (as the specification
/// recommends), or an error result whose text says what went wrong.
enum ToolResults {
    static func success(_ structured: JSONValue) -> CallTool.Result {
        CallTool.Result(content: [.text(text: structured.serialized(), annotations: nil, _meta: nil)],
                        structuredContent: ValueBridge.value(structured) as Value?, isError: false)
    }

    /// - Parameter structured: facts the client needs even though the call failed (a failed run's session id).
    static func failure(_ text: String, structured: JSONValue? = nil) -> CallTool.Result {
        var content: [Tool.Content] = [.text(text: text, annotations: nil, _meta: nil)]
        if let structured { content.append(.text(text: structured.serialized(), annotations: nil, _meta: nil)) }
        return CallTool.Result(content: content, structuredContent: structured.map(ValueBridge.value), isError: true)
    }

    /// An error's text as the CLI prints it: `error: MESSAGE` and a hint.
    static func describe(_ error: any Error) -> String {
        guard let e = error as? WorkflowHostError else { return "error: \(error)" }
        if e.code == .workflowInvalid {
            let count = e.report?.errorCount ?? e.diagnostics.count
            return "error: invalid_workflow: the workflow has \(count) error(s):\n" + e.description
        }
        return e.description
    }
}

/// Where a workflow comes from: a file on the server (a predefined workflow's, or a path), or inline text.
enum WorkflowSource {
    case file(String)
    case inline(String)

    /// - Throws: `WorkflowHostError` (`invalidRequest`) unless exactly one of `workflow` and `yaml` is given and a named workflow exists.
    static func from(_ arguments: JSONValue, workflowsDirectory: String?) throws(WorkflowHostError) -> WorkflowSource {
        switch (arguments["workflow"]?.stringValue, arguments["yaml"]?.stringValue) {
        case (let name?, nil):
            if FileManager.default.fileExists(atPath: name) { return .file(name) }
            let predefined = workflowsDirectory.map(WorkflowHost.predefinedWorkflowNames(in:)) ?? []
            if !name.contains("/"), let dir = workflowsDirectory, predefined.contains(name) { return .file("\(dir)/\(name).yaml") }
            throw WorkflowHostError(.invalidRequest, "no workflow file or predefined workflow '\(name)'",
                                 hint: predefined.isEmpty ? "give a path on the server, or the workflow itself as yaml"
                                     : "the predefined workflows: \(predefined.joined(separator: ", ")); or give a path on the server, or the workflow itself as yaml")
        case (nil, let text?):
            return .inline(text)
        case (nil, nil):
            throw WorkflowHostError(.invalidRequest, "no workflow given", hint: "give workflow (a predefined name or a path) or yaml (the workflow's text)")
        case (_?, _?):
            throw WorkflowHostError(.invalidRequest, "both workflow and yaml are given", hint: "give one of them")
        }
    }
}

/// JSON renderings shared by the workflow tools; the same shapes as `wfhost run --json` and `wfhost status --json`.
enum SessionJSON {
    static func run(_ result: RunResult, workflow: String, secrets: Secrets) -> JSONValue {
        .object([
            "session": .string(result.session),
            "workflow": .string(workflow),
            "status": .string(result.status.rawValue),
            "duration_ms": .int(Int64((result.duration / .milliseconds(1)).rounded())),
            "stop_reason": result.stopReason.map(JSONValue.string) ?? .null,
            "stages": .array(result.stages.map { r in
                var o: JSONObject = ["name": .string(r.stage), "status": .string(r.status.rawValue),
                                     "attempts": .int(Int64(r.attempts))]
                if let e = r.errorClass { o["error_type"] = .string(e) }
                if let m = r.errorMessage { o["error"] = .string(m) }
                if let reason = r.reason { o["reason"] = .string(reason) }
                if let out = result.outputs[r.stage] { o["output"] = secrets.mask(out) }
                return .object(o)
            }),
        ])
    }

    static func session(_ s: SessionRecord) -> JSONValue { s.json }

    static func status(_ snapshot: SessionSnapshot) -> JSONValue {
        var o = session(snapshot.session).objectValue ?? JSONObject()
        o["stages"] = .array(snapshot.stages.map { r in
            .object(["name": .string(r.stage), "status": .string(r.shownStatus), "attempts": .int(Int64(r.attempts)),
                     "error_type": r.errorClass.map(JSONValue.string) ?? .null,
                     "error": r.errorMessage.map(JSONValue.string) ?? .null, "reason": r.reason.map(JSONValue.string) ?? .null,
                     "output": r.output.flatMap { try? JSONValue.parse($0) } ?? .null]) // stored by the engine; unreadable: none
        })
        o["attempts"] = .array(snapshot.attempts.map { a in
            .object(["stage": .string(a.stage), "attempt": .int(Int64(a.attempt)), "tool": .string(a.tool),
                     "status": .string(a.status), "error_type": a.errorClass.map(JSONValue.string) ?? .null,
                     "error": a.errorMessage.map(JSONValue.string) ?? .null])
        })
        o["owner_pid"] = snapshot.session.ownerPID.map { .int(Int64($0)) } ?? .null
        o["owner_alive"] = .bool(snapshot.ownerAlive)
        o["checkpoints"] = .int(Int64(snapshot.checkpoints.count))
        let done = snapshot.stages.filter { $0.status.isTerminal }.count
        o["progress"] = .double(snapshot.stages.isEmpty ? 1 : Double(done) / Double(snapshot.stages.count))
        return .object(o)
    }

    static func validation(_ report: ValidationReport) -> JSONValue {
        .object([
            "valid": .bool(report.isValid),
            "workflow": report.workflow.map { .string($0.metadata.name) } ?? .null,
            "stages": report.workflow.map { .int(Int64($0.stages.count)) } ?? .null,
            "errors": .int(Int64(report.errorCount)), "warnings": .int(Int64(report.warningCount)),
            "diagnostics": .array(report.diagnostics.map { d in
                .object(["severity": .string(d.severity.rawValue), "code": .string(d.code.rawValue),
                         "file": .string(d.location.file), "line": .int(Int64(d.location.line)),
                         "column": .int(Int64(d.location.column)), "message": .string(d.message),
                         "hint": d.hint.map(JSONValue.string) ?? .null, "text": .string(d.textDescription)])
            }),
        ])
    }
}
