import Engine
import Foundation
import Isolation
import Registry
import Schema

/// Tool calls made outside a workflow (`wfhost call`, `wfhost plugins test`): one registry snapshot and one call
/// executor shared by the calls, each call in a fresh work directory under the state directory.
///
/// ```swift
/// let calls = try host.toolCalls(notice: { print("note: \($0)") })
/// defer { calls.shutdown() }
/// let echo = try calls.tool(named: "echo")
/// switch try await calls.call(echo, arguments: ["message": "hi"]) {
/// case .success(let success): print(success.result.serialized())
/// case .failure(let failure): print("\(failure.failureClass): \(failure.message)")
/// }
/// ```
public final class ToolCalls: Sendable {
    /// The registry the tools are looked up in.
    public let snapshot: RegistrySnapshot
    let runner: ToolRunner
    let host: WorkflowHost

    init(host: WorkflowHost, snapshot: RegistrySnapshot, executor: CallExecutor) {
        self.host = host
        self.snapshot = snapshot
        self.runner = ToolRunner(snapshot: snapshot, executor: executor)
    }

    /// The tool `name` names: a bare tool name or `plugin.tool`.
    /// - Parameter name: a bare tool name or `plugin.tool` (`SERVER.tool` for a tool server's).
    /// - Returns: the registry's tool.
    /// - Throws: `WorkflowHostError` with code `invalidRequest` (exit code 2) for an unknown or ambiguous name,
    ///   with the closest names as the hint.
    public func tool(named name: String) throws(WorkflowHostError) -> RegisteredTool {
        do {
            return try runner.tool(named: name)
        } catch {
            throw WorkflowHostError(.invalidRequest, error.message, hint: error.hint)
        }
    }

    /// Calls `tool` once: its arguments checked against the input schema, in the tool's declared sandbox with
    /// `options`' limits, the result checked against the output schema. The work directory is removed afterwards.
    /// - Parameters:
    ///   - tool: the registered tool to call.
    ///   - arguments: the call's arguments, a JSON object checked against the tool's input schema.
    ///   - options: `CallOptions()` are `wfhost call`'s defaults (per_call isolation, sandbox on, 5 min, 1 GiB).
    ///   - cancellation: cancels the running call (its cancellation request, the grace time, then SIGKILL).
    ///   - onEvent: the tool's log lines and progress, as they arrive.
    /// - Returns: the call's outcome; every failure of the call itself is a `CallFailure`.
    /// - Throws: `WorkflowHostError` with code `environment` when the work directory cannot be created.
    public func call(_ tool: RegisteredTool, arguments: JSONValue, options: CallOptions = CallOptions(),
                     cancellation: CallCancellation = CallCancellation(),
                     onEvent: @escaping @Sendable (CallEvent) -> Void = { _ in }) async throws(WorkflowHostError)
        -> Result<CallSuccess, CallFailure> {
        let workDirectory = try host.makeWorkDirectory("call")
        defer { try? FileManager.default.removeItem(atPath: workDirectory) } // scratch space; a leftover is harmless
        return await runner.call(tool, arguments: arguments, workDirectory: workDirectory, options: options,
                                 cancellation: cancellation, onEvent: onEvent)
    }

    /// The same calls (one executor, one set of workers, one sandbox notice) over another registry snapshot, such
    /// as the plugin files `wfhost plugins test` names.
    /// - Parameter snapshot: the registry the new calls look tools up in.
    /// - Returns: calls sharing this one's workers.
    public func over(_ snapshot: RegistrySnapshot) -> ToolCalls {
        ToolCalls(host: host, snapshot: snapshot, executor: runner.executor)
    }

    /// The same calls over the registry brought up to date with the plugin path now: what a long-lived caller
    /// (`wfhost mcp serve`) uses for each request, so that plugins installed meanwhile are found.
    ///
    /// ```swift
    /// let calls = try host.toolCalls(snapshot: .empty) { print($0) } // nothing scanned yet
    /// let current = try calls.refreshed()
    /// ```
    /// - Returns: calls sharing this one's workers.
    /// - Throws: `WorkflowHostError` as ``WorkflowHost/refreshedRegistry(force:)`` does.
    public func refreshed() throws(WorkflowHostError) -> ToolCalls {
        over(try host.refreshedRegistry())
    }

    /// Stops the workers the calls left running (pooled and forked isolation keep them between calls), for every
    /// `ToolCalls` sharing them.
    public func shutdown() {
        runner.executor.shutdownAll()
    }
}

extension WorkflowHost {
    /// A set of tool calls over `snapshot`, or over the registry brought up to date with the plugin path.
    /// - Parameters:
    ///   - snapshot: the registry to look tools up in; nil: ``refreshedRegistry(force:)``; `.empty` to scan
    ///     nothing now (then ``ToolCalls/refreshed()`` before each use).
    ///   - notice: told once when this machine lacks a sandbox layer.
    /// - Returns: calls over one executor; call ``ToolCalls/shutdown()`` when done.
    /// - Throws: `WorkflowHostError` with code `workerUnavailable` when the worker is missing, `environment` for
    ///   an unreadable trust file, and the registry's codes when it cannot be read or updated.
    public func toolCalls(snapshot: RegistrySnapshot? = nil,
                          notice: @escaping @Sendable (String) -> Void) throws(WorkflowHostError) -> ToolCalls {
        let executor = try makeExecutor(notice: notice)
        let registry: RegistrySnapshot
        if let snapshot { registry = snapshot } else { registry = try refreshedRegistry() }
        return ToolCalls(host: self, snapshot: registry, executor: executor)
    }
}

extension CallFailure {
    /// The failure as `wfhost call --json` and the run reports show it: class, message, whether a retry can help,
    /// the output tails, and the tool's code, signal, exit code and hint when there are.
    public var json: JSONValue {
        var o: JSONObject = [
            "error_type": .string(failureClass.rawValue), "message": .string(message), "retryable": .bool(retryable),
            "stdout_tail": .string(stdoutTail), "stderr_tail": .string(stderrTail),
        ]
        if let code = toolCode { o["code"] = .string(code) }
        if let signal { o["signal"] = .string(signal.name); o["core_dumped"] = .bool(coreDumped) }
        if let exitCode { o["exit_code"] = .int(Int64(exitCode)) }
        if let hint { o["hint"] = .string(hint) }
        return .object(o)
    }
}
