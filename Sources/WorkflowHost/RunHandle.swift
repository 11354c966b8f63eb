import Engine
import Foundation

/// A running workflow: its events as they happen, pause, cancel, and how it ended.
///
/// ```swift
/// let run = try host.start(workflow: "examples/hello.yaml")
/// Task { for await event in run.events { print(event.json.serialized()) } }
/// let result = await run.result
/// print("\(run.session): \(result.status.rawValue)")
/// ```
///
/// The run goes on while nobody awaits `result`; dropping the handle does not stop it. Cancelling a Task that
/// awaits `result` cancels the run: running calls get their cancellation request, then SIGKILL after the grace
/// time (`RunOptions.limits.grace`), and `result` returns the cancelled run.
public final class RunHandle: Sendable {
    /// The session id (`wfhost status ID`, `wfhost resume ID`).
    public let session: String
    /// The validated workflow being run.
    public let workflow: Workflow
    /// The run's events, already masked, from its start; finished when the run ends. Events are kept until read,
    /// up to `eventBuffer` (given to `start`), beyond which the oldest unread ones are dropped.
    public let events: AsyncStream<RunEvent>
    /// The secrets the run masks.
    public var secrets: Secrets { prepared.secrets }
    let prepared: PreparedRun
    let task: Task<RunResult, Never>

    init(prepared: PreparedRun, events: AsyncStream<RunEvent>, continuation: AsyncStream<RunEvent>.Continuation) {
        self.session = prepared.session
        self.workflow = prepared.workflow
        self.events = events
        self.prepared = prepared
        self.task = Task {
            let result = await prepared.run()
            continuation.finish()
            return result
        }
    }

    /// How the run ended: every stage's record and the outputs. Cancelling the awaiting Task cancels the run.
    public var result: RunResult {
        get async {
            let prepared = self.prepared
            return await withTaskCancellationHandler {
                await task.value
            } onCancel: {
                Task { await prepared.cancel(reason: "the caller's task was cancelled") }
            }
        }
    }

    /// Asks the run to pause: no new stage starts, running calls finish, the session ends `paused`; `resume`
    /// continues it.
    public func pause(reason: String = "paused through the API") async {
        await prepared.pause(reason: reason)
    }

    /// Asks the run to stop: running calls are cancelled (their request, the grace time, then SIGKILL), nothing
    /// new starts, the session ends `cancelled`.
    public func cancel(reason: String = "cancelled through the API") async {
        await prepared.cancel(reason: reason)
    }
}

/// Passes each event to the caller's sink and to the handle's stream.
struct StreamingSink: RunEventSink {
    let continuation: AsyncStream<RunEvent>.Continuation
    let forward: any RunEventSink

    func emit(_ event: RunEvent) {
        forward.emit(event)
        continuation.yield(event)
    }
}

extension WorkflowHost {
    /// Starts a predefined or file workflow and returns at once with its handle.
    ///
    /// ```swift
    /// var options = RunOptions()
    /// options.variables["name"] = "API"
    /// let run = try host.start(workflow: "examples/hello.yaml", options: options)
    /// let result = await run.result
    /// ```
    /// - Parameters:
    ///   - workflow: a file path, or the name of a predefined workflow.
    ///   - options: variables, secrets, isolation, concurrency and the other run options (`wfhost run`'s flags).
    ///   - routes: error routes added in code; they win over the file's at equal priority.
    ///   - sink: also receives every event (the handle's `events` has them too).
    ///   - eventBuffer: how many unread events `events` keeps.
    /// - Throws: `WorkflowHostError` (`invalidRequest`) (the file cannot be read), `WorkflowHostError` (`workflowInvalid`) (it has errors), `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...)
    ///   (environment).
    public func start(workflow: String, options: RunOptions = RunOptions(), routes: [CustomErrorRoute] = [],
                      sink: any RunEventSink = EventRecorder(), eventBuffer: Int = 100_000) throws(WorkflowHostError) -> RunHandle {
        let file = Self.workflowPath(workflow)
        return try start(eventBuffer: eventBuffer, sink: sink) { sink throws(WorkflowHostError) in
            try prepareRun(text: try Self.readWorkflowFile(file), file: file, options: options, sink: sink,
                           extraRoutes: routes.map(\.errorRoute))
        }
    }

    /// Starts a workflow built in code (the design's ExecuteCustomWorkflow). It is checked as a file is, and the
    /// session stores its document, so `status`, `logs` and `resume` work as for a file.
    /// - Throws: `WorkflowHostError` (`workflowInvalid`) (its diagnostics name `<api workflow NAME>` and a line of its document,
    ///   `CustomWorkflow.document`), `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) (environment).
    public func start(workflow: CustomWorkflow, options: RunOptions = RunOptions(), routes: [CustomErrorRoute] = [],
                      sink: any RunEventSink = EventRecorder(), eventBuffer: Int = 100_000) throws(WorkflowHostError) -> RunHandle {
        try start(eventBuffer: eventBuffer, sink: sink) { sink throws(WorkflowHostError) in
            try prepareRun(text: workflow.document, file: workflow.documentName, options: options, sink: sink,
                           extraRoutes: routes.map(\.errorRoute))
        }
    }

    /// Runs a workflow built in code to its end; see `start(workflow:options:routes:sink:eventBuffer:)`.
    ///
    /// ```swift
    /// let workflow = CustomWorkflow(name: "greet", stages: [
    ///     .init(name: "greet", tools: [.init("echo", args: ["message": "hello"])]),
    /// ])
    /// let result = try await host.execute(workflow: workflow)
    /// ```
    /// - Returns: how the run ended. Cancelling the calling Task cancels the run within the grace time.
    /// - Throws: `WorkflowHostError` (`workflowInvalid`), `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...).
    public func execute(workflow: CustomWorkflow, options: RunOptions = RunOptions(), routes: [CustomErrorRoute] = [],
                        sink: any RunEventSink = EventRecorder()) async throws(WorkflowHostError) -> RunResult {
        try await start(workflow: workflow, options: options, routes: routes, sink: sink, eventBuffer: 0).result
    }

    private func start(eventBuffer: Int, sink: any RunEventSink,
                       prepare: (any RunEventSink) throws(WorkflowHostError) -> PreparedRun) throws(WorkflowHostError) -> RunHandle {
        let (events, continuation) = AsyncStream.makeStream(of: RunEvent.self,
                                                            bufferingPolicy: .bufferingNewest(max(0, eventBuffer)))
        do {
            let prepared = try prepare(StreamingSink(continuation: continuation, forward: sink))
            return RunHandle(prepared: prepared, events: events, continuation: continuation)
        } catch {
            continuation.finish()
            throw error
        }
    }
}
