import Foundation
import SQLite

/// Everything the engine and the operator commands read and write about sessions. The SQLite implementation
/// is the embedded default; a PostgreSQL one can satisfy the same protocol (ARCHITECTURE.md, "Beyond one machine").
///
/// **Each method is one transaction.** A transition is durable when the method returns; the engine acts after.
public protocol SessionStore: Sendable {
    func createSession(_ session: SessionRecord, stages: [StageRecord]) throws
    func updateSession(_ id: String, status: SessionStatus, error: String?) throws
    func session(_ id: String) throws -> SessionRecord?
    func sessions(status: SessionStatus?, workflow: String?) throws -> [SessionRecord]
    /// Writes a stage's row and the event that announces it, together; the event is stored as of `at` (Unix
    /// time; nil: now), so that a write queued on `StoreThread` keeps the time its transition happened.
    func recordStage(_ session: String, _ stage: StageRecord, event: (kind: String, data: String)?, at: Double?) throws
    func stages(of session: String) throws -> [StageRecord]
    /// Stores a call's row, with its stage's row and its event when given, in one transaction.
    func recordAttempt(_ session: String, _ attempt: AttemptRecord, stage: StageRecord?, event: (kind: String, data: String)?,
                       at: Double?) throws
    func attempts(of session: String) throws -> [AttemptRecord]
    func appendEvent(_ session: String, kind: String, stage: String?, data: String, at: Double?) throws
    func events(of session: String, after id: Int64) throws -> [EventRecord]
    /// Takes the session's lease for this process when it is free or stale; false when another live host holds it.
    func acquireLease(_ session: String, pid: Int, host: String, staleAfter: Double) throws -> LeaseResult
    /// Refreshes the lease of `pid` on `host`; false when this host no longer holds it (another took it over).
    /// Refreshes the lease and adds `activeSeconds` (the time run since the last beat) to the session's.
    func heartbeat(_ session: String, pid: Int, host: String, activeSeconds: Double) throws -> Bool
    func addActiveTime(_ session: String, seconds: Double) throws
    func releaseLease(_ session: String, pid: Int) throws
    /// Marks the attempts still `running` as `interrupted` (the host that ran them is gone); returns how many.
    func markInterruptedAttempts(_ session: String) throws -> Int
    /// Whether the database file this store has open is still the one at its path (checked with the heartbeat):
    /// nil while it is, else what happened to it.
    func fileProblem() -> StoreFileProblem?
    /// Runs several writes (calls of this protocol's methods) in one transaction: all are durable when it returns,
    /// none when it throws. What `StoreThread` uses for a group commit.
    func writeTogether(_ body: () throws -> Void) throws
}

extension SessionStore {
    /// A store that is not a file cannot be removed from under the host.
    public func fileProblem() -> StoreFileProblem? { nil }

    /// A store without transactions across calls runs the writes one by one.
    public func writeTogether(_ body: () throws -> Void) throws { try body() }

    /// Stores a call's row alone.
    public func recordAttempt(_ session: String, _ attempt: AttemptRecord) throws {
        try recordAttempt(session, attempt, stage: nil, event: nil, at: nil)
    }

    /// Stores a call's row, with its stage's row and its event as of now.
    public func recordAttempt(_ session: String, _ attempt: AttemptRecord, stage: StageRecord?,
                              event: (kind: String, data: String)?) throws {
        try recordAttempt(session, attempt, stage: stage, event: event, at: nil)
    }

    /// Writes a stage's row and its event as of now.
    public func recordStage(_ session: String, _ stage: StageRecord, event: (kind: String, data: String)?) throws {
        try recordStage(session, stage, event: event, at: nil)
    }

    /// Stores an event as of now.
    public func appendEvent(_ session: String, kind: String, stage: String?, data: String) throws {
        try appendEvent(session, kind: kind, stage: stage, data: data, at: nil)
    }
}

/// The database file a running host writes to was removed, or another file took its place: what the host
/// records from then on is lost to every other process, so it stops (exit code 3).
public enum StoreFileProblem: Sendable, Equatable, CustomStringConvertible {
    /// No file is at the path any more (the file or its directory was deleted).
    case removed(path: String)
    /// Another file is at the path (a different device or inode than the one opened).
    case replaced(path: String)
    /// Writes fail (a full disk, a read-only file system, lost permissions): `reason` is SQLite's.
    case unwritable(reason: String)

    public var description: String {
        switch self {
        case .removed(let path):
            return "the state database \(path) was removed while this host was running; what it records from now on "
                + "would be lost, so the run stops"
        case .replaced(let path):
            return "the state database \(path) was replaced by another file while this host was running; this host "
                + "still writes to the old file, so the run stops"
        case .unwritable(let reason):
            return "the state database cannot be written (\(reason)), so the run stops: nothing may run without "
                + "being recorded; free space on the state directory's file system (or fix its permissions), then "
                + "`wfhost resume SESSION` continues"
        }
    }
}

public enum LeaseResult: Sendable, Equatable {
    case acquired
    /// Taken over from a host whose heartbeat stopped.
    case tookOver(previousPID: Int, previousHost: String)
    case heldBy(pid: Int, host: String, secondsSinceHeartbeat: Double)
}

/// The SQLite session store (WAL; see `SQLiteDatabase`).
public final class SQLiteSessionStore: SessionStore {
    public let db: SQLiteDatabase
    /// The device and inode of the database file when the store was opened (nil for one without a file).
    let openedFile: FileIdentity?

    /// Opens the store, applying pending migrations.
    public init(database: SQLiteDatabase) throws {
        self.db = database
        self.openedFile = FileIdentity.of(path: database.path)
        try db.migrate(StoreSchema.migrations)
    }

    /// Compares the file at the database's path with the one opened: one stat(2).
    public func fileProblem() -> StoreFileProblem? {
        guard let openedFile else { return nil }
        guard let now = FileIdentity.of(path: db.path) else { return .removed(path: db.path) }
        return now == openedFile ? nil : .replaced(path: db.path)
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// One `BEGIN IMMEDIATE` transaction around the writes; each method's own transaction becomes a savepoint.
    public func writeTogether(_ body: () throws -> Void) throws {
        try db.transaction { _ in try body() }
    }

    public func createSession(_ s: SessionRecord, stages: [StageRecord]) throws {
        try db.transaction { tx in
            try tx.query("""
                INSERT INTO sessions (id, workflow_name, workflow_file, workflow_text, status, variables, options,
                    created_at, started_at, owner_pid, owner_host, heartbeat_at, work_dir)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(s.id), .text(s.workflowName), .text(s.workflowFile), .text(s.workflowText),
                      .text(s.status.rawValue), .text(s.variables), .text(s.options), .real(s.createdAt),
                      s.startedAt.map(SQLValue.real) ?? .null, s.ownerPID.map { .integer(Int64($0)) } ?? .null,
                      SQLValue(s.ownerHost), s.heartbeatAt.map(SQLValue.real) ?? .null, SQLValue(s.workDirectory)])
            for stage in stages { try Self.upsert(tx, s.id, stage) }
        }
    }

    public func updateSession(_ id: String, status: SessionStatus, error: String?) throws {
        let now = Self.now()
        try db.query("""
            UPDATE sessions SET status = ?, error = ?,
                started_at = CASE WHEN ? = 'running' AND started_at IS NULL THEN ? ELSE started_at END,
                finished_at = CASE WHEN ? IN ('succeeded', 'failed', 'cancelled') THEN ? ELSE NULL END
            WHERE id = ?
            """, [.text(status.rawValue), SQLValue(error), .text(status.rawValue), .real(now),
                  .text(status.rawValue), .real(now), .text(id)])
    }

    public func session(_ id: String) throws -> SessionRecord? {
        try db.query("SELECT * FROM sessions WHERE id = ?", [.text(id)]).first.map { try Self.sessionRecord($0) }
    }

    public func sessions(status: SessionStatus?, workflow: String?) throws -> [SessionRecord] {
        var sql = "SELECT * FROM sessions WHERE 1 = 1"
        var args: [SQLValue] = []
        if let status { sql += " AND status = ?"; args.append(.text(status.rawValue)) }
        if let workflow { sql += " AND workflow_name = ?"; args.append(.text(workflow)) }
        return try db.query(sql + " ORDER BY created_at DESC", args).map { try Self.sessionRecord($0) }
    }

    static func sessionRecord(_ r: SQLRow) throws(StoredValueError) -> SessionRecord {
        let raw = r["status"].string ?? ""
        guard let status = SessionStatus(rawValue: raw) else {
            throw StoredValueError(what: "session status", value: raw, place: "session \(r["id"].string ?? "?")")
        }
        return SessionRecord(id: r["id"].string ?? "", workflowName: r["workflow_name"].string ?? "",
                      workflowFile: r["workflow_file"].string ?? "", workflowText: r["workflow_text"].string ?? "",
                      status: status,
                      variables: r["variables"].string ?? "{}", options: r["options"].string ?? "{}",
                      createdAt: r["created_at"].double ?? 0, startedAt: r["started_at"].double,
                      finishedAt: r["finished_at"].double, error: r["error"].string,
                      ownerPID: r["owner_pid"].int64.map { Int($0) }, ownerHost: r["owner_host"].string,
                      heartbeatAt: r["heartbeat_at"].double, workDirectory: r["work_dir"].string,
                      activeSeconds: r["active_seconds"].double ?? 0)
    }

    static func upsert(_ tx: SQLiteDatabase.Transaction, _ session: String, _ s: StageRecord) throws {
        try tx.query("""
            INSERT OR REPLACE INTO stage_runs (session_id, stage, position, status, attempts, started_at, finished_at,
                output, error_class, error_message, reason, budget_start, queued_at, output_marked,
                not_started, queued_seconds)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(session), .text(s.stage), .integer(Int64(s.position)), .text(s.status.rawValue),
                  .integer(Int64(s.attempts)), s.startedAt.map(SQLValue.real) ?? .null,
                  s.finishedAt.map(SQLValue.real) ?? .null, SQLValue(s.output), SQLValue(s.errorClass),
                  SQLValue(s.errorMessage), SQLValue(s.reason),
                  s.attemptBudgetStart.map { .integer(Int64($0)) } ?? .null, s.queuedAt.map(SQLValue.real) ?? .null,
                  SQLValue(s.markedOutput), .integer(s.notStarted ? 1 : 0), .real(s.queuedSeconds)])
    }

    public func recordStage(_ session: String, _ stage: StageRecord, event: (kind: String, data: String)?,
                            at: Double?) throws {
        try db.transaction { tx in
            try Self.upsert(tx, session, stage)
            if let event {
                try tx.query("INSERT INTO events (session_id, at, kind, stage, data) VALUES (?, ?, ?, ?, ?)",
                             [.text(session), .real(at ?? Self.now()), .text(event.kind), .text(stage.stage), .text(event.data)])
            }
        }
    }

    public func stages(of session: String) throws -> [StageRecord] {
        try db.query("SELECT * FROM stage_runs WHERE session_id = ? ORDER BY position", [.text(session)]).map { try Self.stageRecord($0) }
    }

    public func recordAttempt(_ session: String, _ a: AttemptRecord, stage: StageRecord?,
                              event: (kind: String, data: String)?, at: Double?) throws {
        try db.transaction { tx in
            if let stage { try Self.upsert(tx, session, stage) }
            try Self.insertAttempt(tx, session, a)
            if let event {
                try tx.query("INSERT INTO events (session_id, at, kind, stage, data) VALUES (?, ?, ?, ?, ?)",
                             [.text(session), .real(at ?? Self.now()), .text(event.kind), .text(a.stage), .text(event.data)])
            }
        }
    }

    static func insertAttempt(_ tx: SQLiteDatabase.Transaction, _ session: String, _ a: AttemptRecord) throws {
        try tx.query("""
            INSERT OR REPLACE INTO attempts (session_id, stage, attempt, tool, status, started_at, finished_at,
                error_class, error_message, retryable, stdout_tail, stderr_tail, call_index, args_hash, result, reused_from)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(session), .text(a.stage), .integer(Int64(a.attempt)), .text(a.tool), .text(a.status),
                  .real(a.startedAt), a.finishedAt.map(SQLValue.real) ?? .null, SQLValue(a.errorClass),
                  SQLValue(a.errorMessage), a.retryable.map { .integer($0 ? 1 : 0) } ?? .null,
                  SQLValue(a.stdoutTail), SQLValue(a.stderrTail), a.callIndex.map { .integer(Int64($0)) } ?? .null,
                  SQLValue(a.argumentsHash), SQLValue(a.result), a.reusedFrom.map { .integer(Int64($0)) } ?? .null])
    }

    public func attempts(of session: String) throws -> [AttemptRecord] {
        try db.query("SELECT * FROM attempts WHERE session_id = ? ORDER BY started_at, stage, attempt",
                     [.text(session)]).map(Self.attemptRecord)
    }

    public func appendEvent(_ session: String, kind: String, stage: String?, data: String, at: Double?) throws {
        try db.query("INSERT INTO events (session_id, at, kind, stage, data) VALUES (?, ?, ?, ?, ?)",
                     [.text(session), .real(at ?? Self.now()), .text(kind), SQLValue(stage), .text(data)])
    }

    public func events(of session: String, after id: Int64) throws -> [EventRecord] {
        try db.query("SELECT id, at, kind, stage, data FROM events WHERE session_id = ? AND id > ? ORDER BY id",
                     [.text(session), .integer(id)]).map { r in
            EventRecord(id: r[0].int64 ?? 0, at: r[1].double ?? 0, kind: r[2].string ?? "", stage: r[3].string,
                        data: r[4].string ?? "{}")
        }
    }

    public func acquireLease(_ session: String, pid: Int, host: String, staleAfter: Double) throws -> LeaseResult {
        try db.transaction { tx in
            let now = Self.now()
            guard let row = try tx.query("SELECT owner_pid, owner_host, heartbeat_at FROM sessions WHERE id = ?",
                                         [.text(session)]).first else { return .acquired }
            let ownerPID = row[0].int64.map { Int($0) }
            let ownerHost = row[1].string ?? ""
            let age = now - (row[2].double ?? 0)
            if let ownerPID, ownerPID != pid || ownerHost != host {
                if age < staleAfter && LeaseCheck.isAlive(pid: ownerPID, host: ownerHost) {
                    return .heldBy(pid: ownerPID, host: ownerHost, secondsSinceHeartbeat: age)
                }
            }
            try tx.query("UPDATE sessions SET owner_pid = ?, owner_host = ?, heartbeat_at = ? WHERE id = ?",
                         [.integer(Int64(pid)), .text(host), .real(now), .text(session)])
            if let ownerPID, ownerPID != pid || ownerHost != host {
                return .tookOver(previousPID: ownerPID, previousHost: ownerHost)
            }
            return .acquired
        }
    }

    public func heartbeat(_ session: String, pid: Int, host: String, activeSeconds: Double) throws -> Bool {
        try !db.query("""
            UPDATE sessions SET heartbeat_at = ?, active_seconds = active_seconds + ?
            WHERE id = ? AND owner_pid = ? AND owner_host = ? RETURNING id
            """, [.real(Self.now()), .real(activeSeconds), .text(session), .integer(Int64(pid)), .text(host)]).isEmpty
    }

    public func addActiveTime(_ session: String, seconds: Double) throws {
        try db.query("UPDATE sessions SET active_seconds = active_seconds + ? WHERE id = ?", [.real(seconds), .text(session)])
    }

    public func markInterruptedAttempts(_ session: String) throws -> Int {
        try db.query("""
            UPDATE attempts SET status = ?, error_class = ?, error_message = ?
            WHERE session_id = ? AND status = ? RETURNING attempt
            """, [.text(AttemptStatus.interrupted.rawValue), .text("interrupted"),
                  .text("the host running this call stopped before it finished"), .text(session),
                  .text(AttemptStatus.running.rawValue)]).count
    }

    public func releaseLease(_ session: String, pid: Int) throws {
        try db.query("UPDATE sessions SET owner_pid = NULL, heartbeat_at = NULL WHERE id = ? AND owner_pid = ?",
                     [.text(session), .integer(Int64(pid))])
    }
}

/// Whether a lease holder is still alive: on this host, its pid exists; elsewhere we trust the heartbeat.
enum LeaseCheck {
    static func isAlive(pid: Int, host: String) -> Bool {
        guard host == ProcessInfo.processInfo.hostName else { return true }
        return kill(pid_t(pid), 0) == 0 || errno == EPERM
    }
}
