import Foundation
import Schema
import Store

/// Duration figures of a group of runs or calls, seconds.
public struct DurationStats: Sendable {
    /// How many durations the figures describe.
    public var count: Int
    /// The median, seconds (the nearest-rank value; 0 when ``count`` is 0).
    public var p50: Double
    /// The 95th percentile, seconds (the nearest-rank value; 0 when ``count`` is 0).
    public var p95: Double
    /// The longest, seconds (0 when ``count`` is 0).
    public var max: Double

    init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        func pick(_ q: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
        }
        p50 = pick(0.5)
        p95 = pick(0.95)
        max = sorted.last ?? 0
    }
}

/// Counts and rates across every session in the state directory (`wfhost metrics`).
public struct HostMetrics: Sendable {
    /// The figures of one workflow (by its `metadata.name`) or one tool (by its name as called, without the `#N`
    /// of repeated calls in a stage). For a workflow they count finished runs; for a tool, finished attempts.
    /// Counts include the sessions `cleanup` removed.
    public struct Group: Sendable {
        /// The workflow's or the tool's name.
        public var name: String
        /// Finished runs (succeeded, failed or cancelled) of a workflow; finished attempts of a tool.
        public var total: Int
        /// Runs or attempts that succeeded.
        public var succeeded: Int
        /// Runs or attempts that failed.
        public var failed: Int
        /// Attempts after the first: across the run's stages for a workflow, of this tool for a tool.
        public var retries: Int
        /// Durations of the sessions still stored: finished runs' active time for a workflow, finished attempts that
        /// ran (not reused by a resume) for a tool.
        public var durations: DurationStats
        /// Failures by error class (`tool_error`, `timeout`, `crash`, ...): failed stages of a workflow's
        /// finished runs, failed attempts of a tool.
        public var errorClasses: [String: Int]
        /// ``succeeded`` over ``total``, from 0 to 1; 0 when there is none.
        public var successRate: Double { total == 0 ? 0 : Double(succeeded) / Double(total) }
        /// Runs that were cancelled (workflows only).
        public var cancelled = 0
        /// Seconds and number of the finished runs; unlike `durations` (the sessions still stored), these include
        /// the sessions `cleanup` removed, so that they never drop.
        public var durationSum = 0.0
        /// How many finished runs or attempts ``durationSum`` adds up (with those `cleanup` removed).
        public var durationCount = 0
        /// Seconds the workflow's stages waited for a concurrency slot (workflows only; not in the durations,
        /// which are the hosts' active time and exclude paused time).
        public var queueSum = 0.0
    }
    /// The stored sessions by status (`running`, `paused`, `succeeded`, ...): every status is a key, 0 when
    /// none has it.
    public var sessionsByStatus: [String: Int]
    /// One group per workflow that has run, sorted by name.
    public var workflows: [Group]
    /// One group per tool that has been called, sorted by name.
    public var tools: [Group]
    /// The checkpoints of the stored sessions.
    public var checkpoints: Int
    /// The checkpoints of the stored sessions that the engine took by itself after a stage (`after-STAGE`).
    public var automaticCheckpoints: Int
}

/// What `cleanup` removed (or would remove).
public struct CleanupReport: Sendable {
    /// The ids of the sessions removed (or that would be).
    public var sessions: [String]
    /// The paths of those sessions' work directories removed (or that would be).
    public var workDirectories: [String]
    /// The size of the state database with its write-ahead log before the cleanup, bytes.
    public var bytesBefore: Int64
    /// The size after the cleanup and the reclaiming of free space, bytes; ``bytesBefore`` for a dry run.
    public var bytesAfter: Int64
}

extension WorkflowHost {
    /// Computes the metrics from the stored sessions, stage runs and attempts, and the totals kept for the sessions
    /// `cleanup` removed: counts and sums never drop; quantiles describe the sessions still stored. A running
    /// session whose host is gone counts as interrupted.
    ///
    /// ```swift
    /// let metrics = try host.metrics()
    /// for group in metrics.workflows { print(group.name, group.total, group.successRate, group.durations.p95) }
    /// ```
    /// - Returns: the metrics.
    /// - Throws: `WorkflowHostError` with code `stateUnavailable` (or `storedValueUnknown`) when the database cannot be read.
    public func metrics() throws(WorkflowHostError) -> HostMetrics {
        try boundary("compute the metrics") {
            let store = try sessionStore()
            let sessions = try listSessions()
            var byStatus: [String: Int] = [:]
            for s in SessionStatus.allCases { byStatus[s.rawValue] = 0 }
            for s in sessions { byStatus[s.status.rawValue, default: 0] += 1 }
            // SQL aggregates: a few grouped queries whatever the number of sessions; no tail or result is read.
            let counters = try store.metricCounters()
            let samples = try store.metricSamples()
            let workflowDurations = samples.workflows, toolDurations = samples.tools
            let (checkpoints, automatic) = try store.checkpointCounts()
            func count(_ family: MetricFamily, _ subject: String, _ detail: String = "") -> Int {
                Int((counters[MetricKey(family, subject, detail)] ?? 0).rounded())
            }
            func details(_ family: MetricFamily, _ subject: String) -> [String: Int] {
                var out: [String: Int] = [:]
                for (key, value) in counters where key.family == family && key.subject == subject {
                    out[key.detail] = Int(value.rounded())
                }
                return out
            }
            func subjects(_ families: Set<MetricFamily>) -> [String] {
                Set(counters.keys.filter { families.contains($0.family) }.map(\.subject)).sorted()
            }
            let workflows = subjects([.workflowRuns, .workflowRetries, .workflowErrors, .workflowDurationCount]).map { name in
                let runs = details(.workflowRuns, name)
                var g = HostMetrics.Group(
                    name: name, total: runs.values.reduce(0, +), succeeded: runs["succeeded"] ?? 0, failed: runs["failed"] ?? 0,
                    retries: count(.workflowRetries, name), durations: DurationStats(workflowDurations[name] ?? []),
                    errorClasses: details(.workflowErrors, name))
                g.cancelled = runs["cancelled"] ?? 0
                g.durationSum = counters[MetricKey(.workflowDurationSum, name)] ?? 0
                g.durationCount = count(.workflowDurationCount, name)
                g.queueSum = counters[MetricKey(.workflowQueueSum, name)] ?? 0
                return g
            }
            let tools = subjects([.toolRuns, .toolRetries, .toolErrors, .toolDurationCount]).map { name in
                var g = HostMetrics.Group(
                    name: name, total: count(.toolDurationCount, name), succeeded: count(.toolRuns, name, "succeeded"),
                    failed: count(.toolRuns, name, "failed"), retries: count(.toolRetries, name),
                    durations: DurationStats(toolDurations[name] ?? []), errorClasses: details(.toolErrors, name))
                g.durationSum = counters[MetricKey(.toolDurationSum, name)] ?? 0
                g.durationCount = count(.toolDurationCount, name)
                return g
            }
            return HostMetrics(sessionsByStatus: byStatus, workflows: workflows, tools: tools, checkpoints: checkpoints,
                               automaticCheckpoints: automatic)
        }
    }

    /// Removes sessions that finished more than `olderThan` ago: their rows, events, checkpoints and working
    /// directories; then reclaims the database's free space.
    /// - Parameters:
    ///   - olderThan: how long ago a session must have finished.
    ///   - dryRun: report what would be removed and remove nothing.
    /// - Returns: the sessions and work directories removed (or that would be) and the database's size before and after.
    /// - Throws: `WorkflowHostError`: `stateUnavailable` for the database, `environment` for a work directory that cannot be removed.
    public func cleanup(olderThan: Duration, dryRun: Bool) throws(WorkflowHostError) -> CleanupReport {
        try boundary("remove old sessions") {
            let store = try sessionStore()
            let path = configuration.databasePath
            func size() -> Int64 {
                [path, path + "-wal"].reduce(Int64(0)) { total, file in
                    total + (((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.int64Value ?? 0)
                }
            }
            let before = size()
            let cutoff = Date().timeIntervalSince1970 - Double(olderThan.components.seconds)
            let ids = try store.deleteSessions(finishedBefore: cutoff, dryRun: dryRun)
            var dirs: [String] = []
            let workRoot = configuration.stateDirectory + "/work"
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: workRoot)) ?? [] // no work dir yet: nothing to remove
            for id in ids {
                // `session-ID` is the session's one work directory; `session-ID-XXXX` ones are from before it was kept.
                for entry in entries where entry == "session-\(id)" || entry.hasPrefix("session-\(id)-") {
                    dirs.append(workRoot + "/" + entry)
                    if !dryRun {
                        do { try FileManager.default.removeItem(atPath: workRoot + "/" + entry) } catch {
                            throw WorkflowHostError(.environment, "cannot remove the work directory \(workRoot)/\(entry): \(FileErrorText.describe(error))")
                        }
                    }
                }
            }
            return CleanupReport(sessions: ids, workDirectories: dirs, bytesBefore: before, bytesAfter: dryRun ? before : size())
        }
    }
}
