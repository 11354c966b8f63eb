/// The class of a failed call: what the engine's retries and error routing read.
/// A struct with static members so that adding a class breaks no caller.
public struct FailureClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible, Codable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The arguments do not match the tool's schema or signature; the tool never ran.
    public static let invalidArgs = FailureClass(rawValue: "invalid_args")
    /// The tool reported an error itself (with its code and message).
    public static let toolError = FailureClass(rawValue: "tool_error")
    /// The call's time limit passed.
    public static let timeout = FailureClass(rawValue: "timeout")
    /// The worker died by a signal.
    public static let crash = FailureClass(rawValue: "crash")
    /// The worker process exited in the middle of the call.
    public static let exit = FailureClass(rawValue: "exit")
    /// The call ran out of its memory limit.
    public static let outOfMemory = FailureClass(rawValue: "out_of_memory")
    /// The worker sent a malformed or oversized frame (or a result over the size limit).
    public static let `protocol` = FailureClass(rawValue: "protocol")
    /// The call was cancelled (by the user, a fail-fast policy, or the host shutting down).
    public static let cancelled = FailureClass(rawValue: "cancelled")
    /// The sandbox denied an access the tool did not declare.
    public static let sandboxDenied = FailureClass(rawValue: "sandbox_denied")

    public static let all: [FailureClass] = [.invalidArgs, .toolError, .timeout, .crash, .exit, .outOfMemory,
                                              .protocol, .cancelled, .sandboxDenied]

    /// Whether calling again may succeed, when the tool does not say otherwise.
    public var defaultRetryable: Bool {
        switch self {
        case .timeout, .crash, .exit: return true
        default: return false
        }
    }

    public var description: String { rawValue }
}

/// A failed call: one typed value with everything the user and the engine need.
public struct CallFailure: Error, Sendable, CustomStringConvertible {
    public var failureClass: FailureClass
    /// What happened, in a sentence.
    public var message: String
    /// Calling again may succeed.
    public var retryable: Bool
    /// For `tool_error`: the tool's own code (`not_found`, ...).
    /// The sandbox layers of the worker that served the call (nil when no worker ran).
    public var sandbox: SandboxReport?
    public var toolCode: String?
    /// For `crash`: the signal.
    public var signal: Signal?
    public var coreDumped = false
    /// For `exit`: the exit code.
    public var exitCode: Int32?
    /// What the tool printed (tails, at most 64 KiB each).
    public var stdoutTail = ""
    public var stderrTail = ""
    /// What to do about it.
    public var hint: String?
    /// The worker process that ran the call, when one was started.
    public var workerPID: Int32?

    public init(_ failureClass: FailureClass, _ message: String, retryable: Bool? = nil, toolCode: String? = nil,
                hint: String? = nil) {
        self.failureClass = failureClass
        self.message = message
        self.retryable = retryable ?? failureClass.defaultRetryable
        self.toolCode = toolCode
        self.hint = hint
    }

    public var description: String {
        "\(failureClass): \(message)" + (hint.map { "\n  hint: \($0)" } ?? "")
    }
}
