import Foundation
import WorkflowHost

/// The runs and tool calls this server has going, so that a shutdown (the client closed stdin, SIGTERM) cancels
/// them cleanly: runs end `cancelled` with their stages recorded (`wfhost resume` continues them), workers are
/// stopped with SIGTERM, the grace time, then SIGKILL.
actor ActivityTracker {
    private var runs: [String: (prepared: PreparedRun, task: Task<RunResult, Never>)] = [:]
    private var calls: [UUID: CallCancellation] = [:]
    private var callWaiters: [CheckedContinuation<Void, Never>] = []
    private var shuttingDown = false

    /// Starts running `prepared` in its own task; the task's value is how the run ended.
    func start(_ prepared: PreparedRun) -> Task<RunResult, Never> {
        let task = Task { await prepared.run() }
        runs[prepared.session] = (prepared, task)
        Task { _ = await task.value; self.finished(prepared.session) }
        if shuttingDown { Task { await prepared.cancel(reason: "the MCP server is shutting down") } }
        return task
    }

    private func finished(_ session: String) { runs[session] = nil }

    /// The run of `session` going on in this server, if any.
    func run(of session: String) -> (prepared: PreparedRun, task: Task<RunResult, Never>)? { runs[session] }

    /// Registers a call's cancellation until `callEnded`.
    func callStarted(_ cancellation: CallCancellation) -> UUID {
        let id = UUID()
        calls[id] = cancellation
        if shuttingDown { cancellation.cancel(reason: "the MCP server is shutting down") }
        return id
    }

    func callEnded(_ id: UUID) {
        calls[id] = nil
        if calls.isEmpty {
            for waiter in callWaiters { waiter.resume() }
            callWaiters = []
        }
    }

    var isIdle: Bool { runs.isEmpty && calls.isEmpty }

    /// Cancels every run and call, and waits for them to end (a cancelled call ends within its grace time).
    func shutdown(reason: String) async {
        shuttingDown = true
        for c in calls.values { c.cancel(reason: reason) }
        let all = Array(runs.values)
        for run in all { await run.prepared.cancel(reason: reason) }
        for run in all { _ = await run.task.value }
        if !calls.isEmpty { await withCheckedContinuation { callWaiters.append($0) } }
    }
}
