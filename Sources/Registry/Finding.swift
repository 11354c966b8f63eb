import Foundation

/// One problem (or note) about a plugin file, as `wfhost plugins validate` and `plugins list` report it.
public struct Finding: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error, warning
        public static func < (a: Severity, b: Severity) -> Bool { a == .error && b == .warning }
    }

    /// A stable machine-readable code (`abi_mismatch`, `schema_not_json`, ...).
    public var code: String
    public var severity: Severity
    /// The plugin file the finding is about.
    public var path: String
    /// The tool it is about, when one applies.
    public var tool: String?
    /// What is wrong, in a sentence.
    public var message: String
    /// What to do about it.
    public var hint: String?

    public init(_ severity: Severity, _ code: String, path: String, tool: String? = nil, _ message: String,
                hint: String? = nil) {
        self.severity = severity
        self.code = code
        self.path = path
        self.tool = tool
        self.message = message
        self.hint = hint
    }

    /// `PATH: error: tool 'x': message` and an indented hint line.
    public var description: String {
        let subject = tool.map { "tool '\($0)': " } ?? ""
        return "\(path): \(severity.rawValue): \(subject)\(message)" + (hint.map { "\n  hint: \($0)" } ?? "")
    }

    /// A GitHub Actions workflow command: `::error file=PATH,title=CODE::message`.
    public var githubAnnotation: String {
        func escape(_ s: String, property: Bool) -> String {
            var out = s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A")
            if property { out = out.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C") }
            return out
        }
        let subject = tool.map { "tool '\($0)': " } ?? ""
        let text = subject + message + (hint.map { " (hint: \($0))" } ?? "")
        return "::\(severity.rawValue) file=\(escape(path, property: true)),title=\(escape(code, property: true))::"
            + escape(text, property: false)
    }
}
