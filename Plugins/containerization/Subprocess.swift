import FoundationEssentials
import WfhostPluginKit
#if canImport(Glibc)
import Glibc
#endif

/// How an external program ended: a non-zero exit is a result, not an error.
struct CommandOutcome: Sendable {
    var argv: [String]
    var exitCode: Int32
    var signal: Int32
    var stdout: String
    var stderr: String
    var succeeded: Bool { signal == 0 && exitCode == 0 }

    /// The last few lines of stderr (else stdout), for error messages.
    var tail: String {
        let text = stderr.isEmpty ? stdout : stderr
        return text.split(separator: "\n").suffix(5).joined(separator: "\n")
    }
}

/// Runs external programs with `posix_spawn` and an argv (never a shell string), capturing their output.
enum Subprocess {
    /// Output kept per stream; the rest is dropped.
    static let outputLimit = 4 << 20

    /// Finds `name` on `PATH` (the worker keeps the host's PATH).
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            var st = stat()
            if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Runs `executable` with `arguments`, polling `context` for cancellation.
    /// - Throws: `ToolError` `spawn_failed` when the program cannot be started; `cancelled` when the call is stopped.
    static func run(_ executable: String, _ arguments: [String], context: ToolContext?) throws(ToolError) -> CommandOutcome {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { throw spawnError(executable, errno) }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw spawnError(executable, errno)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in [outPipe[0], outPipe[1], errPipe[0], errPipe[1]] { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = [executable] + arguments
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, &cargs, environ)
        close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw spawnError(executable, rc)
        }
        var out: [UInt8] = [], err: [UInt8] = []
        var open = [outPipe[0], errPipe[0]]
        var cancelled = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let n = poll(&fds, nfds_t(fds.count), 200)
            if n < 0 && errno != EINTR { break }
            if let context, !cancelled, context.isCancelled {
                cancelled = true
                kill(pid, SIGTERM)
            }
            for f in fds where f.revents != 0 {
                let got = buffer.withUnsafeMutableBytes { read(f.fd, $0.baseAddress, $0.count) }
                if got > 0 {
                    if f.fd == outPipe[0] {
                        if out.count < outputLimit { out += buffer[0..<got] }
                    } else if err.count < outputLimit {
                        err += buffer[0..<got]
                    }
                } else if got == 0 || errno != EINTR {
                    close(f.fd)
                    open.removeAll { $0 == f.fd }
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if cancelled { throw ToolError.cancelled }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift's Glibc module does not expose.
        let signal = status & 0x7f
        return CommandOutcome(argv: argv, exitCode: signal == 0 ? (status >> 8) & 0xff : -1, signal: signal,
                              stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    private static func spawnError(_ executable: String, _ code: Int32) -> ToolError {
        ToolError(code: "spawn_failed", message: "cannot start \(executable): \(String(cString: strerror(code)))")
    }
}
