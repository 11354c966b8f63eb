/// One problem found in a workflow file: where, what, and how to fix it.
///
/// Rendered as text (``textDescription``), as a GitHub Actions annotation (``githubAnnotation``) or as JSON
/// (the type is `Codable`). Other modules may use it for their own file diagnostics.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How bad a problem is. `error` makes a file invalid; `warning` does not.
    public enum Severity: String, Sendable, Hashable, Codable {
        case error
        case warning
    }

    /// A stable, machine-readable name for the kind of problem. New codes may be added at any time.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }

    /// A secondary place that explains the diagnostic, such as one edge of a dependency cycle.
    public struct Note: Sendable, Hashable, Codable {
        public var location: SourceLocation
        public var message: String
        public init(location: SourceLocation, message: String) {
            self.location = location
            self.message = message
        }
    }

    public var severity: Severity
    public var code: Code
    public var location: SourceLocation
    public var message: String
    public var hint: String?
    public var notes: [Note]

    public init(_ severity: Severity, _ code: Code, at location: SourceLocation, _ message: String,
                hint: String? = nil, notes: [Note] = []) {
        self.severity = severity
        self.code = code
        self.location = location
        self.message = message
        self.hint = hint
        self.notes = notes
    }

    public static func error(_ code: Code, at location: SourceLocation, _ message: String,
                             hint: String? = nil, notes: [Note] = []) -> Diagnostic {
        Diagnostic(.error, code, at: location, message, hint: hint, notes: notes)
    }

    public static func warning(_ code: Code, at location: SourceLocation, _ message: String,
                               hint: String? = nil, notes: [Note] = []) -> Diagnostic {
        Diagnostic(.warning, code, at: location, message, hint: hint, notes: notes)
    }

    /// `FILE:LINE:COL: error: message`, then `  note: ...` and `  hint: ...` lines.
    public var textDescription: String {
        var text = "\(location): \(severity.rawValue): \(message)"
        for note in notes {
            text += "\n  note: \(note.location): \(note.message)"
        }
        if let hint {
            text += "\n  hint: \(hint)"
        }
        return text
    }

    public var description: String { textDescription }

    /// A GitHub Actions workflow command: `::error file=F,line=L,col=C,title=CODE::message`.
    ///
    /// Notes and the hint follow the message on their own lines (encoded as `%0A`).
    public var githubAnnotation: String {
        var body = message
        for note in notes {
            body += "\nnote: \(note.location): \(note.message)"
        }
        if let hint {
            body += "\nhint: \(hint)"
        }
        let properties = [
            "file=\(Self.escapeProperty(location.file))",
            "line=\(location.line)",
            "col=\(location.column)",
            "title=\(Self.escapeProperty(code.rawValue))",
        ].joined(separator: ",")
        return "::\(severity.rawValue) \(properties)::\(Self.escapeData(body))"
    }

    private static func escapeData(_ text: String) -> String {
        var out = ""
        for ch in text.unicodeScalars {
            switch ch {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    private static func escapeProperty(_ text: String) -> String {
        var out = ""
        for ch in escapeData(text).unicodeScalars {
            switch ch {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}

extension Array where Element == Diagnostic {
    /// True when at least one diagnostic is an error.
    public var containsErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by file, line and column; diagnostics at the same place keep their order.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { a, b in
            if a.element.location != b.element.location { return a.element.location < b.element.location }
            return a.offset < b.offset
        }.map(\.element)
    }
}
