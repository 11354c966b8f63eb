/// The error a tool fails with. The kit reports it through the host's `report_error`: `code` becomes the failure's
/// tool code (workflows' error routes match on it and on `message`), `retryable` tells retry policies whether
/// calling again may succeed.
public struct ToolError: Error, CustomStringConvertible, Sendable {
    /// A short machine-readable identifier: `[a-z][a-z0-9_]*`, e.g. `environment`, `not_found`, `build_failed`.
    public var code: String
    /// A sentence a user can act on.
    public var message: String
    /// Whether calling again may succeed.
    public var retryable: Bool

    public init(code: String, message: String, retryable: Bool = false) {
        self.code = code
        self.message = message
        self.retryable = retryable
    }

    public var description: String { "\(code): \(message)" }

    /// The tool was called with arguments it cannot use (beyond what the input schema checks).
    public static func invalidArguments(_ message: String) -> ToolError {
        ToolError(code: "invalid_args", message: message)
    }

    /// Something the tool needs is missing from the machine: name what to install in `message`.
    public static func environment(_ message: String) -> ToolError {
        ToolError(code: "environment", message: message)
    }

    /// The host asked the call to stop.
    public static let cancelled = ToolError(code: "cancelled", message: "the call was cancelled", retryable: true)
}
