/// How `JSONValue.serialized(_:)` lays out its text.
public struct JSONFormatting: Sendable, Hashable {
    /// Newlines and two-space indentation instead of the compact form.
    public var pretty: Bool
    /// Object members by key (code-point order) instead of insertion order.
    public var sortedKeys: Bool

    public init(pretty: Bool = false, sortedKeys: Bool = false) {
        self.pretty = pretty
        self.sortedKeys = sortedKeys
    }

    /// One line, members in insertion order.
    public static let compact = JSONFormatting()
    /// Indented, members in insertion order.
    public static let pretty = JSONFormatting(pretty: true)
    /// One line, members sorted: a canonical form for comparing or hashing documents.
    public static let canonical = JSONFormatting(sortedKeys: true)
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text of this value.
    public var description: String { serialized() }

    /// The JSON text of this value. Strings escape `"`, `\` and control characters only, so non-ASCII text
    /// stays readable. Doubles use the shortest form that reads back to the same value.
    public func serialized(_ formatting: JSONFormatting = .compact) -> String {
        var output = ""
        JSONSerializer(formatting: formatting).write(self, into: &output, indent: 0)
        return output
    }

    /// The JSON text of this value as UTF-8 bytes.
    public func serializedBytes(_ formatting: JSONFormatting = .compact) -> [UInt8] {
        Array(serialized(formatting).utf8)
    }
}

struct JSONSerializer {
    let formatting: JSONFormatting

    func write(_ value: JSONValue, into output: inout String, indent: Int) {
        switch value {
        case .null: output += "null"
        case .bool(let b): output += b ? "true" : "false"
        case .int(let i): output += String(i)
        case .uint(let u): output += String(u)
        case .double(let d): output += Self.number(d)
        case .string(let s): Self.writeQuoted(s, into: &output)
        case .array(let elements):
            if elements.isEmpty { output += "[]"; return }
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                newline(&output, indent + 1)
                write(element, into: &output, indent: indent + 1)
            }
            newline(&output, indent)
            output += "]"
        case .object(let object):
            if object.isEmpty { output += "{}"; return }
            output += "{"
            let keys = formatting.sortedKeys ? object.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) } : object.keys
            for (index, key) in keys.enumerated() {
                guard let member = object[key] else { continue }
                if index > 0 { output += "," }
                newline(&output, indent + 1)
                Self.writeQuoted(key, into: &output)
                output += formatting.pretty ? ": " : ":"
                write(member, into: &output, indent: indent + 1)
            }
            newline(&output, indent)
            output += "}"
        }
    }

    func newline(_ output: inout String, _ indent: Int) {
        guard formatting.pretty else { return }
        output += "\n"
        output += String(repeating: "  ", count: indent)
    }

    /// A double as JSON: integral values without a fraction when exact (`1e21` stays in exponent form).
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }  // JSON has no NaN or infinity; never produced by the parser
        if d == d.rounded(.towardZero), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    static func quoted(_ s: String) -> String {
        var output = ""
        writeQuoted(s, into: &output)
        return output
    }

    static func writeQuoted(_ s: String, into output: inout String) {
        output += "\""
        var needsEscaping = false
        for byte in s.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscaping = true
            break
        }
        if !needsEscaping {
            output += s
        } else {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": output += "\\\""
                case "\\": output += "\\\\"
                case "\n": output += "\\n"
                case "\r": output += "\\r"
                case "\t": output += "\\t"
                case "\u{08}": output += "\\b"
                case "\u{0C}": output += "\\f"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16, uppercase: false)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
