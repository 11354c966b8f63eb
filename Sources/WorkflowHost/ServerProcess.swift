#if canImport(Glibc)
import Glibc
#endif
import CSupport
import Isolation

/// A tool server's process as the host starts it (`wfhost-mcp client`, one per declared server): its stdin,
/// stdout and stderr on pipes, in a process group of its own. The sandbox and the limits are the worker's: the
/// executable is `wfhost-worker exec ... -- COMMAND`, which confines itself and then executes the server in its
/// place. Its end is awaited with ``wait()`` on a thread of the caller's (exactly once).
///
/// ```swift
/// let server = try ServerProcess.start(executable: "/usr/bin/my-mcp-server", arguments: [],
///                                      environment: ["PATH=/usr/bin:/bin"])
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
    /// other ends are close-on-exec in this process.
    /// - Parameters:
    ///   - executable: the program's absolute path.
    ///   - arguments: its arguments, without the program name.
    ///   - environment: `NAME=value` entries, the whole environment.
    /// - Returns: the running server.
    /// - Throws: `WorkflowHostError` with code `environment` when the pipes cannot be made or posix_spawn fails
    ///   (the message names the executable and the system's reason).
    public static func start(executable: String, arguments: [String],
                             environment: [String]) throws(WorkflowHostError) -> ServerProcess {
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
