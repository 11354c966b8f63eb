import Foundation
import MCP
import WorkflowHost

/// Conversions between the host's `JSONValue` and the MCP SDK's `Value`.
enum ValueBridge {
    /// The SDK's form of `json`. Integers stay integers; object members keep no order (the SDK sorts keys).
    static func value(_ json: JSONValue) -> Value {
        switch json {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return Int(exactly: i).map(Value.int) ?? .double(Double(i))
        case .uint(let u): return Int(exactly: u).map(Value.int) ?? .double(Double(u))
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(value))
        case .object(let object):
            var members: [String: Value] = [:]
            for (key, member) in object.members { members[key] = value(member) }
            return .object(members)
        }
    }

    /// The host's form of `value`. The SDK decodes a string that looks like a `data:` URL as `.data`; it becomes
    /// that same string again.
    static func json(_ value: Value) -> JSONValue {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .double(let d): return JSONValue(d)
        case .string(let s): return .string(s)
        case .data(let mimeType, let data):
            return .string(data.dataURLEncoded(mimeType: mimeType))
        case .array(let items): return .array(items.map(json))
        case .object(let members):
            return .object(JSONObject(members.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) }))
        }
    }

    /// A tool call's `arguments` as one JSON object (absent arguments are `{}`).
    static func arguments(_ arguments: [String: Value]?) -> JSONValue {
        json(.object(arguments ?? [:]))
    }
}
