import Foundation
import Isolation
import Registry
import Schema
import Spec

/// Options of one tool call.
public struct CallOptions: Sendable {
    public var isolation: IsolationMode = .perCall
    public var limits = CallLimits()
    public var attempt = 1
    /// Confine the tool with every sandbox layer the machine offers (namespaces, Landlock, seccomp).
    public var sandbox = true
    /// Refuse to run the call unless every layer is in force (`--sandbox strict`).
    public var strictSandbox = false
    /// Extra environment variables for the tool.
    public var environment: [String: String] = [:]
    public init() {}
}

/// Why a call could not even be attempted: the tool name does not resolve (exit code 2).
public struct ToolLookupError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var hint: String?
    public var description: String { "error: \(message)" + (hint.map { "\n  hint: \($0)" } ?? "") }
}

/// Resolves tools in the registry, checks arguments against their schemas, and runs them in workers.
public final class ToolRunner: Sendable {
    public let snapshot: RegistrySnapshot
    public let executor: CallExecutor
    /// The MCP tool servers this runner's calls started (one per server, reused; stopped with the runner).
    public let toolServers: ToolServerPool

    public init(snapshot: RegistrySnapshot, executor: CallExecutor, toolServers: ToolServerPool = ToolServerPool()) {
        self.snapshot = snapshot
        self.executor = executor
        self.toolServers = toolServers
    }

    /// The tool `name` refers to (bare or `plugin.tool`).
    /// - Throws: `ToolLookupError` for an unknown or ambiguous name, with did-you-mean.
    public func tool(named name: String) throws(ToolLookupError) -> RegisteredTool {
        switch snapshot.resolve(name) {
        case .found(let tool):
            return tool
        case .ambiguous(let tools):
            throw ToolLookupError(message: "tool name '\(name)' is ambiguous: offered by "
                                      + tools.map { "'\($0.plugin)'" }.joined(separator: " and "),
                                  hint: "name one of: " + tools.map(\.qualifiedName).joined(separator: ", "))
        case .unknown(let suggestions):
            if let gone = snapshot.unavailable(name).first {
                throw ToolLookupError(message: gone.message, hint: gone.hint)
            }
            throw ToolLookupError(message: "no plugin offers a tool named '\(name)'",
                                  hint: suggestions.first.map { "did you mean '\($0)'?" }
                                      ?? "`wfhost plugins list` shows the plugins and their tools")
        }
    }

    /// The worker sandbox for `tool`: its declared capabilities, confined to `workDirectory` for writes.
    /// A declared path may name an argument, `${arg:NAME}`: the path given in that string argument of this call
    /// (relative to the work directory), so a tool such as `read_file` sees exactly the file it was asked for.
    /// A writable argument path that does not exist yet grants its parent directory.
    public static func sandbox(for tool: RegisteredTool, workDirectory: String, enforce: Bool,
                               environment: [String: String], arguments: JSONValue = .object([:])) -> SandboxSpec {
        var spec = SandboxSpec(workDirectory: workDirectory)
        spec.enforce = enforce
        spec.environment = environment
        if let caps = tool.descriptor.capabilities {
            let home = ProcessInfo.processInfo.environment["HOME"] ?? "/"
            func expand(_ p: String, writable: Bool) -> String? {
                if p.hasPrefix("${arg:"), p.hasSuffix("}") {
                    let name = String(p.dropFirst(6).dropLast())
                    guard let given = arguments[name]?.stringValue, !given.isEmpty else { return nil }
                    var path = given.hasPrefix("/") ? given : workDirectory + "/" + given
                    if writable, !FileManager.default.fileExists(atPath: path) {
                        path = (path as NSString).deletingLastPathComponent
                    }
                    return path
                }
                var path = p.replacingOccurrences(of: "${work_dir}", with: workDirectory)
                if path == "~" || path.hasPrefix("~/") { path = home + path.dropFirst() }
                return path
            }
            spec.network = caps.network
            spec.readPaths = caps.readPaths.compactMap { expand($0, writable: false) }
            spec.writePaths = caps.writePaths.compactMap { expand($0, writable: true) }
        }
        return spec
    }

    /// Checks `arguments` against the tool's input schema and applies its defaults.
    /// - Returns: the arguments to send, or an `invalid_args` failure listing every violation.
    public static func prepareArguments(_ arguments: JSONValue, for tool: RegisteredTool) -> Result<JSONValue, CallFailure> {
        let violations = tool.inputSchema.validate(arguments)
        guard violations.isEmpty else {
            let list = violations.map { "  \($0.description)" }.joined(separator: "\n")
            return .failure(CallFailure(.invalidArgs, "the arguments do not match \(tool.qualifiedName)'s input schema:\n\(list)",
                                        hint: "`wfhost plugins show \(tool.qualifiedName)` prints the schema"))
        }
        return .success(tool.inputSchema.applyDefaults(arguments))
    }

    /// Runs one call of `tool` in a worker: validates arguments, supervises the call, checks the result
    /// against the output schema. Never throws: every failure is a `CallFailure`.
    public func call(_ tool: RegisteredTool, arguments: JSONValue, workDirectory: String, options: CallOptions,
                     cancellation: CallCancellation = CallCancellation(),
                     onEvent: @escaping @Sendable (CallEvent) -> Void = { _ in }) async -> Result<CallSuccess, CallFailure> {
        let prepared: JSONValue
        switch Self.prepareArguments(arguments, for: tool) {
        case .success(let value): prepared = value
        case .failure(let failure): return .failure(failure)
        }
        if let server = tool.server {
            return await callServer(server, tool: tool, arguments: prepared, options: options, cancellation: cancellation,
                                    onEvent: onEvent)
        }
        var sandbox = Self.sandbox(for: tool, workDirectory: workDirectory, enforce: options.sandbox,
                                   environment: options.environment, arguments: prepared)
        sandbox.strict = options.strictSandbox
        let limits = options.limits.bounded()
        let key = WorkerKey(pluginPath: tool.pluginPath, sandbox: sandbox, limits: limits)
        let request = CallRequest(tool: tool.name, arguments: prepared.serialized(), attempt: options.attempt)
        let outcome = await executor.call(request, key: key, mode: options.isolation, limits: limits,
                                          cancellation: cancellation, onEvent: onEvent)
        return Self.checkOutput(outcome, of: tool)
    }

    /// A call of an MCP server's tool, through its connection (README, "MCP tool servers").
    private func callServer(_ server: ToolServerConfig, tool: RegisteredTool, arguments: JSONValue, options: CallOptions,
                            cancellation: CallCancellation,
                            onEvent: @escaping @Sendable (CallEvent) -> Void) async -> Result<CallSuccess, CallFailure> {
        let limits = options.limits.bounded()
        let sandbox = ToolServerSandbox(workerPath: executor.workerPath, enforce: options.sandbox, strict: options.strictSandbox,
                                        hiddenPaths: executor.hiddenPaths, userHome: executor.baseEnvironment["HOME"],
                                        workRoot: executor.baseEnvironment["TMPDIR"] ?? "/tmp")
        let connection: ToolServerConnection
        do {
            connection = try toolServers.connection(for: server, limits: limits, sandbox: sandbox)
        } catch {
            return .failure(CallFailure(.exit, error.messageWithStderr, hint: error.hint))
        }
        let outcome = await connection.call(tool.name, arguments: arguments, limits: limits, cancellation: cancellation,
                                            onEvent: onEvent)
        return Self.checkOutput(outcome, of: tool)
    }

    /// A successful outcome checked against the tool's output schema.
    static func checkOutput(_ outcome: Result<CallSuccess, CallFailure>, of tool: RegisteredTool) -> Result<CallSuccess, CallFailure> {
        guard case .success(let success) = outcome, let output = tool.outputSchema else { return outcome }
        let violations = output.validate(success.result)
        guard violations.isEmpty else {
            let list = violations.map { "  \($0.description)" }.joined(separator: "\n")
            var failure = CallFailure(.protocol, "the result of \(tool.qualifiedName) does not match its output schema:\n\(list)",
                                      hint: tool.server.map { "this is a defect in tool server '\($0.name)' (\($0.commandLine))" }
                                          ?? "this is a defect in the plugin \(tool.pluginPath)")
            failure.stdoutTail = success.stdoutTail
            failure.stderrTail = success.stderrTail
            return .failure(failure)
        }
        return outcome
    }
}

extension CallLimits {
    /// These limits brought within ``Limits`` (a workflow file and the CLI check them already; this covers the Swift
    /// API), so that turning them into bytes, nanoseconds or rlimits cannot overflow. 0 keeps meaning "none".
    public func bounded() -> CallLimits {
        func clamp(_ value: Int, _ limit: IntegerLimit) -> Int { value <= 0 ? 0 : min(value, limit.range.upperBound) }
        var out = self
        out.memoryMB = clamp(memoryMB, Limits.memoryMB)
        out.cpuSeconds = clamp(cpuSeconds, Limits.cpuSeconds)
        out.maxResultBytes = min(max(maxResultBytes, Limits.resultBytes.range.lowerBound), Limits.resultBytes.range.upperBound)
        out.timeout = min(max(timeout, .zero), Limits.timeout.longest)
        out.grace = min(max(grace, .zero), Limits.grace.longest)
        return out
    }
}
