import CSha256
import Foundation
import Isolation
import Registry
import Schema
import Spec
import Store

/// The result of a run.
public struct RunResult: Sendable {
    public var session: String
    public var status: SessionStatus
    public var stages: [StageRecord]
    /// Outputs of the stages that succeeded (unmasked; only in memory).
    public var outputs: [String: JSONValue]
    public var duration: Duration
    /// Why the run stopped early (fail-fast, cancellation, pause, timeout), if it did.
    public var stopReason: String?
    /// The state database was removed or replaced while the run went on: nothing it recorded is kept.
    public var storeProblem: StoreFileProblem? = nil
}

/// Runs one session of a workflow: schedules stages as their dependencies allow, evaluates conditions,
/// substitutes variables and outputs, calls tools in workers, retries, routes errors, and writes every
/// transition to the store before acting on it (ARCHITECTURE.md rule 3).
public actor WorkflowEngine {
    let workflow: Workflow
    public let session: String
    let store: any SessionOperations
    /// Where every store call of the run happens: a thread of its own, writes in order and committed in groups,
    /// so that the actor never waits in SQLite. A transition is acted on only after `storeThread.sync()`.
    nonisolated let storeThread: StoreThread
    /// The run's active time not yet added to the session's (shared with the heartbeat task).
    nonisolated let activeTime = ActiveTime()
    let runner: ToolRunner
    let options: RunOptions
    let sink: any RunEventSink
    /// Every secret value of the run: `--secret` values and variables tagged `!secret`.
    public nonisolated let secrets: Secrets
    let workDirectory: String
    let variables: [String: JSONValue]
    let deps: [[Int]]
    let recoveryStages: Set<Int>
    let slots: AsyncSemaphore
    var records: [StageRecord]
    var outputs: [String: JSONValue] = [:]
    var launched = Set<Int>()
    /// Readiness without rescans: the unfinished dependencies of each stage, who depends on each stage, the stages
    /// whose count reached zero since `readyStages` last looked, and the launched stages not yet finished.
    var unfinishedDeps: [Int] = []
    let dependents: [[Int]]
    var candidates: [Int] = []
    var inFlight = Set<Int>()
    var stopSkipsDone = false
    /// How many stage tasks may exist at once (each waits for a call slot of `slots` before it runs).
    let launchWindow: Int
    /// Progress totals kept up to date by `noteFinished`.
    var finishedWeight = 0.0
    var finishedCount = 0
    let totalWeight: Double
    var active: [ObjectIdentifier: CallCancellation] = [:]
    /// Set once nothing new may start (cancel, pause, fail-fast, max_failures, the run's time limit).
    var stopReason: String?
    /// The session's final status when a user stopped it (cancelled, paused); nil when the run itself failed.
    var stopStatus: SessionStatus?
    /// Running calls are being cancelled (not for a pause, which lets them finish).
    var cancelling = false
    /// Another host took the session over (this one's heartbeats stopped for too long): write nothing more.
    var leaseLost = false
    /// The state database file was removed or replaced under this host: write nothing more, and stop.
    var storeProblem: StoreFileProblem?
    var failures = 0
    var routes: [ErrorRoute]
    var stageProgress: [Int: Double] = [:]
    /// Recovery stages run (or running) in this run, by stage index.
    var recoveryRuns: [Int: Task<StageStatus, Never>] = [:]
    /// Stage (key) is waiting for the recovery stage (value) it called to finish: what keeps a recovery stage
    /// from waiting for itself, directly or around a chain of recovery stages.
    var waitingFor: [Int: Int] = [:]
    /// Stages that started a call in this run (their `startedAt` is that call's start).
    var calling = Set<Int>()
    /// When a stage's time limit (all attempts together) ends: its `timeout` after its first call started, so
    /// that time queued for a slot does not count.
    var deadlines: [Int: ContinuousClock.Instant] = [:]
    /// When each stage's first call in this run started: what its duration counts from.
    var firstCalls: [Int: ContinuousClock.Instant] = [:]
    /// What this run resumes (nil for a new session): decided by `ResumePlanner` before the engine exists.
    let resumePlan: ResumePlan?
    /// Finished calls of interrupted attempts, by stage and call index, for the first attempt of this run.
    var reusable: [Int: [Int: ReusableCall]] = [:]
    let clock = ContinuousClock()
    /// When the last progress event went out, and whether a suppressed one is due at the interval's end.
    var lastProgress: ContinuousClock.Instant?
    var progressFlushScheduled = false
    var runEnded = false
    static let progressInterval = Duration.milliseconds(50)
    var random = SystemRandomNumberGenerator()

    /// - Parameters:
    ///   - resume: what resuming the session does (`planResume`); nil for a new session.
    ///   - extraRoutes: error routes added through the API; they take precedence at equal priority.
    public init(workflow: Workflow, session: String, store: any SessionOperations, runner: ToolRunner, options: RunOptions,
                sink: any RunEventSink, workDirectory: String, resume: ResumePlan?, extraRoutes: [ErrorRoute] = []) {
        self.workflow = workflow
        self.session = session
        self.store = store
        self.storeThread = StoreThread(store, name: "wfhost-store")
        self.runner = runner
        self.options = options
        self.sink = sink
        self.workDirectory = workDirectory
        self.variables = Self.runVariables(workflow, options)
        self.secrets = Self.runSecrets(workflow, options)
        self.resumePlan = resume
        self.deps = Self.dependencies(of: workflow)
        var dependents = [[Int]](repeating: [], count: workflow.stages.count)
        for (i, ds) in deps.enumerated() { for d in ds { dependents[d].append(i) } }
        self.dependents = dependents
        self.totalWeight = workflow.stages.reduce(0.0) { $0 + $1.weight }
        var recovery = Set<Int>()
        for stage in workflow.stages { if let t = stage.onFailure, let i = workflow.stageIndex(named: t.name) { recovery.insert(i) } }
        for route in workflow.errorPolicy.routes + extraRoutes {
            if let t = route.redirectTo, let i = workflow.stageIndex(named: t.name) { recovery.insert(i) }
        }
        self.recoveryStages = recovery
        let concurrency = options.maxConcurrency ?? workflow.maxConcurrency ?? ProcessInfo.processInfo.activeProcessorCount
        self.slots = AsyncSemaphore(concurrency)
        self.launchWindow = max(64, concurrency * 4)
        self.routes = (extraRoutes + workflow.errorPolicy.routes).sorted { $0.priority > $1.priority }
        self.records = resume?.records ?? workflow.stages.enumerated().map { StageRecord(stage: $1.name, position: $0) }
        self.reusable = resume?.reusable ?? [:]
        // max_failures counts the whole session, so failures before a resume count too.
        failures = records.filter { $0.status == .failed }.count
        for (i, r) in records.enumerated() where r.status == .succeeded {
            if let value = Self.storedOutput(r, secrets: secrets) { outputs[workflow.stages[i].name] = value }
        }
    }

    deinit { storeThread.close() } // a run that never started (or ended) leaves no store thread behind

    /// The run's variables: the workflow's, then `--var` values, then secrets.
    static func runVariables(_ workflow: Workflow, _ options: RunOptions) -> [String: JSONValue] {
        var vars: [String: JSONValue] = [:]
        for v in workflow.variables { vars[v.name] = v.value.jsonValue }
        for (k, v) in options.variables { vars[k] = v }
        for (k, v) in options.secrets { vars[k] = .string(v) }
        return vars
    }

    /// Every secret of the run, by name: variables tagged `!secret`, then `--secret` values.
    static func runSecrets(_ workflow: Workflow, _ options: RunOptions) -> Secrets {
        var named: [(name: String, value: String)] = []
        for v in workflow.variables where v.isSecret {
            if case .string(let s) = v.value.kind { named.append((v.name, s)) }
        }
        for (k, v) in options.secrets.sorted(by: { $0.key < $1.key }) { named.append((k, v)) }
        return Secrets(named: named)
    }

    /// A finished stage's output as the run's downstream stages see it: secret markers replaced by the values
    /// this run was given (`secretsNeeded` refuses a resume that lacks one).
    static func storedOutput(_ r: StageRecord, secrets: Secrets) -> JSONValue? {
        if let marked = r.markedOutput, let value = try? JSONValue.parse(marked) { return secrets.unmark(value).value } // ours
        return r.output.flatMap { try? JSONValue.parse($0) } // a stored output is ours; unreadable means none
    }

    /// Secrets that finished stages' stored outputs hold (by marker) and that `options` does not give: a resume
    /// without them would hand downstream stages `***` instead of the value.
    public static func secretsNeeded(_ plan: ResumePlan, workflow: Workflow, options: RunOptions) -> [(secret: String, stage: String)] {
        let secrets = runSecrets(workflow, options)
        var needed: [(secret: String, stage: String)] = []
        for r in plan.records where r.status == .succeeded {
            guard let marked = r.markedOutput, let value = try? JSONValue.parse(marked) else { continue } // ours
            for name in secrets.unmark(value).missing.sorted() where !needed.contains(where: { $0.secret == name }) {
                needed.append((name, r.stage))
            }
        }
        return needed
    }

    /// What resuming `session` does: the one decision `run` applies and `wfhost resume --explain` prints.
    public static func planResume(workflow: Workflow, session: String, status: SessionStatus,
                                  store: any SessionStore, snapshot: RegistrySnapshot) throws -> ResumePlan {
        let stages = try store.stages(of: session)
        let attempts = try store.attempts(of: session)
        return ResumePlanner.plan(workflow: workflow, session: session, status: status, stages: stages,
                                  attempts: attempts) { i, k in
            let invocation = workflow.stages[i].tools[k]
            guard case .found(let tool) = snapshot.resolve(invocation.resolvedName ?? invocation.name) else { return nil }
            return CallTraits(idempotent: tool.descriptor.isIdempotent, sideEffects: tool.descriptor.hasSideEffects)
        }
    }

    /// The stage indexes each stage depends on.
    public static func dependencies(of workflow: Workflow) -> [[Int]] {
        workflow.stages.map { stage in stage.dependsOn.compactMap { workflow.stageIndex(named: $0.name) } }
    }

    /// The stored records of stages so far (for status and tests).
    public var stageRecords: [StageRecord] { records }

    /// Asks the run to stop: running calls are cancelled and nothing new starts.
    public func cancel(reason: String) {
        stop(reason, status: .cancelled)
        cancelRunning(reason)
    }

    /// Ends the run as failed: nothing new starts and running calls are cancelled (fail-fast, time limit).
    func abort(reason: String) {
        stop(reason, status: nil)
        cancelRunning(reason)
    }

    private func cancelRunning(_ reason: String) {
        cancelling = true
        for c in active.values { c.cancel(reason: reason) }
        let slots = self.slots
        Task { await slots.close() } // calls waiting for a slot end without starting
    }

    /// Asks the run to pause: nothing new starts, running calls finish, the session becomes paused.
    public func pause(reason: String) {
        stop(reason, status: .paused)
    }

    private func stop(_ reason: String, status: SessionStatus?) {
        guard stopReason == nil else { return }
        stopReason = reason
        stopStatus = status
    }

    // MARK: - Running

    /// Runs the session to its end and returns how it ended.
    public func run() async -> RunResult {
        let started = clock.now
        activeTime.start()
        storeThread.onFailure { [weak self] failure in
            Task { await self?.storeWriteFailed(failure) }
        }
        emit(.runStarted(session: session, workflow: workflow.metadata.name, stages: workflow.stages.count))
        persistSession(.running, error: nil)
        // Resume applies its plan (ResumePlanner): calls a previous host left running become interrupted in the
        // store too, and stages whose interrupted call may not run again fail now.
        if let plan = resumePlan {
            if plan.hasInterruptedCalls {
                let session = self.session
                durably("the interrupted attempts") { _ = try $0.markInterruptedAttempts(session) }
            }
            for (i, failure) in plan.failures.sorted(by: { $0.key < $1.key }) {
                finish(i, status: workflow.stages[i].allowFailure ? .allowedFailure : .failed, failure: failure,
                       reason: nil, duration: .zero)
            }
        }
        let monitor = heartbeatTask()
        var timeoutTask: Task<Void, Never>? = nil
        if let limit = workflow.timeout {
            timeoutTask = Task { [weak self] in
                try? await Task.sleep(for: limit) // cancellation of the timer is the normal end
                guard !Task.isCancelled else { return }
                await self?.abort(reason: "the workflow's time limit of \(DurationText.format(limit)) passed")
            }
        }
        prepareReadiness()
        // At most `launchWindow` stage tasks exist at once (the rest wait in `backlog`, in file order), so a wide
        // workflow does not hold a suspended task per stage; a stop launches the backlog at once, so that each
        // stage ends as the stop says (cancelled, or pending for a resume).
        await withTaskGroup(of: Void.self) { group in
            var backlog: [Int] = []
            var next = 0
            var running = 0
            func launch() {
                backlog += readyStages()
                let stopped = stopReason != nil
                while next < backlog.count && (running < launchWindow || stopped) {
                    let i = backlog[next]
                    next += 1
                    running += 1
                    group.addTask { await self.execute(i) }
                }
                if next > 4096 && next * 2 > backlog.count { backlog.removeFirst(next); next = 0 }
            }
            launch()
            while await group.next() != nil {
                running -= 1
                launch()
            }
        }
        timeoutTask?.cancel()
        monitor.cancel()
        // No stage is running: the run's tool servers stop (a resume starts them again).
        await runner.toolServers.shutdownAndWait()
        for i in records.indices where records[i].status == .pending && stopStatus != .paused {
            if recoveryStages.contains(i) {
                // Stays pending, so that a later retry or resume can still call it.
                records[i].reason = "recovery stage: runs only when an error route or on_failure calls it"
                persistQuietly(i)
                continue
            }
            let reason = stopReason.map { "not started: \($0)" } ?? "not started: a dependency never finished"
            finish(i, status: .skipped, failure: nil, reason: reason, duration: .zero, notStarted: true)
        }
        // A stop counts only if it left work undone (a pause or cancel that arrives during the last stage does not).
        let leftUndone = records.indices.contains { i in
            let r = records[i]
            return (r.status == .pending && !recoveryStages.contains(i)) || r.status == .cancelled || r.skippedBecauseStopped
        }
        let failedStages = records.filter { $0.status == .failed }
        let status: SessionStatus
        if let stopped = stopStatus, leftUndone {
            status = stopped
        } else if !failedStages.isEmpty || (stopReason != nil && stopStatus == nil && leftUndone) {
            status = .failed
        } else {
            status = .succeeded
        }
        let error = status == .succeeded ? nil
            : (leftUndone ? stopReason : nil) ?? failedStages.first.map { "stage '\($0.stage)' failed: \($0.errorMessage ?? "")" }
        checkStoreFile() // a run shorter than a heartbeat is checked once at its end
        let active = activeTime.take()
        let session = self.session, sink = self.sink
        durably("the session's active time") { try $0.addActiveTime(session, seconds: active) }
        persistSession(status, error: error.map(secrets.mask))
        if !leaseLost && storeProblem == nil {
            storeThread.write("the session's lease") { store in
                do {
                    try store.releaseLease(session, pid: Int(getpid()))
                } catch {
                    sink.emit(.notice("cannot release the session's lease (it goes stale in seconds): \(error)"))
                }
            }
        }
        if let failure = await storeThread.sync() { storeWriteFailed(failure) }
        let duration = clock.now - started
        runEnded = true
        emit(.runFinished(session: session, status: status, duration: duration))
        _ = await storeThread.sync() // every event is out before the run returns
        storeThread.close()
        return RunResult(session: session, status: status, stages: records, outputs: outputs, duration: duration,
                         stopReason: storeProblem.map { "\($0)" } ?? (leftUndone ? stopReason : nil),
                         storeProblem: storeProblem)
    }

    /// Stops the run when the state database's file is no longer the one this host opened (ARCHITECTURE rule 3:
    /// a transition that is not stored must not be acted on). Returns whether it is.
    @discardableResult
    private func checkStoreFile() -> Bool {
        guard storeProblem == nil else { return false }
        guard let problem = store.fileProblem() else { return true }
        storeFileProblem(problem)
        return false
    }

    /// The state database's file is gone or replaced: nothing more is written, and the run stops.
    func storeFileProblem(_ problem: StoreFileProblem) {
        guard storeProblem == nil else { return }
        storeProblem = problem
        storeThread.stopWriting()
        report(.notice("\(problem)"))
        abort(reason: "\(problem)")
    }

    /// A write failed three times on the store's thread: nothing more is written (it would fail too), the host
    /// exits 3, and resume continues from what was stored.
    func storeWriteFailed(_ failure: StoreWriteFailure) {
        guard storeProblem == nil && !leaseLost else { return }
        let message = "\(failure)"
        report(.notice(message + "; the run stops so that nothing runs without being recorded"))
        storeProblem = .unwritable(reason: failure.reason)
        abort(reason: message)
    }

    /// Another host took the session over: this one writes nothing more and stops.
    func lostLease() {
        guard !leaseLost else { return }
        let reason = "another host took this session over (this host's heartbeats stopped for too long); "
            + "this host stops without writing anything more"
        leaseLost = true
        storeThread.stopWriting()
        report(.notice(reason))
        abort(reason: reason)
    }

    /// An operator's request read by the heartbeat task.
    func operatorRequest(_ request: SessionRequest) {
        switch request {
        case .pause:
            pause(reason: "paused by an operator (wfhost pause)")
            emit(.notice("pause requested: no new stage starts; running calls finish, then the session is paused"))
        case .cancel:
            cancel(reason: "cancelled by an operator (wfhost cancel)")
        }
    }

    /// Keeps the session's lease fresh and acts on operators' requests from other processes
    /// (`wfhost pause`, `wfhost cancel`), every 250 ms until the run ends. It runs on a task of its own, not on the
    /// actor, and its SQLite calls on the store's thread: a busy actor cannot delay a heartbeat.
    private func heartbeatTask() -> Task<Void, Never> {
        let thread = storeThread, session = self.session, sink = self.sink, activeTime = self.activeTime
        return Task.detached { [weak self] in
            let pid = Int(getpid())
            let host = ProcessInfo.processInfo.hostName
            var beats = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250)) // cancellation ends the loop below
                if Task.isCancelled { return }
                beats += 1
                if beats % 4 == 0, let problem = thread.store.fileProblem() {
                    await self?.storeFileProblem(problem)
                    return
                }
                do {
                    if beats % 4 == 0 {
                        let seconds = activeTime.take()
                        let held = try await thread.read { try $0.heartbeat(session, pid: pid, host: host, activeSeconds: seconds) }
                        if !held {
                            await self?.lostLease()
                            return
                        }
                    }
                    let request = try await thread.read { store -> SessionRequest? in
                        guard let request = try store.pendingRequest(session) else { return nil }
                        try store.setRequest(session, nil)
                        return request
                    }
                    if let request { await self?.operatorRequest(request) }
                } catch is StoreThreadClosed {
                    return
                } catch {
                    thread.after { sink.emit(.notice("cannot read the session's requests: \(error)")) }
                }
            }
        }
    }

    /// Stages that may start now; decides skips (and their propagation) on the way. Linear in what changed: a
    /// stage becomes a candidate when its last unfinished dependency finishes (`finish` counts them down), so no
    /// call scans the whole workflow (except once, when a stop skips everything left).
    private func readyStages() -> [Int] {
        if let reason = stopReason {
            guard stopStatus != .paused, !stopSkipsDone else { return [] } // a pause leaves them pending for resume
            stopSkipsDone = true
            for i in records.indices where records[i].status == .pending && !launched.contains(i) && !recoveryStages.contains(i) {
                finish(i, status: .skipped, failure: nil, reason: "not started: \(reason)", duration: .zero, notStarted: true)
            }
            return []
        }
        var ready: [Int] = []
        while !candidates.isEmpty {
            let batch = candidates.sorted() // stages in file order, as the file lists them
            candidates.removeAll(keepingCapacity: true)
            for i in batch where records[i].status == .pending && !launched.contains(i) && !recoveryStages.contains(i) {
                if stopReason != nil { return ready + readyStages() } // a finish below stopped the run
                let stage = workflow.stages[i]
                if let blocker = blockingDependency(i, stage.runWhen) {
                    finish(i, status: .skipped, failure: nil, reason: blocker, duration: .zero)
                    continue
                }
                switch ConditionEvaluator.evaluate(stage.conditions, with: resolver(for: stage)) {
                case .run:
                    launched.insert(i)
                    inFlight.insert(i)
                    ready.append(i)
                case .skip(let why):
                    finish(i, status: .skipped, failure: nil, reason: why, duration: .zero)
                case .fail(let why):
                    let failure = StageFailure(errorType: "condition_failed", message: why, retryable: false,
                                               hint: "pass it with --var or define it under variables")
                    finish(i, status: stage.allowFailure ? .allowedFailure : .failed, failure: failure, reason: nil,
                           duration: .zero)
                }
            }
        }
        return ready
    }

    /// Counts each stage's unfinished dependencies and seeds the candidates (stages none of whose dependencies is
    /// unfinished), once per run, after resume has reopened what it reopens.
    private func prepareReadiness() {
        unfinishedDeps = deps.map { $0.reduce(0) { $0 + (records[$1].status.isTerminal ? 0 : 1) } }
        candidates = records.indices.filter { unfinishedDeps[$0] == 0 && records[$0].status == .pending }
        finishedWeight = records.indices.reduce(0.0) { $0 + (records[$1].status.isTerminal ? workflow.stages[$1].weight : 0) }
        finishedCount = records.filter(\.status.isTerminal).count
    }

    /// Stage i reached a terminal status: its dependents count it down, and the progress totals take it in.
    private func noteFinished(_ i: Int) {
        inFlight.remove(i)
        finishedWeight += workflow.stages[i].weight
        finishedCount += 1
        guard unfinishedDeps.count == records.count else { return } // before `prepareReadiness`, which counts all
        for d in dependents[i] {
            unfinishedDeps[d] -= 1
            if unfinishedDeps[d] == 0 { candidates.append(d) }
        }
    }

    /// Why `run_when` keeps stage `i` from running, or nil (see the table in Spec.docc).
    private func blockingDependency(_ i: Int, _ runWhen: RunWhen) -> String? {
        for d in deps[i] {
            let status = records[d].status
            let name = workflow.stages[d].name
            switch runWhen {
            case .allSucceeded where status != .succeeded && status != .allowedFailure:
                return "dependency '\(name)' \(Self.describe(status)) (run_when: all_succeeded)"
            case .noFailures where status == .failed || status == .cancelled:
                return "dependency '\(name)' \(Self.describe(status)) (run_when: no_failures)"
            default:
                continue
            }
        }
        return nil
    }

    static func describe(_ status: StageStatus) -> String {
        switch status {
        case .skipped: return "was skipped"
        case .failed: return "failed"
        case .cancelled: return "was cancelled"
        default: return "is \(status.rawValue)"
        }
    }

    func resolver(for stage: Stage) -> VariableResolver {
        var vars = variables
        for v in stage.variables { vars[v.name] = v.value.jsonValue }
        return VariableResolver(variables: vars, outputs: outputs, environment: options.environment,
                                context: ContextBinding.lookup(for: stage, in: workflow, runner: runner))
    }

    // MARK: - Stages

    /// Runs stage `i` through its attempts, retries and error routes, and records how it ended.
    @discardableResult
    func execute(_ i: Int, asRecovery: Bool = false) async -> StageStatus {
        let stage = workflow.stages[i]
        let policy = stage.retryPolicy ?? RetryPolicy.defaults(at: stage.location)
        var attempt = records[i].attempts
        // Attempts already made count against the retry policy, except those before a reset to a fresh budget
        // (stored with the stage, so a host killed during it leaves it for resume); attempt numbers continue.
        let budgetBase = records[i].attemptBudgetStart ?? 0
        var redirected = false
        var extraAttempt = false
        records[i].status = .running
        records[i].reason = nil
        while true {
            if let reason = stopReason, cancelling || (attempt == 0 && !asRecovery) {
                // A paused run leaves a stage that had not started pending, so that resume runs it. A recovery stage
                // still runs during a pause: the failed stage that called it is already running.
                return finish(i, status: cancelling ? .cancelled : .pending, failure: nil, reason: reason,
                              duration: ranFor(i))
            }
            attempt += 1
            records[i].attempts = attempt
            records[i].queuedAt = Date().timeIntervalSince1970 // until its first call has a slot
            persist(i, event: .stageStarted(stage: stage.name, attempt: attempt))
            let result = await runTools(i, attempt: attempt)
            reusable[i] = nil // only the attempt that continues an interrupted one reuses its calls
            let failure: StageFailure
            switch result {
            case .success(let output):
                outputs[stage.name] = output
                records[i].output = secrets.mask(output).serialized()
                records[i].markedOutput = nil
                if !secrets.isEmpty {
                    let marked = secrets.mark(output)
                    if marked != output { records[i].markedOutput = marked.serialized() }
                }
                return finish(i, status: .succeeded, failure: nil, reason: nil, duration: ranFor(i))
            case .failure(let f):
                failure = f
            }
            if let reason = stopReason, cancelling {
                return finish(i, status: .cancelled, failure: failure, reason: reason, duration: ranFor(i))
            }
            // What to do is decided by the pure `AttemptDecision`; this loop carries it out.
            var input = AttemptDecision.Input(
                failure: failure, stage: stage.name, attempt: attempt, budgetBase: budgetBase, policy: policy,
                routes: routes, redirected: redirected, extraAttempt: extraAttempt, elapsed: ranFor(i),
                limit: deadlines[i] != nil ? stage.timeout : nil, random: Double.random(in: 0..<1, using: &random))
            var decision = AttemptDecision.afterFailure(input)
            if case .redirect(let name, let label) = decision, let target = workflow.stageIndex(named: name),
               let refusal = recoveryRefusal(i, target) {
                emit(.notice("stage '\(stage.name)' failed (\(failure)); \(label) is not followed: \(refusal)"))
                input.redirectRefused = true
                decision = AttemptDecision.afterFailure(input)
            }
            var finalFailure = failure
            switch decision {
            case .skip(let reason):
                return finish(i, status: .skipped, failure: failure, reason: reason, duration: ranFor(i))
            case .fail(let f, let reason?):
                return finish(i, status: stage.allowFailure ? .allowedFailure : .failed, failure: f, reason: reason,
                              duration: ranFor(i))
            case .fail(let f, nil):
                finalFailure = f
            case .redirect(let name, let label):
                guard let target = workflow.stageIndex(named: name) else { // validated: routes name stages
                    finalFailure.message += " (error route target '\(name)' is not a stage)"
                    break
                }
                redirected = true
                emit(.notice("stage '\(stage.name)' failed (\(failure)); \(label) runs '\(name)', then retries '\(stage.name)'"))
                if await runRecovery(target, for: i) == .succeeded {
                    extraAttempt = true
                    continue
                }
                var f = failure
                f.message += " (the recovery stage '\(name)' did not succeed)"
                return finish(i, status: stage.allowFailure ? .allowedFailure : .failed, failure: f,
                              reason: nil, duration: ranFor(i))
            case .retry(let delay):
                emit(.retrying(stage: stage.name, nextAttempt: attempt + 1, delay: delay, failure: masked(failure)))
                await waitUnlessCancelled(delay)
                continue
            }
            let status: StageStatus = stage.allowFailure ? .allowedFailure : .failed
            let outcome = finish(i, status: status, failure: finalFailure, reason: nil, duration: ranFor(i))
            if let target = stage.onFailure.flatMap({ workflow.stageIndex(named: $0.name) }) {
                if let refusal = recoveryRefusal(i, target) {
                    emit(.notice("stage '\(stage.name)' failed; its on_failure stage does not run: \(refusal)"))
                } else {
                    emit(.notice("stage '\(stage.name)' failed; its on_failure stage '\(workflow.stages[target].name)' runs"))
                    await runRecovery(target, for: i)
                }
            }
            return outcome
        }
    }

    /// How long stage `i` has run: since its first call started (zero when none has).
    private func ranFor(_ i: Int) -> Duration {
        firstCalls[i].map { clock.now - $0 } ?? .zero
    }

    /// Waits out a retry delay, ending early when the run is being cancelled (fail-fast, a user, the time limit).
    private func waitUnlessCancelled(_ delay: Duration) async {
        let end = clock.now + delay
        while !cancelling && clock.now < end {
            try? await Task.sleep(for: min(.milliseconds(100), end - clock.now)) // a cancelled sleep only ends early
        }
    }

    /// Runs a recovery stage (a redirect target or an on_failure stage) now, at most once per run: a second
    /// caller, even while the first run is still going, waits for that run's outcome. A recovery stage that
    /// succeeded before a resume is not run again.
    ///
    /// Callers ask `recoveryRefusal` first: stage `caller` never waits for itself or for a stage that waits for it.
    @discardableResult
    private func runRecovery(_ i: Int, for caller: Int) async -> StageStatus {
        if cancelling { return .cancelled }
        waitingFor[caller] = i
        defer { waitingFor[caller] = nil }
        if let running = recoveryRuns[i] { return await running.value }
        if records[i].status == .succeeded { return .succeeded }
        launched.insert(i)
        inFlight.insert(i)
        let task = Task { await self.execute(i, asRecovery: true) }
        recoveryRuns[i] = task
        return await task.value
    }

    /// Why stage `caller` may not run and wait for recovery stage `target`, or nil when it may: the target is the
    /// caller itself, or is (through a chain of recovery stages) waiting for the caller, so that waiting would
    /// never end. `validate` rejects such routes; this guards what it cannot know (routes matching by message).
    func recoveryRefusal(_ caller: Int, _ target: Int) -> String? {
        let name = workflow.stages[target].name
        if target == caller { return "'\(name)' would be redirected to itself" }
        var chain = [target]
        var current = target
        while let next = waitingFor[current], !chain.contains(next) {
            chain.append(next)
            if next == caller {
                let path = ([caller] + chain).map { "'\(workflow.stages[$0].name)'" }.joined(separator: " → ")
                return "\(path) would wait for each other; '\(name)' is already running in this recovery chain"
            }
            current = next
        }
        return nil
    }

    /// Runs the stage's tools once (in order, or concurrently with `parallel: true`).
    private func runTools(_ i: Int, attempt: Int) async -> Result<JSONValue, StageFailure> {
        let stage = workflow.stages[i]
        var results: [(String, JSONValue)] = []
        if stage.parallel && stage.tools.count > 1 {
            let outcomes = await withTaskGroup(of: (Int, Result<(String, JSONValue), StageFailure>).self) { group in
                for k in stage.tools.indices {
                    group.addTask { (k, await self.callTool(i, k, attempt: attempt)) }
                }
                var all: [(Int, Result<(String, JSONValue), StageFailure>)] = []
                for await outcome in group { all.append(outcome) }
                return all.sorted { $0.0 < $1.0 }
            }
            for (_, outcome) in outcomes {
                switch outcome {
                case .success(let pair): results.append(pair)
                case .failure(let f): return .failure(f)
                }
            }
        } else {
            for k in stage.tools.indices {
                switch await callTool(i, k, attempt: attempt, earlier: results.map { $0.1 }) {
                case .success(let pair): results.append(pair)
                case .failure(let f): return .failure(f)
                }
                if cancelling {
                    return .failure(StageFailure(errorType: "cancelled", message: stopReason ?? "cancelled", retryable: false))
                }
            }
        }
        if results.count == 1 { return .success(results[0].1) }
        var object = JSONObject()
        for (name, value) in results { object[object.contains(name) ? "\(name)#\(object.count)" : name] = value }
        return .success(.object(object))
    }

    /// Arguments for one invocation: the stage's `args` with the tool's own on top, key by key.
    public static func mergedArguments(_ stage: Stage, _ invocation: ToolInvocation) -> SpecValue? {
        guard let base = stage.args else { return invocation.args }
        guard let own = invocation.args else { return base }
        guard case .map(var entries) = base.kind, case .map(let mine) = own.kind else { return own }
        for entry in mine {
            if let k = entries.firstIndex(where: { $0.key == entry.key }) { entries[k] = entry } else { entries.append(entry) }
        }
        return SpecValue(.map(entries), at: own.location)
    }

    /// The name an attempt of tool `k` of stage `i` is stored under: the tool's qualified name, with `#N` (its
    /// place in the stage, from 1) when the stage calls the same tool more than once, so that each call keeps
    /// its own attempt row.
    private func attemptLabel(_ i: Int, _ k: Int, _ tool: RegisteredTool) -> String {
        let stage = workflow.stages[i]
        let name = stage.tools[k].resolvedName ?? stage.tools[k].name
        let repeated = stage.tools.indices.contains { $0 != k && (stage.tools[$0].resolvedName ?? stage.tools[$0].name) == name }
        return repeated ? "\(tool.qualifiedName)#\(k + 1)" : tool.qualifiedName
    }

    /// - Parameter earlier: the results of the stage's tools before `k` (a sequential stage), which it may bind from.
    private func callTool(_ i: Int, _ k: Int, attempt: Int, earlier: [JSONValue] = []) async -> Result<(String, JSONValue), StageFailure> {
        let stage = workflow.stages[i]
        let invocation = stage.tools[k]
        let tool: RegisteredTool
        do {
            tool = try runner.tool(named: invocation.resolvedName ?? invocation.name)
        } catch {
            return .failure(StageFailure(errorType: "unknown_tool", message: error.message, retryable: false,
                                         tool: invocation.name, hint: error.hint))
        }
        let arguments: JSONValue
        do {
            // The resolver (which shares the run's outputs) lives only while the arguments are resolved, never
            // across the call: a resolver held while other stages finish would make each of their
            // `outputs[name] = ...` copy the whole dictionary, a cost per stage that grows with the workflow.
            let resolver = resolver(for: stage)
            arguments = try ContextBinding.bind(Self.mergedArguments(stage, invocation).map { try resolver.substitute($0) } ?? .object([:]),
                                                tool: tool, resolver: resolver,
                                                earlier: ContextBinding.earlier(stage, k, results: earlier, runner: runner))
        } catch let failure as StageFailure {
            var f = failure
            f.tool = tool.qualifiedName
            return .failure(masked(f))
        } catch {
            return .failure(StageFailure(errorType: "undefined_variable", message: "\(error)", retryable: false))
        }
        // The call's identity across a resume: its place in the stage and its arguments (secrets as markers, so
        // that no secret's hash is stored). A finished call of the interrupted attempt is reused, not run again.
        let label = attemptLabel(i, k, tool)
        let argumentsHash = Self.hash(secrets.mark(arguments))
        if let reuse = reusable[i]?[k], reuse.argumentsHash == argumentsHash,
           let stored = try? JSONValue.parse(reuse.result) { // written by this engine
            let restored = secrets.unmark(stored)
            if restored.missing.isEmpty {
                let stageChanged = startedCalling(i)
                let now = Date().timeIntervalSince1970
                var row = AttemptRecord(stage: stage.name, attempt: attempt, tool: label,
                                        status: AttemptStatus.succeeded.rawValue, startedAt: now, finishedAt: now)
                row.callIndex = k
                row.argumentsHash = argumentsHash
                row.result = reuse.result
                row.reusedFrom = reuse.attempt
                persistAttempt(row, stage: stageChanged ? i : nil)
                emit(.notice("stage '\(stage.name)': \(tool.qualifiedName) finished in attempt \(reuse.attempt) before the "
                             + "host stopped; its result is reused, the call does not run again"))
                return .success((tool.name, restored.value))
            }
        }
        var callOptions = CallOptions()
        callOptions.isolation = options.isolation ?? stage.isolation.flatMap { IsolationMode(rawValue: $0.rawValue) }
            ?? workflow.isolation.flatMap { IsolationMode(rawValue: $0.rawValue) } ?? options.defaultIsolation
        callOptions.limits = options.limits
        if let memory = invocation.memoryMB { callOptions.limits.memoryMB = memory }
        callOptions.sandbox = options.sandbox
        callOptions.strictSandbox = options.strictSandbox || workflow.sandbox == .strict
        callOptions.attempt = attempt
        guard await slots.acquire() else {
            return .failure(StageFailure(errorType: "cancelled", message: stopReason ?? "cancelled", retryable: false,
                                         tool: tool.qualifiedName))
        }
        let stageChanged = startedCalling(i)
        // The call's time limit, within what is left of the stage's (which starts at its first call).
        var timeout = invocation.timeout ?? stage.timeout ?? options.defaultCallTimeout
        let stageLimit = "the stage's time limit of \(DurationText.format(stage.timeout ?? .zero)) (all attempts together)"
        var limitedByStage = false
        if let deadline = deadlines[i] {
            let left = deadline - clock.now
            guard left > .zero else {
                if stageChanged { persistQuietly(i) }
                await slots.release()
                return .failure(StageFailure(errorType: "timeout", message: "no time was left within \(stageLimit)",
                                             retryable: false, tool: tool.qualifiedName))
            }
            if left < timeout {
                timeout = left
                limitedByStage = true
            }
        }
        callOptions.limits.timeout = timeout
        let cancellation = CallCancellation()
        let token = ObjectIdentifier(cancellation)
        active[token] = cancellation
        if let reason = stopReason, cancelling { cancellation.cancel(reason: reason) }
        var attemptRecord = AttemptRecord(stage: stage.name, attempt: attempt, tool: label,
                                          status: AttemptStatus.running.rawValue,
                                          startedAt: Date().timeIntervalSince1970)
        attemptRecord.callIndex = k
        attemptRecord.argumentsHash = argumentsHash
        // The stage's row (no longer queued), the call's row and its event: one transaction.
        persistAttempt(attemptRecord, stage: stageChanged ? i : nil,
                       event: .attemptStarted(stage: stage.name, tool: tool.qualifiedName, attempt: attempt))
        let sink = self.sink, secrets = self.secrets, storeThread = self.storeThread, session = self.session
        // Rule 3: the call's row, its stage's and every transition before them are durable before the call starts.
        if let failure = await storeThread.sync() {
            storeWriteFailed(failure)
            active[token] = nil
            await slots.release()
            return .failure(StageFailure(errorType: "cancelled", message: stopReason ?? "\(failure)", retryable: false,
                                         tool: tool.qualifiedName))
        }
        let logLines = LineBudget(limit: 1000)
        let stageName = stage.name, toolName = tool.qualifiedName
        let outcome = await runner.call(tool, arguments: arguments, workDirectory: workDirectory, options: callOptions,
                                        cancellation: cancellation) { event in
            switch event {
            case .log(let level, let message):
                // A tool that floods its log keeps the first lines; the rest are counted, not stored.
                guard logLines.take() else { return }
                let e = RunEvent.log(stage: stageName, tool: toolName, level: level, message: secrets.mask(message))
                sink.emit(e)
                let data = e.json.serialized(), at = Date().timeIntervalSince1970
                storeThread.write("a log line") { store in
                    // a lost log line must not fail the call
                    try? store.appendEvent(session, kind: e.kind, stage: stageName, data: data, at: at)
                }
            case .progress(let fraction, _):
                Task { await self.toolProgress(i, fraction: fraction) }
            }
        }
        // The end time is taken before the slot is handed on, so that with max_concurrency 1 the recorded
        // intervals of consecutive calls never overlap.
        attemptRecord.finishedAt = Date().timeIntervalSince1970
        active[token] = nil
        if logLines.dropped > 0 {
            emit(.notice("\(tool.qualifiedName) in stage '\(stage.name)' logged \(logLines.dropped) more lines than the "
                         + "\(logLines.limit) kept per call; those were dropped"))
        }
        await slots.release()
        switch outcome {
        case .success(let success):
            attemptRecord.status = AttemptStatus.succeeded.rawValue
            attemptRecord.result = secrets.mark(success.result).serialized()
            attemptRecord.stdoutTail = secrets.mask(success.stdoutTail)
            attemptRecord.stderrTail = secrets.mask(success.stderrTail)
            persistAttempt(attemptRecord, event: .attemptFinished(stage: stage.name, tool: tool.qualifiedName,
                                                                  attempt: attempt, failure: nil))
            return .success((tool.name, success.result))
        case .failure(let callFailure):
            var failure = masked(StageFailure(callFailure, tool: tool.qualifiedName))
            if limitedByStage && callFailure.failureClass == .timeout {
                failure.message = "attempt \(attempt) did not finish within \(stageLimit)"
                failure.retryable = false
            }
            attemptRecord.status = AttemptStatus.failed.rawValue
            attemptRecord.errorClass = failure.errorType
            attemptRecord.errorMessage = failure.message
            attemptRecord.retryable = failure.retryable
            attemptRecord.stdoutTail = secrets.mask(callFailure.stdoutTail)
            attemptRecord.stderrTail = secrets.mask(callFailure.stderrTail)
            persistAttempt(attemptRecord, event: .attemptFinished(stage: stage.name, tool: tool.qualifiedName,
                                                                  attempt: attempt, failure: failure))
            return .failure(failure)
        }
    }

    /// SHA-256 of a value's canonical JSON, in lowercase hex: a call's identity across a resume.
    static func hash(_ value: JSONValue) -> String {
        var ctx = wfh_sha256()
        wfh_sha256_init(&ctx)
        let bytes = value.serializedBytes(.canonical)
        bytes.withUnsafeBytes { wfh_sha256_update(&ctx, $0.baseAddress, $0.count) }
        var digest = [UInt8](repeating: 0, count: 32)
        wfh_sha256_final(&ctx, &digest)
        return digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    // MARK: - Recording

    /// Stage `i`'s attempt has a slot for a call: it is no longer queued, and on its first call in this run its
    /// start time (what its duration counts from) is now. Returns whether its row changed; the caller stores it
    /// with the call's row, in one transaction, before the call starts.
    private func startedCalling(_ i: Int) -> Bool {
        guard let queued = records[i].queuedAt else { return false }
        records[i].queuedSeconds += max(0, Date().timeIntervalSince1970 - queued)
        records[i].queuedAt = nil
        if calling.insert(i).inserted {
            records[i].startedAt = Date().timeIntervalSince1970
            firstCalls[i] = clock.now
            if let limit = workflow.stages[i].timeout { deadlines[i] = clock.now + limit }
        }
        emitProgress()
        return true
    }

    func masked(_ f: StageFailure) -> StageFailure {
        var out = f
        out.message = secrets.mask(f.message)
        out.hint = f.hint.map(secrets.mask)
        return out
    }

    /// Records stage `i`'s end (durably, with its event), applies the error policy, and reports progress.
    @discardableResult
    /// - Parameter notStarted: it is skipped only because the run stopped (or a dependency never finished)
    ///   before it could start, so that a resume runs it.
    func finish(_ i: Int, status: StageStatus, failure: StageFailure?, reason: String?, duration: Duration,
                notStarted: Bool = false) -> StageStatus {
        let stage = workflow.stages[i]
        stageProgress[i] = nil
        let wasTerminal = records[i].status.isTerminal
        records[i].status = status
        if status.isTerminal && !wasTerminal { noteFinished(i) } else if !status.isTerminal { inFlight.remove(i) }
        records[i].queuedAt = nil
        records[i].finishedAt = status == .pending ? nil : Date().timeIntervalSince1970
        records[i].errorClass = failure?.errorType
        records[i].errorMessage = failure.map { secrets.mask($0.message) }
        records[i].reason = reason.map(secrets.mask)
        records[i].notStarted = notStarted
        persist(i, event: .stageFinished(stage: stage.name, status: status, attempts: records[i].attempts,
                                         duration: duration, failure: failure.map(masked), reason: reason.map(secrets.mask)))
        if status == .failed {
            failures += 1
            if workflow.errorPolicy.mode == .failFast {
                abort(reason: "stage '\(stage.name)' failed and error_policy is fail_fast")
            } else if let max = workflow.errorPolicy.maxFailures, failures >= max {
                abort(reason: "\(failures) stages failed, reaching error_policy.max_failures (\(max))")
            }
        }
        emitProgress()
        if status.isTerminal && wantsCheckpoint(after: stage.name) {
            let session = self.session, sink = self.sink, name = stage.name
            if !leaseLost && storeProblem == nil {
                storeThread.write("the checkpoint after '\(name)'") { store in
                    do {
                        _ = try store.createCheckpoint(session, name: "after-\(name)", description: nil, automatic: true)
                    } catch {
                        sink.emit(.notice("cannot save the checkpoint after '\(name)': \(error)"))
                    }
                }
            }
        }
        return status
    }

    private func wantsCheckpoint(after stage: String) -> Bool {
        if options.checkpointEveryStage { return true }
        switch workflow.checkpoints {
        case .disabled: return false
        case .everyStage: return true
        case .after(let names): return names.contains { $0.name == stage }
        }
    }

    /// A tool reported how far it is: the running stage counts that share of its weight.
    private func toolProgress(_ i: Int, fraction: Double) {
        guard records[i].status == .running else { return }
        stageProgress[i] = min(1, max(0, fraction))
        emitProgress()
    }

    /// The run's progress: finished stages count their whole weight, running ones the share their tools reported.
    private func flushProgress() {
        progressFlushScheduled = false
        guard !runEnded else { return } // nothing after run_finished
        lastProgress = nil
        emitProgress()
    }

    /// At most one progress event per `progressInterval` (and always the last): a display redraws no faster, and
    /// a wide run does not build an event per transition that nobody reads.
    private func emitProgress() {
        let now = clock.now
        if let last = lastProgress, now - last < Self.progressInterval, finishedCount < records.count {
            // Trailing edge: the state this call would have shown goes out when the interval ends.
            if !progressFlushScheduled {
                progressFlushScheduled = true
                let wait = Self.progressInterval - (now - last)
                Task { [weak self] in
                    try? await Task.sleep(for: wait) // a cancelled sleep only flushes early
                    await self?.flushProgress()
                }
            }
            return
        }
        lastProgress = now
        // O(running stages): the finished weight and count are kept by `noteFinished`.
        var done = finishedWeight
        var running: [Int] = []
        for i in inFlight where records[i].status == .running && !records[i].isQueued {
            running.append(i)
            done += workflow.stages[i].weight * (stageProgress[i] ?? 0)
        }
        emit(.progress(fraction: totalWeight > 0 ? done / totalWeight : 1, finished: finishedCount, total: records.count,
                       running: running.sorted().map { records[$0].stage }))
    }

    /// Queues one store write on the store's thread (in order, committed with whatever else is queued); a failing
    /// write is tried twice more there, then the run stops (`storeWriteFailed`), because acting on a transition
    /// that is not stored breaks resume. Nothing is acted on before `storeThread.sync()`. Once this host has lost
    /// the session's lease (or its database file) it writes nothing more.
    private func durably(_ what: String, _ write: @escaping @Sendable (any SessionOperations) throws -> Void) {
        guard !leaseLost && storeProblem == nil else { return }
        storeThread.write(what, write)
    }

    /// Reports an event to the sink once every write queued before it is committed (so a transition's event is
    /// never seen before the transition is durable, and events keep their order).
    func report(_ event: RunEvent) {
        let sink = self.sink
        storeThread.after { sink.emit(event) }
    }

    private func persist(_ i: Int, event: RunEvent) {
        let record = records[i], session = self.session
        let stored = (event.kind, event.json.serialized()), at = Date().timeIntervalSince1970
        durably("stage '\(record.stage)'") { try $0.recordStage(session, record, event: stored, at: at) }
        report(event)
    }

    /// Stores a stage's row without announcing an event (a note on a stage that stays as it was).
    private func persistQuietly(_ i: Int) {
        let record = records[i], session = self.session
        durably("stage '\(record.stage)'") { try $0.recordStage(session, record, event: nil, at: nil) }
    }

    /// Stores a call's row, with stage `stage`'s row and the call's event when given, in one transaction.
    private func persistAttempt(_ record: AttemptRecord, stage: Int? = nil, event: RunEvent? = nil) {
        let stageRecord = stage.map { records[$0] }, session = self.session
        let stored = event.map { ($0.kind, $0.json.serialized()) }, at = Date().timeIntervalSince1970
        durably("an attempt of stage '\(record.stage)'") {
            try $0.recordAttempt(session, record, stage: stageRecord, event: stored, at: at)
        }
        if let event { report(event) }
    }

    private func persistSession(_ status: SessionStatus, error: String?) {
        let session = self.session
        durably("the session's status") { try $0.updateSession(session, status: status, error: error) }
    }

    func emit(_ event: RunEvent) {
        switch event {
        case .stageStarted, .stageFinished, .log, .progress: break // stored with their row, or too frequent
        default:
            let session = self.session, data = event.json.serialized(), at = Date().timeIntervalSince1970
            if !leaseLost && storeProblem == nil {
                storeThread.write("an event") { store in
                    // events are also in the sink; a lost one is reported there
                    try? store.appendEvent(session, kind: event.kind, stage: event.stage, data: data, at: at)
                }
            }
        }
        report(event)
    }
}

/// The run's active time since it was last added to the session's: the engine and its heartbeat task both take it.
final class ActiveTime: @unchecked Sendable {
    // @unchecked: `mark` is guarded by `lock`.
    private let lock = NSLock()
    private var mark: ContinuousClock.Instant?

    func start() { lock.withLock { mark = ContinuousClock.now } }

    /// The seconds since the last call (0 before `start`).
    func take() -> Double {
        lock.withLock {
            let now = ContinuousClock.now
            defer { mark = now }
            guard let last = mark else { return 0 }
            let d = (now - last).components
            return Double(d.seconds) + Double(d.attoseconds) / 1e18
        }
    }
}

/// Counts log lines of one call against a limit (called from the call's supervisor thread).
final class LineBudget: @unchecked Sendable {
    // @unchecked: `used` and `dropped` are guarded by `lock`.
    let limit: Int
    private let lock = NSLock()
    private var used = 0
    private var droppedCount = 0

    init(limit: Int) { self.limit = limit }

    /// True while lines may still be kept; counts the ones that may not.
    func take() -> Bool {
        lock.withLock {
            if used < limit { used += 1; return true }
            droppedCount += 1
            return false
        }
    }

    var dropped: Int { lock.withLock { droppedCount } }
}
