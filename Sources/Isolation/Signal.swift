#if canImport(Glibc)
import Glibc
#endif

/// A POSIX signal number with its conventional name (`SIGSEGV`).
public struct Signal: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: CInt
    public init(rawValue: CInt) { self.rawValue = rawValue }

    /// SIGTERM: asks a process to end.
    public static let terminate = Signal(rawValue: SIGTERM)
    /// SIGKILL: ends a process unconditionally.
    public static let kill = Signal(rawValue: SIGKILL)
    /// SIGINT: interrupt from the terminal.
    public static let interrupt = Signal(rawValue: SIGINT)

    private static let names: [CInt: String] = [
        SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
        SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
        SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
        SIGCHLD: "SIGCHLD", SIGCONT: "SIGCONT", SIGSTOP: "SIGSTOP", SIGTSTP: "SIGTSTP", SIGXCPU: "SIGXCPU",
        SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
    ]

    /// `SIGSEGV`, or `signal N` for numbers without a conventional name.
    public var name: String { Signal.names[rawValue] ?? "signal \(rawValue)" }
    public var description: String { name }
}
