#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Schema

/// One MCP tool server as the host starts it: what the workflow (or `servers.yaml`) declared, with its
/// environment resolved. Its `cacheKey` names it in the registry's cache of tool lists.
public struct ToolServerConfig: Sendable, Hashable {
    public var name: String
    public var command: String
    public var arguments: [String]
    /// The server's whole environment: PATH, LANG and LC_ALL of the host, then the declared variables (HOME and
    /// TMPDIR are the server's work directory unless declared).
    public var environment: [String: String]
    public var network: Bool
    public var readPaths: [String]
    public var writePaths: [String]
    public var startupTimeout: Duration

    public init(name: String, command: String, arguments: [String], environment: [String: String], network: Bool = false,
                readPaths: [String] = [], writePaths: [String] = [], startupTimeout: Duration = .seconds(20)) {
        self.name = name
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.network = network
        self.readPaths = readPaths
        self.writePaths = writePaths
        self.startupTimeout = startupTimeout
    }

    /// `command` and its arguments as a user would type them.
    public var commandLine: String { ([command] + arguments).joined(separator: " ") }

    /// The executable `command` names: itself when it holds a slash, else the first match on the server's PATH;
    /// nil when there is none.
    public var resolvedCommand: String? {
        if command.contains("/") { return command }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(command)" }.first { access($0, X_OK) == 0 }
    }

    /// The sandbox of the server, from its declared capabilities: `~` in a path is the user's home and
    /// `${work_dir}` the server's work directory. The command and every argument that names an existing file are
    /// readable too, so that a server's own program and script need no declaration (a virtual environment or a
    /// script's sibling modules do: declare their directory under `capabilities.read`).
    public func sandboxSpec(workDirectory: String, sandbox: ToolServerSandbox) -> SandboxSpec {
        var spec = SandboxSpec(workDirectory: workDirectory)
        spec.enforce = sandbox.enforce
        spec.strict = sandbox.strict
        spec.network = network
        func expand(_ path: String) -> String {
            var path = path.replacingOccurrences(of: "${work_dir}", with: workDirectory)
            if let home = sandbox.userHome, path == "~" || path.hasPrefix("~/") { path = home + path.dropFirst() }
            return path
        }
        var files: [String] = []
        for candidate in [resolvedCommand].compactMap({ $0 }) + arguments where candidate.hasPrefix("/") {
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { files.append(candidate) }
        }
        spec.readPaths = readPaths.map(expand) + files
        spec.writePaths = writePaths.map(expand)
        return spec
    }

    func launchLine(limits: CallLimits, sandbox: ToolServerSandbox, workDirectory: String) -> JSONValue {
        var env = environment
        // The server's home and temporary directory are its work directory unless it declares them: the user's
        // home is not in its view.
        if env["HOME"] == nil { env["HOME"] = workDirectory }
        if env["TMPDIR"] == nil { env["TMPDIR"] = workDirectory }
        if let home = sandbox.userHome { env["WFHOST_USER_HOME"] = home } // for the worker's masks; not passed on
        // The helper appends `--`, the command it resolved and the arguments.
        let exec = [sandbox.workerPath] + Worker.execArguments(
            sandbox: sandboxSpec(workDirectory: workDirectory, sandbox: sandbox), limits: limits,
            hiddenPaths: sandbox.hiddenPaths)
        return .object([
            "op": "launch", "name": .string(name), "command": .string(command),
            "args": .array(arguments.map(JSONValue.string)),
            "env": .object(JSONObject(env.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
            "sandbox": .array(exec.map(JSONValue.string)), "work_dir": .string(workDirectory),
            "startup_timeout_ms": .int(Self.milliseconds(startupTimeout)),
        ])
    }

    static func milliseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }
}

/// How the host confines its tool servers: each runs through `wfhost-worker exec` in the sandbox of a plugin's
/// call, built from the server's declared capabilities (README, "MCP tool servers").
public struct ToolServerSandbox: Sendable, Hashable {
    /// The `wfhost-worker` executable.
    public var workerPath: String
    /// Every layer the machine offers (`--sandbox on`); false keeps only the limits (`--sandbox off`).
    public var enforce: Bool
    /// Refuse to start the server unless every layer is in force (`--sandbox strict`).
    public var strict: Bool
    /// Paths the sandbox masks (the state directory, the trust file).
    public var hiddenPaths: [String]
    /// The user's home: `~` in declared paths, and its credential stores are masked.
    public var userHome: String?
    /// Where each server's work directory is made (its HOME and TMPDIR, always writable).
    public var workRoot: String

    public init(workerPath: String, enforce: Bool = true, strict: Bool = false, hiddenPaths: [String] = [],
                userHome: String? = nil, workRoot: String = "/tmp") {
        self.workerPath = workerPath
        self.enforce = enforce
        self.strict = strict
        self.hiddenPaths = hiddenPaths
        self.userHome = userHome
        self.workRoot = workRoot
    }
}

/// A tool as a server's `tools/list` described it.
public struct ToolServerTool: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var inputSchema: JSONValue
    public var outputSchema: JSONValue?
    public var readOnly: Bool?
    public var destructive: Bool?

    public init(name: String, description: String?, inputSchema: JSONValue, outputSchema: JSONValue?,
                readOnly: Bool? = nil, destructive: Bool? = nil) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.readOnly = readOnly
        self.destructive = destructive
    }

    public init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue else { return nil }
        self.init(name: name, description: json["description"]?.stringValue,
                  inputSchema: json["inputSchema"] ?? .object(["type": "object"]), outputSchema: json["outputSchema"],
                  readOnly: json["readOnlyHint"]?.boolValue, destructive: json["destructiveHint"]?.boolValue)
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(name)), ("inputSchema", inputSchema)]
        if let description { members.append(("description", .string(description))) }
        if let outputSchema { members.append(("outputSchema", outputSchema)) }
        if let readOnly { members.append(("readOnlyHint", .bool(readOnly))) }
        if let destructive { members.append(("destructiveHint", .bool(destructive))) }
        return .object(JSONObject(members))
    }
}

/// A tool server that could not be started or listed: the server, its command, what went wrong and the last
/// lines of its stderr.
public struct ToolServerError: Error, Sendable, CustomStringConvertible {
    public var server: String
    public var message: String
    public var hint: String?
    public var stderrTail: String

    public init(server: String, message: String, hint: String? = nil, stderrTail: String = "") {
        self.server = server
        self.message = message
        self.hint = hint
        self.stderrTail = stderrTail
    }

    /// The message, then the last lines of the server's stderr (at most 10), indented.
    public var messageWithStderr: String {
        let lines = stderrTail.split(separator: "\n", omittingEmptySubsequences: true).suffix(10)
        guard !lines.isEmpty else { return message + "; it printed nothing on stderr" }
        return message + "; its stderr ended with:\n" + lines.map { "    | \($0)" }.joined(separator: "\n")
    }

    public var description: String { "error: \(messageWithStderr)" + (hint.map { "\n  hint: \($0)" } ?? "") }
}

/// The host's end of one `wfhost-mcp client` helper: the MCP client of one tool server, spoken to over a pipe
/// with JSON lines (`Sources/wfhost-mcp/ClientMode.swift` describes them). The helper starts the server on the
/// first request and again after it died; calls are served one at a time. A helper that dies is started again
/// on the next request.
public final class ToolServerConnection: @unchecked Sendable {
    // @unchecked: the mutable state is guarded by `lock`; the reader thread only touches it through it.
    public let config: ToolServerConfig
    public let sandbox: ToolServerSandbox
    private let helperPath: String
    private let limits: CallLimits
    private let lock = NSLock()
    private var helper: Helper?
    private var nextID: Int64 = 1
    /// The server's work directory, made with the first helper and removed by `close`.
    private var workDirectory: String?

    fileprivate final class Helper: @unchecked Sendable {
        // @unchecked: `pending`, `ended` and `stderr` are guarded by `lock`.
        let child: ChildProcess
        let input: CInt
        let lock = NSLock()
        var pending: [Int64: @Sendable (JSONValue?) -> Void] = [:]
        /// The calls' event handlers (the server's progress and log notifications), by request id.
        var listeners: [Int64: @Sendable (JSONValue) -> Void] = [:]
        var ended = false
        var inputClosed = false
        var stderr = TailBuffer(limit: 4096)

        func closeInput() {
            let close = lock.withLock { () -> Bool in
                defer { inputClosed = true }
                return !inputClosed
            }
            if close { Sys.close(input) }
        }

        init(child: ChildProcess, input: CInt) {
            self.child = child
            self.input = input
        }

        func send(_ line: JSONValue) -> Bool {
            guard !lock.withLock({ inputClosed }) else { return false }
            let text = line.serialized() + "\n"
            return (try? Array(text.utf8).withUnsafeBytes { try Sys.writeAll(input, $0) }) != nil // EPIPE: the helper is gone, the reader fails its calls
        }

        /// Reads the helper's replies and stderr until both close, then fails what is still pending, reaps it.
        func readLoop(output: CInt, errors: CInt) {
            var fds = [pollfd(fd: output, events: Int16(POLLIN), revents: 0), pollfd(fd: errors, events: Int16(POLLIN), revents: 0)]
            var line: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 64 << 10)
            var open = 2
            while open > 0 {
                do { try Sys.poll(&fds, timeoutMs: -1) } catch { break }
                for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                    let fd = fds[i].fd
                    let n = chunk.withUnsafeMutableBytes { buffer -> Int in
                        do { return try Sys.read(fd, into: buffer) ?? -1 } catch { return 0 } // -1: EAGAIN, poll again
                    }
                    if n < 0 { continue }
                    if n == 0 {
                        Sys.close(fds[i].fd)
                        fds[i].fd = -1
                        open -= 1
                        continue
                    }
                    if i == 1 {
                        chunk.withUnsafeBytes { b in lock.withLock { stderr.append(UnsafeRawBufferPointer(rebasing: b[0..<n])) } }
                        continue
                    }
                    for byte in chunk[0..<n] {
                        if byte == UInt8(ascii: "\n") {
                            deliver(line)
                            line.removeAll(keepingCapacity: true)
                        } else {
                            line.append(byte)
                        }
                    }
                }
            }
            let waiting: [@Sendable (JSONValue?) -> Void] = lock.withLock {
                ended = true
                defer { pending.removeAll() }
                return Array(pending.values)
            }
            for reply in waiting { reply(nil) }
            closeInput()
            _ = try? child.wait() // reaps it; an error means it was reaped already
            reaped.signal()
        }

        /// Signalled once the helper has ended and been reaped (its server is gone then).
        let reaped = DispatchSemaphore(value: 0)

        private func deliver(_ bytes: [UInt8]) {
            guard let reply = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)), let id = reply["id"]?.intValue.map(Int64.init) else {
                return // not ours to answer: the helper writes only replies, so this is never reached in practice
            }
            if let event = reply["event"] {
                let listener = lock.withLock { listeners[id] }
                listener?(event)
                return
            }
            let waiting = lock.withLock { pending.removeValue(forKey: id) }
            waiting?(reply)
        }

        /// Sends `request`; `onReply` gets its reply, or nil when the helper ended first.
        func request(_ request: JSONValue, id: Int64, onReply: @escaping @Sendable (JSONValue?) -> Void) {
            let alive = lock.withLock { () -> Bool in
                guard !ended else { return false }
                pending[id] = onReply
                return true
            }
            guard alive else { return onReply(nil) }
            if !send(request) {
                let waiting = lock.withLock { pending.removeValue(forKey: id) }
                waiting?(nil)
            }
        }

        /// `listener` gets the events of request `id` until `stopListening(id)`.
        func listen(_ id: Int64, _ listener: @escaping @Sendable (JSONValue) -> Void) {
            lock.withLock { listeners[id] = listener }
        }

        func stopListening(_ id: Int64) {
            _ = lock.withLock { listeners.removeValue(forKey: id) }
        }

        /// Sends `request` and waits for its reply; nil when the helper ended first.
        func request(_ request: JSONValue, id: Int64) async -> JSONValue? {
            await withCheckedContinuation { continuation in
                self.request(request, id: id) { continuation.resume(returning: $0) }
            }
        }

        /// Sends `request` and blocks this thread until its reply (for synchronous callers such as `validate`).
        func requestBlocking(_ request: JSONValue, id: Int64) -> JSONValue? {
            let box = ReplyBox()
            self.request(request, id: id) { box.set($0) }
            return box.wait()
        }

        var isEnded: Bool { lock.withLock { ended } }
        var stderrText: String { lock.withLock { stderr.text } }
    }

    /// - Parameters:
    ///   - helperPath: the `wfhost-mcp` executable.
    ///   - sandbox: how the server is confined.
    ///   - limits: memory, CPU time and open files apply to the server process.
    public init(config: ToolServerConfig, helperPath: String, sandbox: ToolServerSandbox, limits: CallLimits = CallLimits()) {
        self.config = config
        self.helperPath = helperPath
        self.sandbox = sandbox
        self.limits = limits
    }

    deinit { close() }

    /// Closes the helper's stdin: it stops the server, removes the server's work directory and exits.
    public func close() {
        _ = closeHelper()
    }

    /// `close`, returning the helper that was running, so that the caller may wait for it to end.
    fileprivate func closeHelper() -> Helper? {
        let current = lock.withLock { () -> Helper? in
            defer { helper = nil; workDirectory = nil }
            return helper
        }
        current?.closeInput() // at end of input the helper stops the server (SIGKILL to its group) and exits
        return current
    }

    /// The server's work directory, made on first use.
    private func makeWorkDirectory() throws(ToolServerError) -> String {
        if let workDirectory { return workDirectory }
        var template = Array("\(sandbox.workRoot)/wfhost-server-\(config.name)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard made else {
            let why = String(cString: strerror(errno))
            throw ToolServerError(server: config.name, message: "cannot create a work directory for tool server "
                                  + "'\(config.name)' in \(sandbox.workRoot): \(why)",
                                  hint: "set TMPDIR to a writable directory")
        }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        workDirectory = path
        return path
    }

    private func runningHelper() throws(ToolServerError) -> (Helper, Int64) {
        lock.lock()
        defer { lock.unlock() }
        do {
            let id = nextID
            nextID += 1
            if let helper, !helper.isEnded { return (helper, id) }
            let directory = try makeWorkDirectory()
            let input: (read: CInt, write: CInt), output: (read: CInt, write: CInt), errors: (read: CInt, write: CInt)
            let child: ChildProcess
            do {
                input = try Sys.pipe(); output = try Sys.pipe(); errors = try Sys.pipe()
                child = try ChildProcess(executable: helperPath, arguments: ["client"],
                                         environment: ["PATH=/usr/bin:/bin", "WFHOST_MCP_LOG=error"],
                                         fds: [(input.read, 0), (output.write, 1), (errors.write, 2)])
            } catch {
                throw ToolServerError(server: config.name, message: "cannot start the MCP client helper \(helperPath) "
                                      + "for tool server '\(config.name)': \(error)",
                                      hint: "reinstall wfhost with `make`, or set WFHOST_MCP to the helper's path")
            }
            Sys.close(input.read); Sys.close(output.write); Sys.close(errors.write)
            let started = Helper(child: child, input: input.write)
            let thread = Thread { started.readLoop(output: output.read, errors: errors.read) }
            thread.name = "mcp-client-\(config.name)"
            thread.start()
            _ = started.send(config.launchLine(limits: limits, sandbox: sandbox, workDirectory: directory))
            helper = started
            return (started, id)
        }
    }

    /// Starts the server (when it is not running) and lists its tools.
    /// - Throws: `ToolServerError` naming the server, its command and the end of its stderr.
    public func listTools() throws(ToolServerError) -> [ToolServerTool] {
        let (helper, id) = try runningHelper()
        guard let reply = helper.requestBlocking(.object(["id": .int(id), "op": "list"]), id: id) else {
            throw helperEnded(helper)
        }
        if let failure = reply["failure"] {
            throw ToolServerError(server: config.name, message: failure["message"]?.stringValue ?? "the server failed",
                                  hint: failure["hint"]?.stringValue, stderrTail: failure["stderr"]?.stringValue ?? "")
        }
        return (reply["tools"]?.arrayValue ?? []).compactMap(ToolServerTool.init(json:))
    }

    /// Calls `tool` on the server with `arguments`, under `limits.timeout` (then a cancel notification, the grace
    /// time, and the server is killed: class `timeout`). A server that dies mid-call is a `crash`; `isError` is a
    /// `tool_error` with the tool's text. The server's progress notifications (with a total) and log
    /// notifications during the call reach `onEvent`. Never throws.
    public func call(_ tool: String, arguments: JSONValue, limits: CallLimits, cancellation: CallCancellation,
                     onEvent: @escaping @Sendable (CallEvent) -> Void = { _ in }) async -> Result<CallSuccess, CallFailure> {
        let helper: Helper, id: Int64
        do {
            (helper, id) = try runningHelper()
        } catch {
            return .failure(CallFailure(.exit, error.messageWithStderr, hint: error.hint))
        }
        let started = Sys.monotonicNanos()
        let timeoutMs = ToolServerConfig.milliseconds(limits.timeout)
        let graceMs = ToolServerConfig.milliseconds(limits.grace)
        let request = JSONValue.object([
            "id": .int(id), "op": "call", "tool": .string(tool), "arguments": arguments,
            "timeout_ms": .int(timeoutMs > 0 ? timeoutMs : Int64(Int32.max)), "grace_ms": .int(graceMs),
        ])
        // The helper keeps the time limit; this watch forwards a cancellation and, should the helper itself stop
        // answering, kills it once the limit, the grace time and the server's startup time have passed.
        let watch = CallWatch(cancellation: cancellation,
                              deadlineMs: timeoutMs > 0 ? timeoutMs + graceMs + ToolServerConfig.milliseconds(config.startupTimeout) + 5000 : -1,
                              onCancel: { _ = helper.send(.object(["id": .int(id), "op": "cancel"])) },
                              onDeadline: { helper.child.signalGroup(.kill) })
        helper.listen(id) { event in
            switch event["kind"]?.stringValue {
            case "progress":
                onEvent(.progress(fraction: event["fraction"]?.doubleValue ?? 0, message: event["message"]?.stringValue ?? ""))
            case "log":
                let level: CallEvent.LogLevel
                switch event["level"]?.stringValue {
                case "debug": level = .debug
                case "warning": level = .warning
                case "error": level = .error
                default: level = .info
                }
                onEvent(.log(level: level, message: event["message"]?.stringValue ?? ""))
            default:
                return // an event kind this host does not know
            }
        }
        let reply = await helper.request(request, id: id)
        helper.stopListening(id)
        watch.finish()
        let duration = Duration.nanoseconds(Int64(Sys.monotonicNanos() - started))
        guard let reply else {
            let error = helperEnded(helper)
            return .failure(CallFailure(watch.hitDeadline ? .timeout : .crash, error.messageWithStderr, hint: error.hint))
        }
        if let failure = reply["failure"] {
            let failureClass = FailureClass(rawValue: failure["class"]?.stringValue ?? "protocol")
            var message = failure["message"]?.stringValue ?? "the call failed"
            if failureClass == .cancelled { message = cancellation.reason }
            var result = CallFailure(failureClass, message, hint: failure["hint"]?.stringValue)
            result.stderrTail = failure["stderr"]?.stringValue ?? ""
            return .failure(result)
        }
        return .success(CallSuccess(result: reply["output"] ?? .null, stdoutTail: "", stderrTail: "", duration: duration,
                                    maxRSSKiB: 0, workerPID: helper.child.pid))
    }

    private func helperEnded(_ helper: Helper) -> ToolServerError {
        ToolServerError(server: config.name, message: "the MCP client helper of tool server '\(config.name)' "
                        + "(\(config.commandLine)) ended unexpectedly", hint: "this is a defect in wfhost; its stderr is shown",
                        stderrTail: helper.stderrText)
    }
}

/// One reply, handed from the reader thread to a thread that blocks for it.
final class ReplyBox: @unchecked Sendable {
    // @unchecked: `value` is written once before `semaphore` is signalled and read after it is waited on.
    private let semaphore = DispatchSemaphore(value: 0)
    private var value: JSONValue?
    func set(_ reply: JSONValue?) {
        value = reply
        semaphore.signal()
    }
    func wait() -> JSONValue? {
        semaphore.wait()
        return value
    }
}

/// Forwards a call's cancellation to the helper and enforces a last-resort deadline, on a thread that sleeps in
/// poll(2) on the cancellation's pipe and a pipe of its own (written when the call finished).
final class CallWatch: @unchecked Sendable {
    // @unchecked: `deadlineHit` is guarded by `lock`; the fds are immutable after init.
    private let lock = NSLock()
    private var deadlineHit = false
    private let done: (read: CInt, write: CInt)?

    init(cancellation: CallCancellation, deadlineMs: Int64, onCancel: @escaping @Sendable () -> Void,
         onDeadline: @escaping @Sendable () -> Void) {
        done = try? Sys.pipe()
        guard let done else { return } // no pipe: the helper's own time limit still applies
        let cancelFD = cancellation.readFD
        let started = Sys.monotonicNanos()
        let thread = Thread { [self] in
            var cancelSent = cancellation.isCancelled
            if cancelSent { onCancel() }
            while true {
                var fds = [pollfd(fd: done.read, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: cancelSent ? -1 : cancelFD, events: Int16(POLLIN), revents: 0)]
                var timeout: CInt = -1
                if deadlineMs >= 0 {
                    let elapsed = Int64((Sys.monotonicNanos() - started) / 1_000_000)
                    timeout = CInt(clamping: max(0, deadlineMs - elapsed))
                }
                do { try Sys.poll(&fds, timeoutMs: timeout) } catch { break }
                if fds[0].revents != 0 { break }
                if fds[1].revents != 0 || (!cancelSent && cancellation.isCancelled) {
                    cancelSent = true
                    onCancel()
                    continue
                }
                if timeout >= 0, fds[0].revents == 0, fds[1].revents == 0,
                   Int64((Sys.monotonicNanos() - started) / 1_000_000) >= deadlineMs {
                    lock.withLock { deadlineHit = true }
                    onDeadline()
                    break
                }
            }
            Sys.close(done.read)
        }
        thread.name = "mcp-call-watch"
        thread.start()
    }

    func finish() {
        guard let done else { return }
        var byte: UInt8 = 1
        _ = Glibc.write(done.write, &byte, 1)
        Sys.close(done.write)
    }

    var hitDeadline: Bool { lock.withLock { deadlineHit } }
}

/// The tool servers of one run: one connection per server, started on first use and reused by every call.
public final class ToolServerPool: @unchecked Sendable {
    // @unchecked: `connections` is guarded by `lock`.
    private let lock = NSLock()
    private var connections: [String: ToolServerConnection] = [:]
    private let helperPath: String?

    /// - Parameter helperPath: the `wfhost-mcp` helper; nil finds it as `WorkerLocator.mcpHelperPath` does.
    public init(helperPath: String? = nil) { self.helperPath = helperPath }

    deinit { shutdown() }

    /// The connection to `config`'s server (a changed declaration under the same name gets a new one).
    /// - Throws: `ToolServerError` when the helper cannot be found.
    public func connection(for config: ToolServerConfig, limits: CallLimits,
                           sandbox: ToolServerSandbox) throws(ToolServerError) -> ToolServerConnection {
        let path: String
        if let helperPath { path = helperPath } else {
            do { path = try WorkerLocator.mcpHelperPath(environment: ProcessInfo.processInfo.environment) } catch {
                throw ToolServerError(server: config.name, message: error.description, hint: "reinstall wfhost with `make`")
            }
        }
        return lock.withLock {
            if let existing = connections[config.name], existing.config == config, existing.sandbox == sandbox { return existing }
            let made = ToolServerConnection(config: config, helperPath: path, sandbox: sandbox, limits: limits)
            connections[config.name]?.close()
            connections[config.name] = made
            return made
        }
    }

    /// Stops every server of the pool (without waiting for them to end).
    public func shutdown() {
        _ = closeAll()
    }

    /// Stops every server of the pool and waits, on a thread of its own, until their helpers have ended (the
    /// servers are killed and their work directories removed then), at most `limit` in all.
    public func shutdownAndWait(upTo limit: Duration = .seconds(10)) async {
        let helpers = closeAll()
        guard !helpers.isEmpty else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                let deadline = DispatchTime.now() + .nanoseconds(Int(limit.nanoseconds))
                for helper in helpers { _ = helper.reaped.wait(timeout: deadline) } // past the deadline: left to end alone
                continuation.resume()
            }
            thread.name = "mcp-pool-shutdown"
            thread.start()
        }
    }

    private func closeAll() -> [ToolServerConnection.Helper] {
        let all = lock.withLock { () -> [ToolServerConnection] in
            defer { connections.removeAll() }
            return Array(connections.values)
        }
        return all.compactMap { $0.closeHelper() }
    }
}

extension WorkerLocator {
    /// `$WFHOST_MCP`, else `wfhost-mcp` beside this executable (a build folder), else
    /// `../libexec/wfhost/wfhost-mcp` relative to it (the install tree), as the worker is found.
    /// - Throws: `HelperNotFound` listing the places searched.
    public static func mcpHelperPath(environment: [String: String]) throws(HelperNotFound) -> String {
        var candidates: [String] = []
        if let explicit = environment["WFHOST_MCP"], !explicit.isEmpty { candidates.append(explicit) }
        if let dir = executableDirectory() {
            candidates.append(dir + "/wfhost-mcp")
            candidates.append(dir + "/../libexec/wfhost/wfhost-mcp")
        }
        for path in candidates where access(path, X_OK) == 0 { return path }
        throw HelperNotFound(searched: candidates)
    }

    public struct HelperNotFound: Error, CustomStringConvertible, Sendable {
        public var searched: [String]
        public var description: String {
            "cannot find the wfhost-mcp helper (looked at: \(searched.joined(separator: ", "))); set WFHOST_MCP to its path"
        }
    }
}
