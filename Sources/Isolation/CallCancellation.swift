#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A cancellation signal that wakes a supervisor blocked in `poll`: cancelling writes a byte to a pipe.
public final class CallCancellation: @unchecked Sendable {
    // @unchecked: `cancelled` is guarded by `lock`; the fds are immutable after init.
    private let lock = NSLock()
    private var cancelled = false
    private var reasonText: String?
    let readFD: CInt
    private let writeFD: CInt

    public init() {
        var fds: [CInt] = [-1, -1]
        // If no pipe can be made the token still works by flag; the supervisor also polls it on every wake-up.
        if let p = try? Sys.pipe() { fds = [p.read, p.write] }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        if readFD >= 0 { Sys.close(readFD) }
        if writeFD >= 0 { Sys.close(writeFD) }
    }

    /// Asks the call to stop. The first reason given is kept.
    public func cancel(reason: String = "the call was cancelled") {
        let first: Bool = lock.withLock {
            guard !cancelled else { return false }
            cancelled = true
            reasonText = reason
            return true
        }
        if first, writeFD >= 0 {
            var byte: UInt8 = 1
            _ = Glibc.write(writeFD, &byte, 1) // a full pipe already wakes the reader
        }
    }

    public var isCancelled: Bool { lock.withLock { cancelled } }
    public var reason: String { lock.withLock { reasonText ?? "the call was cancelled" } }
}
