#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MCP
import WorkflowHost

/// `wfhost-mcp client`: the MCP client side of a workflow's tool server, driven by the host over a pipe, so
/// that `bin/wfhost` links neither the MCP SDK nor libcurl (README, "MCP tool servers").
///
/// The host writes JSON lines on stdin and reads JSON lines on stdout:
/// - first `{"op": "launch", "name", "command", "args", "env", "sandbox", "work_dir", "startup_timeout_ms"}`,
///   where `sandbox` is the worker and its `exec` options (`wfhost-worker exec ... -- COMMAND ARGS`: the server
///   runs confined) and `work_dir` the server's work directory, removed when the helper ends;
/// - `{"id": N, "op": "list"}` → `{"id": N, "tools": [{"name", "description", "inputSchema", "outputSchema"}]}`;
/// - `{"id": N, "op": "call", "tool", "arguments", "timeout_ms", "grace_ms"}` → `{"id": N, "output": JSON,
///   "duration_ms"}`;
/// - `{"id": N, "op": "cancel"}` cancels call N (it answers with class `cancelled`);
/// - a failure is `{"id": N, "failure": {"class", "message", "hint", "stderr"}}`;
/// - during call N, the server's notifications are `{"id": N, "event": {"kind": "progress", "fraction",
///   "message"}}` (progress with a total; the call's progress token is N) and `{"id": N, "event": {"kind": "log",
///   "level": "debug|info|warning|error", "message"}}`.
/// Requests are served one at a time, in order (a cancel at once); the server starts on the first request and
/// again after it died. Closing stdin stops the server and ends the helper.
enum ClientMode {
    static func run() async -> Never {
        let output: CInt
        do {
            output = try StandardStreams.reserveStdoutForProtocol()
        } catch {
            StandardStreams.printError("wfhost-mcp client: cannot use stdout: \(error)")
            exit(3)
        }
        let log = ServerLog(environment: ProcessInfo.processInfo.environment)
        let channel = LineTransport(input: STDIN_FILENO, output: output, logger: log.logger)
        try? await channel.connect() // connect only starts the reader thread; it does not fail
        let lines = channel.receive()
        var iterator = lines.makeAsyncIterator()
        guard let first = try? await iterator.next(), let json = try? JSONValue.parse(String(decoding: first, as: UTF8.self)),
              json["op"]?.stringValue == "launch" else {
            log.error("client: the first line must be a launch request")
            exit(2)
        }
        let launch: ToolServerLaunch
        do {
            launch = try ToolServerLaunch(json: json)
        } catch {
            log.error("client: \(error)")
            exit(2)
        }
        let server = ToolServerProcess(launch: launch)
        let (queue, enqueue) = AsyncStream.makeStream(of: (id: Int64, request: JSONValue).self)
        let running = RunningCall()
        // One writer, in order: a call's events, then its reply.
        let (outbox, post) = AsyncStream.makeStream(of: JSONValue.self)
        let sender = Task {
            for await line in outbox {
                try? await channel.send(Data(line.serialized().utf8)) // the host went away: the loop ends on EOF
            }
        }
        let worker = Task {
            for await (id, request) in queue {
                server.events.begin(id: id, token: Int(truncatingIfNeeded: id)) { post.yield($0) }
                let task = Task { await serve(request, id: id, server: server) }
                running.set(id, task)
                let reply = await task.value
                server.events.end()
                running.clear(id)
                post.yield(reply)
            }
            post.finish()
        }
        while let line = try? await iterator.next() {
            guard let request = try? JSONValue.parse(String(decoding: line, as: UTF8.self)),
                  let id = request["id"]?.intValue.map(Int64.init) else {
                log.error("client: a request that is not a JSON object with an id")
                continue
            }
            if request["op"]?.stringValue == "cancel" {
                running.cancel(id)
            } else {
                enqueue.yield((id, request))
            }
        }
        enqueue.finish()
        running.cancelAll()
        await worker.value
        await sender.value
        await server.stop()
        if let directory = launch.workDirectory {
            do { try FileManager.default.removeItem(atPath: directory) } catch {
                log.error("client: cannot remove the work directory of tool server '\(launch.name)': \(error)")
            }
        }
        exit(0)
    }

    static func serve(_ request: JSONValue, id: Int64, server: ToolServerProcess) async -> JSONValue {
        switch request["op"]?.stringValue {
        case "list":
            do {
                try await server.ensureStarted()
            } catch {
                return failure(id, error)
            }
            let tools = await server.tools
            return .object(["id": .int(id), "tools": .array(tools.map(describe))])
        case "call":
            let started = ContinuousClock.now
            let outcome = await server.call(request["tool"]?.stringValue ?? "", arguments: request["arguments"] ?? .object([:]),
                                            timeout: .milliseconds(request["timeout_ms"]?.intValue ?? 300_000),
                                            grace: .milliseconds(request["grace_ms"]?.intValue ?? 2000),
                                            progressToken: Int(truncatingIfNeeded: id))
            let elapsed = ContinuousClock.now - started
            let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            switch outcome {
            case .success(let output): return .object(["id": .int(id), "output": output, "duration_ms": .int(ms)])
            case .failure(let error): return failure(id, error)
            }
        case let other:
            return failure(id, ServerFailure(failureClass: "protocol", message: "unknown request '\(other ?? "")'"))
        }
    }

    static func failure(_ id: Int64, _ error: ServerFailure) -> JSONValue {
        .object(["id": .int(id), "failure": .object([
            "class": .string(error.failureClass), "message": .string(error.message),
            "hint": error.hint.map(JSONValue.string) ?? .null, "stderr": .string(error.stderrTail),
        ])])
    }

    static func describe(_ tool: Tool) -> JSONValue {
        var object: [(String, JSONValue)] = [("name", .string(tool.name)),
                                             ("inputSchema", ValueBridge.json(tool.inputSchema))]
        if let description = tool.description { object.append(("description", .string(description))) }
        if let output = tool.outputSchema { object.append(("outputSchema", ValueBridge.json(output))) }
        if let readOnly = tool.annotations.readOnlyHint { object.append(("readOnlyHint", .bool(readOnly))) }
        if let destructive = tool.annotations.destructiveHint { object.append(("destructiveHint", .bool(destructive))) }
        return .object(JSONObject(object))
    }
}

/// The call being served, so that a cancel line reaches it.
final class RunningCall: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var current: (id: Int64, task: Task<JSONValue, Never>)?
    private var cancelledEarly: Set<Int64> = []

    func set(_ id: Int64, _ task: Task<JSONValue, Never>) {
        let cancelNow = lock.withLock { () -> Bool in
            current = (id, task)
            return cancelledEarly.remove(id) != nil
        }
        if cancelNow { task.cancel() }
    }

    func clear(_ id: Int64) { lock.withLock { if current?.id == id { current = nil } } }

    /// Cancels call `id` now, or when it starts if it is still queued.
    func cancel(_ id: Int64) {
        let task: Task<JSONValue, Never>? = lock.withLock {
            if let current, current.id == id { return current.task }
            cancelledEarly.insert(id)
            return nil
        }
        task?.cancel()
    }

    func cancelAll() { lock.withLock { current?.task }?.cancel() }
}
