/// The compiled form of one subschema: its checks in evaluation order, cheap ones first.
struct SchemaNode: Sendable {
    /// Pointer of this subschema in the schema document.
    var pointer: String
    var checks: [Check] = []
    /// The `default` of this subschema, applied by ``CompiledSchema/applyDefaults(_:)``.
    var defaultValue: JSONValue?
}

/// The set of JSON Schema type names, as bits.
struct TypeSet: OptionSet, Sendable, Hashable {
    let rawValue: UInt8
    static let null = TypeSet(rawValue: 1 << 0)
    static let boolean = TypeSet(rawValue: 1 << 1)
    static let integer = TypeSet(rawValue: 1 << 2)
    static let number = TypeSet(rawValue: 1 << 3)
    static let string = TypeSet(rawValue: 1 << 4)
    static let array = TypeSet(rawValue: 1 << 5)
    static let object = TypeSet(rawValue: 1 << 6)

    static let byName: [(String, TypeSet)] = [
        ("null", .null), ("boolean", .boolean), ("integer", .integer), ("number", .number),
        ("string", .string), ("array", .array), ("object", .object),
    ]

    func contains(typeOf value: JSONValue) -> Bool {
        switch value {
        case .null: return contains(.null)
        case .bool: return contains(.boolean)
        case .int, .uint: return contains(.integer) || contains(.number)
        case .double: return contains(.number) || (contains(.integer) && value.isInteger)
        case .string: return contains(.string)
        case .array: return contains(.array)
        case .object: return contains(.object)
        }
    }

    /// `integer`, `string or null`, `integer, string or null`.
    var phrase: String {
        let names = Self.byName.filter { contains($0.1) }.map(\.0)
        guard names.count > 1 else { return names.first ?? "nothing" }
        return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
    }
}

/// A numeric bound from the schema, kept exact.
typealias SchemaNumber = JSONValue

/// One keyword's compiled check. `at` is the keyword's pointer in the schema document.
enum Check: Sendable {
    /// The `false` schema.
    case never(at: String)
    case type(TypeSet, at: String)
    case const(JSONValue, at: String)
    case enumeration(Set<JSONValue>, [JSONValue], at: String)

    // Numbers
    case minimum(SchemaNumber, exclusive: Bool, at: String)
    case maximum(SchemaNumber, exclusive: Bool, at: String)
    case multipleOf(SchemaNumber, at: String)

    // Strings (lengths in Unicode code points)
    case minLength(Int, at: String)
    case maxLength(Int, at: String)
    case pattern(ECMAPattern, at: String)

    // Arrays
    case minItems(Int, at: String)
    case maxItems(Int, at: String)
    case uniqueItems(at: String)
    /// `prefixItems` node indices, then the node for the rest (`items`), if any.
    case items(prefix: [Int], rest: Int?)

    // Objects
    case minProperties(Int, at: String)
    case maxProperties(Int, at: String)
    case required([String], at: String)
    case dependentRequired([(String, [String])], at: String)
    case propertyNames(Int, at: String)
    /// `properties`, `patternProperties` and `additionalProperties` together, since the last depends on
    /// the first two.
    case properties(PropertiesCheck)

    // Applicators at the same instance location
    case ref(Int)
    case allOf([Int])
    case anyOf([Int], at: String)
    case oneOf([Int], at: String)
    case not(Int, at: String)
    case conditional(if: Int, then: Int?, else: Int?)
}

struct PropertiesCheck: Sendable {
    var named: [ExactKey: Int] = [:]
    /// Named properties in schema order, for applying defaults.
    var namedOrder: [String] = []
    /// Each pattern, its node, and the pattern's pointer (for messages).
    var patterns: [(ECMAPattern, Int, String)] = []
    var additional: Int?
    /// Pointer of `additionalProperties`, for messages.
    var additionalAt: String = ""
    /// Whether `additionalProperties` is the `false` schema, for a clearer message.
    var additionalIsFalse = false
}
