#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Isolation
import Registry
import Schema
import Testing
import WorkflowHost
import Engine
import WfhostTestSupport

/// Fixture compilation, failures and polling for the isolation tests; paths and process runs are `TestSupport`'s.
enum Iso {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Compiles `Tests/IsolationTests/Fixtures/<source>` into a shared object at `output`, warnings as errors.
    static func compileFixture(_ source: String, to output: String, defines: [String] = []) throws {
        try TestSupport.compileFixture(TestSupport.repoRoot + "/Tests/IsolationTests/Fixtures/" + source, to: output,
                                       defines: defines, extra: ["-Werror"])
    }

    /// Monotonic seconds, for measuring how long a call took.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Polls `condition` until it holds or `seconds` pass; returns whether it held. Waiting on /proc state,
    /// which has no event to block on; the poll interval is short and the deadline bounds it.
    static func poll(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = now() + seconds
        while true {
            if condition() { return true }
            if now() >= deadline { return false }
            var ts = timespec(tv_sec: 0, tv_nsec: 5_000_000)
            nanosleep(&ts, nil)
        }
    }
}

/// One test's world: a plugin directory with the shipped `core` and `chaos` (and any fixtures), a state
/// directory, a registry snapshot and an executor built like the CLI builds them, with a pinned environment.
final class Env: @unchecked Sendable {
    // @unchecked: immutable after init, except `notices` which is guarded by `lock`.
    let dir: String
    let plugins: String
    let state: String
    let environment: [String: String]
    let host: WorkflowHost
    let snapshot: RegistrySnapshot
    let executor: CallExecutor
    let runner: ToolRunner
    private let lock = NSLock()
    private var noticeList: [String] = []

    /// - Parameter fixtures: (source, output file name, defines) compiled into the plugin directory.
    init(_ label: String, fixtures: [(String, String, [String])] = [], maxCallsPerWorker: Int = 1000) throws {
        dir = try TestSupport.temporaryDirectory("iso-" + label)
        plugins = dir + "/plugins"
        state = dir + "/state"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestSupport.buildDir + "/libcore.so", toPath: plugins + "/core.so")
        try FileManager.default.copyItem(atPath: TestSupport.buildDir + "/libchaos.so", toPath: plugins + "/chaos.so")
        for (source, name, defines) in fixtures {
            try Iso.compileFixture(source, to: plugins + "/" + name, defines: defines)
        }
        environment = [
            "HOME": state, "WFHOST_STATE_DIR": state, "WFHOST_PLUGIN_PATH": plugins, "WFHOST_WORKER": TestSupport.worker,
            "PATH": "/usr/bin:/bin", "SWIFT_BACKTRACE": "enable=no", "LANG": "C",
        ]
        host = WorkflowHost(configuration: HostConfiguration(stateDirectory: state, pluginPath: plugins,
                                                             environment: environment))
        snapshot = try host.refreshedRegistry()
        let base = environment
        executor = CallExecutor(workerPath: TestSupport.worker, baseEnvironment: base, maxCallsPerWorker: maxCallsPerWorker)
        executor.hiddenPaths = [state] // as WorkflowHost.makeExecutor does
        runner = ToolRunner(snapshot: snapshot, executor: executor)
        executor.onSandboxUnavailable = { [weak self] text in self?.note(text) }
    }

    deinit {
        executor.shutdownAll()
        try? FileManager.default.removeItem(atPath: dir) // scratch space; a leftover temp dir is harmless
    }

    private func note(_ text: String) { lock.withLock { noticeList.append(text) } }
    var notices: [String] { lock.withLock { noticeList } }

    /// A fresh work directory for one call.
    func workDirectory() throws -> String {
        try host.makeWorkDirectory("call")
    }

    func tool(_ name: String) throws -> RegisteredTool {
        try runner.tool(named: name)
    }

    /// Calls `name` through the ToolRunner (schema check, sandbox from capabilities, output check).
    func call(_ name: String, _ arguments: String = "{}", mode: IsolationMode = .perCall,
              limits: (inout CallLimits) -> Void = { _ in }, workDirectory: String? = nil,
              cancellation: CallCancellation = CallCancellation(),
              onEvent: @escaping @Sendable (CallEvent) -> Void = { _ in }) async throws -> Result<CallSuccess, CallFailure> {
        var options = CallOptions()
        options.isolation = mode
        options.limits.timeout = .seconds(30)
        options.limits.grace = .milliseconds(500)
        limits(&options.limits)
        let work = try workDirectory ?? self.workDirectory()
        return await runner.call(try tool(name), arguments: try JSONValue.parse(arguments), workDirectory: work,
                                 options: options, cancellation: cancellation, onEvent: onEvent)
    }

    /// The failure of a call that must fail.
    func failure(_ name: String, _ arguments: String = "{}", mode: IsolationMode = .perCall,
                 limits: (inout CallLimits) -> Void = { _ in }) async throws -> CallFailure {
        switch try await call(name, arguments, mode: mode, limits: limits) {
        case .success(let s): throw Iso.Failure(description: "\(name) succeeded unexpectedly: \(s.result.serialized())")
        case .failure(let f): return f
        }
    }

    /// The success of a call that must succeed.
    func success(_ name: String, _ arguments: String = "{}", mode: IsolationMode = .perCall,
                 limits: (inout CallLimits) -> Void = { _ in }, workDirectory: String? = nil) async throws -> CallSuccess {
        switch try await call(name, arguments, mode: mode, limits: limits, workDirectory: workDirectory) {
        case .success(let s): return s
        case .failure(let f): throw Iso.Failure(description: "\(name) failed: \(f)")
        }
    }

    /// Runs the built `wfhost` with this world's pinned environment.
    func wfhost(_ arguments: [String]) throws -> TestSupport.RunResult {
        try TestSupport.run(TestSupport.wfhost, arguments, environment: environment)
    }
}
