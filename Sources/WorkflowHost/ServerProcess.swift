#if canImport(Glibc)
import Glibc
#endif
import CSupport
import Isolation

/// A tool server's process as the host starts it (`wfhost-mcp client`, one per declared server): its stdin,
/// stdout and stderr on pipes, in a process group of its own, under an address-space and open-files limit and with
/// no core files. Its end is awaited with ``wait()`` on a thread of the caller's (exactly once).
///
/// ```swift
/// let server = try ServerProcess.start(executable: "/usr/bin/my-mcp-server", arguments: [],
///                                      environment: ["PATH=/usr/bin:/bin"], memoryMB: 512, openFiles: 1024)
/// // write requests to server.input, read replies from server.output and diagnostics from server.errors
/// server.killGroup()
/// print(server.wait()) // "killed by SIGKILL"
/// ```
public final class ServerProcess: Sendable {
    /// The process id.
    public let pid: Int32
    /// This process's end of the server's stdin (write to it); the caller closes it.
    public let input: CInt
    /// This process's end of the server's stdout (read it); the caller closes it.
    public let output: CInt
    /// This process's end of the server's stderr (read it); the caller closes it.
    public let errors: CInt
    private let child: ChildProcess

    private init(child: ChildProcess, input: CInt, output: CInt, errors: CInt) {
        self.child = child
        self.pid = child.pid
        self.input = input
        self.output = output
        self.errors = errors
    }

    /// Starts `executable` with `arguments` and exactly `environment`, its three standard streams on pipes whose
    /// other ends are close-on-exec in this process, then sets its limits (prlimit(2), best effort: a limit the
    /// kernel refuses leaves the host's).
    /// - Parameters:
    ///   - environment: `NAME=value` entries, the whole environment.
    ///   - memoryMB: RLIMIT_AS in MiB; 0 for none.
    ///   - openFiles: RLIMIT_NOFILE; 0 for the host's.
    /// - Returns: the running server.
    /// - Throws: `WorkflowHostError` with code `environment` when the pipes cannot be made or posix_spawn fails
    ///   (the message names the executable and the system's reason).
    public static func start(executable: String, arguments: [String], environment: [String], memoryMB: Int,
                             openFiles: Int) throws(WorkflowHostError) -> ServerProcess {
        var made: [CInt] = []
        func pipe() throws(WorkflowHostError) -> (read: CInt, write: CInt) {
            var fds: [CInt] = [-1, -1]
            let rc = fds.withUnsafeMutableBufferPointer { wfh_pipe_cloexec($0.baseAddress) }
            guard rc == 0 else {
                for fd in made { close(fd) }
                throw WorkflowHostError(.environment, "cannot make a pipe for \(executable): \(String(cString: strerror(-rc)))")
            }
            made += fds
            return (fds[0], fds[1])
        }
        let stdin = try pipe(), stdout = try pipe(), stderr = try pipe()
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: executable, arguments: arguments, environment: environment,
                                     fds: [(stdin.read, 0), (stdout.write, 1), (stderr.write, 2)])
        } catch {
            for fd in made { close(fd) }
            throw WorkflowHostError(.environment, "\(error)", location: executable)
        }
        close(stdin.read); close(stdout.write); close(stderr.write)
        func set(_ resource: __rlimit_resource, _ value: UInt64) {
            _ = wfh_set_rlimit_of(child.pid, CInt(resource.rawValue), value) // best effort, as documented above
        }
        if memoryMB > 0 { set(RLIMIT_AS, UInt64(memoryMB) << 20) }
        if openFiles > 0 { set(RLIMIT_NOFILE, UInt64(openFiles)) }
        set(RLIMIT_CORE, 0)
        return ServerProcess(child: child, input: stdin.write, output: stdout.read, errors: stderr.read)
    }

    /// Sends SIGKILL to the server's process group (the server and whatever it started).
    public func killGroup() {
        child.signalGroup(.kill)
    }

    /// Blocks until the server ends and reaps it.
    /// - Returns: how it ended: `exited with code N`, `killed by SIGNAME`; `ended` when it was reaped already.
    public func wait() -> String {
        (try? child.wait()).map(\.description) ?? "ended" // wait fails only for a child reaped already
    }
}
