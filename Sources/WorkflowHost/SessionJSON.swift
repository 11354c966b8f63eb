import Schema
import Store

extension SessionRecord {
    /// The session as `status --json`, `sessions list --json` and the MCP tools show it (one form for all).
    public var json: JSONValue {
        .object([
            "session_id": .string(id), "workflow": .string(workflowName), "file": .string(workflowFile),
            "status": .string(status.rawValue), "created_at": .double(createdAt),
            "started_at": startedAt.map(JSONValue.double) ?? .null, "finished_at": finishedAt.map(JSONValue.double) ?? .null,
            "error": error.map(JSONValue.string) ?? .null,
            "work_dir": workDirectory.map(JSONValue.string) ?? .null,
            "active_seconds": .double(activeSeconds),
        ])
    }
}
