import Foundation
import MCP
import WorkflowHost

/// Forwards one request's progress to the client as `notifications/progress`, for a request that carried a progress
/// token. Values are percentages of `total` 100 and only ever increase, as the specification requires: a report not
/// above the last one sent is dropped. Reports may come from any thread; they are sent in order.
final class ProgressForwarder: @unchecked Sendable {
    // @unchecked: `last` is guarded by `lock`; the rest is immutable.
    private let lock = NSLock()
    private var last = -1.0
    private let token: ProgressToken
    private let continuation: AsyncStream<ProgressNotification.Parameters>.Continuation
    private let sender: Task<Void, Never>

    init(token: ProgressToken, server: Server) {
        self.token = token
        let (stream, continuation) = AsyncStream.makeStream(of: ProgressNotification.Parameters.self)
        self.continuation = continuation
        sender = Task {
            for await parameters in stream {
                // A client that went away cannot be told; the request's own response reports the outcome.
                try? await server.notify(ProgressNotification.message(parameters))
            }
        }
    }

    /// Reports `fraction` (0...1) done, with an optional sentence.
    func report(fraction: Double, message: String?) {
        guard fraction.isFinite else { return }
        let percent = (min(max(fraction, 0), 1) * 1000).rounded() / 10
        let send: Bool = lock.withLock {
            guard percent > last else { return false }
            last = percent
            return true
        }
        guard send else { return }
        continuation.yield(.init(progressToken: token, progress: percent, total: 100,
                                 message: message.flatMap { $0.isEmpty ? nil : $0 }))
    }

    /// Sends what is queued, then stops: called before the request's response, so that no progress follows it.
    func finish() async {
        continuation.finish()
        await sender.value
    }
}

/// A run's events as progress (the engine's weighted fraction), as log lines on stderr, and its tools' log lines for
/// the client.
struct RunProgressSink: RunEventSink {
    var progress: ProgressForwarder?
    var log: ServerLog
    var clientLog: ClientLog?

    func emit(_ event: RunEvent) {
        switch event {
        case .log(let stage, let tool, let level, let message):
            log.debug("\(stage): \(tool): [\(level)] \(message)")
            clientLog?.send(ClientLog.level(level), logger: "wfhost.run",
                            .object(["stage": .string(stage), "tool": .string(tool), "message": .string(message)]))
        case .progress(let fraction, let finished, let total, let running):
            let detail = "\(finished)/\(total) stages finished" + (running.isEmpty ? "" : "; running: " + running.joined(separator: ", "))
            progress?.report(fraction: fraction, message: detail)
        case .notice(let text):
            log.notice(text)
            clientLog?.send(.notice, logger: "wfhost", .string(text))
        case .runStarted(let session, let workflow, let stages):
            log.info("session \(session): running \(workflow) (\(stages) stages)")
        case .stageFinished(let stage, let status, let attempts, _, let failure, _):
            log.info("stage \(stage): \(status.rawValue) after \(attempts) attempt(s)" + (failure.map { ": \($0)" } ?? ""))
        case .runFinished(let session, let status, _):
            log.info("session \(session): \(status.rawValue)")
        default:
            break
        }
    }
}

/// Log lines for the client as `notifications/message`: a tool's log lines and a run's, at or above the level the
/// client set with `logging/setLevel` (info until it sets one). Sent in order from any thread.
final class ClientLog: @unchecked Sendable {
    // @unchecked: `minimum` is guarded by `lock`; the rest is immutable.
    private let lock = NSLock()
    private var minimum: LogLevel = .info
    private let continuation: AsyncStream<LogMessageNotification.Parameters>.Continuation
    private let sender: Task<Void, Never>

    init(server: Server) {
        let (stream, continuation) = AsyncStream.makeStream(of: LogMessageNotification.Parameters.self)
        self.continuation = continuation
        sender = Task {
            for await parameters in stream {
                try? await server.notify(LogMessageNotification.message(parameters)) // a client gone hears nothing
            }
        }
    }

    func setLevel(_ level: LogLevel) { lock.withLock { minimum = level } }

    func send(_ level: LogLevel, logger: String, _ data: Value) {
        let order = LogLevel.allCases
        let wanted = lock.withLock { minimum }
        guard let at = order.firstIndex(of: level), let from = order.firstIndex(of: wanted), at >= from else { return }
        continuation.yield(.init(level: level, logger: logger, data: data))
    }

    static func level(_ level: CallEvent.LogLevel) -> LogLevel {
        switch level {
        case .debug: return .debug
        case .info: return .info
        case .warning: return .warning
        case .error: return .error
        }
    }
}
