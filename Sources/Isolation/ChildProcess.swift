#if canImport(Glibc)
import Glibc
#endif
import CSupport

/// How a child process ended.
public enum Termination: Sendable, Equatable, CustomStringConvertible {
    case exited(code: Int32)
    case signaled(Signal, coreDumped: Bool)

    init(waitStatus status: CInt) {
        if wfh_wifsignaled(status) != 0 {
            self = .signaled(Signal(rawValue: wfh_wtermsig(status)), coreDumped: wfh_wcoredump(status) != 0)
        } else {
            self = .exited(code: wfh_wexitstatus(status))
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with code \(code)"
        case .signaled(let signal, let core): return "killed by \(signal.name)" + (core ? " (core dumped)" : "")
        }
    }
}

/// A spawned child in its own process group, tracked by pidfd where the kernel has it so that a reused pid is
/// never signalled by mistake. The owner must call `wait` (or `reap`) exactly once.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: the mutable state (`reaped`) is touched only by the owning supervisor's thread.
    public let pid: pid_t
    /// The pidfd, or -1 when the kernel has no pidfd_open.
    public let pidfd: CInt
    private var reaped = false

    /// Spawns `executable` with the fd mapping `fds` (parent fd → child fd).
    /// - Throws: `SystemError` when posix_spawn fails (missing executable, no memory).
    public init(executable: String, arguments: [String], environment: [String], fds: [(parent: CInt, child: CInt)])
        throws(SystemError)
    {
        var pid: pid_t = 0
        let argv = [executable] + arguments
        let from = fds.map(\.parent), to = fds.map(\.child)
        let outcome = SpawnThread.shared.run { () -> (CInt, pid_t) in
            var child: pid_t = 0
            let rc = withCStringArray(argv) { cargv in
                withCStringArray(environment) { cenv in
                    wfh_spawn(executable, cargv, cenv, from, to, CInt(from.count), &child)
                }
            }
            return (rc, child)
        }
        guard let (rc, spawned) = outcome else { throw SystemError("posix_spawn \(executable)", errno: EAGAIN) }
        pid = spawned
        if rc != 0 { throw SystemError("posix_spawn \(executable)", errno: -rc) }
        self.pid = pid
        let fd = wfh_pidfd_open(pid)
        self.pidfd = fd >= 0 ? fd : -1
    }

    deinit {
        if pidfd >= 0 { Sys.close(pidfd) }
    }

    /// Sends `signal` to the child's whole process group (the worker and whatever it started), falling back to
    /// the pidfd for the child itself when the group is gone. Does nothing once the child was reaped.
    public func signalGroup(_ signal: Signal) {
        guard !reaped else { return }
        if kill(-pid, signal.rawValue) != 0, pidfd >= 0 {
            _ = wfh_pidfd_send_signal(pidfd, signal.rawValue)
        }
    }

    /// After the child was reaped: waits, at most `limitNanos`, until no process of its group is left, so that the
    /// end of a call means the end of every process it started (SIGKILLed members die asynchronously, and the
    /// members of a PID namespace only when its init does). One kill(2) when the group is already gone.
    public func awaitGroupGone(limitNanos: UInt64 = 1_000_000_000) {
        guard kill(-pid, 0) == 0 else { return } // the usual case: nothing of the group is left
        // Members left: wait until none runs (a zombie has ended; only its new parent has not reaped it yet).
        let deadline = Sys.monotonicNanos() + limitNanos
        while wfh_group_live_members(pid) > 0 && Sys.monotonicNanos() < deadline { usleep(500) }
    }

    /// Reaps the child if it has exited; nil while it runs.
    public func reapIfExited() throws(SystemError) -> Termination? {
        try reapWithUsage(block: false)?.termination
    }

    /// Reaps the child (waiting for it when `block`), with its peak resident memory in KiB (`wait4`).
    public func reapWithUsage(block: Bool) throws(SystemError) -> (termination: Termination, maxRSSKiB: UInt64)? {
        var status: CInt = 0
        var usage = rusage()
        while true {
            let rc = wait4(pid, &status, block ? 0 : WNOHANG, &usage)
            if rc == pid {
                reaped = true
                return (Termination(waitStatus: status), UInt64(max(0, usage.ru_maxrss)))
            }
            if rc == 0 { return nil }
            if errno == EINTR { continue }
            throw SystemError("wait4", errno: errno)
        }
    }

    /// Sends `signal` to the child alone (not its group), through the pidfd when there is one.
    public func signalProcess(_ signal: Signal) {
        guard !reaped else { return }
        if pidfd >= 0 {
            _ = wfh_pidfd_send_signal(pidfd, signal.rawValue)
        } else {
            kill(pid, signal.rawValue)
        }
    }

    /// Blocks until the child exits and reaps it.
    public func wait() throws(SystemError) -> Termination {
        guard let status = try Sys.waitpid(pid, noHang: false) else {
            throw SystemError("waitpid", errno: ECHILD)
        }
        reaped = true
        return Termination(waitStatus: status)
    }
}

/// Calls `body` with a NULL-terminated `char *[]` built from `strings`; the memory lives for the call only.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
