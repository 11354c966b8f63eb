import Foundation
import MCP
import WorkflowHost

/// A JSON-RPC error of a task method, with the code the specification prescribes.
struct TaskRPCError: Error, Sendable {
    static let invalidParams = -32602
    static let internalError = -32603
    static let methodNotFound = -32601

    var code: Int
    var message: String
}

/// MCP tasks (protocol 2025-11-25, experimental; `TaskTransport` speaks them on the wire) over wfhost's sessions:
/// a task is a workflow run, and its id is the session id. Nothing is kept in memory: every answer reads the session
/// from the store, so `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` work in a server started after the
/// one that created the task was killed.
///
/// Session status → task status (README, "MCP tasks"):
/// - `pending`, `running` → `working`
/// - `paused`, `interrupted` → `input_required`: the run waits for the requestor, who continues it with
///   `wfhost_resume` (back to `working`) or ends it with `tasks/cancel`; the status message says so
/// - `succeeded` → `completed`; `failed` → `failed`; `cancelled` → `cancelled`
final class MCPTasks: Sendable {
    /// The polling interval suggested to the client, in milliseconds.
    static let pollInterval = 1000
    /// At most this many tasks per `tasks/list` page.
    static let pageSize = 50
    static let relatedTask = "io.modelcontextprotocol/related-task"

    let app: WfhostMCPServer
    /// Sends a notification (method, params) to the client.
    let notify: @Sendable (String, JSONValue) async -> Void

    init(app: WfhostMCPServer, notify: @escaping @Sendable (String, JSONValue) async -> Void) {
        self.app = app
        self.notify = notify
    }

    /// The tools whose calls may be tasks (`execution.taskSupport: "optional"`): `wfhost_run` and each predefined
    /// workflow's tool. The other tools answer at once, or continue an existing session (`wfhost_resume`).
    func taskTools() -> Set<String> {
        Set([WorkflowTool.run.rawValue]).union(PredefinedWorkflowTool.load(directory: app.workflowsDirectory).map(\.mcpName))
    }

    // MARK: - Methods

    /// A task-augmented `tools/call`: prepares the run (the session), starts it in the background and answers with
    /// the `CreateTaskResult` at once. A run that does not prepare (bad arguments, an invalid workflow) creates no
    /// task: an `invalidParams` error with the text the plain call's error result would carry.
    func create(tool: String, arguments: JSONValue) async throws(TaskRPCError) -> JSONValue {
        guard taskTools().contains(tool) else {
            throw TaskRPCError(code: TaskRPCError.methodNotFound,
                               message: "tool \(tool) does not support task-augmented calls (no execution.taskSupport in tools/list); call it without params.task")
        }
        let runArguments: JSONValue
        if tool == WorkflowTool.run.rawValue {
            let violations = app.workflowSchemas[.run]?.validate(arguments) ?? []
            guard violations.isEmpty else { throw Self.invalidArguments(tool, violations.map(\.description)) }
            runArguments = arguments
        } else {
            guard let predefined = PredefinedWorkflowTool.load(directory: app.workflowsDirectory).first(where: { $0.mcpName == tool }) else {
                throw TaskRPCError(code: TaskRPCError.methodNotFound, message: "Unknown tool: \(tool)")
            }
            let violations = predefined.schema.validate(arguments)
            guard violations.isEmpty else { throw Self.invalidArguments(tool, violations.map(\.description)) }
            runArguments = .object(["workflow": .string(predefined.file), "variables": arguments])
        }
        let prepared: PreparedRun
        do {
            prepared = try app.prepareRun(runArguments, progress: nil)
        } catch {
            throw TaskRPCError(code: TaskRPCError.invalidParams, message: ToolResults.describe(error))
        }
        let run = await app.activity.start(prepared)
        let session = prepared.session, host = app.host, notify = self.notify, log = app.log
        log.info("session \(session): started as an MCP task")
        Task {
            _ = await run.value
            if let snapshot = try? host.status(of: session) {
                await notify("notifications/tasks/status", Self.task(snapshot.session))
            }
        }
        let record = (try? host.status(of: session))?.session
        var task = record.map(Self.task) ?? .object(["taskId": .string(session), "status": .string("working")])
        if case .object(var o) = task, o["status"]?.stringValue != "working" {
            // A task begins `working` (the specification); a run that ended already shows it at the next tasks/get.
            o["status"] = .string("working")
            o["statusMessage"] = .string("running workflow \(prepared.workflow.metadata.name) (session \(session))")
            task = .object(o)
        }
        return .object([
            "task": task,
            "_meta": .object(["io.modelcontextprotocol/model-immediate-response": .string(
                "Workflow \(prepared.workflow.metadata.name) is running as session \(session) (MCP task \(session)); "
                    + "tasks/get follows it, tasks/result returns its outcome, wfhost_status shows each stage.")]),
        ])
    }

    /// `tasks/get`: the session's task, read from the store.
    func get(_ params: JSONValue) throws(TaskRPCError) -> JSONValue {
        Self.task(try snapshot(params, "retrieve").session)
    }

    /// `tasks/result`: blocks until the session is finished, then returns what the `tools/call` of `wfhost_run`
    /// would have returned, built from the stored session, with the related-task `_meta`.
    func result(_ params: JSONValue) async throws -> JSONValue {
        while true {
            let snapshot = try snapshot(params, "retrieve")
            if snapshot.session.status.isFinished { return Self.callResult(snapshot) }
            // Another process (a resume with `wfhost resume`) may finish it too: the store is the truth.
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// `tasks/list`: every session, newest first, `pageSize` a page; the cursor is the next page's offset.
    func list(_ params: JSONValue) throws(TaskRPCError) -> JSONValue {
        var offset = 0
        if let cursor = params["cursor"] {
            guard let text = cursor.stringValue, let n = Int(text), n >= 0 else {
                throw TaskRPCError(code: TaskRPCError.invalidParams, message: "Invalid cursor: \(cursor.serialized())")
            }
            offset = n
        }
        let sessions: [SessionRecord]
        do {
            sessions = try app.host.listSessions()
        } catch {
            throw TaskRPCError(code: TaskRPCError.internalError, message: "Failed to list tasks: \(error.description)")
        }
        guard offset <= sessions.count else {
            throw TaskRPCError(code: TaskRPCError.invalidParams, message: "Invalid cursor: \(offset) is past the \(sessions.count) tasks")
        }
        let page = sessions.dropFirst(offset).prefix(Self.pageSize)
        var o: JSONObject = ["tasks": .array(page.map(Self.task))]
        if offset + page.count < sessions.count { o["nextCursor"] = .string(String(offset + page.count)) }
        return .object(o)
    }

    /// `tasks/cancel`: cancels the session's run as `wfhost_cancel` does (a run of this server directly), waits until
    /// the session has stopped, and answers with its task.
    func cancel(_ params: JSONValue) async throws -> JSONValue {
        let snapshot = try snapshot(params, "cancel")
        let id = snapshot.session.id
        guard !snapshot.session.status.isFinished else {
            throw TaskRPCError(code: TaskRPCError.invalidParams,
                               message: "Cannot cancel task \(id): it is already in a terminal status (\(Self.status(of: snapshot.session).status); session \(snapshot.session.status.rawValue))")
        }
        let reason = "cancelled by the MCP client (tasks/cancel)"
        if let run = await app.activity.run(of: id) {
            await run.prepared.cancel(reason: reason)
            _ = await run.task.value
        } else {
            do {
                app.log.info(try app.host.cancel(id))
            } catch {
                throw TaskRPCError(code: TaskRPCError.invalidParams, message: "Cannot cancel task \(id): \(error.description)")
            }
            // Another live host stops it when it sees the request (its next heartbeat).
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                if (try? app.host.status(of: id))?.session.status.isFinished == true { break }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        app.log.info("session \(id): cancelled by tasks/cancel")
        return Self.task(try self.snapshot(params, "cancel").session)
    }

    // MARK: - Shapes

    private func snapshot(_ params: JSONValue, _ verb: String) throws(TaskRPCError) -> SessionSnapshot {
        guard let id = params["taskId"]?.stringValue else {
            throw TaskRPCError(code: TaskRPCError.invalidParams, message: "Failed to \(verb) task: params.taskId (a string) is missing")
        }
        do {
            return try app.host.status(of: id)
        } catch {
            if error.code == .invalidRequest {
                throw TaskRPCError(code: TaskRPCError.invalidParams, message: "Failed to \(verb) task: Task not found (no session '\(id)')")
            }
            throw TaskRPCError(code: TaskRPCError.internalError, message: "Failed to \(verb) task \(id): \(error.description)")
        }
    }

    private static func invalidArguments(_ tool: String, _ violations: [String]) -> TaskRPCError {
        TaskRPCError(code: TaskRPCError.invalidParams,
                     message: "error: \(tool) failed: invalid_args: the arguments do not match its input schema:\n"
                        + violations.map { "  \($0)" }.joined(separator: "\n"))
    }

    /// The task status and status message of a session (the mapping in the type's documentation).
    static func status(of s: SessionRecord) -> (status: String, message: String) {
        switch s.status {
        case .pending:
            return ("working", "starting workflow \(s.workflowName) (session \(s.id))")
        case .running:
            return ("working", "running workflow \(s.workflowName) (session \(s.id)); wfhost_status shows each stage")
        case .paused:
            return ("input_required", "session \(s.id) is paused: wfhost_resume with session \(s.id) continues it; tasks/cancel cancels it")
        case .interrupted:
            return ("input_required", "session \(s.id) is interrupted: the server that ran it stopped; wfhost_resume with session \(s.id) continues it from its finished stages; tasks/cancel cancels it")
        case .succeeded:
            return ("completed", "workflow \(s.workflowName) succeeded")
        case .failed:
            return ("failed", s.error ?? "workflow \(s.workflowName) failed")
        case .cancelled:
            return ("cancelled", s.error ?? "session \(s.id) was cancelled")
        }
    }

    /// A session as a `Task`: the session's lifetime is the store's (no TTL: `ttl` is null).
    static func task(_ s: SessionRecord) -> JSONValue {
        let (status, message) = status(of: s)
        return .object([
            "taskId": .string(s.id), "status": .string(status), "statusMessage": .string(message),
            "createdAt": .string(iso8601(s.createdAt)),
            "lastUpdatedAt": .string(iso8601(s.finishedAt ?? s.startedAt ?? s.createdAt)),
            "ttl": .null, "pollInterval": .int(Int64(pollInterval)),
        ])
    }

    static func iso8601(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }

    /// The `CallToolResult` of a finished session, as `wfhost_run` answers it, with the related-task `_meta`.
    static func callResult(_ snapshot: SessionSnapshot) -> JSONValue {
        let s = snapshot.session
        let json: JSONValue = .object([
            "session": .string(s.id),
            "workflow": .string(s.workflowName),
            "status": .string(s.status.rawValue),
            "duration_ms": .int(Int64((s.activeSeconds * 1000).rounded())),
            "stop_reason": s.error.map(JSONValue.string) ?? .null,
            "stages": .array(snapshot.stages.map { r in
                var o: JSONObject = ["name": .string(r.stage), "status": .string(r.status.rawValue),
                                     "attempts": .int(Int64(r.attempts))]
                if let e = r.errorClass { o["error_type"] = .string(e) }
                if let m = r.errorMessage { o["error"] = .string(m) }
                if let reason = r.reason { o["reason"] = .string(reason) }
                if let out = r.output.flatMap({ try? JSONValue.parse($0) }) { o["output"] = out } // stored masked
                return .object(o)
            }),
        ])
        let failed = snapshot.stages.filter { $0.status == .failed }.map { r in
            "  \(r.stage): \(r.errorClass ?? "failed")" + (r.errorMessage.map { ": \($0)" } ?? "")
        }
        let result = WfhostMCPServer.runResult(json, session: s.id, workflow: s.workflowName, status: s.status,
                                               stopReason: s.error, failedStages: failed)
        var o = (try? JSONEncoder().encode(result)).flatMap { try? JSONValue.parse($0) }?.objectValue
            ?? ["content": .array([]), "isError": .bool(s.status != .succeeded)]
        var meta = o["_meta"]?.objectValue ?? JSONObject()
        meta[relatedTask] = .object(["taskId": .string(s.id)])
        o["_meta"] = .object(meta)
        return .object(o)
    }
}
