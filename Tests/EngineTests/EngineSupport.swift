import Engine
import Foundation
import Schema
import Store
import Testing
import WfhostTestSupport
@testable import WorkflowHost // the engine, executor and store behind PreparedRun and WorkflowHost

/// A private state directory and plugin path with the built `core` and `chaos` plugins, for one test.
/// Runs workflows through the library (engine + `EventRecorder`) or through the built `wfhost` binary.
struct EngineHarness {
    let root: String
    var stateDir: String { root + "/state" }
    var pluginDir: String { root + "/plugins" }

    init(_ label: String = "engine") throws {
        root = try TestSupport.temporaryDirectory("engine-" + label)
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/state", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/plugins", withIntermediateDirectories: true)
        try fm.copyItem(atPath: TestSupport.buildDir + "/libcore.so", toPath: root + "/plugins/core.so")
        try fm.copyItem(atPath: TestSupport.buildDir + "/libchaos.so", toPath: root + "/plugins/chaos.so")
    }

    func cleanup() { TestSupport.cleanup(root) }

    /// The pinned environment of library runs and CLI runs alike.
    var environment: [String: String] {
        ["HOME": stateDir, "WFHOST_STATE_DIR": stateDir, "WFHOST_PLUGIN_PATH": pluginDir,
         "WFHOST_WORKER": TestSupport.worker, "PATH": "/usr/bin:/bin",
         "SWIFT_BACKTRACE": "enable=no"]
    }

    var host: WorkflowHost {
        WorkflowHost(configuration: HostConfiguration(stateDirectory: stateDir, pluginPath: pluginDir,
                                                      environment: environment))
    }

    /// Writes a workflow: the standard header, then `spec` (YAML lines under `spec:`, indented by 2).
    func write(_ spec: String, name: String = "workflow.yaml") throws -> String {
        let path = root + "/" + name
        try EngineSupport.workflow(spec).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `spec` through `WorkflowHost.prepareRun` and the engine, with an event recorder.
    func run(_ spec: String, options: RunOptions = RunOptions()) async throws -> LibraryRun {
        let file = try write(spec, name: "lib-\(UUID().uuidString.prefix(6)).yaml")
        let recorder = EventRecorder()
        let prepared = try host.prepareRun(file: file, options: options, sink: recorder)
        let result = await prepared.engine.run()
        prepared.executor.shutdownAll()
        let store = try host.sessionStore()
        return LibraryRun(result: result, events: recorder.events,
                          attempts: try store.attempts(of: prepared.session),
                          stored: try store.stages(of: prepared.session), workDirectory: prepared.workDirectory)
    }

    /// Runs the built `wfhost` with this harness's environment.
    func cli(_ arguments: [String]) throws -> TestSupport.RunResult {
        try TestSupport.run(TestSupport.wfhost, arguments, environment: environment)
    }

    /// The store of this harness's state directory (for runs made by the CLI).
    func store() throws -> SQLiteSessionStore { try host.sessionStore() }
}

/// One library run: its result, the events the engine emitted and the store's rows.
struct LibraryRun {
    var result: RunResult
    var events: [RunEvent]
    var attempts: [AttemptRecord]
    var stored: [StageRecord]
    var workDirectory: String

    func stage(_ name: String) -> StageRecord? { result.stages.first { $0.stage == name } }
    func status(_ name: String) -> StageStatus? { stage(name)?.status }
    func attempts(of stage: String) -> [AttemptRecord] {
        attempts.filter { $0.stage == stage }.sorted { $0.startedAt < $1.startedAt }
    }
    /// Delays announced by `retrying` events of `stage`, in milliseconds.
    func retryDelays(_ stage: String) -> [Int64] {
        events.compactMap { event in
            guard case .retrying(let s, _, let delay, _) = event, s == stage else { return nil }
            return Int64(delay.nanoseconds / 1_000_000)
        }
    }
}

/// Workflow documents and record checks for the engine tests; paths and process runs are `TestSupport`'s.
enum EngineSupport {
    /// A whole workflow document around `spec` (the lines under `spec:`).
    static func workflow(_ spec: String, name: String = "engine-test") -> String {
        let body = spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
        return "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: \(name)}\nspec:\n\(body)\n"
    }

    /// Whether two recorded intervals overlap in time.
    static func overlap(_ a: AttemptRecord, _ b: AttemptRecord) -> Bool {
        guard let af = a.finishedAt, let bf = b.finishedAt else { return false }
        return a.startedAt < bf && b.startedAt < af
    }

    /// Parses one JSON line or document.
    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }
}
