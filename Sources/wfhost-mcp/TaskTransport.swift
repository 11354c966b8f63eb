import Foundation
import Logging
import MCP
import WorkflowHost

/// MCP tasks (2025-11-25, experimental) at the JSON-RPC level, which the SDK does not implement: a transport around
/// the stdio one that
/// - rewrites the `initialize` result to announce the `tasks` capability, only when the negotiated version is
///   2025-11-25 and the client declared `capabilities.tasks`;
/// - then adds `execution.taskSupport: "optional"` to the workflow tools in `tools/list` results, and answers
///   `tasks/get`, `tasks/result`, `tasks/list`, `tasks/cancel` and task-augmented `tools/call` requests itself
///   (`MCPTasks`), with `notifications/cancelled` cancelling a request it answers.
/// Everything else passes through unchanged; without tasks negotiated, everything does (the SDK answers the task
/// methods "method not found" and ignores `params.task`, as the specification asks of a server without the capability).
actor TaskTransport: Transport {
    static let protocolVersion = "2025-11-25"
    static let methods: Set<String> = ["tasks/get", "tasks/result", "tasks/list", "tasks/cancel"]
    static let capability: JSONValue = .object([
        "list": .object([:]), "cancel": .object([:]),
        "requests": .object(["tools": .object(["call": .object([:])])]),
    ])

    nonisolated let logger: Logger
    private let inner: LineTransport
    private var tasks: MCPTasks?
    private let stream: AsyncThrowingStream<Data, Swift.Error>
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation
    private var pump: Task<Void, Never>?
    /// The `initialize` request's id (serialized) until its response passes.
    private var initializeRequest: String?
    private var clientDeclaredTasks = false
    /// Tasks were negotiated.
    private(set) var enabled = false
    private var toolsListRequests: Set<String> = []
    /// The requests being answered here, by id (serialized), for `notifications/cancelled`.
    private var handling: [String: Task<Void, Never>] = [:]

    init(wrapping inner: LineTransport, logger: Logger) {
        self.inner = inner
        self.logger = logger
        (stream, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
    }

    func attach(_ tasks: MCPTasks) { self.tasks = tasks }

    func connect() async throws {
        try await inner.connect()
        guard pump == nil else { return }
        let lines = inner.receive(), continuation = self.continuation
        pump = Task {
            do {
                for try await data in lines { self.incoming(data) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }

    func disconnect() async {
        await inner.disconnect()
        continuation.finish()
    }

    nonisolated func receive() -> AsyncThrowingStream<Data, Swift.Error> { stream }

    func send(_ data: Data) async throws {
        if initializeRequest != nil || !toolsListRequests.isEmpty, let rewritten = rewrite(data) {
            try await inner.send(rewritten)
        } else {
            try await inner.send(data)
        }
    }

    /// Sends a notification of our own (`notifications/tasks/status`), when tasks were negotiated.
    func notify(_ method: String, _ params: JSONValue) async {
        guard enabled else { return }
        let message: JSONValue = .object(["jsonrpc": .string("2.0"), "method": .string(method), "params": params])
        try? await inner.send(Data(message.serialized().utf8))
    }

    // MARK: - Incoming

    private func incoming(_ data: Data) {
        guard let message = try? JSONValue.parse(data), case .object(let o) = message,
              let method = o["method"]?.stringValue else {
            continuation.yield(data) // a response, a batch or garbage: the SDK's
            return
        }
        let id = o["id"], params = o["params"] ?? .object([:])
        switch method {
        case "initialize":
            if let id {
                initializeRequest = id.serialized()
                clientDeclaredTasks = params["capabilities"]?["tasks"]?.objectValue != nil
            }
        case "tools/list":
            if enabled, let id { toolsListRequests.insert(id.serialized()) }
        case "tools/call":
            if enabled, let id, params["task"]?.objectValue != nil {
                answer(method, id: id, params: params)
                return
            }
        case "notifications/cancelled":
            if let request = params["requestId"]?.serialized(), let work = handling.removeValue(forKey: request) {
                work.cancel()
                return
            }
        default:
            if Self.methods.contains(method), enabled, let id {
                answer(method, id: id, params: params)
                return
            }
        }
        continuation.yield(data)
    }

    private func answer(_ method: String, id: JSONValue, params: JSONValue) {
        let key = id.serialized()
        guard let tasks else {
            Task { await self.reply(key, id: id, .failure(TaskRPCError(code: TaskRPCError.internalError, message: "tasks are not ready"))) }
            return
        }
        handling[key] = Task {
            let outcome: Result<JSONValue, TaskRPCError>
            do {
                switch method {
                case "tasks/get": outcome = .success(try tasks.get(params))
                case "tasks/result": outcome = .success(try await tasks.result(params))
                case "tasks/list": outcome = .success(try tasks.list(params))
                case "tasks/cancel": outcome = .success(try await tasks.cancel(params))
                default: // a task-augmented tools/call
                    outcome = .success(try await tasks.create(tool: params["name"]?.stringValue ?? "",
                                                              arguments: params["arguments"] ?? .object([:])))
                }
            } catch let error as TaskRPCError {
                outcome = .failure(error)
            } catch is CancellationError {
                return // notifications/cancelled: no response
            } catch {
                outcome = .failure(TaskRPCError(code: TaskRPCError.internalError, message: "\(error)"))
            }
            await self.reply(key, id: id, outcome)
        }
    }

    private func reply(_ key: String, id: JSONValue, _ outcome: Result<JSONValue, TaskRPCError>) async {
        guard handling.removeValue(forKey: key) != nil || tasks == nil else { return } // cancelled meanwhile
        var message: JSONObject = ["jsonrpc": .string("2.0"), "id": id]
        switch outcome {
        case .success(let result): message["result"] = result
        case .failure(let error): message["error"] = .object(["code": .int(Int64(error.code)), "message": .string(error.message)])
        }
        do {
            try await inner.send(Data(JSONValue.object(message).serialized().utf8))
        } catch {
            logger.error("cannot answer request \(key): \(error)")
        }
    }

    // MARK: - Outgoing

    /// The `initialize` or `tools/list` response with tasks added; nil for any other message.
    private func rewrite(_ data: Data) -> Data? {
        guard let message = try? JSONValue.parse(data), case .object(var o) = message, !o.contains("method"),
              let key = o["id"]?.serialized() else { return nil }
        if key == initializeRequest {
            initializeRequest = nil
            guard case .object(var result)? = o["result"],
                  result["protocolVersion"]?.stringValue == Self.protocolVersion, clientDeclaredTasks else { return nil }
            var capabilities = result["capabilities"]?.objectValue ?? JSONObject()
            capabilities["tasks"] = Self.capability
            result["capabilities"] = .object(capabilities)
            o["result"] = .object(result)
            enabled = true
            logger.info("MCP tasks negotiated (protocol \(Self.protocolVersion))")
            return Data(JSONValue.object(o).serialized().utf8)
        }
        guard toolsListRequests.remove(key) != nil, let tasks, case .object(var result)? = o["result"],
              let tools = result["tools"]?.arrayValue else { return nil }
        let names = tasks.taskTools()
        result["tools"] = .array(tools.map { tool in
            guard case .object(var t) = tool, let name = t["name"]?.stringValue, names.contains(name) else { return tool }
            var execution = t["execution"]?.objectValue ?? JSONObject()
            execution["taskSupport"] = .string("optional")
            t["execution"] = .object(execution)
            return .object(t)
        })
        o["result"] = .object(result)
        return Data(JSONValue.object(o).serialized().utf8)
    }
}
