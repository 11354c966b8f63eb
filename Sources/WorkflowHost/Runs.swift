import Engine
import Foundation
import Isolation
import Plan
import Registry
import Schema
import Spec
import Store

/// A session prepared to run: created in the store with its validated workflow, its engine and workers ready;
/// nothing has run yet. `run()` runs it; `pause`/`cancel` stop it. ``RunHandle`` wraps one with its events.
///
/// ```swift
/// let prepared = try host.prepareRun(file: "examples/hello.yaml", options: RunOptions(), sink: EventRecorder())
/// print("session \(prepared.session)")
/// let result = await prepared.run()
/// ```
public struct PreparedRun: Sendable {
    /// The session id (`wfhost status ID`, `wfhost resume ID`).
    public var session: String
    /// The validated workflow.
    public var workflow: Workflow
    /// Its validation report (warnings, where each argument comes from).
    public var report: ValidationReport
    /// The session's one work directory (tools' files live under it).
    public var workDirectory: String
    let engine: WorkflowEngine
    let executor: CallExecutor

    init(session: String, workflow: Workflow, report: ValidationReport, engine: WorkflowEngine, executor: CallExecutor,
         workDirectory: String) {
        self.session = session
        self.workflow = workflow
        self.report = report
        self.engine = engine
        self.executor = executor
        self.workDirectory = workDirectory
    }

    /// The secrets the run masks: `--secret` values and the workflow's `!secret` variables.
    public var secrets: Secrets { engine.secrets }

    /// Runs the session to its end, then stops the workers it kept (pooled and forked isolation).
    /// - Returns: how the run ended: every stage's record and the outputs.
    public func run() async -> RunResult {
        let result = await engine.run()
        executor.shutdownAll()
        return result
    }

    /// Asks the run to stop: running calls get their cancellation request, then SIGKILL after the grace time, and
    /// no new stage starts. The session ends `cancelled`.
    public func cancel(reason: String) async {
        await engine.cancel(reason: reason)
    }

    /// Asks the run to pause: no new stage starts, running calls finish, and the session ends `paused`
    /// (`resume` continues it).
    public func pause(reason: String) async {
        await engine.pause(reason: reason)
    }
}

extension WorkflowHost {
    /// The session store in the state database.
    func sessionStore() throws(WorkflowHostError) -> SQLiteSessionStore {
        let db = try openDatabase()
        do {
            return try SQLiteSessionStore(database: db)
        } catch {
            throw WorkflowHostError(.stateUnavailable, "cannot prepare the session tables in \(configuration.databasePath): \(error)")
        }
    }

    /// Loads and validates a workflow document against the registry (tool names, argument schemas); nothing is
    /// read from disk and nothing throws: problems are the report's diagnostics.
    ///
    /// ```swift
    /// let report = host.validateWorkflow(text: yaml, file: "inline.yaml", externalVariables: [],
    ///                                    snapshot: try host.refreshedRegistry())
    /// ```
    /// - Parameters:
    ///   - text: the workflow's YAML.
    ///   - file: the name diagnostics give it.
    ///   - externalVariables: names given from outside (`--var`, `--secret`); references to them are defined.
    ///   - snapshot: the registry to check tool names and arguments against.
    ///   - secrets: the run's secrets, for the workflow's own tool servers.
    /// - Returns: the report: diagnostics, and the workflow and plan when it is valid.
    public func validateWorkflow(text: String, file: String, externalVariables: Set<String>,
                                 snapshot: RegistrySnapshot, secrets: [String: String] = [:]) -> ValidationReport {
        let options = LoadOptions(externalVariables: externalVariables,
                                  catalog: RegistryCatalog(snapshot: snapshot, host: self, secrets: secrets))
        return WorkflowValidator.validate(text: text, file: file, options: options)
    }

    /// The text of a workflow file.
    /// - Parameter file: the file's path.
    /// - Returns: its text.
    /// - Throws: `WorkflowHostError` with code `fileUnreadable` (exit code 2) and the file as its `location` when
    ///   the file does not exist, is a directory, cannot be read or is not UTF-8 text.
    public static func readWorkflowFile(_ file: String) throws(WorkflowHostError) -> String {
        func unreadable(_ message: String, hint: String) -> WorkflowHostError {
            WorkflowHostError(.fileUnreadable, message, hint: hint, location: file)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw unreadable("no workflow file '\(file)'",
                             hint: "check the path, or `wfhost workflows list` for the predefined workflows")
        }
        if isDirectory.boolValue {
            throw unreadable("'\(file)' is a directory, not a workflow file", hint: "name a .yaml file")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw unreadable("cannot read the workflow file '\(file)'", hint: "check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw unreadable("the workflow file '\(file)' is not UTF-8 text",
                             hint: "`wfhost validate \(file)` shows where the first bad byte is")
        }
        return text
    }

    /// A new session id: sortable by time, unique across hosts.
    public static func newSessionID() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date()) + "-" + UUID().uuidString.prefix(6).lowercased()
    }

    /// Validates the workflow file, creates its session in the store and builds the engine; nothing runs yet.
    /// - Throws: `WorkflowHostError` (`workflowInvalid`) for a file with errors, `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) for the environment.
    public func prepareRun(file: String, options: RunOptions, sink: any RunEventSink,
                           extraRoutes: [ErrorRoute] = []) throws(WorkflowHostError) -> PreparedRun {
        try prepareRun(text: try Self.readWorkflowFile(file), file: file, options: options, sink: sink,
                       extraRoutes: extraRoutes)
    }

    /// `prepareRun(file:...)` for a workflow document held in memory; `file` names it in diagnostics and in the
    /// session (resume reads the text the session stored, never the file).
    /// - Throws: `WorkflowHostError` (`workflowInvalid`) for a document with errors, `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) for the environment.
    func prepareRun(text: String, file: String, options: RunOptions, sink: any RunEventSink,
                    extraRoutes: [ErrorRoute]) throws(WorkflowHostError) -> PreparedRun {
        let snapshot = try refreshedRegistry()
        let report = validateWorkflow(text: text, file: file,
                                      externalVariables: Set(options.variables.keys).union(options.secrets.keys),
                                      snapshot: snapshot, secrets: options.secrets)
        guard report.isValid, let workflow = report.workflow else { throw WorkflowHostError(workflowInvalid: report) }
        let runSnapshot = adding(servers: workflow.toolServers, to: snapshot, secrets: options.secrets)
        try Self.checkAddedRoutes(extraRoutes, of: workflow, report: report)
        let store = try sessionStore()
        let session = Self.newSessionID()
        let workDirectory = try sessionWorkDirectory(session, stored: nil, notice: { sink.emit(.notice($0)) })
        let tagged = Self.taggedSecrets(workflow)
        let secrets = Secrets(Array(options.secrets.values) + tagged.map(\.value))
        let variables = JSONValue.object(JSONObject(options.variables.sorted { $0.key < $1.key }.map { ($0.key, secrets.mask($0.value)) }))
        let record = SessionRecord(
            id: session, workflowName: workflow.metadata.name, workflowFile: file,
            workflowText: Self.maskedWorkflowText(text, file: file, secrets: secrets), status: .pending,
            variables: variables.serialized(),
            options: RunOptionsCodec.encode(options, secretNames: tagged.map(\.name), routes: extraRoutes),
            createdAt: Date().timeIntervalSince1970,
            ownerPID: Int(getpid()), ownerHost: ProcessInfo.processInfo.hostName,
            heartbeatAt: Date().timeIntervalSince1970, workDirectory: workDirectory)
        let stages = workflow.stages.enumerated().map { StageRecord(stage: $1.name, position: $0) }
        do {
            try store.createSession(record, stages: stages)
        } catch {
            throw WorkflowHostError(.stateUnavailable, "cannot record the session in \(configuration.databasePath): \(error)",
                            hint: "free space on the state directory's file system or fix its permissions "
                                + "(--state-dir or WFHOST_STATE_DIR chooses another)")
        }
        let executor = try makeExecutor { sink.emit(.notice($0)) }
        var runOptions = options
        runOptions.environment = configuration.environment
        let engine = WorkflowEngine(workflow: workflow, session: session, store: store,
                                    runner: ToolRunner(snapshot: runSnapshot, executor: executor), options: runOptions,
                                    sink: sink, workDirectory: workDirectory, resume: nil, extraRoutes: extraRoutes)
        return PreparedRun(session: session, workflow: workflow, report: report, engine: engine, executor: executor,
                           workDirectory: workDirectory)
    }
}

extension WorkflowHost {
    /// Checks error routes added through the API (`CustomErrorRoute`) as `validate` checks a file's: targets
    /// that exist, `error_type` values that name a failure class, and no redirect or on_failure loop, together
    /// with the file's own routes.
    /// - Throws: `WorkflowHostError` (`workflowInvalid`) with every problem (exit code 2 in the CLI).
    static func checkAddedRoutes(_ routes: [ErrorRoute], of workflow: Workflow, report: ValidationReport) throws(WorkflowHostError) {
        guard !routes.isEmpty else { return }
        let all = (routes + workflow.errorPolicy.routes).sorted { $0.priority > $1.priority }
        let problems = RouteChecks.check(workflow, routes: all)
        guard problems.isEmpty else {
            var invalid = report
            invalid.diagnostics = problems
            throw WorkflowHostError(workflowInvalid: invalid)
        }
    }

    /// The work directory of session `id`: `STATE/work/session-ID`, one for the session's whole life (run,
    /// pause, resume, `retry --stage`, checkpoint restore); `cleanup` removes it with the session.
    public func workDirectoryPath(ofSession id: String) -> String {
        configuration.stateDirectory + "/work/session-\(id)"
    }

    /// The session's work directory, created when it does not exist.
    /// - Parameters:
    ///   - stored: the directory stored with the session (nil for a new session, or one stored before the
    ///     directory was kept).
    ///   - notice: told when a directory the session had is gone and an empty one takes its place.
    /// - Throws: `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) when it cannot be created.
    func sessionWorkDirectory(_ id: String, stored: String?, notice: (String) -> Void) throws(WorkflowHostError) -> String {
        let dir = stored ?? workDirectoryPath(ofSession: id)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue { return dir }
        if stored != nil {
            notice("the work directory of session \(id), \(dir), is gone; the session continues in an empty one there")
        }
        if let failure = Directories.create(dir) {
            throw WorkflowHostError(.environment, "cannot create the work directory \(dir): \(failure)",
                            hint: "check that the state directory is writable (--state-dir)")
        }
        return dir
    }

    /// The workflow's variables tagged `!secret` that hold a string (the engine masks those).
    static func taggedSecrets(_ workflow: Workflow) -> [(name: String, value: String)] {
        workflow.variables.compactMap { v in
            guard v.isSecret, case .string(let s) = v.value.kind, !s.isEmpty else { return nil }
            return (v.name, s)
        }
    }

    /// The workflow text as stored with the session: each node tagged `!secret` becomes `!secret '***'` on the
    /// parsed tree, whatever its style (plain, quoted, multi-line, a `|` or `>` block scalar), so the text still
    /// loads; then any other occurrence of a secret value becomes `***`. Resume asks for the tagged variables
    /// again with `--secret NAME`, as for `--secret` values.
    static func maskedWorkflowText(_ text: String, file: String = "workflow", secrets: Secrets) -> String {
        secrets.mask(SecretMasking.maskTaggedValues(in: text, file: file))
    }
}

/// The run options kept with a session (so that resume runs with the same ones). Secrets are never stored.
public enum RunOptionsCodec {
    /// - Parameters:
    ///   - o: the options to keep.
    ///   - secretNames: names of the workflow's `!secret` variables, asked for again on resume like the
    ///     `--secret` names.
    ///   - routes: error routes added through the API (`CustomErrorRoute`), kept so that resume keeps them.
    public static func encode(_ o: RunOptions, secretNames: [String] = [], routes: [ErrorRoute] = []) -> String {
        var object: JSONObject = [
            "default_isolation": .string(o.defaultIsolation.rawValue), "sandbox": .bool(o.sandbox), "strict_sandbox": .bool(o.strictSandbox),
            "memory_mb": .int(Int64(o.limits.memoryMB)), "checkpoint_every_stage": .bool(o.checkpointEveryStage),
            "secret_names": .array(Set(o.secrets.keys).union(secretNames).sorted().map(JSONValue.string)),
        ]
        if let c = o.maxConcurrency { object["max_concurrency"] = .int(Int64(c)) }
        if let i = o.isolation { object["isolation"] = .string(i.rawValue) }
        if !routes.isEmpty { object["api_routes"] = .array(routes.map(encode)) }
        return JSONValue.object(object).serialized()
    }

    static func encode(_ route: ErrorRoute) -> JSONValue {
        var o: JSONObject = [
            "id": .string(route.id), "priority": .int(Int64(route.priority)), "action": .string(route.action.rawValue),
            "when": .array(route.conditions.map { c in
                .object(["field": .string(c.key), "operator": .string(c.op.rawValue), "value": c.value?.jsonValue ?? .null])
            }),
        ]
        if let target = route.redirectTo { o["redirect_to"] = .string(target.name) }
        if let name = route.name { o["name"] = .string(name) }
        return .object(o)
    }

    /// The error routes added through the API when the session was started.
    /// - Throws: `WorkflowHostError` (`invalidRequest`) when a stored route no longer reads (a field or action this version lacks).
    public static func routes(_ text: String) throws(WorkflowHostError) -> [ErrorRoute] {
        guard let stored = (try? JSONValue.parse(text))?["api_routes"]?.arrayValue else { return [] } // none kept
        var routes: [ErrorRoute] = []
        for r in stored {
            let id = r["id"]?.stringValue ?? "?"
            guard let action = r["action"]?.stringValue.flatMap(RouteAction.init(rawValue:)) else {
                throw WorkflowHostError(.invalidRequest, "the session's API error route '\(id)' has an action this version of wfhost "
                                     + "does not know: \(r["action"].map { "\($0)" } ?? "none")")
            }
            var tests: [CustomErrorRoute.Test] = []
            for t in r["when"]?.arrayValue ?? [] {
                guard let field = t["field"]?.stringValue.flatMap(ErrorField.init(rawValue:)),
                      let op = t["operator"]?.stringValue.flatMap(ConditionOperator.init(rawValue:)) else {
                    throw WorkflowHostError(.invalidRequest, "the session's API error route '\(id)' tests a field or operator this version "
                                         + "of wfhost does not know: \(t)")
                }
                tests.append(.init(field, op, t["value"].flatMap { $0 == .null ? nil : $0 }))
            }
            // A route added for one stage (`addCustomErrorRoute`) was stored with its `stage equals STAGE` test first.
            routes.append(CustomErrorRoute(id: id, name: r["name"]?.stringValue, priority: r["priority"]?.intValue ?? 0,
                                           when: tests, action: action,
                                           redirectTo: r["redirect_to"]?.stringValue).errorRoute)
        }
        return routes
    }

    /// Restores what `encode` kept onto `base`.
    public static func decode(_ text: String, onto base: RunOptions) -> RunOptions {
        var o = base
        guard let json = try? JSONValue.parse(text) else { return o } // options we wrote ourselves; unreadable means defaults
        if let c = json["max_concurrency"]?.intValue { o.maxConcurrency = c }
        if let i = json["isolation"]?.stringValue.flatMap(IsolationMode.init(rawValue:)) { o.isolation = i }
        if let i = json["default_isolation"]?.stringValue.flatMap(IsolationMode.init(rawValue:)) { o.defaultIsolation = i }
        if let s = json["sandbox"]?.boolValue { o.sandbox = s }
        if let s = json["strict_sandbox"]?.boolValue { o.strictSandbox = s }
        if let m = json["memory_mb"]?.intValue { o.limits.memoryMB = m }
        if let c = json["checkpoint_every_stage"]?.boolValue { o.checkpointEveryStage = c }
        return o
    }

    /// Names of secrets the session was run with (their values must be given again to resume).
    public static func secretNames(_ text: String) -> [String] {
        (try? JSONValue.parse(text))?["secret_names"]?.arrayValue?.compactMap(\.stringValue) ?? [] // as above
    }
}
