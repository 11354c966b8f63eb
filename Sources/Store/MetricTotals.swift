import Foundation
import SQLite

/// A counter that `wfhost metrics` reports as monotonic: what each session adds to it is computed from its rows,
/// and when `cleanup` removes a session, its share is added to the stored totals in the same transaction, so that
/// no counter drops.
public enum MetricFamily: String, Sendable, Hashable, CaseIterable {
    /// Finished workflow runs; detail: the outcome (succeeded, failed, cancelled).
    case workflowRuns = "workflow_runs"
    case workflowDurationSum = "workflow_duration_sum"
    case workflowDurationCount = "workflow_duration_count"
    /// Seconds stages of the workflow waited for a concurrency slot (not part of its duration).
    case workflowQueueSum = "workflow_queue_sum"
    /// Attempts after the first, across the run's stages.
    case workflowRetries = "workflow_retries"
    /// Failed stages of finished runs; detail: the error class.
    case workflowErrors = "workflow_errors"
    /// Finished tool attempts; detail: the outcome (succeeded, failed).
    case toolRuns = "tool_runs"
    case toolDurationSum = "tool_duration_sum"
    case toolDurationCount = "tool_duration_count"
    case toolRetries = "tool_retries"
    /// Failed tool attempts; detail: the error class.
    case toolErrors = "tool_errors"
}

/// One counter: a family, the workflow or tool it counts, and a detail (outcome or error class; "" for none).
public struct MetricKey: Sendable, Hashable {
    public var family: MetricFamily
    public var subject: String
    public var detail: String

    public init(_ family: MetricFamily, _ subject: String, _ detail: String = "") {
        self.family = family
        self.subject = subject
        self.detail = detail
    }
}

public enum MetricTotals {
    /// What one session adds to the counters: its outcome and duration once it has finished, its attempts'
    /// outcomes, durations, retries and error classes once they have finished.
    public static func contribution(of session: SessionRecord, stages: [StageRecord],
                                    attempts: [AttemptRecord]) -> [MetricKey: Double] {
        var out: [MetricKey: Double] = [:]
        let workflow = session.workflowName
        if session.status.isFinished {
            out[MetricKey(.workflowRuns, workflow, session.status.rawValue), default: 0] += 1
            if let duration = activeDuration(session) {
                out[MetricKey(.workflowDurationSum, workflow), default: 0] += duration
                out[MetricKey(.workflowDurationCount, workflow), default: 0] += 1
            }
            out[MetricKey(.workflowQueueSum, workflow), default: 0] += stages.reduce(0) { $0 + $1.queuedSeconds }
            for stage in stages where stage.status == .failed {
                out[MetricKey(.workflowErrors, workflow, stage.errorClass ?? "failed"), default: 0] += 1
            }
        }
        for a in attempts {
            let tool = toolName(a.tool)
            if a.attempt > 1 {
                out[MetricKey(.workflowRetries, workflow), default: 0] += 1
                out[MetricKey(.toolRetries, tool), default: 0] += 1
            }
            guard let finished = a.finishedAt else { continue }
            if a.status == "succeeded" || a.status == "failed" {
                out[MetricKey(.toolRuns, tool, a.status), default: 0] += 1
            }
            out[MetricKey(.toolDurationSum, tool), default: 0] += max(0, finished - a.startedAt)
            out[MetricKey(.toolDurationCount, tool), default: 0] += 1
            if let c = a.errorClass { out[MetricKey(.toolErrors, tool, c), default: 0] += 1 }
        }
        return out
    }

    /// How long a finished session ran: its hosts' active time (paused time and the time between a host's death
    /// and the resume excluded), or, for a session stored before that was kept, its start to its end.
    public static func activeDuration(_ session: SessionRecord) -> Double? {
        if session.activeSeconds > 0 { return session.activeSeconds }
        guard let s = session.startedAt, let f = session.finishedAt else { return nil }
        return max(0, f - s)
    }

    /// A stored attempt's tool without the `#N` that tells repeated calls of one tool in a stage apart.
    public static func toolName(_ label: String) -> String {
        label.firstIndex(of: "#").map { String(label[..<$0]) } ?? label
    }
}

extension SQLiteSessionStore {
    /// The counters' shares of the sessions `cleanup` removed.
    public func metricTotals() throws -> [MetricKey: Double] {
        var out: [MetricKey: Double] = [:]
        for r in try db.query("SELECT family, subject, detail, value FROM metric_totals") {
            guard let family = r[0].string.flatMap(MetricFamily.init(rawValue:)) else { continue } // a family a newer wfhost added
            out[MetricKey(family, r[1].string ?? "", r[2].string ?? ""), default: 0] += r[3].double ?? 0
        }
        return out
    }

    /// Adds session `id`'s share of the counters to the stored totals (inside `deleteSessions`'s transaction).
    static func foldMetricTotals(_ tx: SQLiteDatabase.Transaction, _ id: String) throws {
        guard let session = try tx.query("SELECT * FROM sessions WHERE id = ?", [.text(id)]).first.map({ try sessionRecord($0) }) else { return }
        let attempts = try tx.query("SELECT * FROM attempts WHERE session_id = ?", [.text(id)]).map(attemptRecord)
        let share = MetricTotals.contribution(of: session, stages: try stageRows(tx, id), attempts: attempts)
        for (key, value) in share {
            try tx.query("""
                INSERT INTO metric_totals (family, subject, detail, value) VALUES (?, ?, ?, ?)
                ON CONFLICT (family, subject, detail) DO UPDATE SET value = value + excluded.value
                """, [.text(key.family.rawValue), .text(key.subject), .text(key.detail), .real(value)])
        }
    }

    static func attemptRecord(_ r: SQLRow) -> AttemptRecord {
        var a = AttemptRecord(stage: r["stage"].string ?? "", attempt: Int(r["attempt"].int64 ?? 0),
                              tool: r["tool"].string ?? "", status: r["status"].string ?? "",
                              startedAt: r["started_at"].double ?? 0, finishedAt: r["finished_at"].double,
                              errorClass: r["error_class"].string, errorMessage: r["error_message"].string,
                              retryable: r["retryable"].int64.map { $0 != 0 }, stdoutTail: r["stdout_tail"].string,
                              stderrTail: r["stderr_tail"].string)
        a.callIndex = r["call_index"].int64.map { Int($0) }
        a.argumentsHash = r["args_hash"].string
        a.result = r["result"].string
        a.reusedFrom = r["reused_from"].int64.map { Int($0) }
        return a
    }
}
