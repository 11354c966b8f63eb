/// The session tables. **Migrations are append-only: never edit one that has shipped;** add a new one.
enum StoreSchema {
    static let migrations: [(name: String, sql: String)] = [
        ("0100_sessions", """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                workflow_name TEXT NOT NULL,
                workflow_file TEXT NOT NULL,
                workflow_text TEXT NOT NULL,
                status TEXT NOT NULL,
                variables TEXT NOT NULL,
                options TEXT NOT NULL,
                created_at REAL NOT NULL,
                started_at REAL,
                finished_at REAL,
                error TEXT,
                owner_pid INTEGER,
                owner_host TEXT,
                heartbeat_at REAL
            );
            CREATE INDEX sessions_status ON sessions(status);
            CREATE TABLE stage_runs (
                session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                stage TEXT NOT NULL,
                position INTEGER NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                started_at REAL,
                finished_at REAL,
                output TEXT,
                error_class TEXT,
                error_message TEXT,
                reason TEXT,
                PRIMARY KEY (session_id, stage)
            );
            CREATE TABLE attempts (
                session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                stage TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                tool TEXT NOT NULL,
                status TEXT NOT NULL,
                started_at REAL NOT NULL,
                finished_at REAL,
                error_class TEXT,
                error_message TEXT,
                retryable INTEGER,
                stdout_tail TEXT,
                stderr_tail TEXT,
                PRIMARY KEY (session_id, stage, attempt, tool)
            );
            CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                at REAL NOT NULL,
                kind TEXT NOT NULL,
                stage TEXT,
                data TEXT NOT NULL
            );
            CREATE INDEX events_session ON events(session_id, id);
            """),
        ("0101_requests_and_checkpoints", """
            ALTER TABLE sessions ADD COLUMN requested TEXT;
            CREATE TABLE checkpoints (
                session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                id INTEGER NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                automatic INTEGER NOT NULL,
                created_at REAL NOT NULL,
                stages TEXT NOT NULL,
                PRIMARY KEY (session_id, id)
            );
            """),
        // One work directory for the session's whole life (resume, retry, checkpoint restore, pause).
        ("0102_session_work_dir", """
            ALTER TABLE sessions ADD COLUMN work_dir TEXT;
            """),
        // The counters' shares of sessions removed by cleanup (MetricTotals), so that counters never drop.
        ("0200_metric_totals", """
            CREATE TABLE metric_totals (
                family TEXT NOT NULL,
                subject TEXT NOT NULL,
                detail TEXT NOT NULL DEFAULT '',
                value REAL NOT NULL,
                PRIMARY KEY (family, subject, detail)
            );
            """),
        // The attempt budget of a stage run again with fresh attempts: the attempts made before it, which do not
        // count against its retry policy (NULL: every attempt counts).
        ("0103_stage_attempt_budget", """
            ALTER TABLE stage_runs ADD COLUMN budget_start INTEGER;
            """),
        // When a running stage's attempt began waiting for a concurrency slot; NULL once one of its calls started.
        ("0104_stage_queued_at", """
            ALTER TABLE stage_runs ADD COLUMN queued_at REAL;
            """),
        // Tool calls as the durable unit: which call of its stage an attempt row is, a hash of its resolved
        // arguments and its result (secret values replaced by markers), so that resume reuses a finished call;
        // `reused_from` names the attempt whose result a reused call took. A stage's output with secret markers
        // (NULL when it holds no secret: `output` is then the whole truth).
        ("0105_call_results", """
            ALTER TABLE attempts ADD COLUMN call_index INTEGER;
            ALTER TABLE attempts ADD COLUMN args_hash TEXT;
            ALTER TABLE attempts ADD COLUMN result TEXT;
            ALTER TABLE attempts ADD COLUMN reused_from INTEGER;
            ALTER TABLE stage_runs ADD COLUMN output_marked TEXT;
            """),
        // A stage skipped only because the run stopped before it could start (typed, instead of the reason's
        // "not started:" prefix that marked it before).
        ("0106_stage_not_started", """
            ALTER TABLE stage_runs ADD COLUMN not_started INTEGER NOT NULL DEFAULT 0;
            UPDATE stage_runs SET not_started = 1 WHERE status = 'skipped' AND reason LIKE 'not started:%';
            """),
        // Time that counts: how long hosts actually ran the session (paused and dead time excluded, counted up to
        // the last heartbeat of a killed host), and how long each stage waited for a concurrency slot.
        ("0107_active_and_queued_time", """
            ALTER TABLE sessions ADD COLUMN active_seconds REAL NOT NULL DEFAULT 0;
            ALTER TABLE stage_runs ADD COLUMN queued_seconds REAL NOT NULL DEFAULT 0;
            """),
    ]
}
