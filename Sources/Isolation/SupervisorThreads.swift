import Foundation

/// Long-lived threads that run blocking call supervision (which waits in `poll`) outside Swift's cooperative
/// pool. A thread is started only when every existing one is busy, and none ever exits, so the cost of creating
/// a thread is paid once per level of concurrency rather than once per call.
final class SupervisorThreads: @unchecked Sendable {
    // @unchecked: `jobs` and `waiting` are guarded by `condition`.
    static let shared = SupervisorThreads()
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    /// Threads blocked waiting for a job. Each takes exactly one queued job when it wakes.
    private var waiting = 0

    private init() {}

    /// Runs `job` on a supervisor thread; never waits behind another job (a new thread starts if all are busy).
    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        let needThread = jobs.count > waiting
        if !needThread { condition.signal() }
        condition.unlock()
        if needThread {
            let thread = Thread { [self] in loop() }
            thread.name = "wfhost-supervisor"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func loop() {
        while true {
            condition.lock()
            waiting += 1
            while jobs.isEmpty { condition.wait() }
            waiting -= 1
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
