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
public struct CustomErrorRoute: Sendable {
    /// One test of an error field.
    public struct Test: Sendable {
        public var field: ErrorField
        public var op: ConditionOperator
        public var value: JSONValue?
        public init(_ field: ErrorField, _ op: ConditionOperator, _ value: JSONValue? = nil) {
            self.field = field
            self.op = op
            self.value = value
        }
    }

    public var id: String
    public var priority: Int
    public var when: [Test]
    public var action: RouteAction
    /// For `.redirect`: the recovery stage to run before the failed stage is retried once more.
    public var redirectTo: String?

    public init(id: String, priority: Int = 0, when: [Test], action: RouteAction, redirectTo: String? = nil) {
        self.id = id
        self.priority = priority
        self.when = when
        self.action = action
        self.redirectTo = redirectTo
    }

    /// The route in the engine's form.
    public var errorRoute: ErrorRoute {
        let here = SourceLocation(file: "<api route '\(id)'>", line: 0, column: 0)
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
        return ErrorRoute(id: id, name: nil, priority: priority,
                          conditions: when.map { Condition(key: $0.field.rawValue, op: $0.op, value: $0.value.map(spec), location: here) },
                          action: action, redirectTo: redirectTo.map { NameReference(name: $0, location: here) },
                          retryPolicy: nil, location: here)
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
    public static func predefinedWorkflowNames(in directory: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] // unreadable: none listed
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The file a workflow argument names: itself when it exists, else the predefined workflow of that name,
    /// else the argument unchanged (reading it then reports the missing file).
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
    ///   - routes: error routes added in code; they win over the file's at equal priority.
    /// - Returns: how the run ended, with every stage's record and the outputs. Cancelling the calling Task
    ///   cancels the run: running calls get their cancellation request, then SIGKILL after the grace time.
    /// - Throws: `InvalidRequest` (the file cannot be read), `WorkflowInvalid` (it has errors), `HostError`
    ///   (environment).
    public func execute(workflow: String, options: RunOptions = RunOptions(), routes: [CustomErrorRoute] = [],
                        sink: any RunEventSink = EventRecorder()) async throws -> RunResult {
        try await start(workflow: workflow, options: options, routes: routes, sink: sink, eventBuffer: 0).result
    }

    /// Continues a paused or interrupted session (the seed's "resume workflow").
    public func resume(session: String, options: RunOptions = RunOptions(),
                       sink: any RunEventSink = EventRecorder()) async throws -> RunResult {
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
    /// - Throws: `WorkflowInvalid` for a file with errors, `HostError` when the registry cannot be read.
    public func analyze(workflow file: String) throws -> WorkflowAnalysis {
        try plan(file, checks: WorkflowChecks(useRegistry: false)).analysis()
    }

    /// The dependency graph as DOT, Mermaid or JSON. Tool names are not looked up.
    /// - Throws: `WorkflowInvalid` for a file with errors.
    public func graph(workflow file: String, format: GraphFormat) throws -> String {
        try plan(file, checks: WorkflowChecks(useRegistry: false)).graph(format)
    }
}
