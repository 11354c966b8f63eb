import ArgumentParser
import Foundation
import WorkflowHost

/// `wfhost sessions list`.
struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sessions", abstract: "List sessions.",
                                                    subcommands: [List.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List sessions, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only sessions with this status.") var status: SessionStatus?
        @Option(help: "Only sessions of this workflow (its metadata.name).") var workflow: String?
        @Flag(help: "Print a JSON document.") var json = false

        func run() throws {
            let sessions = try runReportingHostErrors { try global.host().listSessions(status: status, workflow: workflow) }
            if json {
                printDocument(JSONContract.list("sessions", sessions.map(SessionReport.json)))
                return
            }
            var rows = [["SESSION", "WORKFLOW", "STATUS", "CREATED", "DURATION"]]
            for s in sessions {
                rows.append([s.id, s.workflowName, s.status.rawValue, SessionReport.time(s.createdAt),
                             s.startedAt.flatMap { st in s.finishedAt.map { ProgressDisplay.format(seconds: $0 - st) } } ?? "-"])
            }
            print(TextTable.render(rows))
        }
    }
}

extension SessionStatus: ExpressibleByArgument {}

/// `wfhost status SESSION [--watch]`.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status",
                                                    abstract: "Show a session's stages, attempts, progress and errors.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The session id.") var session: String
    @Flag(help: "Refresh every second until the session is no longer running.") var watch = false
    @Flag(help: "Print a JSON document.") var json = false
    @Flag(help: "Exit 1 when the session failed (0 otherwise), as a CI step that checks on a session would.")
    var exitStatus = false

    func run() throws {
        let host = global.host()
        while true {
            let details = try runReportingHostErrors { try SessionDetails.load(session, host: host) }
            let snapshot = details.snapshot
            if json {
                printDocument(SessionReport.json(details))
            } else {
                // Clear the screen only on a terminal: into a file or a pipe, each refresh is appended as text.
                if watch && TerminalSize.isTerminal(1) { print("\u{1B}[H\u{1B}[2J", terminator: "") }
                print(SessionReport.text(snapshot))
            }
            guard watch, snapshot.session.status == .running || snapshot.session.status == .pending else {
                let code = exitStatus ? Exit.forStatus(snapshot.session.status) : Exit.success
                if code != Exit.success { throw code }
                return
            }
            Thread.sleep(forTimeInterval: 1)
        }
    }
}

/// Options of the commands that act on one session and print what they did (`pause`, `cancel`).
struct SessionAction: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The session id.") var session: String
    @Flag(help: "Print a JSON document.") var json = false

    /// Runs `action` on the host and prints its sentence (or a JSON document).
    func perform(_ action: (WorkflowHost, String) throws -> String) throws {
        let message = try runReportingHostErrors { try action(global.host(), session) }
        if json { printDocument(["session_id": .string(session), "message": .string(message)]) } else { print(message) }
    }
}

struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause a session: no new stage starts, running calls finish.")
    @OptionGroup var options: SessionAction
    func run() throws { try options.perform { try $0.pause($1) } }
}

struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a session: running calls are cancelled, workers end after the grace time.")
    @OptionGroup var options: SessionAction
    func run() throws { try options.perform { try $0.cancel($1) } }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a session: finished stages and calls are kept; an interrupted call runs again when its tool allows.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var settings: RunSettings
    @Argument(help: "The session id.") var session: String
    @Flag(help: "Say, for every stage and every call of an interrupted one, whether it is kept, reused, run again or failed, and why; run nothing.") var explain = false

    func run() async throws {
        let host = global.host()
        if explain {
            let plan = try runReportingHostErrors { try host.explainResume(session) }
            if settings.json {
                printDocument(JSONContract.list("stages", plan.stages.map { d in
                    var o: JSONObject = ["stage": .string(d.stage), "action": .string(d.action.rawValue), "why": .string(d.why)]
                    if !d.calls.isEmpty {
                        o["calls"] = .array(d.calls.map { c in
                            .object(["call": .int(Int64(c.index + 1)), "tool": .string(c.tool),
                                     "action": .string(c.action.rawValue), "why": .string(c.why)])
                        })
                    }
                    return .object(o)
                }, extra: ["session_id": .string(session)]))
            } else {
                var rows = [["STAGE", "ON RESUME", "WHY"]]
                for d in plan.stages {
                    rows.append([d.stage, d.action.rawValue, d.why])
                    for c in d.calls { rows.append(["  \(c.index + 1). \(c.tool)", c.action.rawValue, c.why]) }
                }
                print(TextTable.render(rows))
            }
            return
        }
        try await Resumption.resume(session, host: host, settings: settings)
    }
}

/// Shared by `resume` and `retry`.
enum Resumption {
    static func resume(_ session: String, host: WorkflowHost, settings: RunSettings) async throws {
        let options = try settings.runOptions()
        let sink = CombinedSink(try settings.sinks())
        let prepared = try runReportingHostErrors { try host.prepareResume(session, options: options, sink: sink) }
        printError("session \(session) (resumed)")
        try await RunDriver.drive(prepared, settings: settings, host: host)
    }
}

struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Run one stage of a session again (even after its retries were used up), then continue the session.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var settings: RunSettings
    @Argument(help: "The session id.") var session: String
    @Option(help: "The stage to run again.") var stage: String
    @Flag(help: "Also run again every stage after it.") var downstream = false

    func run() async throws {
        let host = global.host()
        let reset = try runReportingHostErrors { try host.resetStage(session, stage: stage, downstream: downstream) }
        printError("reset: \(reset.joined(separator: ", "))")
        try await Resumption.resume(session, host: host, settings: settings)
    }
}

/// Renders sessions for the operator commands.
enum SessionReport {
    static func time(_ t: Double) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: t))
    }

    static func json(_ s: SessionRecord) -> JSONValue { s.json }

    static func json(_ snapshot: SessionSnapshot) -> JSONValue {
        var o = json(snapshot.session).objectValue ?? JSONObject()
        o["stages"] = .array(snapshot.stages.map { r in
            .object(["name": .string(r.stage), "status": .string(r.shownStatus), "attempts": .int(Int64(r.attempts)),
                     "error_type": r.errorClass.map(JSONValue.string) ?? .null,
                     "error": r.errorMessage.map(JSONValue.string) ?? .null, "reason": r.reason.map(JSONValue.string) ?? .null,
                     "queued_seconds": .double(r.queuedSeconds),
                     "output": r.output.flatMap { try? JSONValue.parse($0) } ?? .null])
        })
        o["attempts"] = .array(snapshot.attempts.map { a in
            .object(["stage": .string(a.stage), "attempt": .int(Int64(a.attempt)), "tool": .string(a.tool),
                     "status": .string(a.status), "error_type": a.errorClass.map(JSONValue.string) ?? .null,
                     "error": a.errorMessage.map(JSONValue.string) ?? .null])
        })
        o["checkpoints"] = .int(Int64(snapshot.checkpoints.count))
        let done = snapshot.stages.filter { $0.status.isTerminal }.count
        o["progress"] = .double(snapshot.stages.isEmpty ? 1 : Double(done) / Double(snapshot.stages.count))
        return .object(o)
    }

    /// The session document of `status --json`, its attempts with their times, arguments (after substitution,
    /// secrets masked), output tails, log lines and work directory.
    static func json(_ details: SessionDetails) -> JSONValue {
        var o = json(details.snapshot).objectValue ?? JSONObject()
        o["attempts"] = .array(details.attempts.map(attemptJSON))
        return .object(o)
    }

    static func attemptJSON(_ d: AttemptDetail) -> JSONValue {
        let a = d.record
        var o: JSONObject = [
            "stage": .string(a.stage), "attempt": .int(Int64(a.attempt)), "tool": .string(a.tool), "status": .string(a.status),
            "started_at": .double(a.startedAt), "finished_at": a.finishedAt.map(JSONValue.double) ?? .null,
            "duration_ms": a.finishedAt.map { .int(Int64((max(0, $0 - a.startedAt) * 1000).rounded())) } ?? .null,
            "error_type": a.errorClass.map(JSONValue.string) ?? .null, "error": a.errorMessage.map(JSONValue.string) ?? .null,
            "retryable": a.retryable.map(JSONValue.bool) ?? .null,
            "arguments": d.arguments ?? .null,
            "stdout_tail": a.stdoutTail.map(JSONValue.string) ?? .null, "stderr_tail": a.stderrTail.map(JSONValue.string) ?? .null,
            "log": .array(d.logLines.map { .object(["at": .double($0.at), "level": .string($0.level), "message": .string($0.message)]) }),
            "work_dir": d.workDirectory.map(JSONValue.string) ?? .null,
        ]
        if d.arguments == nil, let written = d.argumentsAsWritten { o["arguments_as_written"] = written }
        return .object(o)
    }

    static func text(_ snapshot: SessionSnapshot) -> String {
        let s = snapshot.session
        let done = snapshot.stages.filter { $0.status.isTerminal }.count
        var lines = ["session \(s.id): \(s.status.rawValue) — \(s.workflowName) (\(s.workflowFile))",
                     "progress: \(done)/\(snapshot.stages.count) stages finished"
                         + (s.error.map { "; \($0)" } ?? "")]
        if let dir = s.workDirectory { lines.append("work directory: \(dir)") }
        if s.status == .interrupted { lines.append("the host running it stopped; `wfhost resume \(s.id)` continues it") }
        lines.append("")
        var rows = [["STAGE", "STATUS", "ATTEMPTS", "DETAIL"]]
        for r in snapshot.stages {
            rows.append([r.stage, r.shownStatus, String(r.attempts),
                         r.errorMessage.map { "\(r.errorClass ?? "error"): \($0)" } ?? r.reason ?? ""])
        }
        lines.append(TextTable.render(rows))
        return lines.joined(separator: "\n")
    }
}
