import Foundation

/// A write the store could not make: what it was and SQLite's (or the store's) error, after three tries.
public struct StoreWriteFailure: Error, Sendable, CustomStringConvertible {
    /// What was being written ("stage 'build'", "the session's status").
    public var what: String
    public var reason: String
    public var description: String { "cannot write \(what) to the state database: \(reason)" }
}

/// A read asked of a `StoreThread` after it was closed.
public struct StoreThreadClosed: Error, Sendable, CustomStringConvertible {
    public var description: String { "the state database's thread has ended (the run is over)" }
}

/// The session store's async face: every call of a `SessionStore` runs on one dedicated thread of its own, in the
/// order it was asked for, so that no caller (the engine's actor, the cooperative pool) ever blocks in SQLite
/// (busy timeouts, retries, a slow disk).
///
/// **Writes are ordered and committed in groups.** `write` queues a write and returns at once; the thread takes
/// every write queued so far and commits them in one transaction (each write is still one whole transition: a
/// savepoint inside it). `after` runs a closure once everything queued before it is committed (the engine reports
/// a transition's event there), and `sync()` waits for that point: call it before acting on a transition (before a
/// tool call starts, before the run ends). A write that still fails after three tries stops all later writes
/// (they would fail too) and is reported to `sync()` and to `onFailure`.
public final class StoreThread: @unchecked Sendable {
    // @unchecked: `queue`, `closed`, `failure`, `stopped` and `failureHandler` are guarded by `condition`; the store
    // itself is only used on the thread (and by its own lock, for callers that use it directly).
    private enum Item {
        case write(what: String, body: @Sendable (any SessionOperations) throws -> Void)
        case after(@Sendable () -> Void)
        case read(@Sendable (any SessionOperations) -> Void)
    }

    public let store: any SessionOperations
    private let condition = NSCondition()
    private var queue: [Item] = []
    /// A `sync` or `read` waits in `queue`: commit now rather than after `groupWindow`.
    private var urgent = false
    private var closed = false
    private var started = false
    private var failure: StoreWriteFailure?
    private var stopped = false
    private var failureHandler: (@Sendable (StoreWriteFailure) -> Void)?
    private let name: String
    /// How many transactions the thread committed (for tests and figures).
    private var commitCount = 0
    /// How long queued writes may wait for others to share their commit when nothing waits for them. What is
    /// acted on waits for `sync()`, which commits at once; so this only delays the events reported after them.
    static let groupWindow: TimeInterval = 0.002
    /// Between tries of a failing group of writes.
    static let retryPause: useconds_t = 200_000

    /// - Parameter name: the thread's name (seen in `perf` and `top -H`).
    public init(_ store: any SessionOperations, name: String = "wfhost-store") {
        self.store = store
        self.name = name
    }

    /// Called once, on the store's thread, when a write fails for good.
    public func onFailure(_ handler: @escaping @Sendable (StoreWriteFailure) -> Void) {
        condition.withLock { failureHandler = handler }
    }

    /// Queues a write (one transition: a call of one `SessionStore` method) after everything queued before it.
    public func write(_ what: String, _ body: @escaping @Sendable (any SessionOperations) throws -> Void) {
        enqueue(.write(what: what, body: body), urgent: false)
    }

    /// Runs `action` on the store's thread once everything queued before it is committed (or has failed).
    public func after(_ action: @escaping @Sendable () -> Void) {
        enqueue(.after(action), urgent: false)
    }

    /// Waits until everything queued before is committed. Returns the failure that stopped writing, if any.
    public func sync() async -> StoreWriteFailure? {
        await withCheckedContinuation { (continuation: CheckedContinuation<StoreWriteFailure?, Never>) in
            let queued = enqueue(.after { [self] in continuation.resume(returning: condition.withLock { failure }) },
                                 urgent: true)
            if !queued { continuation.resume(returning: condition.withLock { failure }) } // closed: all is done
        }
    }

    /// Runs `body` with the store on its thread, after everything queued before is committed, and returns its value.
    /// - Throws: what `body` throws.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SessionOperations) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let queued = enqueue(.read { store in continuation.resume(with: Result { try body(store) }) }, urgent: true)
            if !queued { continuation.resume(throwing: StoreThreadClosed()) }
        }
    }

    /// No write queued from now on is made (the session's lease was lost, the file is gone); `after`, `sync` and
    /// `read` still run.
    public func stopWriting() {
        condition.withLock { stopped = true }
    }

    /// Transactions committed so far.
    public var commits: Int { condition.withLock { commitCount } }

    /// Ends the thread once what is queued is done. Later writes and `after` actions are dropped, a later `sync`
    /// returns at once and a later `read` throws `StoreThreadClosed`.
    public func close() {
        condition.withLock {
            closed = true
            condition.signal()
        }
    }

    @discardableResult
    private func enqueue(_ item: Item, urgent: Bool) -> Bool {
        condition.withLock {
            guard !closed else { return false }
            queue.append(item)
            if urgent { self.urgent = true }
            if !started {
                started = true
                let thread = Thread { [self] in loop() }
                thread.name = name
                thread.start()
            }
            if urgent || queue.count == 1 { condition.signal() } // an empty queue's wait, or the group's window
            return true
        }
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            // Group commit: writes nobody waits for yet wait a moment for the ones that follow them.
            if !urgent && !closed {
                let deadline = Date(timeIntervalSinceNow: Self.groupWindow)
                while !urgent && !closed && condition.wait(until: deadline) {}
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            urgent = false
            let done = closed && batch.isEmpty
            condition.unlock()
            if done { return }
            run(batch)
        }
    }

    /// Commits the batch's writes in groups (a read ends a group, so that it sees them), then runs what waits for them.
    private func run(_ batch: [Item]) {
        var writes: [(what: String, body: @Sendable (any SessionOperations) throws -> Void)] = []
        var waiting: [@Sendable () -> Void] = []
        func commit() {
            if !writes.isEmpty { commitGroup(writes) }
            writes.removeAll()
            for action in waiting { action() }
            waiting.removeAll()
        }
        for item in batch {
            switch item {
            case .write(let what, let body): writes.append((what, body))
            case .after(let action): waiting.append(action)
            case .read(let body):
                commit()
                body(store)
            }
        }
        commit()
    }

    private func commitGroup(_ writes: [(what: String, body: @Sendable (any SessionOperations) throws -> Void)]) {
        guard condition.withLock({ !stopped && failure == nil }) else { return }
        var current = writes[0].what
        var lastError: (any Error)?
        for attempt in 0..<3 {
            do {
                try store.writeTogether {
                    for write in writes {
                        current = write.what
                        try write.body(store)
                    }
                }
                condition.withLock { commitCount += 1 }
                return
            } catch {
                lastError = error
                if attempt < 2 { usleep(Self.retryPause) }
            }
        }
        let failed = StoreWriteFailure(what: current, reason: lastError.map { "\($0)" } ?? "unknown error")
        let handler = condition.withLock { () -> (@Sendable (StoreWriteFailure) -> Void)? in
            failure = failed
            return failureHandler
        }
        handler?(failed)
    }
}
