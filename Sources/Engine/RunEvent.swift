import Isolation
import Schema
import Store

/// What happens during a run, in order. Every event is masked before sinks see it.
public enum RunEvent: Sendable {
    case runStarted(session: String, workflow: String, stages: Int)
    case stageStarted(stage: String, attempt: Int)
    case attemptStarted(stage: String, tool: String, attempt: Int)
    case attemptFinished(stage: String, tool: String, attempt: Int, failure: StageFailure?)
    case retrying(stage: String, nextAttempt: Int, delay: Duration, failure: StageFailure)
    case stageFinished(stage: String, status: StageStatus, attempts: Int, duration: Duration, failure: StageFailure?,
                       reason: String?)
    case log(stage: String, tool: String, level: CallEvent.LogLevel, message: String)
    case progress(fraction: Double, finished: Int, total: Int, running: [String])
    case notice(String)
    case runFinished(session: String, status: SessionStatus, duration: Duration)

    /// The event's kind as stored and streamed: `stage_started`, ...
    public var kind: String {
        switch self {
        case .runStarted: return "run_started"
        case .stageStarted: return "stage_started"
        case .attemptStarted: return "attempt_started"
        case .attemptFinished: return "attempt_finished"
        case .retrying: return "retrying"
        case .stageFinished(_, let status, _, _, _, _): return status == .skipped ? "stage_skipped" : "stage_finished"
        case .log: return "log"
        case .progress: return "progress"
        case .notice: return "notice"
        case .runFinished: return "run_finished"
        }
    }

    /// The stage the event is about, if any.
    public var stage: String? {
        switch self {
        case .stageStarted(let s, _), .attemptStarted(let s, _, _), .attemptFinished(let s, _, _, _),
             .retrying(let s, _, _, _), .stageFinished(let s, _, _, _, _, _), .log(let s, _, _, _):
            return s
        default: return nil
        }
    }

    /// One JSON object: `{"event": kind, ...fields}`.
    public var json: JSONValue {
        var o: JSONObject = ["event": .string(kind)]
        func ms(_ d: Duration) -> JSONValue { .int(Int64(d.nanoseconds / 1_000_000)) }
        switch self {
        case .runStarted(let session, let workflow, let stages):
            o["session_id"] = .string(session); o["workflow"] = .string(workflow); o["stages"] = .int(Int64(stages))
        case .stageStarted(let stage, let attempt):
            o["stage"] = .string(stage); o["attempt"] = .int(Int64(attempt))
        case .attemptStarted(let stage, let tool, let attempt):
            o["stage"] = .string(stage); o["tool"] = .string(tool); o["attempt"] = .int(Int64(attempt))
        case .attemptFinished(let stage, let tool, let attempt, let failure):
            o["stage"] = .string(stage); o["tool"] = .string(tool); o["attempt"] = .int(Int64(attempt))
            o["ok"] = .bool(failure == nil)
            if let failure { o["error"] = failure.json }
        case .retrying(let stage, let next, let delay, let failure):
            o["stage"] = .string(stage); o["next_attempt"] = .int(Int64(next)); o["delay_ms"] = ms(delay)
            o["error"] = failure.json
        case .stageFinished(let stage, let status, let attempts, let duration, let failure, let reason):
            o["stage"] = .string(stage); o["status"] = .string(status.rawValue); o["attempts"] = .int(Int64(attempts))
            o["duration_ms"] = ms(duration)
            if let failure { o["error"] = failure.json }
            if let reason { o["reason"] = .string(reason) }
        case .log(let stage, let tool, let level, let message):
            o["stage"] = .string(stage); o["tool"] = .string(tool); o["level"] = .string(level.description)
            o["message"] = .string(message)
        case .progress(let fraction, let finished, let total, let running):
            o["fraction"] = .double(fraction); o["finished"] = .int(Int64(finished)); o["total"] = .int(Int64(total))
            o["running"] = .array(running.map(JSONValue.string))
        case .notice(let text):
            o["message"] = .string(text)
        case .runFinished(let session, let status, let duration):
            o["session_id"] = .string(session); o["status"] = .string(status.rawValue); o["duration_ms"] = ms(duration)
        }
        return .object(o)
    }
}

/// Why a stage (an attempt of it) failed: a call failure, or a failure of the engine's own (an undefined
/// variable, a required condition, a stage time limit).
public struct StageFailure: Error, Sendable, CustomStringConvertible {
    /// The call failure class (`tool_error`, `timeout`, ...) or the engine's (`undefined_variable`,
    /// `condition_failed`, `unknown_tool`, `interrupted`).
    public var errorType: String
    public var message: String
    public var retryable: Bool
    public var tool: String?
    public var exitCode: Int32?
    public var signal: String?
    public var toolCode: String?
    public var hint: String?

    public init(errorType: String, message: String, retryable: Bool, tool: String? = nil, hint: String? = nil) {
        self.errorType = errorType
        self.message = message
        self.retryable = retryable
        self.tool = tool
        self.hint = hint
    }

    init(_ call: CallFailure, tool: String) {
        self.init(errorType: call.failureClass.rawValue, message: call.message, retryable: call.retryable, tool: tool,
                  hint: call.hint)
        exitCode = call.exitCode
        signal = call.signal?.name
        toolCode = call.toolCode
    }

    public var description: String { (tool.map { "\($0): " } ?? "") + "\(errorType): \(message)" }

    public var json: JSONValue {
        var o: JSONObject = ["error_type": .string(errorType), "message": .string(message), "retryable": .bool(retryable)]
        if let tool { o["tool"] = .string(tool) }
        if let exitCode { o["exit_code"] = .int(Int64(exitCode)) }
        if let signal { o["signal"] = .string(signal) }
        if let toolCode { o["code"] = .string(toolCode) }
        if let hint { o["hint"] = .string(hint) }
        return .object(o)
    }
}
