import ArgumentParser
import Foundation
import WorkflowHost

/// `wfhost logs SESSION [STAGE] [--attempt N] [--follow] [--json]`: what a session's attempts said.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the log lines, stdout and stderr of a session's stages, attempt by attempt.",
        discussion: """
            Each attempt starts with a line `--- STAGE, attempt N (TOOL)`; its lines follow, each prefixed with its \
            stream (log, stdout, stderr), and `status` says how it ended. stdout and stderr are the last 64 KiB each \
            call wrote, stored when the call ends. With --follow, log lines are printed as they arrive and the \
            output of each attempt when it ends, until the session stops running. --json prints one document; with \
            --follow, one JSON object per line.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The session id.") var session: String
    @Argument(help: "Only this stage.") var stage: String?
    @Option(help: "Only this attempt of the stage (from 1).") var attempt: Int?
    @Flag(help: "Keep printing until the session is no longer running.") var follow = false
    @Flag(help: "Print JSON (with --follow: one object per line).") var json = false

    func validate() throws {
        if let attempt, attempt < 1 { throw ValidationError("--attempt counts from 1 (got \(attempt))") }
        if attempt != nil && stage == nil { throw ValidationError("--attempt needs a STAGE: wfhost logs SESSION STAGE --attempt N") }
    }

    func run() throws {
        let host = global.host()
        let details = try runReportingHostErrors { try SessionDetails.load(session, host: host) }
        let selected = try runReportingHostErrors { try select(details) }
        if follow {
            try Follower(command: self, host: host).run(from: details)
            return
        }
        if json {
            printDocument(["session_id": .string(session), "attempts": .array(selected.map(Self.json))])
            return
        }
        if selected.isEmpty {
            print(nothingYet(details))
            return
        }
        var printer = LogPrinter()
        for a in selected {
            printer.logLines(a, a.logLines)
            printer.finished(a)
        }
        print(printer.text, terminator: "")
    }

    /// The attempts asked for.
    /// - Throws: `WorkflowHostError` (`invalidRequest`) for a stage the session does not have, or an attempt it has not made.
    func select(_ details: SessionDetails) throws -> [AttemptDetail] {
        guard let stage else { return details.attempts.sorted { $0.record.startedAt < $1.record.startedAt } }
        let names = details.snapshot.stages.map(\.stage)
        guard names.contains(stage) else {
            throw WorkflowHostError(.invalidRequest, "session \(session) has no stage '\(stage)'", hint: Suggestions.hint(for: stage, among: names))
        }
        let all = details.attempts(of: stage)
        guard let attempt else { return all }
        let matching = all.filter { $0.attempt == attempt }
        if matching.isEmpty && !follow {
            let made = Set(all.map(\.attempt)).sorted().map(String.init)
            throw WorkflowHostError(.invalidRequest, "stage \(stage) of session \(session) has no attempt \(attempt)",
                                 hint: made.isEmpty ? "it has made no attempts" : "its attempts: \(made.joined(separator: ", "))")
        }
        return matching
    }

    /// Why there is nothing to print.
    func nothingYet(_ details: SessionDetails) -> String {
        if let stage, let r = details.snapshot.stages.first(where: { $0.stage == stage }) {
            return "stage \(stage) has made no attempts (\(r.status.rawValue)" + (r.reason.map { ": \($0)" } ?? "") + ")"
        }
        return "session \(session) has made no attempts (\(details.snapshot.session.status.rawValue))"
    }

    static func json(_ a: AttemptDetail) -> JSONValue {
        let r = a.record
        return .object([
            "stage": .string(r.stage), "attempt": .int(Int64(r.attempt)), "tool": .string(r.tool), "status": .string(r.status),
            "started_at": .double(r.startedAt), "finished_at": r.finishedAt.map(JSONValue.double) ?? .null,
            "error_type": r.errorClass.map(JSONValue.string) ?? .null, "error": r.errorMessage.map(JSONValue.string) ?? .null,
            "log": .array(a.logLines.map { .object(["at": .double($0.at), "level": .string($0.level), "message": .string($0.message)]) }),
            "stdout": .string(r.stdoutTail ?? ""), "stderr": .string(r.stderrTail ?? ""),
        ])
    }

    /// Polls the store until the session stops running, printing what is new.
    struct Follower {
        let command: LogsCommand
        let host: WorkflowHost

        func run(from first: SessionDetails) throws {
            var printedLogs: [String: Int] = [:]
            var finished: Set<String> = []
            var printer = LogPrinter(jsonLines: command.json)
            var details = first
            while true {
                let running = details.snapshot.session.status == .running || details.snapshot.session.status == .pending
                for a in try runReportingHostErrors({ try command.select(details) }) {
                    let key = LogPrinter.key(a)
                    let seen = printedLogs[key] ?? 0
                    if a.logLines.count > seen { printer.logLines(a, Array(a.logLines.dropFirst(seen))) }
                    printedLogs[key] = a.logLines.count
                    if a.record.finishedAt != nil && !finished.contains(key) {
                        printer.finished(a)
                        finished.insert(key)
                    }
                }
                do {
                    try FileHandle.standardOutput.write(contentsOf: Data(printer.take().utf8)) // unbuffered: each poll's lines at once
                } catch {
                    return // stdout was closed (`| head`): nobody reads any more
                }
                guard running else { return }
                Thread.sleep(forTimeInterval: 0.25)
                details = try runReportingHostErrors { try SessionDetails.load(command.session, host: host) }
            }
        }
    }
}

/// Builds the text of `wfhost logs`: a header whenever the attempt changes, then one line per stream line.
struct LogPrinter {
    let jsonLines: Bool
    private(set) var text = ""
    private var current: String?

    init(jsonLines: Bool = false) { self.jsonLines = jsonLines }

    static func key(_ a: AttemptDetail) -> String { "\(a.stage)\u{0}\(a.attempt)\u{0}\(a.record.tool)" }

    /// Returns the text so far and starts anew (the current attempt is kept, so no header repeats).
    mutating func take() -> String {
        defer { text = "" }
        return text
    }

    private mutating func header(_ a: AttemptDetail) {
        guard !jsonLines, current != Self.key(a) else { return }
        current = Self.key(a)
        text += "--- \(a.stage), attempt \(a.attempt) (\(a.record.tool))\n"
    }

    private mutating func line(_ a: AttemptDetail, _ stream: String, _ content: String, extra: JSONObject = [:]) {
        if jsonLines {
            var o: JSONObject = ["stage": .string(a.stage), "attempt": .int(Int64(a.attempt)), "tool": .string(a.record.tool),
                                 "stream": .string(stream), "text": .string(content)]
            for (k, v) in extra { o[k] = v }
            text += JSONContract.document(o).serialized() + "\n"
            return
        }
        header(a)
        text += stream.padding(toLength: 7, withPad: " ", startingAt: 0) + TerminalText.escape(content) + "\n"
    }

    mutating func logLines(_ a: AttemptDetail, _ lines: [LogLine]) {
        for l in lines { line(a, "log", l.text, extra: ["level": .string(l.level), "message": .string(l.message)]) }
    }

    /// The attempt's stdout and stderr and how it ended (or that it is still running).
    mutating func finished(_ a: AttemptDetail) {
        for l in Tail.last(a.record.stdoutTail, .max) { line(a, "stdout", l) }
        for l in Tail.last(a.record.stderrTail, .max) { line(a, "stderr", l) }
        let r = a.record
        let status = r.finishedAt == nil ? "running" : r.status + (r.errorClass.map { ": \($0): \(r.errorMessage ?? "")" } ?? "")
        line(a, "status", status)
    }
}
