import Foundation
import SQLite

/// Operator requests, checkpoints, retries and cleanup.
public protocol SessionOperations: SessionStore {
    /// Records an operator's request (nil clears it); the host running the session acts on it.
    func setRequest(_ session: String, _ request: SessionRequest?) throws
    func pendingRequest(_ session: String) throws -> SessionRequest?
    /// Saves the current stage rows as a checkpoint.
    func createCheckpoint(_ session: String, name: String, description: String?, automatic: Bool) throws -> CheckpointRecord
    func checkpoints(of session: String) throws -> [CheckpointRecord]
    /// Sets the stages back to the checkpoint (later stages become pending, their outputs removed) and the
    /// session to paused, so that resume continues from there.
    func restoreCheckpoint(_ session: String, id: Int) throws -> CheckpointRecord?
    /// Replaces stage rows and sets the session's status, together.
    func resetStages(_ session: String, _ stages: [StageRecord], status: SessionStatus) throws
    /// Deletes sessions that finished before `before` (Unix time); returns their ids.
    func deleteSessions(finishedBefore before: Double, dryRun: Bool) throws -> [String]
    /// Records the session's work directory (for a session stored before it was kept).
    func setWorkDirectory(_ session: String, _ path: String) throws
}

extension SQLiteSessionStore: SessionOperations {
    public func setRequest(_ session: String, _ request: SessionRequest?) throws {
        try db.query("UPDATE sessions SET requested = ? WHERE id = ?", [SQLValue(request?.rawValue), .text(session)])
    }

    public func setWorkDirectory(_ session: String, _ path: String) throws {
        try db.query("UPDATE sessions SET work_dir = ? WHERE id = ?", [.text(path), .text(session)])
    }

    public func pendingRequest(_ session: String) throws -> SessionRequest? {
        try db.query("SELECT requested FROM sessions WHERE id = ?", [.text(session)]).first?[0].string
            .flatMap(SessionRequest.init(rawValue:))
    }

    static func encode(_ stages: [StageRecord]) throws -> String {
        String(decoding: try JSONEncoder().encode(stages), as: UTF8.self)
    }

    public func createCheckpoint(_ session: String, name: String, description: String?, automatic: Bool) throws -> CheckpointRecord {
        try db.transaction { tx in
            let stages = try Self.stageRows(tx, session)
            let next = Int(try tx.query("SELECT COALESCE(MAX(id), 0) + 1 FROM checkpoints WHERE session_id = ?",
                                        [.text(session)]).first?[0].int64 ?? 1)
            let now = Self.now()
            try tx.query("""
                INSERT INTO checkpoints (session_id, id, name, description, automatic, created_at, stages)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [.text(session), .integer(Int64(next)), .text(name), SQLValue(description),
                      .integer(automatic ? 1 : 0), .real(now), .text(try Self.encode(stages))])
            return CheckpointRecord(id: next, name: name, description: description, automatic: automatic,
                                    createdAt: now, stages: stages)
        }
    }

    static func stageRows(_ tx: SQLiteDatabase.Transaction, _ session: String) throws -> [StageRecord] {
        try tx.query("SELECT * FROM stage_runs WHERE session_id = ? ORDER BY position", [.text(session)]).map { try stageRecord($0) }
    }

    static func stageRecord(_ r: SQLRow) throws(StoredValueError) -> StageRecord {
        let raw = r["status"].string ?? ""
        guard let status = StageStatus(rawValue: raw) else {
            throw StoredValueError(what: "stage status", value: raw,
                                   place: "stage '\(r["stage"].string ?? "")' of session \(r["session_id"].string ?? "?")")
        }
        var s = StageRecord(stage: r["stage"].string ?? "", position: Int(r["position"].int64 ?? 0), status: status,
                            attempts: Int(r["attempts"].int64 ?? 0))
        s.startedAt = r["started_at"].double
        s.finishedAt = r["finished_at"].double
        s.output = r["output"].string
        s.errorClass = r["error_class"].string
        s.errorMessage = r["error_message"].string
        s.reason = r["reason"].string
        s.attemptBudgetStart = r["budget_start"].int64.map { Int($0) }
        s.queuedAt = r["queued_at"].double
        s.markedOutput = r["output_marked"].string
        s.notStarted = r["not_started"].int64 == 1
        s.queuedSeconds = r["queued_seconds"].double ?? 0
        return s
    }

    public func checkpoints(of session: String) throws -> [CheckpointRecord] {
        try db.query("SELECT * FROM checkpoints WHERE session_id = ? ORDER BY id", [.text(session)]).map { r in
            let stages: [StageRecord]
            do {
                stages = try JSONDecoder().decode([StageRecord].self, from: Data((r["stages"].string ?? "").utf8))
            } catch {
                // An unreadable checkpoint is not an empty one: restoring "nothing" would reset every stage.
                throw StoredValueError(what: "checkpoint", value: r["name"].string ?? "?",
                                       place: "checkpoint \(r["id"].int64 ?? 0) of session \(session) (\(error))")
            }
            return Self.checkpointRecord(r, stages: stages)
        }
    }

    static func checkpointRecord(_ r: SQLRow, stages: [StageRecord]) -> CheckpointRecord {
        CheckpointRecord(id: Int(r["id"].int64 ?? 0), name: r["name"].string ?? "", description: r["description"].string,
                         automatic: r["automatic"].int64 == 1, createdAt: r["created_at"].double ?? 0, stages: stages)
    }

    public func restoreCheckpoint(_ session: String, id: Int) throws -> CheckpointRecord? {
        guard let checkpoint = try checkpoints(of: session).first(where: { $0.id == id }) else { return nil }
        let current = try stages(of: session)
        let saved = Dictionary(checkpoint.stages.map { ($0.stage, $0) }, uniquingKeysWith: { a, _ in a })
        let restored = current.map { stage -> StageRecord in
            if let old = saved[stage.stage], old.status.isTerminal { return old }
            // Attempt numbers continue (earlier attempts stay recorded, none is taken for a call of this run) and
            // the restored stage starts with a fresh budget.
            var fresh = StageRecord(stage: stage.stage, position: stage.position, attempts: stage.attempts)
            fresh.attemptBudgetStart = stage.attempts
            fresh.reason = "restored to checkpoint '\(checkpoint.name)'"
            return fresh
        }
        try resetStages(session, restored, status: .paused)
        return checkpoint
    }

    public func resetStages(_ session: String, _ stages: [StageRecord], status: SessionStatus) throws {
        try db.transaction { tx in
            for stage in stages { try Self.upsert(tx, session, stage) }
            try tx.query("UPDATE sessions SET status = ?, finished_at = NULL, error = NULL, requested = NULL WHERE id = ?",
                         [.text(status.rawValue), .text(session)])
            try tx.query("INSERT INTO events (session_id, at, kind, stage, data) VALUES (?, ?, ?, NULL, ?)",
                         [.text(session), .real(Self.now()), .text("stages_reset"),
                          .text("{\"event\":\"stages_reset\",\"status\":\"\(status.rawValue)\"}")])
        }
    }

    public func deleteSessions(finishedBefore before: Double, dryRun: Bool) throws -> [String] {
        let ids = try db.query("""
            SELECT id FROM sessions WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < ?
            """, [.real(before)]).compactMap { $0[0].string }
        guard !dryRun, !ids.isEmpty else { return ids }
        try db.transaction { tx in
            for id in ids {
                try Self.foldMetricTotals(tx, id) // counters stay monotonic: the session's share is kept
                for table in ["events", "attempts", "stage_runs", "checkpoints"] {
                    try tx.query("DELETE FROM \(table) WHERE session_id = ?", [.text(id)])
                }
                try tx.query("DELETE FROM sessions WHERE id = ?", [.text(id)])
            }
        }
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try db.execute("VACUUM")
        return ids
    }
}
