import Engine
import Foundation
import Isolation
import Plan
import Registry
import Schema
import Spec
import Store

/// An error route added in code, the Swift API's form of `error_policy.routes`.
///
/// ```swift
/// let route = CustomErrorRoute(id: "docker-build", priority: 100,
///                              when: [.init(.code, .equals, "build_error")],
///                              action: .redirect, redirectTo: "validate_dockerfile")
/// ```
///
/// A route with a `stage` applies to failures of that stage only: the design's
/// `AddCustomErrorRoute("build_stage", rule)` is `routes.addCustomErrorRoute("build_stage", rule)` on the array
/// passed to `start`/`execute`. The stage is checked when the run starts (an unknown one is `WorkflowHostError` (`workflowInvalid`)
/// with a did-you-mean) and kept with the session, so `resume` follows the route as well.
public struct CustomErrorRoute: Sendable {
    /// One test of an error field.
    public struct Test: Sendable {
        /// The field of the failure tested (`error_type`, `code`, `message`, ...).
        public var field: ErrorField
        /// How the field is compared with ``value``.
        public var op: ConditionOperator
        /// What the field is compared with; nil for operators that take none (`exists`).
        public var value: JSONValue?
        /// A test of `field` with `op` against `value`.
        /// - Parameters:
        ///   - field: the error field tested (`error_type`, `code`, `message`, ...).
        ///   - op: the operator.
        ///   - value: what it is compared with; nil for operators that take none (`exists`).
        public init(_ field: ErrorField, _ op: ConditionOperator, _ value: JSONValue? = nil) {
            self.field = field
            self.op = op
            self.value = value
        }
    }

    /// The route's id, unique among the run's routes; diagnostics name the route `<api route 'ID'>`.
    public var id: String
    /// A name for people (the design's `Name`); kept with the session.
    public var name: String?
    /// The order in which routes are tried, highest first; at equal priority a route added in code goes before
    /// the file's. 0 by default.
    public var priority: Int
    /// The tests a failure must all pass for the route to apply (with ``stage``, when it is set).
    public var when: [Test]
    /// What to do with a failure the route matches: retry, redirect, skip or fail.
    public var action: RouteAction
    /// For `.redirect`: the recovery stage to run before the failed stage is retried once more.
    public var redirectTo: String?
    /// The stage whose failures the route handles; nil for every stage. In the engine's form it is the route's
    /// first condition, `stage equals STAGE`.
    public var stage: String?

    /// A route; see the type's description. Nothing is checked until the run starts.
    /// - Parameters:
    ///   - id: the route's id, in diagnostics as `<api route 'ID'>`.
    ///   - name: a name for people; nil for none.
    ///   - priority: the order among the run's routes, highest first.
    ///   - when: every test must match.
    ///   - action: what to do with a matching failure.
    ///   - redirectTo: the recovery stage of `.redirect`.
    ///   - stage: only this stage's failures; nil for every stage.
    public init(id: String, name: String? = nil, priority: Int = 0, when: [Test], action: RouteAction,
                redirectTo: String? = nil, stage: String? = nil) {
        self.id = id
        self.name = name
        self.priority = priority
        self.when = when
        self.action = action
        self.redirectTo = redirectTo
        self.stage = stage
    }

    /// Where diagnostics about a route added in code point: `<api route 'ID'>:0:0`.
    static func location(of id: String) -> SourceLocation {
        SourceLocation(file: "<api route '\(id)'>", line: 0, column: 0)
    }

    /// The route in the engine's form.
    public var errorRoute: ErrorRoute {
        let here = Self.location(of: id)
        func spec(_ v: JSONValue) -> SpecValue {
            switch v {
            case .null: return SpecValue(.null, at: here)
            case .bool(let b): return SpecValue(.bool(b), at: here)
            case .int(let i): return SpecValue(.int(Int(i)), at: here)
            case .uint(let u): return SpecValue(.double(Double(u)), at: here)
            case .double(let d): return SpecValue(.double(d), at: here)
            case .string(let s): return SpecValue(.string(s), at: here)
            case .array(let a): return SpecValue(.list(a.map(spec)), at: here)
            case .object(let o):
                return SpecValue(.map(o.members.map { SpecValue.Entry(key: $0.key, keyLocation: here, value: spec($0.value)) }), at: here)
            }
        }
        let scope = stage.map { [Condition(key: ErrorField.stage.rawValue, op: .equals, value: SpecValue(.string($0), at: here),
                                           location: here)] } ?? []
        return ErrorRoute(id: id, name: name, priority: priority,
                          conditions: scope + when.map { Condition(key: $0.field.rawValue, op: $0.op, value: $0.value.map(spec), location: here) },
                          action: action, redirectTo: redirectTo.map { NameReference(name: $0, location: here) },
                          retryPolicy: nil, location: here)
    }
}

extension Array where Element == CustomErrorRoute {
    /// Adds `rule` for failures of stage `stage` only (the design's `AddCustomErrorRoute(stageName, rule)`);
    /// a `stage` the rule already had is replaced.
    /// - Parameters:
    ///   - stage: the name of the stage whose failures `rule` handles.
    ///   - rule: the route; it is appended to the array with its ``CustomErrorRoute/stage`` set to `stage`.
    ///
    /// ```swift
    /// var routes: [CustomErrorRoute] = []
    /// routes.addCustomErrorRoute("build", CustomErrorRoute(
    ///     id: "build_error_redirect", name: "Build Error Redirect", priority: 100,
    ///     when: [.init(.errorType, .contains, "build_error")], action: .redirect, redirectTo: "validate_dockerfile"))
    /// let result = try await host.execute(workflow: "pipeline.yaml", routes: routes)
    /// ```
    /// Nothing is checked here: the workflow is not known yet. `start`/`execute` check the stage and the route
    /// (`WorkflowHostError` (`workflowInvalid`) naming `<api route 'ID'>` and, for an unknown stage, the closest stage name).
    public mutating func addCustomErrorRoute(_ stage: String, _ rule: CustomErrorRoute) {
        var scoped = rule
        scoped.stage = stage
        append(scoped)
    }
}

extension WorkflowHost {
    /// The folder of predefined workflows: `share/wfhost/workflows` in the install tree, or the `workflows`
    /// folder of the source tree when wfhost runs from a build folder.
    public static var predefinedWorkflowsDirectory: String? {
        guard let exe = WorkerLocator.executableDirectory() else { return nil }
        var candidates = [exe + "/../share/wfhost/workflows"]
        var dir = URL(fileURLWithPath: exe)
        for _ in 0..<5 {
            dir.deleteLastPathComponent()
            candidates.append(dir.path + "/workflows")
            if FileManager.default.fileExists(atPath: dir.path + "/Package.swift") { break }
        }
        return candidates.first { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }.map { URL(fileURLWithPath: $0).standardized.path }
    }

    /// The names of the predefined workflows in `directory` (their file names without `.yaml`), sorted.
    /// - Parameter directory: the folder to list, usually ``predefinedWorkflowsDirectory``.
    /// - Returns: the names, sorted; empty when the folder cannot be read.
    public static func predefinedWorkflowNames(in directory: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] // unreadable: none listed
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The file a workflow argument names: itself when it exists, else the predefined workflow of that name,
    /// else the argument unchanged (reading it then reports the missing file).
    /// - Parameter fileOrName: a path, or the bare name of a predefined workflow (`development-workflow`).
    public static func workflowPath(_ fileOrName: String) -> String {
        if FileManager.default.fileExists(atPath: fileOrName) { return fileOrName }
        guard !fileOrName.contains("/"), let dir = predefinedWorkflowsDirectory,
              predefinedWorkflowNames(in: dir).contains(fileOrName) else { return fileOrName }
        return "\(dir)/\(fileOrName).yaml"
    }

    /// Runs a predefined or file workflow to its end (the seed's "execute workflow"); `start` gives a handle
    /// with its events, pause and cancel.
    ///
    /// ```swift
    /// let result = try await host.execute(workflow: "examples/hello.yaml")
    /// print(result.status.rawValue)
    /// ```
    /// - Parameters:
    ///   - workflow: a file path, or the name of a predefined workflow.
    ///   - options: variables, secrets, concurrency, isolation and the other settings of the run.
    ///   - routes: error routes added in code; they win over the file's at equal priority.
    ///   - sink: where the run's events go while it runs.
    /// - Returns: how the run ended, with every stage's record and the outputs. Cancelling the calling Task
    ///   cancels the run: running calls get their cancellation request, then SIGKILL after the grace time.
    /// - Throws: `WorkflowHostError` (`invalidRequest`) (the file cannot be read), `WorkflowHostError` (`workflowInvalid`) (it has errors), `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...)
    ///   (environment).
    public func execute(workflow: String, options: RunOptions = RunOptions(), routes: [CustomErrorRoute] = [],
                        sink: any RunEventSink = EventRecorder()) async throws(WorkflowHostError) -> RunResult {
        try await start(workflow: workflow, options: options, routes: routes, sink: sink, eventBuffer: 0).result
    }

    /// Continues a paused or interrupted session (the seed's "resume workflow"): stages that succeeded are not run
    /// again; the stored options and variables apply where `options` does not set them.
    ///
    /// ```swift
    /// let result = try await host.resume(session: "3f2c9a1e", options: RunOptions())
    /// print(result.status.rawValue)
    /// ```
    /// - Parameters:
    ///   - session: the session's id.
    ///   - options: settings for the rest of the run; the secrets the session was run with must be given again.
    ///   - sink: where the run's events go while it runs.
    /// - Returns: how the run ended. Cancelling the calling Task cancels the run.
    /// - Throws: `WorkflowHostError` (`invalidRequest`) for an unknown session, one that succeeded already, one
    ///   another process runs, or missing secrets; a host code (`stateUnavailable`, `registryUnavailable`, ...)
    ///   when the state or the registry cannot be read.
    public func resume(session: String, options: RunOptions = RunOptions(),
                       sink: any RunEventSink = EventRecorder()) async throws(WorkflowHostError) -> RunResult {
        let prepared = try prepareResume(session, options: options, sink: sink)
        let engine = prepared.engine
        let result = await withTaskCancellationHandler {
            await engine.run()
        } onCancel: {
            Task { await engine.cancel(reason: "the caller's task was cancelled") }
        }
        prepared.executor.shutdownAll()
        return result
    }

    /// Complexity figures, the critical path and optimization suggestions (the seed's "analyze workflow").
    /// - Parameter file: the workflow file (tool names are not looked up in the registry).
    /// - Throws: `WorkflowHostError` (`workflowInvalid`) for a file with errors, `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) when the registry cannot be read.
    public func analyze(workflow file: String) throws(WorkflowHostError) -> WorkflowAnalysis {
        try plan(file, checks: WorkflowChecks(useRegistry: false)).analysis()
    }

    /// The dependency graph as DOT, Mermaid or JSON. Tool names are not looked up.
    /// - Parameters:
    ///   - file: the workflow file.
    ///   - format: the graph's notation.
    /// - Returns: the graph's text in `format`.
    /// - Throws: `WorkflowHostError` (`workflowInvalid`) for a file with errors.
    public func graph(workflow file: String, format: GraphFormat) throws(WorkflowHostError) -> String {
        try plan(file, checks: WorkflowChecks(useRegistry: false)).graph(format)
    }
}
