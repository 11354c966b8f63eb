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

/// Paths, a pinned plugin directory, fixture compilation and CLI runs for the isolation tests.
enum Iso {
    /// The repository root, from this file's path.
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The build folder holding wfhost, wfhost-worker and the shipped plugins (beside the test binary).
    static let buildDir: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var url = URL(fileURLWithPath: exe)
        url.deleteLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("wfhost").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    static var wfhost: String { buildDir + "/wfhost" }
    static var worker: String { buildDir + "/wfhost-worker" }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// A fresh temporary directory.
    static func temporaryDirectory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "wfhost-iso-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Compiles `Tests/IsolationTests/Fixtures/<source>` into a shared object at `output`.
    static func compileFixture(_ source: String, to output: String, defines: [String] = []) throws {
        let args = ["-std=gnu99", "-Wall", "-Werror", "-shared", "-fPIC", "-I", repoRoot + "/SDK/include"]
            + defines.map { "-D" + $0 } + [repoRoot + "/Tests/IsolationTests/Fixtures/" + source, "-o", output]
        let result = try run("/usr/bin/cc", args)
        guard result.status == 0 else { throw Failure(description: "cc failed for \(source): \(result.stderr)") }
    }

    struct RunResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion and captures its output (both pipes read to EOF before waiting).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return RunResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
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
        dir = try Iso.temporaryDirectory(label)
        plugins = dir + "/plugins"
        state = dir + "/state"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Iso.buildDir + "/libcore.so", toPath: plugins + "/core.so")
        try FileManager.default.copyItem(atPath: Iso.buildDir + "/libchaos.so", toPath: plugins + "/chaos.so")
        for (source, name, defines) in fixtures {
            try Iso.compileFixture(source, to: plugins + "/" + name, defines: defines)
        }
        environment = [
            "HOME": state, "WFHOST_STATE_DIR": state, "WFHOST_PLUGIN_PATH": plugins, "WFHOST_WORKER": Iso.worker,
            "PATH": "/usr/bin:/bin", "SWIFT_BACKTRACE": "enable=no", "LANG": "C",
        ]
        host = WorkflowHost(configuration: HostConfiguration(stateDirectory: state, pluginPath: plugins,
                                                             environment: environment))
        snapshot = try host.refreshedRegistry()
        let base = environment
        executor = CallExecutor(workerPath: Iso.worker, baseEnvironment: base, maxCallsPerWorker: maxCallsPerWorker)
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
    func wfhost(_ arguments: [String]) throws -> Iso.RunResult {
        try Iso.run(Iso.wfhost, arguments, environment: environment)
    }
}
