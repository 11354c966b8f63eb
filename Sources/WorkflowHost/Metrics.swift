import Foundation
import Schema
import Store

/// Duration figures of a group of runs or calls, seconds.
public struct DurationStats: Sendable {
    public var count: Int
    public var p50: Double
    public var p95: Double
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
    public struct Group: Sendable {
        public var name: String
        public var total: Int
        public var succeeded: Int
        public var failed: Int
        public var retries: Int
        public var durations: DurationStats
        public var errorClasses: [String: Int]
        public var successRate: Double { total == 0 ? 0 : Double(succeeded) / Double(total) }
    }
    public var sessionsByStatus: [String: Int]
    public var workflows: [Group]
    public var tools: [Group]
    public var checkpoints: Int
    public var automaticCheckpoints: Int
}

/// What `cleanup` removed (or would remove).
public struct CleanupReport: Sendable {
    public var sessions: [String]
    public var workDirectories: [String]
    public var bytesBefore: Int64
    public var bytesAfter: Int64
}

extension WorkflowHost {
    /// Computes the metrics from the stored sessions, stage runs and attempts.
    public func metrics() throws -> HostMetrics {
        let store = try sessionStore()
        let sessions = try store.sessions(status: nil, workflow: nil)
        var byStatus: [String: Int] = [:]
        for s in SessionStatus.allCases { byStatus[s.rawValue] = 0 }
        var workflowRuns: [String: [SessionRecord]] = [:]
        var toolAttempts: [String: [AttemptRecord]] = [:]
        var checkpoints = 0, automatic = 0
        var workflowRetries: [String: Int] = [:]
        var workflowErrors: [String: [String: Int]] = [:]
        for s in sessions {
            byStatus[s.status.rawValue, default: 0] += 1
            workflowRuns[s.workflowName, default: []].append(s)
            for a in try store.attempts(of: s.id) {
                toolAttempts[a.tool, default: []].append(a)
                if a.attempt > 1 { workflowRetries[s.workflowName, default: 0] += 1 }
            }
            // A failed run's error classes are those of its failed stages.
            for stage in try store.stages(of: s.id) where stage.status == .failed {
                workflowErrors[s.workflowName, default: [:]][stage.errorClass ?? "failed", default: 0] += 1
            }
            let cps = try store.checkpoints(of: s.id)
            checkpoints += cps.count
            automatic += cps.filter(\.automatic).count
        }
        let workflows = workflowRuns.sorted { $0.key < $1.key }.map { name, runs in
            let finished = runs.filter { $0.status.isFinished }
            return HostMetrics.Group(
                name: name, total: finished.count, succeeded: finished.filter { $0.status == .succeeded }.count,
                failed: finished.filter { $0.status == .failed }.count, retries: workflowRetries[name] ?? 0,
                durations: DurationStats(finished.compactMap { r in r.startedAt.flatMap { s in r.finishedAt.map { $0 - s } } }),
                errorClasses: workflowErrors[name] ?? [:])
        }
        let tools = toolAttempts.sorted { $0.key < $1.key }.map { name, attempts in
            let done = attempts.filter { $0.finishedAt != nil }
            var errors: [String: Int] = [:]
            for a in done { if let c = a.errorClass { errors[c, default: 0] += 1 } }
            return HostMetrics.Group(
                name: name, total: done.count, succeeded: done.filter { $0.status == "succeeded" }.count,
                failed: done.filter { $0.status == "failed" }.count, retries: attempts.filter { $0.attempt > 1 }.count,
                durations: DurationStats(done.compactMap { a in a.finishedAt.map { $0 - a.startedAt } }),
                errorClasses: errors)
        }
        return HostMetrics(sessionsByStatus: byStatus, workflows: workflows, tools: tools, checkpoints: checkpoints,
                           automaticCheckpoints: automatic)
    }

    /// Removes sessions that finished more than `olderThan` ago: their rows, events, checkpoints and working
    /// directories; then reclaims the database's free space.
    public func cleanup(olderThan: Duration, dryRun: Bool) throws -> CleanupReport {
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
                        throw HostError("cannot remove the work directory \(workRoot)/\(entry): \(error.localizedDescription)")
                    }
                }
            }
        }
        return CleanupReport(sessions: ids, workDirectories: dirs, bytesBefore: before, bytesAfter: dryRun ? before : size())
    }
}
