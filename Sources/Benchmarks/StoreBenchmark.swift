import Foundation
import Store
import SQLite

/// The store's cost per stage transition (one transaction writing a stage row and its event), with WAL and each
/// durability setting, measured side by side.
public enum StoreBenchmark {
    public struct Figure: Sendable {
        public var durability: String
        public var medianMicroseconds: Double
        public var transitions: Int
        /// One recorded call: its `running` row, then its finished row. `bareCall` as rows were before calls
        /// became the durable unit (no arguments hash, no result); `durableCall` with both, as now.
        public var bareCallMicroseconds: Double = 0
        public var durableCallMicroseconds: Double = 0
    }

    /// Runs `transitions` transitions per durability setting in a fresh database under `directory`.
    public static func measure(directory: String, transitions: Int = 2000) throws -> [Figure] {
        var figures: [Figure] = []
        for durability in [SQLiteDatabase.Durability.normal, .full] {
            let path = directory + "/store-bench-\(durability.rawValue).sqlite3"
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } // fresh file each time
            let store = try SQLiteSessionStore(database: try SQLiteDatabase(path: path, durability: durability))
            let stages = (0..<transitions).map { StageRecord(stage: "s\($0)", position: $0) }
            try store.createSession(SessionRecord(id: "bench", workflowName: "bench", workflowFile: "-", workflowText: "",
                                                  status: .running, variables: "{}", options: "{}",
                                                  createdAt: Date().timeIntervalSince1970), stages: [])
            var samples: [Double] = []
            samples.reserveCapacity(transitions)
            for var stage in stages {
                stage.status = .succeeded
                stage.attempts = 1
                stage.output = "{\"ok\":true}"
                let start = DispatchTime.now().uptimeNanoseconds
                try store.recordStage("bench", stage, event: ("stage_finished", "{\"event\":\"stage_finished\"}"))
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
            }
            samples.sort()
            var figure = Figure(durability: "WAL + synchronous=\(durability.rawValue)",
                                medianMicroseconds: samples[samples.count / 2], transitions: transitions)
            // A call's two rows, without and with what resume reuses (a 64-hex hash and a small result).
            for durable in [false, true] {
                var calls: [Double] = []
                for n in 0..<transitions {
                    var row = AttemptRecord(stage: "s\(n)", attempt: durable ? 2 : 1, tool: "core.echo",
                                            status: AttemptStatus.running.rawValue, startedAt: Date().timeIntervalSince1970)
                    if durable {
                        row.callIndex = 0
                        row.argumentsHash = String(repeating: "ab", count: 32)
                    }
                    let start = DispatchTime.now().uptimeNanoseconds
                    try store.recordAttempt("bench", row)
                    row.status = AttemptStatus.succeeded.rawValue
                    row.finishedAt = Date().timeIntervalSince1970
                    if durable { row.result = "{\"message\":\"hello from call \(n)\"}" }
                    try store.recordAttempt("bench", row)
                    calls.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
                }
                calls.sort()
                if durable { figure.durableCallMicroseconds = calls[calls.count / 2] } else { figure.bareCallMicroseconds = calls[calls.count / 2] }
            }
            figures.append(figure)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } // bench scratch
        }
        return figures
    }

    /// What watching the store costs: `PRAGMA quick_check` when wfhost first opens the database (once per
    /// process), on a database of `sessions` sessions of 20 stages each (their rows, 40 events and 20 attempts),
    /// and the stat(2) that compares the open file with its path at every heartbeat.
    public static func storeCheckText(directory: String, sessions: Int = 1000) throws -> String {
        let scratch = directory + "-check"
        try? FileManager.default.removeItem(atPath: scratch) // fresh directory each time
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) } // bench scratch
        let path = scratch + "/store-bench-check.sqlite3"
        let db = try SQLiteDatabase(path: path)
        let store = try SQLiteSessionStore(database: db)
        let now = Date().timeIntervalSince1970
        for n in 0..<sessions {
            let id = "bench-\(n)"
            var stages = (0..<20).map { StageRecord(stage: "s\($0)", position: $0, status: .succeeded, attempts: 1) }
            for k in stages.indices { stages[k].output = "{\"ok\":true,\"n\":\(k)}" }
            try store.createSession(SessionRecord(id: id, workflowName: "bench", workflowFile: "bench.yaml",
                                                  workflowText: String(repeating: "x", count: 2000), status: .succeeded,
                                                  variables: "{}", options: "{}", createdAt: now), stages: stages)
            try db.transaction { tx in
                for k in 0..<20 {
                    try tx.query("""
                        INSERT INTO attempts (session_id, stage, attempt, tool, status, started_at, finished_at)
                        VALUES (?, ?, 1, 'core.echo', 'succeeded', ?, ?)
                        """, [.text(id), .text("s\(k)"), .real(now), .real(now)])
                    for kind in ["stage_started", "stage_finished"] {
                        try tx.query("INSERT INTO events (session_id, at, kind, stage, data) VALUES (?, ?, ?, ?, ?)",
                                     [.text(id), .real(now), .text(kind), .text("s\(k)"), .text("{\"event\":\"\(kind)\"}")])
                    }
                }
            }
        }
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        var checks: [Double] = []
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try db.quickCheck()
            checks.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        var stats: [Double] = []
        for _ in 0..<1000 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = store.fileProblem()
            stats.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
        }
        checks.sort()
        stats.sort()
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0 // figure only
        return "store checks: PRAGMA quick_check on open (once per process) "
            + String(format: "%.1f ms for %d sessions (%.1f MiB), median of 5; ", checks[2], sessions, Double(bytes) / 1_048_576)
            + String(format: "the file check with each heartbeat (one stat) %.1f µs", stats[stats.count / 2])
    }

    /// The figures as text, with the ratio of FULL to NORMAL.
    public static func text(_ figures: [Figure]) -> String {
        var lines = ["store benchmark: one stage transition = one transaction (stage row + event), median"]
        for f in figures {
            lines.append("  \(f.durability.padding(toLength: 28, withPad: " ", startingAt: 0)) "
                         + String(format: "%8.1f µs", f.medianMicroseconds) + " (\(f.transitions) transitions)")
        }
        if figures.count == 2 {
            lines.append(String(format: "  FULL / NORMAL: %.1fx; wfhost uses NORMAL (README, \"Durable sessions\")",
                                figures[1].medianMicroseconds / max(0.001, figures[0].medianMicroseconds)))
        }
        lines.append("store benchmark: one recorded call = its running row + its finished row, median")
        for f in figures {
            lines.append("  \(f.durability.padding(toLength: 28, withPad: " ", startingAt: 0)) "
                         + String(format: "%8.1f µs without result/hash (before) %8.1f µs with them (now), %.2fx",
                                  f.bareCallMicroseconds, f.durableCallMicroseconds,
                                  f.durableCallMicroseconds / max(0.001, f.bareCallMicroseconds)))
        }
        return lines.joined(separator: "\n")
    }
}
