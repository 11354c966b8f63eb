import Foundation

/// The one thread that spawns every child.
///
/// Linux sends a child's parent-death signal (`PR_SET_PDEATHSIG`, which workers arm so that they die with the
/// host) when the *thread* that created it exits, not the process. Calls run on short-lived threads, so a pooled
/// worker spawned by one would be killed when that call's thread ended. Spawning from this permanent thread ties
/// every worker to the host process's life instead.
final class SpawnThread: @unchecked Sendable {
    // @unchecked: `jobs` is guarded by `condition`.
    static let shared = SpawnThread()
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [self] in loop() }
        thread.name = "wfhost-spawner"
        thread.stackSize = 256 << 10
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    /// Runs `body` on the spawner thread and returns its result (never nil in practice: the job always runs).
    func run<T>(_ body: @escaping () -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        condition.lock()
        jobs.append {
            box.value = body()
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        // The semaphore orders the write above before this read.
        return box.value
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    // @unchecked: written once on the spawner thread before a semaphore signal, read after the wait.
    var value: T?
}
