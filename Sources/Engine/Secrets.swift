import Schema

/// Secret values to mask: `--secret k=v` and variables tagged `!secret`. Every log line, event, stored row and
/// report goes through `mask` before it leaves the engine.
public struct Secrets: Sendable {
    /// Longest first, so that a secret containing another is masked whole.
    private let values: [String]
    public static let replacement = "***"

    public init(_ values: some Sequence<String>) {
        self.values = Set(values.filter { !$0.isEmpty }).sorted { $0.count > $1.count }
    }

    public var isEmpty: Bool { values.isEmpty }

    public func mask(_ text: String) -> String {
        guard !values.isEmpty else { return text }
        var out = text
        for secret in values where out.contains(secret) {
            out = out.replacing(secret, with: Self.replacement)
        }
        return out
    }

    public func mask(_ value: JSONValue) -> JSONValue {
        guard !values.isEmpty else { return value }
        switch value {
        case .string(let s): return .string(mask(s))
        case .array(let items): return .array(items.map(mask))
        case .object(let o): return .object(JSONObject(o.members.map { (mask($0.key), mask($0.value)) }))
        default: return value
        }
    }
}
