import SQLite

/// The registry's table in the state database: one row per plugin file and host ABI, holding the scan result.
/// Rows are keyed by path and by the host's ABI and version, so a new wfhost rescans everything once.
struct RegistryCache {
    let db: SQLiteDatabase
    let hostKey: String

    static let migrations: [(name: String, sql: String)] = [
        ("0001_plugin_files", """
            CREATE TABLE plugin_files (
                path TEXT NOT NULL,
                host_key TEXT NOT NULL,
                device INTEGER NOT NULL,
                inode INTEGER NOT NULL,
                size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                status TEXT NOT NULL,
                report TEXT,
                failure_kind TEXT,
                failure_message TEXT,
                failure_stderr TEXT,
                failure_abi TEXT,
                scanned_at REAL NOT NULL,
                PRIMARY KEY (path, host_key)
            )
            """),
        ("0002_plugin_validation", "ALTER TABLE plugin_files ADD COLUMN validation TEXT"),
        // The tools an MCP tool server listed, by its declaration and the identity of its files (ToolServerLister).
        ("0003_tool_server_lists", "CREATE TABLE tool_server_lists (key TEXT PRIMARY KEY, tools TEXT NOT NULL, listed_at REAL NOT NULL)"),
    ]

    struct Row {
        var identity: PluginFile.FileIdentity
        var sha256: String
        var result: ScanResult
        /// The file's own validation (status and findings) as JSON text; nil for rows written before it was kept.
        var validation: String?
    }

    init(db: SQLiteDatabase, hostKey: String) throws {
        self.db = db
        self.hostKey = hostKey
        try db.migrate(Self.migrations)
    }

    func loadAll() throws -> [String: Row] {
        var rows: [String: Row] = [:]
        for r in try db.query("""
            SELECT path, device, inode, size, mtime_ns, sha256, report, failure_kind, failure_message, failure_stderr,
                   failure_abi, validation FROM plugin_files WHERE host_key = ?
            """, [.text(hostKey)]) {
            guard let path = r[0].string, let sha = r[5].string else { continue }
            let identity = PluginFile.FileIdentity(device: UInt64(bitPattern: r[1].int64 ?? 0),
                                                   inode: UInt64(bitPattern: r[2].int64 ?? 0),
                                                   size: r[3].int64 ?? -1, mtimeNanos: r[4].int64 ?? -1)
            let result: ScanResult
            if let report = r[6].string {
                result = .loaded(report: report)
            } else {
                result = .failed(ScanFailure(kind: r[7].string ?? "load_failed", message: r[8].string ?? "",
                                             stderrTail: r[9].string ?? "", pluginABI: r[10].string))
            }
            rows[path] = Row(identity: identity, sha256: sha, result: result, validation: r[11].string)
        }
        return rows
    }

    /// Writes the changed rows and drops rows of files that are gone, in one transaction.
    func save(_ changed: [(path: String, row: Row, status: PluginStatus)], removing gone: [String]) throws {
        guard !changed.isEmpty || !gone.isEmpty else { return }
        try db.transaction { tx in
            for path in gone {
                try tx.query("DELETE FROM plugin_files WHERE path = ? AND host_key = ?", [.text(path), .text(hostKey)])
            }
            for (path, row, status) in changed {
                var report: SQLValue = .null, kind: SQLValue = .null, message: SQLValue = .null
                var stderr: SQLValue = .null, abi: SQLValue = .null
                switch row.result {
                case .loaded(let text): report = .text(text)
                case .failed(let f):
                    kind = .text(f.kind); message = .text(f.message); stderr = .text(f.stderrTail)
                    abi = SQLValue(f.pluginABI)
                }
                try tx.query("""
                    INSERT OR REPLACE INTO plugin_files (path, host_key, device, inode, size, mtime_ns, sha256, status,
                        report, failure_kind, failure_message, failure_stderr, failure_abi, validation, scanned_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, julianday('now'))
                    """, [.text(path), .text(hostKey), .integer(Int64(bitPattern: row.identity.device)),
                          .integer(Int64(bitPattern: row.identity.inode)), .integer(row.identity.size),
                          .integer(row.identity.mtimeNanos), .text(row.sha256), .text(status.rawValue), report, kind,
                          message, stderr, abi, SQLValue(row.validation)])
            }
        }
    }
}
