/// Limits how many calls run at once across a run (`max_concurrency`). Waiters are served in order.
actor AsyncSemaphore {
    private var available: Int
    private var waiters: [CheckedContinuation<Bool, Never>] = []
    private var closed = false

    init(_ count: Int) { available = max(1, count) }

    /// Waits for a slot.
    /// - Returns: true with a slot (give it back with `release`), false once the semaphore is closed (the run is
    ///   being cancelled): the caller then has no slot and must not start its call.
    func acquire() async -> Bool {
        if closed { return false }
        if available > 0 {
            available -= 1
            return true
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if closed || waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().resume(returning: true)
        }
    }

    /// Ends every wait for a slot, now and later, with false (a cancelled run starts no call that was queued).
    func close() {
        closed = true
        let waiting = waiters
        waiters = []
        for w in waiting { w.resume(returning: false) }
    }
}
