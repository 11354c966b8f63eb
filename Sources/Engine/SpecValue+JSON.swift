import Schema
import Spec

extension SpecValue {
    /// The value as JSON (mapping order kept).
    public var jsonValue: JSONValue {
        switch kind {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .list(let items): return .array(items.map(\.jsonValue))
        case .map(let entries): return .object(JSONObject(entries.map { ($0.key, $0.value.jsonValue) }))
        }
    }
}
