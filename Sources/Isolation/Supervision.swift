#if canImport(Glibc)
import Glibc
#endif
import CSupport

/// The supervision of one child: its three output channels (events, stdout, stderr) and its end. It is the
/// one loop behind every child wfhost starts, one-shot (the scanner, the sandbox probe) or long-lived (workers):
/// `wait` polls the channels and the child's pidfd, drains what arrived, and reaps the child once it exits
/// (killing what it left in its process group while its pid is still held). Reaping cannot be skipped by an
/// error: a failed poll kills and reaps the child before it is reported.
final class Supervision {
    let process: ChildProcess
    let eventFD: CInt
    let stdoutFD: CInt
    let stderrFD: CInt
    var stdoutTail: TailBuffer
    var stderrTail: TailBuffer
    /// How the child ended, with its peak resident memory (KiB), once it has been reaped.
    private(set) var exit: (termination: Termination, maxRSSKiB: UInt64)?
    private(set) var open: Set<CInt>
    /// Receives the bytes of the events channel; returns false to stop reading it (an overflow).
    var onEvents: (UnsafeRawBufferPointer) -> Bool = { _ in true }
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)

    enum Wake: Equatable {
        /// Output arrived (it has been drained) or nothing happened before the poll's own limit.
        case progress
        /// The child exited and was reaped (see `exit`); every channel has been drained.
        case exited
        /// The deadline passed.
        case deadline
        /// The extra file descriptor became readable (a cancellation request).
        case extra
        /// Polling failed; the child was killed and reaped.
        case failed(String)
    }

    init(process: ChildProcess, eventFD: CInt, stdoutFD: CInt, stderrFD: CInt, tailLimit: Int) {
        self.process = process
        self.eventFD = eventFD
        self.stdoutFD = stdoutFD
        self.stderrFD = stderrFD
        stdoutTail = TailBuffer(limit: tailLimit)
        stderrTail = TailBuffer(limit: tailLimit)
        open = [eventFD, stdoutFD, stderrFD]
        for fd in open { _ = wfh_set_nonblocking(fd) }
    }

    deinit {
        closeChannels()
        chunk.deallocate()
    }

    /// Records an end the caller decided (a child killed and reaped by `killAndReap`).
    func markEnded(_ termination: Termination, maxRSSKiB: UInt64 = 0) {
        if exit == nil { exit = (termination, maxRSSKiB) }
    }

    /// Waits until output arrives, the child exits, `deadline` (monotonic ns) passes or `extraFD` is readable.
    func wait(until deadline: UInt64?, extraFD: CInt = -1) -> Wake {
        if exit != nil { return .exited }
        let now = Sys.monotonicNanos()
        if let deadline, now >= deadline { return .deadline }
        var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var timeoutMs: CInt = deadline.map { CInt(clamping: ($0 - now) / 1_000_000 + 1) } ?? 1000
        if process.pidfd >= 0 {
            fds.append(pollfd(fd: process.pidfd, events: Int16(POLLIN), revents: 0))
        } else {
            timeoutMs = min(timeoutMs, 10) // no pidfd: poll for the exit
        }
        if extraFD >= 0 { fds.append(pollfd(fd: extraFD, events: Int16(POLLIN), revents: 0)) }
        do {
            try Sys.poll(&fds, timeoutMs: timeoutMs)
        } catch {
            killAndReap()
            return .failed("\(error)")
        }
        for p in fds where p.revents != 0 && open.contains(p.fd) { drain(p.fd) }
        let pidfdReady = process.pidfd >= 0 && fds.contains { $0.fd == process.pidfd && $0.revents != 0 }
        if pidfdReady || process.pidfd < 0 {
            if pidfdReady { process.signalGroup(.kill) } // end what it left in its group, while the pid is held
            if let reaped = try? process.reapWithUsage(block: pidfdReady) { // ECHILD cannot happen: we own it
                exit = reaped
                if pidfdReady { process.awaitGroupGone() }
                for fd in open { drain(fd) }
                return .exited
            }
        }
        if extraFD >= 0, fds.contains(where: { $0.fd == extraFD && $0.revents != 0 }) { return .extra }
        return .progress
    }

    /// Kills the child's whole group and reaps it (blocking: a SIGKILLed process is reaped promptly).
    func killAndReap() {
        guard exit == nil else { return }
        process.signalGroup(.kill)
        exit = (try? process.reapWithUsage(block: true)) ?? (.signaled(.kill, coreDumped: false), 0)
        process.awaitGroupGone()
    }

    /// Stops reading a channel (its reader closed it, or it overflowed).
    func stopReading(_ fd: CInt) { open.remove(fd) }

    /// Reads what is left on every channel (after the child exited).
    func drainAll() { for fd in open { drain(fd) } }

    /// Closes the channels' read ends (once; the process is not touched).
    func closeChannels() {
        guard !closed else { return }
        closed = true
        for fd in [eventFD, stdoutFD, stderrFD] where fd >= 0 { Sys.close(fd) }
        open.removeAll()
    }
    private var closed = false

    private func drain(_ fd: CInt) {
        while open.contains(fd) {
            let n: Int?
            do { n = try Sys.read(fd, into: chunk) } catch { n = 0 } // a read error ends the channel like EOF
            guard let n else { return }
            if n == 0 { open.remove(fd); return }
            let bytes = UnsafeRawBufferPointer(rebasing: chunk[0..<n])
            if fd == eventFD {
                if !onEvents(bytes) { open.remove(fd) }
            } else if fd == stdoutFD {
                stdoutTail.append(bytes)
            } else {
                stderrTail.append(bytes)
            }
        }
    }
}
