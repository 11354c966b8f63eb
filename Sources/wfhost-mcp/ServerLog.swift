import Foundation
import Logging

/// The server's log: lines on stderr (`wfhost-mcp: LEVEL: message`), never on stdout. `WFHOST_MCP_LOG` sets the
/// level (trace, debug, info, notice, warning, error; default info). The SDK's transport logs through the same
/// logger.
struct ServerLog: Sendable {
    let logger: Logger

    init(environment: [String: String]) {
        var logger = Logger(label: "wfhost-mcp") { _ in StderrLogHandler() }
        logger.logLevel = environment["WFHOST_MCP_LOG"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        self.logger = logger
    }

    func debug(_ text: String) { logger.debug("\(text)") }
    func info(_ text: String) { logger.info("\(text)") }
    func notice(_ text: String) { logger.notice("\(text)") }
    func warning(_ text: String) { logger.warning("\(text)") }
    func error(_ text: String) { logger.error("\(text)") }
}

/// One line per message on descriptor 2, with the metadata after it.
struct StderrLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let explicit = event.metadata
        let level = event.level, message = event.message
        let all = metadata.merging(explicit ?? [:]) { $1 }
        let extra = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        StandardStreams.printError("wfhost-mcp: \(level.rawValue): \(message)\(extra)")
    }
}
