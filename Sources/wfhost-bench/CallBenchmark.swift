#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Isolation

/// The call figures of `wfhost-bench` (issue 5, "Must show"): the median wall time of a no-op call (`core.echo`)
/// over 1000 calls, `per_call` and `pooled`, beside the floor measured in the same run: `posix_spawn` + `waitpid`
/// of a tiny static C program compiled at bench time.
enum CallBenchmark {
    static let runs = 1000
    /// Goals from issue 5.
    static let perCallGoalRatio = 2.5
    static let pooledGoalMilliseconds = 0.1

    struct Figures {
        var floorMedian: Double
        /// False when `cc -static` failed and the floor program is dynamically linked.
        var floorStatic: Bool
        var perCallMedian: Double
        var pooledMedian: Double
        /// The same calls with `--sandbox off` (limits only): what the sandbox's layers cost, in the same run.
        var perCallUnconfinedMedian: Double = 0
        var pooledUnconfinedMedian: Double = 0
        /// A fork server: a fresh process per call, forked from a confined worker that has loaded the plugin.
        var forkedMedian: Double = 0
        var perCallRatio: Double { perCallMedian / floorMedian }
        var perCallMet: Bool { perCallRatio <= CallBenchmark.perCallGoalRatio }
        var pooledMet: Bool { pooledMedian < CallBenchmark.pooledGoalMilliseconds }
    }

    typealias Outcome = BenchOutcome<Figures>

    /// Compiles the floor program, measures the floor, then the two isolation modes.
    /// - Throws: `BenchError` when a step fails (compiling, a call that does not succeed).
    static func run(progress: (String) -> Void) throws -> Outcome {
        guard let cc = BenchProcess.findOnPath("cc") else {
            return .skipped("the call benchmark needs a C compiler for its floor program: no `cc` on PATH")
        }
        let worker: String
        do {
            worker = try WorkerLocator.workerPath(environment: ProcessInfo.processInfo.environment)
        } catch {
            return .skipped(error.description)
        }
        guard let plugin = BenchProcess.corePlugin() else {
            return .skipped("the call benchmark needs the core plugin (looked beside the executable for "
                            + "libcore.so and in ../lib/wfhost/plugins/core.so)")
        }
        let work = try BenchProcess.makeTemporaryDirectory()
        defer { BenchProcess.remove(work) }

        let source = work + "/noop.c", program = work + "/noop"
        try Data("int main(void) { return 0; }\n".utf8).write(to: URL(fileURLWithPath: source))
        var floorStatic = true
        do {
            try BenchProcess.check(cc, ["-static", "-O2", source, "-o", program], stderrPath: work + "/cc.err")
        } catch {
            floorStatic = false
            progress("bench: `cc -static` failed (\(error)); the floor program is linked dynamically")
            try BenchProcess.check(cc, ["-O2", source, "-o", program], stderrPath: work + "/cc.err")
        }

        progress("bench: calls: floor (posix_spawn + waitpid of \(floorStatic ? "a static" : "a dynamic") no-op) x \(runs)")
        let floor = try median(runs) { try spawnAndWait(program) }

        let executor = CallExecutor(workerPath: worker, baseEnvironment: ProcessInfo.processInfo.environment)
        defer { executor.shutdownAll() }
        let key = WorkerKey(pluginPath: plugin, sandbox: SandboxSpec(workDirectory: work), limits: CallLimits())
        let request = CallRequest(tool: "echo", arguments: #"{"message":""}"#)
        progress("bench: calls: per_call core.echo x \(runs)")
        let perCall = try median(runs) { try call(executor, request, key: key, mode: .perCall) }
        progress("bench: calls: pooled core.echo x \(runs)")
        try call(executor, request, key: key, mode: .pooled) // warm the pool: the figure is a warm call
        let pooled = try median(runs) { try call(executor, request, key: key, mode: .pooled) }
        progress("bench: calls: forked (fork server) core.echo x \(runs)")
        try call(executor, request, key: key, mode: .forked) // start the server: the figure is a call's fork
        let forked = try median(runs) { try call(executor, request, key: key, mode: .forked) }
        var unconfined = SandboxSpec(workDirectory: work)
        unconfined.enforce = false
        let bareKey = WorkerKey(pluginPath: plugin, sandbox: unconfined, limits: CallLimits())
        progress("bench: calls: per_call and pooled core.echo with --sandbox off x \(runs) each")
        let perCallBare = try median(runs) { try call(executor, request, key: bareKey, mode: .perCall) }
        try call(executor, request, key: bareKey, mode: .pooled)
        let pooledBare = try median(runs) { try call(executor, request, key: bareKey, mode: .pooled) }
        return .measured(Figures(floorMedian: floor, floorStatic: floorStatic, perCallMedian: perCall,
                                 pooledMedian: pooled, perCallUnconfinedMedian: perCallBare,
                                 pooledUnconfinedMedian: pooledBare, forkedMedian: forked))
    }

    /// The median of `count` timings, in milliseconds.
    static func median(_ count: Int, _ body: () throws -> Double) throws -> Double {
        var samples: [Double] = []
        samples.reserveCapacity(count)
        for _ in 0..<count { samples.append(try body()) }
        samples.sort()
        return samples[samples.count / 2]
    }

    private static func milliseconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    /// One `posix_spawn` + `waitpid` of `program`, straight from this thread: the floor.
    static func spawnAndWait(_ program: String) throws -> Double {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(program), nil]
        defer { for p in argv { free(p) } }
        let start = DispatchTime.now().uptimeNanoseconds
        let rc = posix_spawn(&pid, program, nil, nil, argv, environ)
        guard rc == 0 else { throw BenchError(SystemError("posix_spawn \(program)", errno: rc).description) }
        var status: CInt = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw BenchError(SystemError("waitpid", errno: errno).description) }
        }
        let elapsed = milliseconds(since: start)
        guard status == 0 else { throw BenchError("\(program) ended with wait status \(status)") }
        return elapsed
    }

    /// One call through the executor's public async path, as ToolRunner makes it; its wall time.
    static func call(_ executor: CallExecutor, _ request: CallRequest, key: WorkerKey, mode: IsolationMode) throws -> Double {
        let done = DispatchSemaphore(value: 0)
        let box = OutcomeBox()
        let start = DispatchTime.now().uptimeNanoseconds
        Task {
            box.outcome = await executor.call(request, key: key, mode: mode, limits: CallLimits())
            done.signal()
        }
        done.wait()
        let elapsed = milliseconds(since: start)
        // The semaphore orders the write in the task before this read.
        switch box.outcome {
        case .success: return elapsed
        case .failure(let failure): throw BenchError("core.echo (\(mode.rawValue)) failed: \(failure)")
        case nil: throw BenchError("core.echo (\(mode.rawValue)) returned nothing")
        }
    }

    private final class OutcomeBox: @unchecked Sendable {
        // @unchecked: written once in the task before the semaphore signal, read after the wait.
        var outcome: Result<CallSuccess, CallFailure>?
    }
}
