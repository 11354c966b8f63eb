import Engine
import Foundation
import Isolation
import Registry
import Schema

// What `wfhost mcp serve` (the wfhost-mcp helper) needs of the host beyond what the CLI uses: one tool call made the
// way `wfhost call` makes it, so that both go through the same registry, executor, work directory and ToolRunner.

extension WorkflowHost {
    /// A tool runner over the registry brought up to date with the plugin path, for `executor`.
    /// - Throws: `HostError` when the registry cannot be read or updated.
    public func toolRunner(executor: CallExecutor) throws(HostError) -> ToolRunner {
        ToolRunner(snapshot: try refreshedRegistry(), executor: executor)
    }

    /// Runs one call of `tool` as `wfhost call` does: in a fresh work directory under the state directory (removed
    /// afterwards), with its arguments checked against the input schema, the tool's declared sandbox, `options`'
    /// limits, and the result checked against the output schema.
    /// - Parameters:
    ///   - options: `CallOptions()` are `wfhost call`'s defaults (per_call isolation, sandbox on, 5 min, 1 GiB).
    ///   - cancellation: cancels the running call (SIGTERM, the grace time, then SIGKILL).
    ///   - onEvent: the tool's log lines and progress, as they arrive.
    /// - Returns: the call's outcome; every failure of the call itself is a `CallFailure`.
    /// - Throws: `HostError` when the work directory cannot be created.
    public func call(_ tool: RegisteredTool, arguments: JSONValue, runner: ToolRunner,
                     options: CallOptions = CallOptions(), cancellation: CallCancellation = CallCancellation(),
                     onEvent: @escaping @Sendable (CallEvent) -> Void = { _ in }) async throws(HostError)
        -> Result<CallSuccess, CallFailure> {
        let workDirectory = try makeWorkDirectory("call")
        defer { try? FileManager.default.removeItem(atPath: workDirectory) } // scratch space; a leftover is harmless
        return await runner.call(tool, arguments: arguments, workDirectory: workDirectory, options: options,
                                 cancellation: cancellation, onEvent: onEvent)
    }
}
