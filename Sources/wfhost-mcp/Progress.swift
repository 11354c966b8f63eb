import Engine
import Foundation
import MCP

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

/// A run's events as progress (the engine's weighted fraction) and as log lines on stderr.
struct RunProgressSink: RunEventSink {
    var progress: ProgressForwarder?
    var log: ServerLog

    func emit(_ event: RunEvent) {
        switch event {
        case .progress(let fraction, let finished, let total, let running):
            let detail = "\(finished)/\(total) stages finished" + (running.isEmpty ? "" : "; running: " + running.joined(separator: ", "))
            progress?.report(fraction: fraction, message: detail)
        case .notice(let text):
            log.notice(text)
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
