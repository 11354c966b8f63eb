import Spec
import Store

/// What a tool declares about calling it twice: the flags resume reads for an interrupted call.
public struct CallTraits: Sendable, Hashable {
    public var idempotent: Bool
    public var sideEffects: Bool

    public init(idempotent: Bool, sideEffects: Bool) {
        self.idempotent = idempotent
        self.sideEffects = sideEffects
    }

    /// Running it again after an interruption cannot do harm: it is idempotent, or it changes nothing outside
    /// its result.
    public var safeToRepeat: Bool { idempotent || !sideEffects }
}

/// A finished call of an interrupted attempt that resume may reuse instead of running it again: when the call's
/// arguments resolve to the same hash, its stored result is taken.
public struct ReusableCall: Sendable, Hashable {
    /// The attempt that ran the call.
    public var attempt: Int
    public var argumentsHash: String
    /// The result as stored (secret values as markers).
    public var result: String
}

/// What resuming a session does, stage by stage and call by call, and why: computed by one pure function
/// (`ResumePlanner.plan`) that the engine applies and `wfhost resume --explain` prints, so that what is said
/// and what is done cannot differ.
public struct ResumePlan: Sendable {
    public enum StageAction: String, Sendable { case keep, run, fail }

    public enum CallAction: String, Sendable {
        /// It finished: its result is reused (when its arguments resolve as before), it does not run again.
        case reuse
        /// The host's death cut it short and repeating it is safe (or `on_interrupt: retry`): it runs again.
        case rerun
        /// It had not started, or its attempt failed and the stage retries: it runs.
        case run
        /// The host's death cut short a side-effecting, non-idempotent call: the stage fails (`on_interrupt: fail`).
        case fail
    }

    public struct Call: Sendable {
        public var index: Int
        public var tool: String
        public var action: CallAction
        public var why: String
    }

    public struct StagePlan: Sendable {
        public var stage: String
        public var action: StageAction
        public var why: String
        /// The calls of an interrupted or cancelled stage (empty for the others: all their calls run, or none).
        public var calls: [Call]
    }

    public var stages: [StagePlan]
    /// The stage records the resumed run starts from.
    public var records: [StageRecord]
    /// Stages that fail before anything runs (an interrupted call that may not run again, no attempts left).
    public var failures: [Int: StageFailure]
    /// By stage index and call index: finished calls of the interrupted attempt.
    public var reusable: [Int: [Int: ReusableCall]]
    /// Some attempt rows are still `running` (their host died): they become `interrupted` in the store.
    public var hasInterruptedCalls: Bool
}

/// The one place that decides what a resume keeps, reuses, runs again or fails (ARCHITECTURE rule 3: every field
/// it reads is stored). Pure: it reads the stored rows and the tools' declared flags, and returns a plan.
public enum ResumePlanner {
    /// - Parameters:
    ///   - stored: the session's stage rows (in any order; matched to the workflow by name).
    ///   - attempts: the session's attempt rows.
    ///   - traits: the declared flags of call `k` of stage `i` (nil when its tool is not in the registry).
    public static func plan(workflow: Workflow, session: String, status: SessionStatus, stages stored: [StageRecord],
                            attempts: [AttemptRecord], traits: (Int, Int) -> CallTraits?) -> ResumePlan {
        var records = workflow.stages.enumerated().map { StageRecord(stage: $1.name, position: $0) }
        var storedStatus: [StageStatus?] = Array(repeating: nil, count: records.count)
        for old in startingPoint(stored, status: status) {
            guard let i = workflow.stageIndex(named: old.stage) else { continue }
            records[i] = old
            records[i].position = i
            storedStatus[i] = stored.first { $0.stage == old.stage }?.status
        }
        var rowsByStage: [String: [AttemptRecord]] = [:]
        for a in attempts { rowsByStage[a.stage, default: []].append(a) }
        var plans: [ResumePlan.StagePlan?] = Array(repeating: nil, count: records.count)
        var failures: [Int: StageFailure] = [:]
        var reusable: [Int: [Int: ReusableCall]] = [:]
        var hasInterrupted = false

        for i in records.indices {
            let stage = workflow.stages[i]
            let r = records[i]
            let lastRows = (rowsByStage[stage.name] ?? []).filter { $0.attempt == r.attempts && r.attempts > 0 }
            switch r.status {
            case .running where r.isQueued:
                // Queued for a slot: no call of the attempt had started, so it runs again as that attempt.
                records[i].status = .pending
                records[i].attempts = max(0, r.attempts - 1)
                records[i].queuedAt = nil
                records[i].reason = "was queued for a slot when the host stopped; no call had started"
                plans[i] = ResumePlan.StagePlan(stage: stage.name, action: .run, why: "was queued for a slot when the run "
                                     + "stopped (no call had started); runs again as attempt \(r.attempts)", calls: [])
            case .running, .cancelled:
                let interruptedBy = r.status == .running ? "the host's death" : "a cancel"
                let calls = callPlans(stage, i, rows: lastRows, session: session, traits: traits)
                if lastRows.contains(where: { $0.status == AttemptStatus.running.rawValue }) { hasInterrupted = true }
                let attemptFailed = lastRows.contains {
                    $0.status == AttemptStatus.failed.rawValue && $0.errorClass != "cancelled"
                }
                if let blocked = calls.first(where: { $0.action == .fail }) {
                    let failure = StageFailure(errorType: "interrupted", message: "\(interruptedBy) cut short the call of "
                                               + "\(blocked.tool) (attempt \(r.attempts)), a tool that declares side effects "
                                               + "and is not idempotent, so it may have done part of its work; "
                                               + "on_interrupt is fail", retryable: false, tool: blocked.tool,
                                               hint: "check what it did, then `wfhost retry \(session) --stage \(stage.name)` "
                                               + "runs the stage again (or set `on_interrupt: retry` on the stage when a "
                                               + "repeat is harmless)")
                    failures[i] = failure
                    records[i].status = .running // the engine records the failure when the run starts
                    plans[i] = ResumePlan.StagePlan(stage: stage.name, action: .fail, why: failure.message, calls: calls)
                } else if attemptFailed {
                    // The attempt had failed (the host died during the retry delay or an error route): the retry
                    // policy decides, as it would have.
                    let policy = stage.retryPolicy ?? RetryPolicy.defaults(at: stage.location)
                    if r.attemptsInBudget >= policy.maxAttempts {
                        let failure = StageFailure(errorType: "interrupted", message: "attempt \(r.attemptsInBudget) "
                                                   + "failed before the host stopped, and no attempts are left "
                                                   + "(max_attempts \(policy.maxAttempts))", retryable: false,
                                                   hint: "`wfhost retry \(session) --stage \(stage.name)` runs it again")
                        failures[i] = failure
                        records[i].status = .running // the engine records the failure when the run starts
                        plans[i] = ResumePlan.StagePlan(stage: stage.name, action: .fail, why: failure.message, calls: [])
                    } else {
                        records[i].status = .pending
                        records[i].reason = "attempt \(r.attempts) failed before the host stopped; it is retried"
                        plans[i] = ResumePlan.StagePlan(stage: stage.name, action: .run, why: "attempt \(r.attemptsInBudget) of "
                                             + "\(policy.maxAttempts) failed before the host stopped; its retry runs "
                                             + "every call", calls: [])
                    }
                } else {
                    // Interrupted, not failed: the next attempt continues it and does not use up an attempt.
                    records[i].status = .pending
                    if r.attempts > 0 { records[i].attemptBudgetStart = (r.attemptBudgetStart ?? 0) + 1 }
                    records[i].reason = "interrupted by \(interruptedBy) during attempt \(r.attempts)"
                    var found: [Int: ReusableCall] = [:]
                    for row in lastRows where row.status == AttemptStatus.succeeded.rawValue {
                        if let k = row.callIndex, let hash = row.argumentsHash, let result = row.result {
                            found[k] = ReusableCall(attempt: row.reusedFrom ?? row.attempt, argumentsHash: hash, result: result)
                        }
                    }
                    if !found.isEmpty { reusable[i] = found }
                    let reused = calls.filter { $0.action == .reuse }.count
                    plans[i] = ResumePlan.StagePlan(stage: stage.name, action: .run,
                                         why: "\(r.status == .running ? "was interrupted" : "was cancelled") during attempt "
                                         + "\(r.attempts); runs again as attempt \(r.attempts + 1), which does not count "
                                         + "against its retry policy" + (reused > 0 ? " (\(reused) finished call(s) reused)" : ""),
                                         calls: calls)
                }
            default:
                break
            }
        }
        // Stages a stopped run left behind, and stages skipped because a dependency will now run again.
        records = reopened(records, deps: WorkflowEngine.dependencies(of: workflow))
        for i in records.indices where plans[i] == nil {
            plans[i] = stagePlan(records[i], stored: storedStatus[i], session: session, workflow: workflow)
        }
        return ResumePlan(stages: plans.compactMap { $0 }, records: records, failures: failures, reusable: reusable,
                          hasInterruptedCalls: hasInterrupted)
    }

    /// Call by call, what happens to the interrupted (or cancelled) attempt of stage `i`.
    static func callPlans(_ stage: Stage, _ i: Int, rows: [AttemptRecord], session: String,
                          traits: (Int, Int) -> CallTraits?) -> [ResumePlan.Call] {
        stage.tools.indices.map { k in
            let name = stage.tools[k].resolvedName ?? stage.tools[k].name
            guard let row = rows.first(where: { $0.callIndex == k }) else {
                return .init(index: k, tool: name, action: .run, why: "had not started; runs")
            }
            switch AttemptStatus(rawValue: row.status) {
            case .succeeded? where row.result != nil && row.argumentsHash != nil:
                let from = row.reusedFrom.map { " (it ran in attempt \($0))" } ?? ""
                return .init(index: k, tool: row.tool, action: .reuse,
                             why: "finished\(from); its result is reused when its arguments resolve as before, else it runs again")
            case .succeeded?:
                return .init(index: k, tool: row.tool, action: .run, why: "finished, but its result was not stored; runs again")
            case .running?, .interrupted?:
                guard let t = traits(i, k) else {
                    return .init(index: k, tool: row.tool, action: .run, why: "was cut short; its tool is not in the registry")
                }
                if t.safeToRepeat {
                    return .init(index: k, tool: row.tool, action: .rerun,
                                 why: "was cut short; runs again (the tool is \(t.idempotent ? "idempotent" : "without side effects"))")
                }
                if stage.onInterrupt == .retry {
                    return .init(index: k, tool: row.tool, action: .rerun,
                                 why: "was cut short; the tool has side effects and is not idempotent, and on_interrupt: retry runs it again")
                }
                return .init(index: k, tool: row.tool, action: .fail,
                             why: "was cut short; the tool has side effects and is not idempotent, and on_interrupt is fail")
            case .failed?, nil:
                return .init(index: k, tool: row.tool, action: .run,
                             why: row.errorClass == "cancelled" ? "was cancelled; runs again" : "failed; runs again")
            }
        }
    }

    static func stagePlan(_ r: StageRecord, stored: StageStatus?, session: String, workflow: Workflow) -> ResumePlan.StagePlan {
        func plan(_ action: ResumePlan.StageAction, _ why: String) -> ResumePlan.StagePlan {
            .init(stage: r.stage, action: action, why: why, calls: [])
        }
        if r.status == .pending && stored == .failed { return plan(.run, "failed; runs again with fresh attempts") }
        if r.status == .pending, let stored, stored != .pending {
            return plan(.run, "was \(stored.rawValue) when the run stopped; runs again")
        }
        switch r.status {
        case .succeeded: return plan(.keep, "succeeded; its output is kept and it is not run again")
        case .skipped: return plan(.keep, "was skipped (\(r.reason ?? "")); stays skipped")
        case .allowedFailure: return plan(.keep, "failed with allow_failure; kept as is")
        case .failed: return plan(.keep, "failed; stays failed (`wfhost retry \(session) --stage \(r.stage)` runs it again)")
        case .pending where r.attemptBudgetStart == r.attempts && r.attempts > 0:
            return plan(.run, "was reset; runs again with fresh attempts")
        case .pending: return plan(.run, "has not run; runs when its dependencies allow")
        case .running, .cancelled: return plan(.run, "runs again") // decided above; not reached
        }
    }

    /// The stages a resume starts from: for a session that failed, its failed stages run again with fresh
    /// attempts (the stages they kept from running follow, see `reopened`).
    public static func startingPoint(_ stages: [StageRecord], status: SessionStatus) -> [StageRecord] {
        guard status == .failed else { return stages }
        return stages.map { r in
            guard r.status == .failed else { return r }
            var fresh = StageRecord(stage: r.stage, position: r.position, attempts: r.attempts)
            fresh.reason = StageRecord.freshAttemptsReason
            fresh.attemptBudgetStart = r.attempts
            return fresh
        }
    }

    /// Stages a stopped run left behind become pending again (cancelled ones, ones skipped because the run
    /// stopped, and transitively skipped ones whose dependencies will now run again). Finished stages are kept.
    public static func reopened(_ stored: [StageRecord], deps: [[Int]]) -> [StageRecord] {
        var records = stored
        for i in records.indices where records[i].status == .cancelled || records[i].skippedBecauseStopped {
            records[i].status = .pending
            records[i].reason = nil
        }
        var reopened = true
        while reopened {
            reopened = false
            for i in records.indices where records[i].status == .skipped
                && deps[i].contains(where: { $0 < records.count && records[$0].status == .pending }) {
                records[i].status = .pending
                records[i].reason = nil
                reopened = true
            }
        }
        return records
    }
}
