import Foundation
import WorkflowHost

/// One log line a tool emitted during a call, as stored with the session's events.
struct LogLine: Sendable, Equatable {
    var at: Double
    var stage: String
    var tool: String
    var level: String
    var message: String

    /// `level: message`, as the console and `wfhost logs` print it.
    var text: String { "\(level): \(message)" }
}

/// What one attempt of a tool call left behind: its row (times, outcome, output tails), the log lines it emitted,
/// the arguments it was called with and the work directory it ran in.
struct AttemptDetail: Sendable {
    var record: AttemptRecord
    var logLines: [LogLine]
    /// The arguments after substitution, secrets masked; re-derived from what the session stored (its workflow,
    /// variables and the earlier stages' outputs). Nil when a reference cannot be resolved from those (an
    /// `${env.NAME}`, read from the environment of the run), then `argumentsAsWritten` holds the text's arguments.
    var arguments: JSONValue?
    var argumentsAsWritten: JSONValue?
    var workDirectory: String?

    var stage: String { record.stage }
    var attempt: Int { record.attempt }
    var failed: Bool { record.status == "failed" }
}

/// Everything the reports show about a session's attempts, read once from the store.
struct SessionDetails: Sendable {
    var snapshot: SessionSnapshot
    var attempts: [AttemptDetail]

    /// The attempts of `stage`, oldest first.
    func attempts(of stage: String) -> [AttemptDetail] {
        attempts.filter { $0.stage == stage }.sorted { ($0.attempt, $0.record.startedAt) < ($1.attempt, $1.record.startedAt) }
    }

    /// The attempts of `stage`'s last attempt number (one per tool of the stage).
    func lastAttempt(of stage: String) -> [AttemptDetail] {
        let all = attempts(of: stage)
        guard let last = all.map(\.attempt).max() else { return [] }
        return all.filter { $0.attempt == last }
    }

    /// Reads the session's snapshot, attempts and log events.
    /// - Throws: `WorkflowHostError`: `invalidRequest` for an unknown session, `stateUnavailable` when the store cannot be read.
    static func load(_ session: String, host: WorkflowHost) throws -> SessionDetails {
        let snapshot = try host.status(of: session)
        let logs = try host.events(ofSession: session).compactMap(Self.logLine)
        let workflow = WorkflowHost.storedWorkflow(of: snapshot.session)
        let derivation = ArgumentDerivation(snapshot: snapshot, workflow: workflow)
        let workDirectories = Self.workDirectories(of: session, root: host.configuration.stateDirectory + "/work")
        let attempts = snapshot.attempts.map { record -> AttemptDetail in
            let end = record.finishedAt ?? .infinity
            let tool = Self.toolName(record.tool)
            let lines = logs.filter { $0.stage == record.stage && $0.tool == tool && $0.at >= record.startedAt - 0.001 && $0.at <= end + 0.001 }
            let (arguments, written) = derivation.arguments(stage: record.stage, tool: record.tool)
            let dir = workDirectories.last { $0.created <= record.startedAt + 1 }?.path ?? workDirectories.first?.path
            return AttemptDetail(record: record, logLines: lines, arguments: arguments, argumentsAsWritten: written,
                                 workDirectory: dir)
        }
        return SessionDetails(snapshot: snapshot, attempts: attempts)
    }

    /// The stored tool label without the `#N` that tells repeated calls of one tool in a stage apart.
    static func toolName(_ label: String) -> String {
        label.firstIndex(of: "#").map { String(label[..<$0]) } ?? label
    }

    /// A stored `log` event as a line; other events are nil.
    static func logLine(_ event: EventRecord) -> LogLine? {
        guard event.kind == "log", let data = try? JSONValue.parse(event.data) else { return nil } // written by the engine; a damaged row is not a log line
        return LogLine(at: event.at, stage: event.stage ?? data["stage"]?.stringValue ?? "",
                       tool: data["tool"]?.stringValue ?? "", level: data["level"]?.stringValue ?? "info",
                       message: data["message"]?.stringValue ?? "")
    }

    /// The session's work directories (`work/session-ID`; before it was kept for the session's life,
    /// `work/session-ID-xxxxxxxx`, one per run or resume), oldest first.
    static func workDirectories(of session: String, root: String) -> [(path: String, created: Double)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] // removed by cleanup: none
        return entries.filter { $0 == "session-\(session)" || $0.hasPrefix("session-\(session)-") }.map { entry -> (path: String, created: Double) in
            let path = root + "/" + entry
            var st = stat()
            let created = stat(path, &st) == 0 ? Double(st.st_mtim.tv_sec) : 0
            return (path, created)
        }.sorted { $0.created < $1.created }
    }
}

/// Re-derives the arguments of a stored attempt: the stage's and tool's `args` with the session's variables, the
/// stage's variables and the earlier stages' (masked) outputs substituted. Secrets show as `***`: the stored
/// variables and workflow text hold them masked, and `--secret` names resolve to the mask.
struct ArgumentDerivation: Sendable {
    let workflow: Workflow?
    let variables: [String: JSONValue]
    let outputs: [String: JSONValue]

    init(snapshot: SessionSnapshot, workflow: Workflow?) {
        self.workflow = workflow
        var vars: [String: JSONValue] = [:]
        for v in workflow?.variables ?? [] { vars[v.name] = v.isSecret ? .string(Secrets.replacement) : v.value.jsonValue }
        for (k, v) in (try? JSONValue.parse(snapshot.session.variables))?.objectValue ?? JSONObject() { vars[k] = v } // written by prepareRun
        for name in RunOptionsCodec.secretNames(snapshot.session.options) { vars[name] = .string(Secrets.replacement) }
        variables = vars
        var outs: [String: JSONValue] = [:]
        for s in snapshot.stages {
            if let text = s.output, let value = try? JSONValue.parse(text) { outs[s.stage] = value } // stored by the engine as JSON
        }
        outputs = outs
    }

    /// (substituted, nil), or (nil, as written) when a reference cannot be resolved from the stored state,
    /// or (nil, nil) when the stage or tool is not in the stored workflow.
    func arguments(stage name: String, tool label: String) -> (JSONValue?, JSONValue?) {
        guard let workflow, let index = workflow.stageIndex(named: name) else { return (nil, nil) }
        let stage = workflow.stages[index]
        let invocation: ToolInvocation?
        if let hash = label.firstIndex(of: "#"), let k = Int(label[label.index(after: hash)...]), stage.tools.indices.contains(k - 1) {
            invocation = stage.tools[k - 1]
        } else {
            let tool = SessionDetails.toolName(label)
            invocation = stage.tools.first { $0.name == tool || tool.hasSuffix("." + $0.name) } ?? (stage.tools.count == 1 ? stage.tools.first : nil)
        }
        guard let invocation else { return (nil, nil) }
        var vars = variables
        for v in stage.variables { vars[v.name] = v.isSecret ? .string(Secrets.replacement) : v.value.jsonValue }
        let derived = WorkflowHost.arguments(of: invocation, in: stage, variables: vars, outputs: outputs)
        return (derived.substituted, derived.asWritten)
    }
}

/// The last lines of a stored output tail.
enum Tail {
    /// Lines kept under a failure on the console, in JUnit and in the step summary.
    static let lines = 20

    /// The last `count` lines of `text` (no trailing empty line).
    static func last(_ text: String?, _ count: Int = lines) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        var all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if all.last == "" { all.removeLast() }
        return Array(all.suffix(count))
    }
}
