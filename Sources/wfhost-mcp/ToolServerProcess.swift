#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import MCP
import WorkflowHost

/// What the host asks the client mode to start: one stdio MCP server (the first line the host sends).
struct ToolServerLaunch: Sendable {
    var name: String
    var command: String
    var arguments: [String]
    /// The server's whole environment (the host resolved `${secret:...}` and `${env:...}` already).
    var environment: [String: String]
    /// The worker and its `exec` options that confine the server (the host built them from the server's
    /// capabilities); `--`, the command and its arguments follow.
    var sandbox: [String]
    /// The server's work directory (its HOME and TMPDIR), made by the host; removed when the helper ends.
    var workDirectory: String?
    var startupTimeout: Duration

    init(json: JSONValue) throws(ClientModeError) {
        guard let name = json["name"]?.stringValue, let command = json["command"]?.stringValue else {
            throw ClientModeError("the launch line lacks `name` or `command`")
        }
        self.name = name
        self.command = command
        arguments = json["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var environment: [String: String] = [:]
        for (key, value) in json["env"]?.objectValue?.members ?? [] { environment[key] = value.stringValue ?? "" }
        self.environment = environment
        // Never started unconfined: a launch line without the sandbox is refused.
        guard let sandbox = json["sandbox"]?.arrayValue?.compactMap(\.stringValue), sandbox.count >= 2 else {
            throw ClientModeError("the launch line lacks `sandbox` (the worker and its exec options)")
        }
        self.sandbox = sandbox
        workDirectory = json["work_dir"]?.stringValue
        startupTimeout = .milliseconds(json["startup_timeout_ms"]?.intValue ?? 20_000)
    }

    /// `command` and its arguments as a user would type them, for messages.
    var commandLine: String { ([command] + arguments).joined(separator: " ") }
}

struct ClientModeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A failure of one request to the server, in the host's words: a failure class and a message naming the server.
struct ServerFailure: Error, Sendable {
    var failureClass: String
    var message: String
    var hint: String?
    var stderrTail: String = ""
}

/// One running MCP server and the SDK client connected to it over its stdin and stdout. Its stderr is kept (the
/// last 8 KiB) for messages; its exit is an event the calls race against.
actor ToolServerProcess {
    let launch: ToolServerLaunch
    /// Where the server's progress and log notifications go: the call in progress (the host's `event` lines).
    let events = NotificationRelay()
    private var child: ServerProcess?
    private var client: Client?
    private var exit: ExitEvent?
    private var stderr: StderrTail?
    private(set) var tools: [Tool] = []

    init(launch: ToolServerLaunch) { self.launch = launch }

    var isRunning: Bool { child != nil && !(exit?.hasFired ?? true) }

    /// Starts the server when it is not running (first use, or after it died), initializes and lists its tools.
    /// - Throws: `ServerFailure` naming the server, its command and the end of its stderr.
    func ensureStarted() async throws(ServerFailure) {
        if isRunning, client != nil { return }
        await stop()
        let executable = try resolveExecutable()
        var environment = launch.environment
        environment["WFHOST_PARENT_PID"] = String(getpid()) // the worker dies with this helper
        let env = environment.map { "\($0.key)=\($0.value)" }.sorted()
        let spawned: ServerProcess
        do {
            // The worker confines itself and then executes the server in its place (`wfhost-worker exec`).
            spawned = try ServerProcess.start(executable: launch.sandbox[0],
                                              arguments: Array(launch.sandbox.dropFirst()) + ["--", executable] + launch.arguments,
                                              environment: env)
        } catch {
            throw ServerFailure(failureClass: "exit", message: "cannot start tool server '\(launch.name)' "
                                + "(\(launch.commandLine)): \(error.message)", hint: "check `command` in the server's declaration")
        }
        let tail = StderrTail(fd: spawned.errors)
        let event = ExitEvent()
        let waiter = Thread { event.fire(spawned.wait()) }
        waiter.name = "mcp-server-wait"
        waiter.start()
        child = spawned; exit = event; stderr = tail
        var logger = Logger(label: "wfhost-mcp.client") { _ in StderrLogHandler() }
        logger.logLevel = .critical // the SDK's warnings about a server's stray output are ours to report
        let transport = LineTransport(input: spawned.output, output: spawned.input, logger: logger)
        let newClient = Client(name: "wfhost", version: WorkflowHostInfo.version)
        let relay = events
        await newClient.onNotification(ProgressNotification.self) { message in
            let p = message.params
            guard let total = p.total, total > 0 else { return } // no fraction without a total
            relay.progress(token: p.progressToken, fraction: min(max(p.progress / total, 0), 1), message: p.message ?? "")
        }
        await newClient.onNotification(LogMessageNotification.self) { message in
            let p = message.params
            let text = p.data.stringValue ?? ValueBridge.json(p.data).serialized()
            relay.log(level: p.level, message: (p.logger.map { "\($0): " } ?? "") + text)
        }
        let name = launch.name, commandLine = launch.commandLine, timeout = launch.startupTimeout
        let started: Result<[Tool], ServerFailure> = await race(event: event, timeout: timeout) {
            try await newClient.connect(transport: transport)
            var all: [Tool] = []
            var cursor: String?
            repeat {
                let page = try await newClient.listTools(cursor: cursor)
                all += page.tools
                cursor = page.nextCursor
            } while cursor != nil && all.count < 10_000
            return all
        } onExit: { how in
            ServerFailure(failureClass: "exit", message: "tool server '\(name)' (\(commandLine)) \(how) while starting")
        } onTimeout: {
            ServerFailure(failureClass: "timeout", message: "tool server '\(name)' (\(commandLine)) did not answer "
                          + "`initialize` and `tools/list` within \(Self.seconds(timeout))",
                          hint: "a server must speak MCP (JSON-RPC lines) on stdout; raise `startup_timeout` if it is slow to start")
        } onError: { error in
            ServerFailure(failureClass: "protocol", message: "tool server '\(name)' (\(commandLine)) failed to start: \(error)")
        }
        switch started {
        case .success(let list):
            client = newClient
            tools = list
        case .failure(var failure):
            await stop()
            failure.stderrTail = await tail.text(waitingUpTo: .milliseconds(500))
            if failure.hint == nil { failure.hint = "run the command by hand to see why; its stderr is shown above" }
            throw failure
        }
    }

    /// Calls `tool`; the call's time limit applies (then a cancel notification, `grace`, and the server is killed).
    func call(_ tool: String, arguments: JSONValue, timeout: Duration, grace: Duration,
              progressToken: Int) async -> Result<JSONValue, ServerFailure> {
        do {
            try await ensureStarted()
        } catch {
            return .failure(error)
        }
        guard let client, let event = exit else {
            return .failure(ServerFailure(failureClass: "exit", message: "tool server '\(launch.name)' is not running"))
        }
        let name = launch.name, commandLine = launch.commandLine
        var args: [String: Value] = [:]
        for (key, value) in arguments.objectValue?.members ?? [] { args[key] = ValueBridge.value(value) }
        let context: RequestContext<CallTool.Result>
        do {
            context = try await client.callTool(name: tool, arguments: args, meta: Metadata(progressToken: .integer(progressToken)))
        } catch {
            return .failure(ServerFailure(failureClass: "protocol", message: "cannot send the call to tool server '\(name)': \(error)"))
        }
        let outcome: Result<CallTool.Result, ServerFailure> = await race(event: event, timeout: timeout) {
            try await context.value
        } onExit: { how in
            ServerFailure(failureClass: "crash", message: "tool server '\(name)' (\(commandLine)) \(how) during the call of '\(tool)'",
                          hint: "the server is started again for the next call")
        } onTimeout: {
            ServerFailure(failureClass: "timeout", message: "\(name).\(tool) did not answer within \(Self.seconds(timeout)); "
                          + "the call was cancelled and tool server '\(name)' stopped",
                          hint: "raise the stage's `timeout`; the server is started again for the next call")
        } onError: { error in
            ServerFailure(failureClass: "protocol", message: "tool server '\(name)' answered the call of '\(tool)' "
                          + "with an error: \(error)")
        }
        switch outcome {
        case .success(let result):
            return Self.map(result, tool: "\(name).\(tool)")
        case .failure(var failure):
            if failure.failureClass == "cancelled" {
                try? await client.cancelRequest(context.requestID, reason: "cancelled by wfhost") // advisory; the server keeps running either way
            } else if failure.failureClass == "timeout" {
                try? await client.cancelRequest(context.requestID, reason: "the call's time limit passed") // a dead pipe: the kill below ends it anyway
                _ = await event.wait(upTo: grace)
                await stop()
            } else if failure.failureClass == "crash" {
                await stop()
            }
            failure.stderrTail = await stderr?.text(waitingUpTo: .milliseconds(failure.failureClass == "crash" ? 500 : 0)) ?? ""
            return .failure(failure)
        }
    }

    /// A call's result as wfhost's output: `structuredContent`, else the text content parsed as JSON, else
    /// `{"text": ...}`; `isError` is a `tool_error` with the text.
    static func map(_ result: CallTool.Result, tool: String) -> Result<JSONValue, ServerFailure> {
        let texts = result.content.compactMap { content -> String? in
            if case .text(let text, _, _) = content { return text }
            return nil
        }
        let text = texts.joined(separator: "\n")
        if result.isError == true {
            return .failure(ServerFailure(failureClass: "tool_error", message: text.isEmpty ? "\(tool) reported an error" : text))
        }
        if let structured = result.structuredContent { return .success(ValueBridge.json(structured)) }
        if let json = try? JSONValue.parse(text) { return .success(json) } // not JSON: kept as text below
        return .success(.object(["text": .string(text)]))
    }

    /// Stops the server: its process group gets SIGKILL and the process is reaped by its waiter.
    func stop() async {
        if let client { await client.disconnect() }
        client = nil
        if let child, let exit, !exit.hasFired {
            child.killGroup()
            _ = await exit.wait(upTo: .seconds(5))
        }
        child = nil
        exit = nil
        tools = []
    }

    /// Runs `body` against the server's exit and a time limit; the first to happen decides. The losers are not
    /// awaited: a request the server never answers ends when `stop()` disconnects the client.
    private func race<T: Sendable>(event: ExitEvent, timeout: Duration, _ body: @escaping @Sendable () async throws -> T,
                                   onExit: @escaping @Sendable (String) -> ServerFailure,
                                   onTimeout: @escaping @Sendable () -> ServerFailure,
                                   onError: @escaping @Sendable (any Error) -> ServerFailure) async -> Result<T, ServerFailure> {
        let first = FirstOutcome<Result<T, ServerFailure>>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                first.begin(continuation)
                first.add(Task {
                    do {
                        first.finish(.success(try await body()))
                    } catch {
                        // A transport error of a server that is ending (a broken pipe, the end of its output) is
                        // its exit: wait a moment to say how it ended rather than what the pipe said.
                        if let how = await event.wait(upTo: .milliseconds(500)) {
                            first.finish(.failure(onExit(how)))
                        } else {
                            first.finish(.failure(onError(error)))
                        }
                    }
                })
                first.add(Task {
                    if let how = await event.wait(upTo: timeout) {
                        first.finish(.failure(onExit(how)))
                    } else if !Task.isCancelled {
                        first.finish(.failure(onTimeout()))
                    }
                })
            }
        } onCancel: {
            first.finish(.failure(ServerFailure(failureClass: "cancelled", message: "the call was cancelled")))
        }
    }

    private func resolveExecutable() throws(ServerFailure) -> String {
        let command = launch.command
        if command.contains("/") {
            guard access(command, X_OK) == 0 else {
                throw ServerFailure(failureClass: "exit", message: "cannot start tool server '\(launch.name)': "
                                    + "'\(command)' is not an executable file",
                                    hint: "check `command` in the server's declaration")
            }
            return command
        }
        let path = launch.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where access("\(dir)/\(command)", X_OK) == 0 { return "\(dir)/\(command)" }
        throw ServerFailure(failureClass: "exit", message: "cannot start tool server '\(launch.name)': no executable "
                            + "'\(command)' on PATH (\(path))", hint: "give the command's full path")
    }

    static func seconds(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000) s" : String(format: "%.1f s", Double(ms) / 1000)
    }
}

/// Passes the server's `notifications/progress` (of the call in progress, by its token) and `notifications/message`
/// (while a call is in progress) on to the host, as `{"id", "event": {...}}` lines.
final class NotificationRelay: @unchecked Sendable {
    // @unchecked: `current` is guarded by `lock`.
    private let lock = NSLock()
    private var current: (id: Int64, token: Int, send: @Sendable (JSONValue) -> Void)?

    /// Notifications go to call `id` (whose progress token is `token`) through `send`, until `end`.
    func begin(id: Int64, token: Int, send: @escaping @Sendable (JSONValue) -> Void) {
        lock.withLock { current = (id, token, send) }
    }

    func end() { lock.withLock { current = nil } }

    func progress(token: ProgressToken, fraction: Double, message: String) {
        guard let call = lock.withLock({ current }), token == .integer(call.token) else { return }
        call.send(.object(["id": .int(call.id), "event": .object([
            "kind": "progress", "fraction": .double(fraction), "message": .string(message)])]))
    }

    func log(level: LogLevel, message: String) {
        guard let call = lock.withLock({ current }) else { return } // between calls: nobody to tell
        let word: String
        switch level {
        case .debug: word = "debug"
        case .info, .notice: word = "info"
        case .warning: word = "warning"
        default: word = "error"
        }
        call.send(.object(["id": .int(call.id), "event": .object([
            "kind": "log", "level": .string(word), "message": .string(message)])]))
    }
}

/// The first of several outcomes, handed to one waiting continuation; the other tasks are cancelled then.
final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    // @unchecked: every field is guarded by `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Never>?
    private var early: T?
    private var done = false
    private var tasks: [Task<Void, Never>] = []

    func begin(_ continuation: CheckedContinuation<T, Never>) {
        let ready: T? = lock.withLock {
            if let early { return early }
            self.continuation = continuation
            return nil
        }
        if let ready { continuation.resume(returning: ready) }
    }

    func add(_ task: Task<Void, Never>) {
        let cancel = lock.withLock { () -> Bool in
            if done { return true }
            tasks.append(task)
            return false
        }
        if cancel { task.cancel() }
    }

    func finish(_ value: T) {
        let (waiter, losers): (CheckedContinuation<T, Never>?, [Task<Void, Never>]) = lock.withLock {
            guard !done else { return (nil, []) }
            done = true
            if continuation == nil { early = value }
            defer { continuation = nil; tasks = [] }
            return (continuation, tasks)
        }
        waiter?.resume(returning: value)
        for task in losers { task.cancel() }
    }
}

/// The server process's end, fired once by the thread that reaps it; calls wait for it with a time limit.
final class ExitEvent: @unchecked Sendable {
    // @unchecked: every field is guarded by `lock`.
    private let lock = NSLock()
    private var how: String?
    private var waiters: [UUID: CheckedContinuation<String?, Never>] = [:]

    var hasFired: Bool { lock.withLock { how != nil } }

    func fire(_ description: String) {
        let pending: [CheckedContinuation<String?, Never>] = lock.withLock {
            guard how == nil else { return [] }
            how = description
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in pending { waiter.resume(returning: description) }
    }

    /// How the process ended, or nil when `limit` passed (or the task was cancelled) first.
    func wait(upTo limit: Duration) async -> String? {
        let id = UUID()
        let timer = Task { [weak self] in
            try? await Task.sleep(for: limit) // cancelled: the event fired, nothing to do
            self?.expire(id)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
                let fired: String?? = lock.withLock {
                    if let how { return .some(how) }
                    waiters[id] = continuation
                    return .none
                }
                if case .some(let how) = fired { continuation.resume(returning: how) }
            }
        } onCancel: { [weak self] in
            self?.expire(id)
        }
    }

    private func expire(_ id: UUID) {
        let waiter = lock.withLock { waiters.removeValue(forKey: id) }
        waiter?.resume(returning: nil)
    }
}

/// The last 8 KiB a server wrote to stderr, read by a thread of its own until the pipe closes.
final class StderrTail: @unchecked Sendable {
    // @unchecked: `buffer` is guarded by `lock`.
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private var dropped = 0
    private static let limit = 8 << 10
    private let closed = ExitEvent()

    init(fd: CInt) {
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                lock.withLock {
                    buffer += chunk[0..<n]
                    if buffer.count > Self.limit {
                        dropped += buffer.count - Self.limit
                        buffer.removeFirst(buffer.count - Self.limit)
                    }
                }
            }
            close(fd)
            closed.fire("closed")
        }
        thread.name = "mcp-server-stderr"
        thread.start()
    }

    /// The kept bytes as text (invalid UTF-8 repaired), after a note when earlier output was dropped.
    var text: String {
        lock.withLock {
            let body = String(decoding: buffer, as: UTF8.self)
            return dropped > 0 ? "[\(dropped) earlier bytes dropped]\n" + body : body
        }
    }

    /// The tail once the server's end of the pipe closed (everything it wrote is in), or what is in after `limit`.
    func text(waitingUpTo limit: Duration) async -> String {
        if limit > .zero { _ = await closed.wait(upTo: limit) }
        return text
    }
}
