import Schema

/// Secret values to mask: `--secret k=v` and variables tagged `!secret`. Every log line, event, stored row and
/// report goes through `mask` before it leaves the engine. What resume needs (a stage's output, a call's result)
/// is stored through `mark` instead: each value becomes a marker naming its secret, which `unmark` turns back
/// into the value when a resume is given the secret again.
public struct Secrets: Sendable {
    /// Longest first, so that a secret containing another is masked whole.
    private let values: [String]
    /// Named values, longest first (a value known under several names keeps the first name given).
    private let named: [(name: String, value: String)]
    public static let replacement = "***"

    public init(_ values: some Sequence<String>) {
        self.values = Set(values.filter { !$0.isEmpty }).sorted { $0.count > $1.count }
        self.named = []
    }

    /// Secrets whose names are known, so that stored text can carry markers instead of their values.
    public init(named pairs: [(name: String, value: String)]) {
        self.values = Set(pairs.map(\.value).filter { !$0.isEmpty }).sorted { $0.count > $1.count }
        var seen = Set<String>()
        var unique: [(name: String, value: String)] = []
        for pair in pairs where !pair.value.isEmpty && seen.insert(pair.value).inserted { unique.append(pair) }
        self.named = unique.sorted { $0.value.count > $1.value.count }
    }

    public var isEmpty: Bool { values.isEmpty }

    public func mask(_ text: String) -> String {
        guard !values.isEmpty else { return text }
        var out = SecretMarker.masked(text)
        for secret in values where out.contains(secret) {
            out = out.replacing(secret, with: Self.replacement)
        }
        return out
    }

    public func mask(_ value: JSONValue) -> JSONValue { value.mappingStrings(mask) }

    /// The text with each named secret's value replaced by its marker (unnamed values are masked).
    public func mark(_ text: String) -> String {
        guard !values.isEmpty else { return text }
        var out = text
        for (name, value) in named where out.contains(value) {
            out = out.replacing(value, with: SecretMarker.marker(name))
        }
        return named.count == values.count ? out : mask(out)
    }

    public func mark(_ value: JSONValue) -> JSONValue { value.mappingStrings(mark) }

    /// The value with each marker replaced by its secret's value; the names of markers with no value here.
    public func unmark(_ value: JSONValue) -> (value: JSONValue, missing: Set<String>) {
        var missing = Set<String>()
        let byName = Dictionary(named.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        let out = value.mappingStrings { text in
            SecretMarker.replace(in: text) { name in
                if let v = byName[name] { return v }
                missing.insert(name)
                return Self.replacement
            }
        }
        return (out, missing)
    }
}

/// How a secret's place is kept in stored text: `\u{1}secret:NAME\u{1}`. Control characters do not occur in a
/// tool's text by accident, and a marker never leaves the store unreplaced (it is shown as `***`).
public enum SecretMarker {
    static let delimiter: Character = "\u{1}"
    static let prefix = "\u{1}secret:"

    public static func marker(_ name: String) -> String { "\(prefix)\(name)\(delimiter)" }

    /// Names of the secrets whose markers occur in `text`.
    public static func names(in text: String) -> Set<String> {
        var names = Set<String>()
        _ = replace(in: text) { names.insert($0); return "" }
        return names
    }

    /// The text with markers shown as `***`.
    public static func masked(_ text: String) -> String {
        replace(in: text) { _ in Secrets.replacement }
    }

    static func replace(in text: String, _ value: (String) -> String) -> String {
        guard text.contains(prefix) else { return text }
        var out = ""
        var rest = text[...]
        while let start = rest.range(of: prefix) {
            out += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            guard let end = after.firstIndex(of: delimiter) else { out += rest[start.lowerBound...]; return out }
            out += value(String(after[..<end]))
            rest = after[after.index(after: end)...]
        }
        return out + rest
    }
}

extension JSONValue {
    /// The value with every string (keys included) passed through `transform`.
    func mappingStrings(_ transform: (String) -> String) -> JSONValue {
        switch self {
        case .string(let s): return .string(transform(s))
        case .array(let items): return .array(items.map { $0.mappingStrings(transform) })
        case .object(let o): return .object(JSONObject(o.members.map { (transform($0.key), $0.value.mappingStrings(transform)) }))
        default: return self
        }
    }
}
