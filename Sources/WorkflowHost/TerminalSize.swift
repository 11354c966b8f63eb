#if canImport(Glibc)
import Glibc
#endif

/// The size of the terminal on a file descriptor, as the kernel reports it (`ioctl(TIOCGWINSZ)`).
///
/// ```swift
/// let width = TerminalSize.columns(of: 2) ?? 80
/// ```
public enum TerminalSize {
    /// The number of columns of the terminal `fd` refers to; nil when `fd` is not a terminal or reports no size
    /// (a pseudo-terminal whose size was never set says 0).
    public static func columns(of fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Whether `fd` is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) != 0 }
}
