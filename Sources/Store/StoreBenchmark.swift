import Foundation
import SQLite

/// The store's cost per stage transition (one transaction writing a stage row and its event), with WAL and each
/// durability setting, measured side by side.
public enum StoreBenchmark {
    public struct Figure: Sendable {
        public var durability: String
        public var medianMicroseconds: Double
        public var transitions: Int
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
            figures.append(Figure(durability: "WAL + synchronous=\(durability.rawValue)",
                                  medianMicroseconds: samples[samples.count / 2], transitions: transitions))
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } // bench scratch
        }
        return figures
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
        return lines.joined(separator: "\n")
    }
}
