import Schema

/// Resource limits of one call (ARCHITECTURE.md: each tool call in an isolated, supervised child).
public struct CallLimits: Sendable, Hashable {
    /// Wall-clock limit; then SIGTERM to the worker's process group, `grace`, then SIGKILL.
    public var timeout: Duration = .seconds(300)
    public var grace: Duration = .seconds(2)
    /// Address-space limit of the worker (RLIMIT_AS), MiB; 0 for none.
    public var memoryMB = 1024
    /// CPU-time limit (RLIMIT_CPU), seconds; 0 for none.
    public var cpuSeconds = 0
    /// Open-file limit (RLIMIT_NOFILE).
    public var openFiles = 1024
    /// The largest result accepted, bytes.
    public var maxResultBytes = 16 << 20

    public init() {}
}

/// What a tool may touch (from its declared capabilities) and where it runs.
public struct SandboxSpec: Sendable, Hashable {
    /// Confine the tool (namespaces, Landlock, seccomp) with every layer the kernel offers.
    public var enforce = true
    /// Refuse to run the call unless every layer is in force (`--sandbox strict`).
    public var strict = false
    public var network = false
    /// Readable paths besides the system directories and the work directory; `/` for everything not hidden.
    public var readPaths: [String] = []
    /// Writable paths besides the work directory.
    public var writePaths: [String] = []
    /// The call's working directory (created by the caller); always writable.
    public var workDirectory: String
    /// Extra environment variables the tool is given (the rest is scrubbed).
    public var environment: [String: String] = [:]

    public init(workDirectory: String) { self.workDirectory = workDirectory }
}

/// Everything that makes two workers interchangeable: a pooled worker serves only calls with an equal key,
/// because Landlock rules and rlimits cannot be loosened once applied.
public struct WorkerKey: Sendable, Hashable {
    public var pluginPath: String
    public var sandbox: SandboxSpec
    public var memoryMB: Int
    public var cpuSeconds: Int
    public var openFiles: Int
    public var maxResultBytes: Int

    public init(pluginPath: String, sandbox: SandboxSpec, limits: CallLimits) {
        self.pluginPath = pluginPath
        self.sandbox = sandbox
        self.memoryMB = limits.memoryMB
        self.cpuSeconds = limits.cpuSeconds
        self.openFiles = limits.openFiles
        self.maxResultBytes = limits.maxResultBytes
    }
}

/// One call to send to a worker.
public struct CallRequest: Sendable {
    public var tool: String
    /// Validated arguments (defaults applied), as JSON text.
    public var arguments: String
    public var attempt: Int
    public init(tool: String, arguments: String, attempt: Int = 1) {
        self.tool = tool
        self.arguments = arguments
        self.attempt = attempt
    }
}

/// What a tool emits while it runs.
public enum CallEvent: Sendable {
    case log(level: LogLevel, message: String)
    case progress(fraction: Double, message: String)

    public enum LogLevel: Int, Sendable, CustomStringConvertible {
        case debug = 0, info, warning, error
        public var description: String { ["debug", "info", "warning", "error"][rawValue] }
    }
}

/// A successful call.
public struct CallSuccess: Sendable {
    public var result: JSONValue
    public var stdoutTail: String
    public var stderrTail: String
    public var duration: Duration
    /// The worker's peak resident memory, KiB.
    public var maxRSSKiB: UInt64
    /// The worker process that served the call (equal across calls served by one pooled worker).
    public var workerPID: Int32 = 0
    /// The sandbox layers the call ran under.
    public var sandbox: SandboxReport? = nil
}

/// How calls are isolated (`--isolation`).
public enum IsolationMode: String, Sendable, Hashable, CaseIterable, Codable {
    /// A fresh worker process for every call.
    case perCall = "per_call"
    /// One worker per plugin and sandbox, reused across calls; recycled after a crash, N calls, or a memory mark.
    case pooled
    /// A fork server: one confined worker per plugin and sandbox that has loaded the plugin forks a fresh
    /// process for every call (no state shared between calls, at the cost of a fork); the plugin's constructors
    /// run once per server, not per call. Recycled like a pooled worker.
    case forked
}
