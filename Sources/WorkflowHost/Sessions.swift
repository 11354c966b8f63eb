import Engine
import Foundation
import Isolation
import Plan
import Registry
import Schema
import Spec
import Store

/// Everything stored about one session.
public struct SessionSnapshot: Sendable {
    /// The session's row: workflow, status, times, options; `running` reported as `interrupted` when its host is
    /// gone.
    public var session: SessionRecord
    /// One row per stage of the workflow, in the workflow's order, with its status and outputs.
    public var stages: [StageRecord]
    /// Every call attempt of every stage, by start time (reused results of a resume included).
    public var attempts: [AttemptRecord]
    /// The session's checkpoints, oldest first.
    public var checkpoints: [CheckpointRecord]
    /// The lease holder looks alive (its pid exists on this host, or its heartbeat is fresh).
    public var ownerAlive: Bool
}

extension WorkflowHost {
    /// Seconds without a heartbeat after which a lease is considered stale.
    public static let leaseStaleAfter = 10.0

    func session(_ id: String, in store: SQLiteSessionStore) throws -> SessionRecord {
        guard let record = try store.session(id) else {
            throw WorkflowHostError(.invalidRequest, "no session '\(id)' in \(configuration.databasePath)",
                                 hint: "`wfhost sessions list` shows the sessions")
        }
        return record
    }

    /// Sessions, newest first; a `running` session whose host is gone is listed as `interrupted`.
    /// - Parameters:
    ///   - status: only sessions with this status (after the `interrupted` rule); nil for all.
    ///   - workflow: only sessions of this workflow name.
    /// - Returns: the sessions, newest first.
    /// - Throws: `WorkflowHostError`: `stateUnavailable` when the database cannot be read, `storedValueUnknown` for a value this version does not know.
    public func listSessions(status: SessionStatus? = nil, workflow: String? = nil) throws(WorkflowHostError) -> [SessionRecord] {
        try boundary("list the sessions") {
            let all = try sessionStore().sessions(status: nil, workflow: workflow).map { record -> SessionRecord in
                var r = record
                if r.status == .running && !Self.ownerAlive(r) { r.status = .interrupted }
                return r
            }
            return status.map { wanted in all.filter { $0.status == wanted } } ?? all
        }
    }

    /// The session's lease holder looks alive: a fresh heartbeat, and on this host a live pid.
    static func ownerAlive(_ record: SessionRecord) -> Bool {
        guard let pid = record.ownerPID else { return false }
        let age = Date().timeIntervalSince1970 - (record.heartbeatAt ?? 0)
        return age < leaseStaleAfter && (record.ownerHost != ProcessInfo.processInfo.hostName || kill(pid_t(pid), 0) == 0)
    }

    /// A session's rows; a `running` session whose host is gone is reported as `interrupted`.
    /// - Parameter id: the session id.
    /// - Returns: every stored row of the session.
    /// - Throws: `WorkflowHostError`: `invalidRequest` for an unknown session, `stateUnavailable` or `storedValueUnknown` for the database.
    public func status(of id: String) throws(WorkflowHostError) -> SessionSnapshot {
        try boundary("read session \(id)") {
            let store = try sessionStore()
            var record = try session(id, in: store)
            let alive = Self.ownerAlive(record)
            if record.status == .running && !alive { record.status = .interrupted }
            return SessionSnapshot(session: record, stages: try store.stages(of: id), attempts: try store.attempts(of: id),
                                   checkpoints: try store.checkpoints(of: id), ownerAlive: alive)
        }
    }

    /// Asks the host running `id` to pause it; a session that is not running is paused at once.
    /// - Returns: a sentence for the operator.
    /// - Parameter id: the session id.
    /// - Throws: `WorkflowHostError`: `invalidRequest` for an unknown or finished session, `stateUnavailable` for the database.
    public func pause(_ id: String) throws(WorkflowHostError) -> String {
        try boundary("pause session \(id)") {
            let store = try sessionStore()
            let snapshot = try status(of: id)
            switch snapshot.session.status {
            case .running:
                try store.setRequest(id, .pause)
                return "pause requested: the host running session \(id) starts no new stage, lets running calls finish, then exits; `wfhost resume \(id)` continues"
            case .pending, .interrupted:
                try store.updateSession(id, status: .paused, error: nil)
                return "session \(id) paused; `wfhost resume \(id)` continues it"
            case .paused:
                return "session \(id) is already paused"
            case .succeeded, .failed, .cancelled:
                throw WorkflowHostError(.invalidRequest, "session \(id) has finished (\(snapshot.session.status.rawValue)); there is nothing to pause")
            }
        }
    }

    /// Cancels `id`: the host running it cancels its calls (workers end after the grace time); a session that
    /// is not running is marked cancelled at once.
    /// - Parameter id: the session id.
    /// - Returns: a sentence for the operator.
    /// - Throws: `WorkflowHostError`: `invalidRequest` for an unknown or finished session, `stateUnavailable` for the database.
    public func cancel(_ id: String) throws(WorkflowHostError) -> String {
        try boundary("cancel session \(id)") {
            let store = try sessionStore()
            let snapshot = try status(of: id)
            switch snapshot.session.status {
            case .running:
                try store.setRequest(id, .cancel)
                return "cancel requested: the host running session \(id) cancels its running calls and stops"
            case .pending, .paused, .interrupted:
                try store.updateSession(id, status: .cancelled, error: "cancelled by an operator (wfhost cancel)")
                return "session \(id) cancelled"
            case .succeeded, .failed, .cancelled:
                throw WorkflowHostError(.invalidRequest, "session \(id) has finished (\(snapshot.session.status.rawValue)); there is nothing to cancel")
            }
        }
    }

    /// What resuming `id` would do with each stage and each call of an interrupted one, and why: the plan the
    /// engine applies (`ResumePlanner`), so that the explanation and the resume cannot differ.
    /// - Parameter id: the session id.
    /// - Returns: the plan, stage by stage and call by call.
    /// - Throws: `WorkflowHostError`: `invalidRequest` for an unknown session or a stored workflow that no longer validates, a host code for the database or registry.
    public func explainResume(_ id: String) throws(WorkflowHostError) -> ResumePlan {
        try boundary("plan the resume of session \(id)") {
            let store = try sessionStore()
            let record = try session(id, in: store)
            let snapshot = try refreshedRegistry() // one refresh: it stats every plugin file on the path
            let workflow = try storedWorkflow(record, snapshot: snapshot)
            return try WorkflowEngine.planResume(workflow: workflow, session: id, status: record.status, store: store,
                                                 snapshot: snapshot)
        }
    }

    /// The workflow stored with `session`, validated with the variables and secrets the session was run with
    /// (their names; a `--var` or `--secret` reference is defined).
    /// - Parameter snapshot: the registry to resolve tool names against (their calls' flags matter to resume).
    func storedWorkflow(_ session: SessionRecord, snapshot: RegistrySnapshot? = nil) throws -> Workflow {
        var external = Set(RunOptionsCodec.secretNames(session.options))
        if let vars = (try? JSONValue.parse(session.variables))?.objectValue { // written by prepareRun
            external.formUnion(vars.members.map(\.key))
        }
        let report = snapshot.map {
            validateWorkflow(text: session.workflowText, file: session.workflowFile, externalVariables: external, snapshot: $0)
        } ?? WorkflowValidator.validate(text: session.workflowText, file: session.workflowFile,
                                        options: LoadOptions(externalVariables: external))
        guard let workflow = report.workflow, report.isValid else {
            throw WorkflowHostError(.invalidRequest, "the workflow stored with session \(session.id) no longer validates:\n"
                                 + report.diagnostics.map(\.textDescription).joined(separator: "\n"))
        }
        return workflow
    }

    /// Prepares the engine that continues `id`: takes the session's lease, keeps finished stages, and treats a
    /// stage that was running as interrupted (its retry policy decides).
    /// - Parameters:
    ///   - id: the session's id (`wfhost sessions list`).
    ///   - options: new `--var` values and the session's secrets (which are never stored).
    ///   - sink: receives the continued run's events.
    /// - Returns: the prepared run; ``PreparedRun/run()`` continues the session.
    /// - Throws: `WorkflowHostError`: `invalidRequest` (unknown or succeeded session, a live owner, missing secrets), `workflowInvalid` (the stored workflow no longer validates against the registry), a host code for the environment.
    public func prepareResume(_ id: String, options: RunOptions, sink: any RunEventSink) throws(WorkflowHostError) -> PreparedRun {
        try boundary("prepare the resume of session \(id)") {
            let store = try sessionStore()
            let record = try session(id, in: store)
            switch record.status {
            case .succeeded:
                throw WorkflowHostError(.invalidRequest, "session \(id) already succeeded; there is nothing to resume")
            default:
                break
            }
            let missing = RunOptionsCodec.secretNames(record.options).filter { options.secrets[$0] == nil }
            if !missing.isEmpty {
                throw WorkflowHostError(.invalidRequest, "session \(id) was run with the secret(s) \(missing.joined(separator: ", ")), which are never stored",
                                     hint: "pass them again from the environment: " + missing.map { "--secret \($0)" }.joined(separator: " ")
                                         + " reads the variables of those names (or give them in a --secret-file FILE)")
            }
            switch try store.acquireLease(id, pid: Int(getpid()), host: ProcessInfo.processInfo.hostName,
                                          staleAfter: Self.leaseStaleAfter) {
            case .heldBy(let pid, let host, let age):
                throw WorkflowHostError(.invalidRequest, "session \(id) is being run by process \(pid) on \(host) (last heartbeat \(Int(age))s ago)",
                                     hint: "wait for it to finish, or stop it with `wfhost pause \(id)` or `wfhost cancel \(id)`")
            case .tookOver(let pid, let host):
                sink.emit(.notice("took over session \(id) from process \(pid) on \(host), which stopped sending heartbeats"))
            case .acquired:
                break
            }
            let snapshot = try refreshedRegistry()
            var stored = RunOptionsCodec.decode(record.options, onto: options)
            if let vars = (try? JSONValue.parse(record.variables))?.objectValue { // written by prepareRun
                for (k, v) in vars where options.variables[k] == nil { stored.variables[k] = v }
            }
            stored.environment = configuration.environment
            let report = validateWorkflow(text: record.workflowText, file: record.workflowFile,
                                          externalVariables: Set(stored.variables.keys).union(stored.secrets.keys),
                                          snapshot: snapshot, secrets: stored.secrets)
            guard report.isValid, let workflow = report.workflow else { throw WorkflowHostError(workflowInvalid: report) }
            let runSnapshot = adding(servers: workflow.toolServers, to: snapshot, secrets: stored.secrets)
            // Routes added through the API when the session started are stored with it: resume keeps them.
            let apiRoutes = try RunOptionsCodec.routes(record.options)
            try Self.checkAddedRoutes(apiRoutes, of: workflow, report: report)
            let plan = try WorkflowEngine.planResume(workflow: workflow, session: id, status: record.status, store: store,
                                                     snapshot: snapshot)
            let needed = WorkflowEngine.secretsNeeded(plan, workflow: workflow, options: stored)
            if !needed.isEmpty {
                try? store.releaseLease(id, pid: Int(getpid())) // nothing ran; the next resume takes it again
                throw WorkflowHostError(.invalidRequest, "session \(id) cannot resume without the secret(s) "
                                     + needed.map { "'\($0.secret)' (in the output of stage '\($0.stage)')" }.joined(separator: ", ")
                                     + ": downstream stages need their values, which are never stored",
                                     hint: "pass them again: " + needed.map { "--secret \($0.secret)" }.joined(separator: " "))
            }
            let executor = try makeExecutor { sink.emit(.notice($0)) }
            let workDirectory = try sessionWorkDirectory(id, stored: record.workDirectory, notice: { sink.emit(.notice($0)) })
            if record.workDirectory == nil { try store.setWorkDirectory(id, workDirectory) }
            try store.setRequest(id, nil)
            let engine = WorkflowEngine(workflow: workflow, session: id, store: store,
                                        runner: ToolRunner(snapshot: runSnapshot, executor: executor), options: stored,
                                        sink: sink, workDirectory: workDirectory, resume: plan, extraRoutes: apiRoutes)
            return PreparedRun(session: id, workflow: workflow, report: report, engine: engine, executor: executor,
                               workDirectory: workDirectory)
        }
    }

    /// Sets `stage` (and with `downstream`, every stage after it) back to pending with no attempts used, so
    /// that the next resume runs it again even if its retries were used up. Stages that succeeded elsewhere stay.
    /// - Parameters:
    ///   - id: the session id.
    ///   - stage: the stage to run again.
    ///   - downstream: also every stage that depends on it, transitively.
    /// - Returns: the stages reset, in workflow order.
    /// - Throws: `WorkflowHostError`: `invalidRequest` for an unknown session or stage or a running session, `stateUnavailable` for the database.
    public func resetStage(_ id: String, stage: String, downstream: Bool) throws(WorkflowHostError) -> [String] {
        try boundary("reset stage '\(stage)' of session \(id)") {
            let store = try sessionStore()
            let record = try session(id, in: store)
            if record.status == .running, Self.ownerAlive(record) {
                throw WorkflowHostError(.invalidRequest, "session \(id) is running", hint: "pause it first: `wfhost pause \(id)`")
            }
            let workflow = try storedWorkflow(record)
            guard let index = workflow.stageIndex(named: stage) else {
                let names = workflow.stages.map(\.name)
                throw WorkflowHostError(.invalidRequest, "session \(id) has no stage '\(stage)'",
                                     hint: Suggestions.hint(for: stage, among: names) ?? "its stages: \(names.joined(separator: ", "))")
            }
            var targets: Set<Int> = [index]
            if downstream {
                var changed = true
                while changed {
                    changed = false
                    for (i, s) in workflow.stages.enumerated() where !targets.contains(i) {
                        if s.dependsOn.contains(where: { workflow.stageIndex(named: $0.name).map(targets.contains) ?? false }) {
                            targets.insert(i)
                            changed = true
                        }
                    }
                }
            }
            let stages = try store.stages(of: id).map { r -> StageRecord in
                guard let i = workflow.stageIndex(named: r.stage), targets.contains(i) else { return r }
                var fresh = StageRecord(stage: r.stage, position: r.position, attempts: r.attempts)
                fresh.reason = StageRecord.freshAttemptsReason
                fresh.attemptBudgetStart = r.attempts
                return fresh
            }
            try store.resetStages(id, stages, status: .paused)
            return targets.sorted().map { workflow.stages[$0].name }
        }
    }

    /// Saves the session's stages as a named checkpoint.
    /// - Parameters:
    ///   - id: the session id.
    ///   - name: the checkpoint's name.
    ///   - description: a sentence for people, or nil.
    /// - Returns: the stored checkpoint.
    /// - Throws: `WorkflowHostError`: `invalidRequest` for an unknown session, `stateUnavailable` for the database.
    public func createCheckpoint(_ id: String, name: String, description: String?) throws(WorkflowHostError) -> CheckpointRecord {
        try boundary("create a checkpoint of session \(id)") {
            let store = try sessionStore()
            _ = try session(id, in: store)
            return try store.createCheckpoint(id, name: name, description: description, automatic: false)
        }
    }

    /// The session's checkpoints, oldest first.
    /// - Parameter id: the session id.
    /// - Returns: its checkpoints.
    /// - Throws: `WorkflowHostError`: `invalidRequest` for an unknown session, `stateUnavailable` for the database.
    public func checkpoints(_ id: String) throws(WorkflowHostError) -> [CheckpointRecord] {
        try boundary("read the checkpoints of session \(id)") {
            let store = try sessionStore()
            _ = try session(id, in: store)
            return try store.checkpoints(of: id)
        }
    }

    /// Sets the session back to a checkpoint (by id or name); `resume` then continues from there.
    /// - Parameters:
    ///   - id: the session id.
    ///   - checkpoint: a checkpoint's id or name (the latest of that name).
    /// - Returns: the restored checkpoint.
    /// - Throws: `WorkflowHostError`: `invalidRequest` for an unknown session or checkpoint or a running session, `stateUnavailable` for the database.
    public func restoreCheckpoint(_ id: String, checkpoint: String) throws(WorkflowHostError) -> CheckpointRecord {
        try boundary("restore a checkpoint of session \(id)") {
            let store = try sessionStore()
            let record = try session(id, in: store)
            if record.status == .running, Self.ownerAlive(record) {
                throw WorkflowHostError(.invalidRequest, "session \(id) is running", hint: "pause it first: `wfhost pause \(id)`")
            }
            let all = try store.checkpoints(of: id)
            guard let match = all.last(where: { String($0.id) == checkpoint || $0.name == checkpoint }) else {
                throw WorkflowHostError(.invalidRequest, "session \(id) has no checkpoint '\(checkpoint)'",
                                     hint: all.isEmpty ? "it has no checkpoints; `wfhost checkpoint create \(id) --name NAME` makes one"
                                                       : "its checkpoints: " + all.map { "\($0.id) (\($0.name))" }.joined(separator: ", "))
            }
            guard let restored = try store.restoreCheckpoint(id, id: match.id) else {
                throw WorkflowHostError(.invalidRequest, "checkpoint '\(checkpoint)' disappeared while restoring")
            }
            return restored
        }
    }
}
