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
    /// The SQL of a finished session's duration: its hosts' active time, or (stored before that was kept) its
    /// start to its end; NULL when neither is known. Mirrors `activeDuration`.
    static let durationSQL = """
        CASE WHEN s.active_seconds > 0 THEN s.active_seconds
             WHEN s.started_at IS NOT NULL AND s.finished_at IS NOT NULL THEN MAX(0, s.finished_at - s.started_at) END
        """
    static let finishedSQL = "s.status IN ('succeeded', 'failed', 'cancelled')"

    /// The counters of the stored sessions (every one, or only `session`), from SQL aggregates: a few grouped
    /// queries whatever the number of sessions, and no output tail or result is read. Calls whose result a
    /// resume reused did not run and do not count. `query` runs a statement (on the database or in a transaction).
    static func counters(session: String?, _ query: (String, [SQLValue]) throws -> [SQLRow]) throws -> [MetricKey: Double] {
        var out: [MetricKey: Double] = [:]
        let only = session == nil ? "" : " AND s.id = ?"
        let args: [SQLValue] = session.map { [.text($0)] } ?? []
        for r in try query("""
            SELECT s.workflow_name, s.status, COUNT(*), SUM(\(durationSQL)), COUNT(\(durationSQL))
            FROM sessions s WHERE \(finishedSQL)\(only) GROUP BY 1, 2
            """, args) {
            let workflow = r[0].string ?? ""
            out[MetricKey(.workflowRuns, workflow, r[1].string ?? ""), default: 0] += r[2].double ?? 0
            out[MetricKey(.workflowDurationSum, workflow), default: 0] += r[3].double ?? 0
            out[MetricKey(.workflowDurationCount, workflow), default: 0] += r[4].double ?? 0
        }
        for r in try query("""
            SELECT s.workflow_name, r.status = 'failed', COALESCE(r.error_class, 'failed'), COUNT(*), SUM(r.queued_seconds)
            FROM stage_runs r JOIN sessions s ON s.id = r.session_id WHERE \(finishedSQL)\(only) GROUP BY 1, 2, 3
            """, args) {
            let workflow = r[0].string ?? ""
            if r[1].int64 == 1 { out[MetricKey(.workflowErrors, workflow, r[2].string ?? "failed"), default: 0] += r[3].double ?? 0 }
            out[MetricKey(.workflowQueueSum, workflow), default: 0] += r[4].double ?? 0
        }
        for r in try query("""
            SELECT s.workflow_name, a.tool, a.attempt > 1, a.status, a.error_class, a.finished_at IS NOT NULL, COUNT(*),
                   SUM(MAX(0, a.finished_at - a.started_at))
            FROM attempts a JOIN sessions s ON s.id = a.session_id WHERE a.reused_from IS NULL\(only)
            GROUP BY 1, 2, 3, 4, 5, 6
            """, args) {
            let workflow = r[0].string ?? "", tool = toolName(r[1].string ?? ""), n = r[6].double ?? 0
            let status = r[3].string ?? ""
            if r[2].int64 == 1 {
                out[MetricKey(.workflowRetries, workflow), default: 0] += n
                out[MetricKey(.toolRetries, tool), default: 0] += n
            }
            guard r[5].int64 == 1 else { continue }
            if status == AttemptStatus.succeeded.rawValue || status == AttemptStatus.failed.rawValue {
                out[MetricKey(.toolRuns, tool, status), default: 0] += n
            }
            out[MetricKey(.toolDurationSum, tool), default: 0] += r[7].double ?? 0
            out[MetricKey(.toolDurationCount, tool), default: 0] += n
            if let c = r[4].string { out[MetricKey(.toolErrors, tool, c), default: 0] += n }
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
        let share = try MetricTotals.counters(session: id) { sql, args in try tx.query(sql, args) }
        for (key, value) in share {
            try tx.query("""
                INSERT INTO metric_totals (family, subject, detail, value) VALUES (?, ?, ?, ?)
                ON CONFLICT (family, subject, detail) DO UPDATE SET value = value + excluded.value
                """, [.text(key.family.rawValue), .text(key.subject), .text(key.detail), .real(value)])
        }
    }

    /// The counters of every stored session plus the totals kept for the sessions `cleanup` removed.
    public func metricCounters() throws -> [MetricKey: Double] {
        var out = try metricTotals()
        for (key, value) in try MetricTotals.counters(session: nil, { sql, args in try db.query(sql, args) }) {
            out[key, default: 0] += value
        }
        return out
    }

    /// The durations the quantiles describe (stored sessions only): of finished sessions by workflow, and of
    /// finished calls that ran (not reused) by tool.
    public func metricSamples() throws -> (workflows: [String: [Double]], tools: [String: [Double]]) {
        var workflows: [String: [Double]] = [:], tools: [String: [Double]] = [:]
        for r in try db.query("""
            SELECT s.workflow_name, \(MetricTotals.durationSQL) FROM sessions s
            WHERE \(MetricTotals.finishedSQL) AND \(MetricTotals.durationSQL) IS NOT NULL
            """) {
            workflows[r[0].string ?? "", default: []].append(r[1].double ?? 0)
        }
        for r in try db.query("""
            SELECT tool, MAX(0, finished_at - started_at) FROM attempts WHERE finished_at IS NOT NULL AND reused_from IS NULL
            """) {
            tools[MetricTotals.toolName(r[0].string ?? ""), default: []].append(r[1].double ?? 0)
        }
        return (workflows, tools)
    }

    /// Checkpoints of the stored sessions: all, and the automatic ones.
    public func checkpointCounts() throws -> (all: Int, automatic: Int) {
        let r = try db.query("SELECT COUNT(*), COALESCE(SUM(automatic), 0) FROM checkpoints").first
        return (Int(r?[0].int64 ?? 0), Int(r?[1].int64 ?? 0))
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
