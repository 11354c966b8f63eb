import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs calls in workers, `per_call` or `pooled`, on dedicated threads so that supervision (which blocks in
/// `poll`) never occupies Swift's cooperative thread pool.
public final class CallExecutor: @unchecked Sendable {
    // @unchecked: `idle` and `active` are guarded by `lock`.
    public let workerPath: String
    public let baseEnvironment: [String: String]
    /// A pooled worker is recycled after this many calls.
    public let maxCallsPerWorker: Int
    /// A pooled worker whose peak resident memory passes this mark (KiB) is recycled after its call.
    public let memoryMarkKiB: UInt64
    private let lock = NSLock()
    private var idle: [PoolKey: [Worker]] = [:]

    /// Pooled workers and fork servers are kept apart: a fork server serves each call in a fresh process.
    private struct PoolKey: Hashable {
        var key: WorkerKey
        var forked: Bool
    }
    private var active: [ObjectIdentifier: CallCancellation] = [:]
    private var sandboxUnavailableNoted = false
    /// Called once when a worker reports that a layer of the sandbox is missing on this machine.
    public var onSandboxUnavailable: (@Sendable (String) -> Void)?
    /// Paths every worker's sandbox masks (the state directory: its database holds every session's data).
    public var hiddenPaths: [String] = []
    /// With `--require-trusted`: the trusted plugin files; a worker is never started for any other file.
    public var trust: PluginTrust?

    public init(workerPath: String, baseEnvironment: [String: String], maxCallsPerWorker: Int = 1000,
                memoryMarkMiB: Int = 512) {
        self.workerPath = workerPath
        self.baseEnvironment = baseEnvironment
        self.maxCallsPerWorker = maxCallsPerWorker
        self.memoryMarkKiB = UInt64(memoryMarkMiB) * 1024
        // A worker that died closes its request pipe; writing to it must fail with EPIPE (reported as the
        // worker's end), not kill the host with SIGPIPE. Process-wide, as SIGPIPE handling is.
        signal(SIGPIPE, SIG_IGN)
    }

    deinit { shutdownAll() }

    /// Runs one call to completion. Never throws: every failure is a `CallFailure` value.
    public func call(_ request: CallRequest, key: WorkerKey, mode: IsolationMode, limits: CallLimits,
                     cancellation: CallCancellation = CallCancellation(),
                     onEvent: @escaping @Sendable (CallEvent) -> Void = { _ in }) async -> Result<CallSuccess, CallFailure> {
        // Cancelling the calling Task asks the call to stop (SIGUSR1, then SIGKILL after the grace time).
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                SupervisorThreads.shared.submit { [self] in
                    continuation.resume(returning: self.callBlocking(request, key: key, mode: mode, limits: limits,
                                                                     cancellation: cancellation, onEvent: onEvent))
                }
            }
        } onCancel: {
            cancellation.cancel(reason: "the caller's task was cancelled")
        }
    }

    /// The blocking form of `call`, for threads the caller owns.
    public func callBlocking(_ request: CallRequest, key: WorkerKey, mode: IsolationMode, limits: CallLimits,
                             cancellation: CallCancellation, onEvent: (CallEvent) -> Void) -> Result<CallSuccess, CallFailure> {
        let token = ObjectIdentifier(cancellation)
        lock.withLock { active[token] = cancellation }
        defer { lock.withLock { active[token] = nil } }
        if cancellation.isCancelled { return .failure(CallFailure(.cancelled, cancellation.reason)) }
        let worker: Worker
        do {
            worker = try checkOut(key: key, mode: mode)
        } catch {
            return .failure(error)
        }
        let outcome = worker.call(request, limits: limits, cancellation: cancellation, onEvent: onEvent)
        checkIn(worker, mode: mode)
        return outcome
    }

    private func checkOut(key: WorkerKey, mode: IsolationMode) throws(CallFailure) -> Worker {
        // An idle worker may have died since (the OOM killer, a plugin thread): such a one is discarded, so that
        // one call's worker never fails another call.
        let poolKey = PoolKey(key: key, forked: mode == .forked)
        while mode != .perCall, let worker = lock.withLock({ idle[poolKey]?.popLast() }) {
            if worker.isIdleAndAlive() { return worker }
            worker.shutdown(grace: .zero)
        }
        let worker = try Worker.start(key: key, workerPath: workerPath, baseEnvironment: baseEnvironment,
                                      hiddenPaths: hiddenPaths, forkCalls: mode == .forked, trust: trust)
        if key.sandbox.enforce && worker.sandboxStatus == "partial" {
            let first = lock.withLock { () -> Bool in
                defer { sandboxUnavailableNoted = true }
                return !sandboxUnavailableNoted
            }
            if first {
                onSandboxUnavailable?("the sandbox is partial on this machine: tools run without "
                                      + "\(worker.sandboxMissing); the other layers apply (`wfhost doctor` shows "
                                      + "each; `--sandbox strict` refuses to run without all of them)")
            }
        }
        return worker
    }

    private func checkIn(_ worker: Worker, mode: IsolationMode) {
        // The peak RSS comes with the call's done frame: no /proc read on the pooled fast path.
        // A CPU-time limit counts the whole process, so a worker with one is not reused; the memory mark is at
        // most half the worker's own limit, so memory one call left behind cannot push the next one over it.
        let mark = worker.key.memoryMB > 0 ? min(memoryMarkKiB, UInt64(worker.key.memoryMB) * 512) : memoryMarkKiB
        // A fork server's own memory does not grow with its calls (each runs in a child), and each child's CPU time
        // starts at zero: only its liveness and the call count recycle it.
        let keep = worker.isReusable && worker.callsServed < maxCallsPerWorker
            && (mode == .forked || (mode == .pooled && worker.lastMaxRSSKiB < mark && worker.key.cpuSeconds == 0))
        if keep {
            lock.withLock { idle[PoolKey(key: worker.key, forked: mode == .forked), default: []].append(worker) }
        } else {
            worker.shutdown(grace: .milliseconds(500))
        }
    }

    /// Cancels every running call (SIGINT or SIGTERM to the host, fail-fast).
    public func cancelAll(reason: String) {
        let tokens = lock.withLock { Array(active.values) }
        for token in tokens { token.cancel(reason: reason) }
    }

    /// Ends every idle pooled worker.
    public func shutdownAll() {
        let workers = lock.withLock { () -> [Worker] in
            defer { idle.removeAll() }
            return idle.values.flatMap { $0 }
        }
        for worker in workers { worker.shutdown(grace: .milliseconds(500)) }
    }
}
