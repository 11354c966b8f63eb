import WfhostPluginSDK

/// What a tool can do besides returning its result: log, report progress, ask whether it should stop.
///
/// Valid only while the tool function runs (the host's `wfh_host` and `wfh_call` pointers die with the call):
/// never store it or hand it to another thread.
public struct ToolContext {
    /// Log levels, mirroring `wfh_log_level`.
    public enum LogLevel: Sendable {
        case debug, info, warning, error
        var raw: wfh_log_level {
            switch self {
            case .debug: return WFH_LOG_DEBUG
            case .info: return WFH_LOG_INFO
            case .warning: return WFH_LOG_WARNING
            case .error: return WFH_LOG_ERROR
            }
        }
    }

    let host: UnsafePointer<wfh_host>
    let call: OpaquePointer
    /// The call's scratch directory (removed by the host after the call).
    public let workDirectory: String
    /// 1 for the first attempt, 2 for the first retry, ...
    public let attempt: Int

    /// Emits one log line (`wfh_host.log`; the host copies it).
    public func log(_ level: LogLevel = .info, _ message: String) {
        var text = message
        text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                host.pointee.log(call, level.raw, chars.baseAddress, chars.count)
            }
        }
    }

    /// Reports progress in [0, 1] with an optional message (`wfh_host.progress`).
    public func progress(_ fraction: Double, _ message: String? = nil) {
        if let message {
            message.withCString { host.pointee.progress(call, fraction, $0) }
        } else {
            host.pointee.progress(call, fraction, nil)
        }
    }

    /// True once the host asked the call to stop (`wfh_host.is_cancelled`).
    public var isCancelled: Bool { host.pointee.is_cancelled(call) != 0 }

    /// Throws ``ToolError/cancelled`` once the host asked the call to stop.
    public func checkCancellation() throws(ToolError) {
        if isCancelled { throw ToolError.cancelled }
    }
}
