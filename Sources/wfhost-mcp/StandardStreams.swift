#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The process's standard streams while serving: stdout carries JSON-RPC only.
enum StandardStreams {
    struct Unusable: Error, CustomStringConvertible {
        var description: String
    }

    /// Moves the protocol's stream off descriptor 1: returns a close-on-exec duplicate of stdout for the transport,
    /// and points descriptor 1 at stderr, so that a stray `print`, a library's message or anything a child inherits
    /// lands in the log rather than in the middle of the JSON-RPC stream.
    /// - Throws: `Unusable` when stdout is closed or the descriptors cannot be duplicated (`fcntl`, `dup2`).
    static func reserveStdoutForProtocol() throws(Unusable) -> CInt {
        let protocolFD = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)
        guard protocolFD >= 0 else {
            throw Unusable(description: "stdout is not open (fcntl F_DUPFD_CLOEXEC: \(String(cString: strerror(errno))))")
        }
        var rc: CInt
        repeat { rc = dup2(STDERR_FILENO, STDOUT_FILENO) } while rc < 0 && errno == EINTR
        guard rc >= 0 else {
            throw Unusable(description: "cannot point stdout at stderr (dup2: \(String(cString: strerror(errno))))")
        }
        return protocolFD
    }

    /// Writes `text` and a newline to stderr (descriptor 2), whatever happens to stdout.
    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
