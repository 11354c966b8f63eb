/// Reads keyword values of one schema object with their expected types, recording a pointed error for
/// each keyword whose value has the wrong type.
struct KeywordReader {
    let object: JSONObject
    let pointer: String
    var errors: [SchemaCompileError] = []

    init(object: JSONObject, pointer: String) {
        self.object = object
        self.pointer = pointer
    }

    /// `a string`, `an array`, `null`, `-1`: how a wrong value is named in a message.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return "a boolean (\(b))"
        case .int, .uint, .double: return "the number \(value)"
        case .string(let s): return "a string (\(JSONSerializer.quoted(s.count > 40 ? String(s.prefix(37)) + "..." : s)))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    mutating func wrongType(_ keyword: String, _ expected: String, _ value: JSONValue, at: String? = nil) {
        errors.append(SchemaCompileError(pointer: at ?? JSONPointer.appending(pointer, keyword),
                                         message: "\"\(keyword)\" must be \(expected), not \(Self.describe(value))"))
    }

    mutating func string(_ keyword: String) -> String? {
        guard let value = object[keyword] else { return nil }
        guard case .string(let s) = value else { wrongType(keyword, "a string", value); return nil }
        return s
    }

    mutating func bool(_ keyword: String) -> Bool? {
        guard let value = object[keyword] else { return nil }
        guard case .bool(let b) = value else { wrongType(keyword, "a boolean", value); return nil }
        return b
    }

    mutating func number(_ keyword: String) -> JSONValue? {
        guard let value = object[keyword] else { return nil }
        guard value.isNumber else { wrongType(keyword, "a number", value); return nil }
        return value
    }

    /// A non-negative integer; `2.0` counts as 2.
    mutating func count(_ keyword: String) -> Int? {
        guard let value = object[keyword] else { return nil }
        guard value.isInteger, let n = value.int64Value, n >= 0 else {
            wrongType(keyword, "a non-negative integer", value)
            return nil
        }
        return Int(clamping: n)
    }

    mutating func objectValue(_ keyword: String) -> JSONObject? {
        guard let value = object[keyword] else { return nil }
        guard case .object(let o) = value else { wrongType(keyword, "an object", value); return nil }
        return o
    }

    mutating func arrayValue(_ keyword: String) -> [JSONValue]? {
        guard let value = object[keyword] else { return nil }
        guard case .array(let a) = value else { wrongType(keyword, "an array", value); return nil }
        return a
    }

    /// A non-empty array (of schemas; each element is checked when it is compiled).
    mutating func schemaArray(_ keyword: String) -> [JSONValue]? {
        guard let value = object[keyword] else { return nil }
        guard case .array(let a) = value, !a.isEmpty else {
            wrongType(keyword, "a non-empty array of schemas", value)
            return nil
        }
        return a
    }

    mutating func uniqueStrings(_ keyword: String) -> [String]? {
        guard let value = object[keyword] else { return nil }
        return Self.uniqueStrings(value, keyword: keyword, at: JSONPointer.appending(pointer, keyword), errors: &errors)
    }

    /// An array of distinct strings, or `nil` after recording what is wrong.
    static func uniqueStrings(_ value: JSONValue, keyword: String, at pointer: String, errors: inout [SchemaCompileError]) -> [String]? {
        guard case .array(let elements) = value else {
            errors.append(SchemaCompileError(pointer: pointer, message: "\"\(keyword)\" must be an array of strings, not \(describe(value))"))
            return nil
        }
        var names: [String] = []
        var seen = Set<String>()
        var ok = true
        for (position, element) in elements.enumerated() {
            let at = JSONPointer.appending(pointer, String(position))
            guard case .string(let name) = element else {
                errors.append(SchemaCompileError(pointer: at, message: "\"\(keyword)\" must list strings, not \(describe(element))"))
                ok = false
                continue
            }
            if !seen.insert(name).inserted {
                errors.append(SchemaCompileError(pointer: at, message: "\"\(keyword)\" lists \(JSONSerializer.quoted(name)) more than once"))
                ok = false
            }
            names.append(name)
        }
        return ok ? names : nil
    }
}
