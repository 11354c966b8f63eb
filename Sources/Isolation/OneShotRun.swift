#if canImport(Glibc)
import Glibc
#endif
import CSupport

/// A child run to completion under a deadline: the scanner uses it for every plugin file.
public struct OneShotRequest: Sendable {
    public var executable: String
    public var arguments: [String]
    public var environment: [String]
    /// An open file passed to the child as `childFD` (the plugin file the host has hashed).
    public var passedFile: CInt?
    public var passedFileChildFD: CInt = WorkerFD.plugin
    /// Bytes the child writes to its events channel (fd 4) that the host keeps; more is a protocol error.
    public var eventLimit = 16 << 20
    /// Bytes of stdout and of stderr kept (the tail).
    public var outputTailLimit = 64 << 10
    /// Wall-clock limit; then SIGTERM to the process group, then SIGKILL after `grace`.
    public var timeout: Duration
    public var grace: Duration = .zero

    public init(executable: String, arguments: [String], environment: [String], passedFile: CInt?, timeout: Duration) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.passedFile = passedFile
        self.timeout = timeout
    }
}

/// What a one-shot child did.
public struct OneShotOutcome: Sendable {
    public var termination: Termination
    /// The deadline passed and the host ended the child.
    public var timedOut: Bool
    /// The child wrote more than `eventLimit` bytes on its events channel and was killed.
    public var eventsOverflowed: Bool
    public var events: [UInt8]
    public var stdout: TailBuffer
    public var stderr: TailBuffer
    public var elapsed: Duration
}

/// The file descriptor numbers of the worker protocol (defined once, in Sources/CSupport/include/wfh_protocol.h).
public enum WorkerFD {
    public static let requests = CInt(WFH_FD_REQUESTS)
    public static let events = CInt(WFH_FD_EVENTS)
    public static let plugin = CInt(WFH_FD_PLUGIN)
}

/// The other numbers of the worker protocol (wfh_protocol.h).
public enum WorkerProtocol {
    public static let frameHeaderSize = Int(WFH_FRAME_HEADER)
    public static let maxSandboxPaths = Int(WFH_SANDBOX_MAX_PATHS)
    /// A frame kind's byte on the wire.
    static func frame(_ kind: wfh_frame_kind) -> UInt8 { UInt8(truncatingIfNeeded: kind.rawValue) }
}

extension Duration {
    /// The duration in whole nanoseconds: 0 for negative durations, and at most about 100 years, so that adding
    /// it to a monotonic clock reading never overflows (a user may write `timeout: 100000000000`).
    public var nanoseconds: UInt64 {
        let (s, atto) = components
        guard s >= 0, atto >= 0 || s > 0 else { return 0 }
        let cap: Int64 = 100 * 365 * 86_400
        if s >= cap { return UInt64(cap) * 1_000_000_000 }
        return UInt64(s) * 1_000_000_000 + UInt64(max(0, atto) / 1_000_000_000)
    }
}

public enum OneShotRun {
    /// Spawns the child and supervises it until it exits or its deadline passes; never leaves a zombie.
    /// - Throws: `SystemError` when the child cannot be spawned or a pipe cannot be made.
    public static func run(_ request: OneShotRequest) throws(SystemError) -> OneShotOutcome {
        let started = Sys.monotonicNanos()
        let events = try Sys.pipe()
        let out = try Sys.pipe()
        let err = try Sys.pipe()
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { if devNull >= 0 { Sys.close(devNull) } }
        var map: [(parent: CInt, child: CInt)] = [
            (devNull, 0), (out.write, 1), (err.write, 2), (events.write, WorkerFD.events),
        ]
        if let file = request.passedFile { map.append((file, request.passedFileChildFD)) }
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: request.executable, arguments: request.arguments,
                                     environment: request.environment, fds: map)
        } catch {
            for fd in [events.read, events.write, out.read, out.write, err.read, err.write] { Sys.close(fd) }
            throw error
        }
        // The parent keeps only the read ends; EOF then means every writer is gone.
        Sys.close(events.write); Sys.close(out.write); Sys.close(err.write)
        let io = Supervision(process: child, eventFD: events.read, stdoutFD: out.read, stderrFD: err.read,
                             tailLimit: request.outputTailLimit)
        defer { io.closeChannels() }
        var eventBytes: [UInt8] = []
        var overflow = false, timedOut = false
        io.onEvents = { data in
            if eventBytes.count + data.count > request.eventLimit {
                overflow = true
                child.signalGroup(.kill)
                return false
            }
            eventBytes.append(contentsOf: data)
            return true
        }
        let deadline = started + request.timeout.nanoseconds
        var killAt: UInt64? = nil
        loop: while true {
            let now = Sys.monotonicNanos()
            if !timedOut, now >= deadline {
                timedOut = true
                child.signalGroup(request.grace == .zero ? .kill : .terminate)
                killAt = now + request.grace.nanoseconds
            }
            if let at = killAt, now >= at {
                child.signalGroup(.kill)
                killAt = nil
            }
            switch io.wait(until: timedOut ? (killAt ?? now + 10_000_000) : deadline) {
            case .exited: break loop
            case .failed(let why): throw SystemError("poll (\(why))", errno: EIO) // the child is reaped already
            case .progress, .deadline, .extra: continue
            }
        }
        io.drainAll()
        let termination = io.exit?.termination
        return OneShotOutcome(termination: termination ?? .exited(code: -1), timedOut: timedOut,
                              eventsOverflowed: overflow, events: eventBytes, stdout: io.stdoutTail, stderr: io.stderrTail,
                              elapsed: .nanoseconds(Int64(Sys.monotonicNanos() - started)))
    }
}
