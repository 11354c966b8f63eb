/// A JSON value, as read from a document or built in code.
///
/// Numbers keep their exactness: an integer literal that fits in `Int64` is stored as ``int(_:)``, one above
/// `Int64.max` that fits in `UInt64` (a C `uint64_t` up to 18446744073709551615) as ``uint(_:)``, and anything
/// else (a fraction, an exponent, or an integer outside both ranges) as ``double(_:)``. So every 64-bit integer,
/// signed or unsigned, reads and writes back digit for digit.
/// Equality and hashing follow JSON Schema: `1` and `1.0` are equal, `true` and `1` are not, and
/// two objects are equal when they hold the same members in any order.
///
/// Objects keep their members in insertion order (see ``JSONObject``), so a document written back
/// with `serialized(_:)` keeps the author's order unless sorted output is asked for.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// An integer that fits in 64 bits.
    case int(Int64)
    /// An integer above `Int64.max` that fits in `UInt64`. The parser and `init(_: UInt64)` produce it only
    /// for such values; a smaller one built by hand compares and hashes like the equal ``int(_:)``.
    case uint(UInt64)
    /// A number with a fraction or exponent, or an integer outside the `Int64` range.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

// MARK: - Accessors

extension JSONValue {
    /// The member named `key` when this is an object that has it, otherwise `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The element at `index` when this is an array long enough, otherwise `nil`.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }

    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }

    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    /// The number as a `Double` (possibly rounded for integers beyond 2^53), or `nil` for non-numbers.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The number as an `Int64` when it is integral and in range (so `2.0` gives `2`), otherwise `nil`.
    public var int64Value: Int64? {
        switch self {
        case .int(let i): return i
        case .uint(let u): return Int64(exactly: u)
        case .double(let d): return Self.exactInt64(d)
        default: return nil
        }
    }

    /// The number as a `UInt64` when it is integral, non-negative and in range, otherwise `nil`.
    public var uint64Value: UInt64? {
        switch self {
        case .int(let i): return UInt64(exactly: i)
        case .uint(let u): return u
        case .double(let d):
            guard d.isFinite, d == d.rounded(.towardZero), d >= 0, d < 2 * Self.int64UpperBound else { return nil }
            return UInt64(d)
        default: return nil
        }
    }

    /// An integral number as its sign and magnitude, exactly (`-0` and `0.0` are `(false, 0)`); `nil` for
    /// non-integers and for integral doubles beyond the 64-bit ranges.
    var exactInteger: (negative: Bool, magnitude: UInt64)? {
        switch self {
        case .int(let i): return (i < 0, i.magnitude)
        case .uint(let u): return (false, u)
        case .double(let d):
            guard d.isFinite, d == d.rounded(.towardZero), d.magnitude < 2 * Self.int64UpperBound else { return nil }
            return (d < 0, UInt64(d.magnitude))
        default: return nil
        }
    }

    /// The number as an `Int` when it is integral and in range, otherwise `nil`.
    public var intValue: Int? { int64Value.flatMap { Int(exactly: $0) } }

    /// Whether this is a number with no fractional part (`1` or `1.0`), as JSON Schema's `integer` type means.
    public var isInteger: Bool {
        switch self {
        case .int, .uint: return true
        case .double(let d): return d.isFinite && d == d.rounded(.towardZero)
        default: return false
        }
    }

    public var isNumber: Bool {
        switch self {
        case .int, .uint, .double: return true
        default: return false
        }
    }

    /// The JSON Schema type name of this value: `null`, `boolean`, `integer`, `number`, `string`, `array`, `object`.
    /// Integral doubles such as `1.0` report `integer`.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .uint: return "integer"
        case .double: return isInteger ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    static let int64UpperBound = 9_223_372_036_854_775_808.0  // 2^63, the first double past Int64.max

    /// `d` as an `Int64` when it is integral and representable, otherwise `nil`.
    static func exactInt64(_ d: Double) -> Int64? {
        guard d.isFinite, d == d.rounded(.towardZero), d >= -int64UpperBound, d < int64UpperBound else { return nil }
        return Int64(d)
    }
}

// MARK: - Equality and hashing (JSON Schema semantics)

extension JSONValue: Hashable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        // Code-point equality, not Swift's canonical equivalence: JSON Schema tells "é" from "e\u{301}".
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        case (.int, _), (.uint, _), (.double, _):
            guard rhs.isNumber else { return false }
            return NumberComparison.compare(lhs, rhs) == .equal
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0 as UInt8)
        case .bool(let b): hasher.combine(1 as UInt8); hasher.combine(b)
        case .int(let i): hasher.combine(2 as UInt8); hasher.combine(i)
        case .uint(let u):
            // A small `.uint` (built by hand) hashes like the equal `.int`; a large one like an equal integral
            // double (below).
            if let i = Int64(exactly: u) {
                hasher.combine(2 as UInt8); hasher.combine(i)
            } else {
                hasher.combine(7 as UInt8); hasher.combine(u)
            }
        case .double(let d):
            // Integral doubles hash like the equal Int64 so that `1 == 1.0` holds for sets too.
            if let i = Self.exactInt64(d) {
                hasher.combine(2 as UInt8); hasher.combine(i)
            } else if let u = uint64Value {
                hasher.combine(7 as UInt8); hasher.combine(u)
            } else {
                hasher.combine(3 as UInt8); hasher.combine(d)
            }
        case .string(let s): hasher.combine(4 as UInt8); hasher.combine(ExactKey(s))
        case .array(let a): hasher.combine(5 as UInt8); hasher.combine(a)
        case .object(let o): hasher.combine(6 as UInt8); hasher.combine(o)
        }
    }
}

/// Exact ordering of two JSON numbers, whichever of `Int64` and `Double` each is stored as.
enum NumberComparison: Sendable {
    case less, equal, greater

    /// Compares two numeric `JSONValue`s exactly. Non-numbers compare as equal (callers check the type first).
    static func compare(_ a: JSONValue, _ b: JSONValue) -> NumberComparison {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? .less : (x == y ? .equal : .greater)
        case (.double(let x), .double(let y)): return x < y ? .less : (x == y ? .equal : .greater)
        case (.int(let x), .double(let y)): return compare(x, y)
        case (.double(let x), .int(let y)): return compare(y, x).reversed
        case (.uint(let x), .uint(let y)): return x < y ? .less : (x == y ? .equal : .greater)
        case (.uint(let x), .int(let y)): return compare(unsigned: x, signed: y)
        case (.int(let x), .uint(let y)): return compare(unsigned: y, signed: x).reversed
        case (.uint(let x), .double(let y)): return compare(unsigned: x, y)
        case (.double(let x), .uint(let y)): return compare(unsigned: y, x).reversed
        default: return .equal
        }
    }

    static func compare(unsigned u: UInt64, signed i: Int64) -> NumberComparison {
        guard let v = UInt64(exactly: i) else { return .greater }
        return u < v ? .less : (u == v ? .equal : .greater)
    }

    /// Compares an unsigned integer with a double without rounding the integer.
    static func compare(unsigned u: UInt64, _ d: Double) -> NumberComparison {
        if let i = Int64(exactly: u) { return compare(i, d) }
        if d.isNaN { return .less }
        if d >= 2 * JSONValue.int64UpperBound { return .less }  // 2^64 and above
        if d < JSONValue.int64UpperBound { return .greater }    // u >= 2^63 > d
        let floor = d.rounded(.down)
        let fu = UInt64(floor)
        if u < fu { return .less }
        if u > fu { return .greater }
        return d == floor ? .equal : .less
    }

    /// Compares an integer with a double without rounding the integer.
    static func compare(_ i: Int64, _ d: Double) -> NumberComparison {
        if d.isNaN { return .less }
        if d >= JSONValue.int64UpperBound { return .less }
        if d < -JSONValue.int64UpperBound { return .greater }
        let floor = d.rounded(.down)
        let fi = Int64(floor)
        if i < fi { return .less }
        if i > fi { return .greater }
        return d == floor ? .equal : .less
    }

    var reversed: NumberComparison {
        switch self {
        case .less: return .greater
        case .equal: return .equal
        case .greater: return .less
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

extension JSONValue {
    /// A number from an `Int`.
    public init(_ value: Int) { self = .int(Int64(value)) }
    /// A number from a `UInt64`: ``int(_:)`` up to `Int64.max`, ``uint(_:)`` above.
    public init(_ value: UInt64) { self = Int64(exactly: value).map { .int($0) } ?? .uint(value) }
    /// A number from a `Double`, stored as ``int(_:)`` when it is integral and in range.
    public init(_ value: Double) { self = Self.exactInt64(value).map { .int($0) } ?? .double(value) }
    public init(_ value: String) { self = .string(value) }
    public init(_ value: Bool) { self = .bool(value) }
}
