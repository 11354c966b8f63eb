#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSupport

/// An errno value with the name of the call that failed, for messages a user can act on.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public var call: String
    public var errno: CInt
    public init(_ call: String, errno: CInt) {
        self.call = call
        self.errno = errno
    }
    public var description: String {
        let text = strerror(errno).map { String(cString: $0) } ?? "errno \(errno)"
        return "\(call) failed: \(text)"
    }
}

/// Thin wrappers over the system calls the supervisor uses; each retries EINTR where that is correct.
enum Sys {
    /// `read(2)`: returns the bytes read (0 at end of file), nil on EAGAIN, or throws.
    static func read(_ fd: CInt, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int? {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw SystemError("read", errno: errno)
        }
    }

    /// `write(2)` of the whole buffer, retrying short writes and EINTR.
    static func writeAll(_ fd: CInt, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", errno: errno)
            }
            offset += n
        }
    }

    /// `close(2)`. The error is dropped on purpose: after close the fd is gone either way (Linux semantics).
    static func close(_ fd: CInt) {
        _ = Glibc.close(fd)
    }

    /// `pipe2(O_CLOEXEC)`: (read end, write end).
    static func pipe() throws(SystemError) -> (read: CInt, write: CInt) {
        var fds: [CInt] = [-1, -1]
        let rc = fds.withUnsafeMutableBufferPointer { wfh_pipe_cloexec($0.baseAddress) }
        if rc != 0 { throw SystemError("pipe2", errno: -rc) }
        return (fds[0], fds[1])
    }

    /// `poll(2)`, retrying EINTR; returns the fds with their revents.
    static func poll(_ fds: inout [pollfd], timeoutMs: CInt) throws(SystemError) {
        while true {
            let rc = fds.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), timeoutMs) }
            if rc >= 0 { return }
            if errno == EINTR { continue }
            throw SystemError("poll", errno: errno)
        }
    }

    /// `waitpid(2)` for one child; nil when it has not exited yet (with `noHang`).
    static func waitpid(_ pid: pid_t, noHang: Bool) throws(SystemError) -> CInt? {
        var status: CInt = 0
        while true {
            let rc = Glibc.waitpid(pid, &status, noHang ? WNOHANG : 0)
            if rc == pid { return status }
            if rc == 0 { return nil }
            if errno == EINTR { continue }
            throw SystemError("waitpid", errno: errno)
        }
    }

    /// Monotonic time in nanoseconds.
    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
