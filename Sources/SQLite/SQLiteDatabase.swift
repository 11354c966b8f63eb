import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// An SQLite failure: the result code, the library's message, and the statement it happened in.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public var code: Int32
    public var message: String
    public var sql: String?

    public var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " (in `\($0.prefix(120))`)" } ?? "")
    }

    /// The database file was busy beyond the busy timeout.
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
}

/// A value bound to or read from a statement.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var int64: Int64? { if case .integer(let v) = self { return v } else { return nil } }
    public var double: Double? {
        switch self {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        default: return nil
        }
    }
    public var string: String? { if case .text(let v) = self { return v } else { return nil } }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(_ value: String?) { self = value.map(SQLValue.text) ?? .null }
    public init(_ value: Int) { self = .integer(Int64(value)) }
    public init(_ value: Double) { self = .real(value) }
}

/// One result row; columns by position or by name.
public struct SQLRow: Sendable {
    public let columns: [String]
    public let values: [SQLValue]
    public subscript(_ index: Int) -> SQLValue { values.indices.contains(index) ? values[index] : .null }
    public subscript(_ name: String) -> SQLValue {
        guard let i = columns.firstIndex(of: name) else { return .null }
        return values[i]
    }
}

/// A connection to one SQLite file in WAL mode.
///
/// **A connection is used by one thread at a time.** The type is `Sendable` so that it can move between tasks,
/// and serializes its own calls with a lock; open one connection per process and keep transactions short.
/// **Statements are prepared once per connection:** `query` keeps each SQL text's prepared statement (up to
/// `statementCacheLimit` texts) and resets it after use, so a stage transition parses no SQL.
/// Writers from other processes are waited for (busy timeout), so two hosts on one state directory never see
/// "database is locked" under normal load.
public final class SQLiteDatabase: @unchecked Sendable {
    private let handle: OpaquePointer
    public let path: String
    private let lock = Mutex()
    /// Prepared statements by SQL text, with their column names (guarded by `lock`).
    private var statements: [String: (stmt: OpaquePointer, columns: [String])] = [:]
    /// How many `transaction` calls are open on this connection (guarded by `lock`): inner ones are savepoints.
    private var transactionDepth = 0
    /// At most this many SQL texts keep a prepared statement; others are prepared and finalized per call.
    public static let statementCacheLimit = 128

    /// How hard a commit waits for the disk (`PRAGMA synchronous`).
    public enum Durability: String, Sendable {
        /// WAL + NORMAL: a commit survives the process dying; a power loss may drop the last commits, never corrupts.
        case normal = "NORMAL"
        /// WAL + FULL: a commit also survives a power loss; every commit syncs the WAL.
        case full = "FULL"
    }

    /// Opens (creating if needed) the database at `path`, in WAL mode with a busy timeout.
    /// - Throws: `SQLiteError` when the file cannot be opened or is not a database.
    public init(path: String, busyTimeoutMs: Int32 = 30_000, durability: Durability = .normal) throws(SQLiteError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: "\(message): \(path)", sql: nil)
        }
        self.handle = db
        self.path = path
        sqlite3_busy_timeout(db, busyTimeoutMs)
        sqlite3_extended_result_codes(db, 1)
        // Switching a new file to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at once (without the
        // busy handler) when another process opens the same new file at that moment: retry until the timeout.
        var waited: Int32 = 0
        while true {
            do {
                try execute("PRAGMA journal_mode=WAL")
                break
            } catch let error where error.isBusy && waited < busyTimeoutMs {
                usleep(10_000)
                waited += 10
            }
        }
        try execute("PRAGMA synchronous=\(durability.rawValue)")
        try execute("PRAGMA foreign_keys=ON")
    }

    deinit {
        for entry in statements.values { sqlite3_finalize(entry.stmt) }
        sqlite3_close_v2(handle)
    }

    private func error(_ rc: Int32, _ sql: String?) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        try lock.withLock { () throws(SQLiteError) in try unlockedExecute(sql) }
    }

    private func unlockedExecute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw SQLiteError(code: rc, message: text, sql: sql)
        }
    }

    /// Runs one statement with bound arguments and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> [SQLRow] {
        try lock.withLock { () throws(SQLiteError) in try unlockedQuery(sql, arguments) }
    }

    private func unlockedQuery(_ sql: String, _ arguments: [SQLValue]) throws(SQLiteError) -> [SQLRow] {
        let stmt: OpaquePointer
        let names: [String]
        let cached: Bool
        if let entry = statements[sql] {
            (stmt, names, cached) = (entry.stmt, entry.columns, true)
        } else {
            var prepared: OpaquePointer?
            let keep = statements.count < Self.statementCacheLimit
            let rc = sqlite3_prepare_v3(handle, sql, -1, keep ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0, &prepared, nil)
            guard rc == SQLITE_OK, let prepared else { throw error(rc, sql) }
            stmt = prepared
            names = (0..<sqlite3_column_count(prepared)).map { String(cString: sqlite3_column_name(prepared, $0)) }
            cached = keep
            if keep { statements[sql] = (prepared, names) }
        }
        defer {
            if cached {
                sqlite3_reset(stmt)
                sqlite3_clear_bindings(stmt)
            } else {
                sqlite3_finalize(stmt)
            }
        }
        for (i, value) in arguments.enumerated() {
            let index = Int32(i + 1)
            let brc: Int32
            switch value {
            case .null: brc = sqlite3_bind_null(stmt, index)
            case .integer(let v): brc = sqlite3_bind_int64(stmt, index, v)
            case .real(let v): brc = sqlite3_bind_double(stmt, index, v)
            case .text(let v): brc = sqlite3_bind_text(stmt, index, v, -1, SQLITE_TRANSIENT_PTR)
            case .blob(let v):
                brc = v.withUnsafeBytes { sqlite3_bind_blob(stmt, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT_PTR) }
            }
            if brc != SQLITE_OK { throw error(brc, sql) }
        }
        let count = Int32(names.count)
        var rows: [SQLRow] = []
        while true {
            let step = sqlite3_step(stmt)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw error(step, sql) }
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for c in 0..<count {
                switch sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(stmt, c)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(stmt, c)))
                case SQLITE_TEXT:
                    let text = sqlite3_column_text(stmt, c).map { String(cString: $0) } ?? ""
                    values.append(.text(text))
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(stmt, c))
                    let bytes = sqlite3_column_blob(stmt, c).map { Array(UnsafeRawBufferPointer(start: $0, count: n)) }
                    values.append(.blob(bytes ?? []))
                default: values.append(.null)
                }
            }
            rows.append(SQLRow(columns: names, values: values))
        }
        return rows
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: committed when it returns, rolled back when it throws.
    /// `IMMEDIATE` takes the write lock up front, so a transaction never fails half-way with SQLITE_BUSY.
    ///
    /// Called inside another `transaction` on this connection (a group commit of several writes), it runs as a
    /// savepoint of the outer one: its failure undoes only its own statements, and nothing is durable before the
    /// outermost transaction commits.
    public func transaction<T>(_ body: (Transaction) throws -> T) throws -> T {
        try lock.withLock { () throws -> T in
            let depth = transactionDepth
            let begin = depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT wfh_\(depth)"
            let commit = depth == 0 ? "COMMIT" : "RELEASE wfh_\(depth)"
            let rollback = depth == 0 ? "ROLLBACK" : "ROLLBACK TO wfh_\(depth); RELEASE wfh_\(depth)"
            var message: UnsafeMutablePointer<CChar>?
            let started = sqlite3_exec(handle, begin, nil, nil, &message)
            if started != SQLITE_OK {
                sqlite3_free(message)
                throw error(started, begin)
            }
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            do {
                let result = try body(Transaction(database: self))
                let committed = sqlite3_exec(handle, commit, nil, nil, nil)
                if committed != SQLITE_OK {
                    let failure = error(committed, commit)
                    _ = sqlite3_exec(handle, rollback, nil, nil, nil) // the commit's error is what we report
                    throw failure
                }
                return result
            } catch {
                _ = sqlite3_exec(handle, rollback, nil, nil, nil) // the body's error is what we report
                throw error
            }
        }
    }

    /// A handle for statements inside `transaction`; it runs them without taking the lock again.
    public struct Transaction {
        let database: SQLiteDatabase
        @discardableResult
        public func query(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> [SQLRow] {
            try database.unlockedQuery(sql, arguments)
        }
        /// Runs statements that return no rows (several may be separated by semicolons).
        public func execute(_ sql: String) throws(SQLiteError) { try database.unlockedExecute(sql) }
    }

    /// Applies the named migrations that have not run yet, each in its own transaction, in order.
    /// **Migrations are append-only: never edit one that has shipped.**
    public func migrate(_ migrations: [(name: String, sql: String)]) throws {
        try execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
        let applied = Set(try query("SELECT name FROM schema_migrations").compactMap { $0[0].string })
        for migration in migrations where !applied.contains(migration.name) {
            try transaction { tx in
                // Another process may have applied it between our read and our write lock.
                if try !tx.query("SELECT 1 FROM schema_migrations WHERE name = ?", [.text(migration.name)]).isEmpty {
                    return
                }
                try tx.execute(migration.sql)
                try tx.query("INSERT INTO schema_migrations (name, applied_at) VALUES (?, julianday('now'))",
                             [.text(migration.name)])
            }
        }
    }
}

/// SQLITE_TRANSIENT: SQLite copies the bound bytes before the bind call returns.
let SQLITE_TRANSIENT_PTR = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
