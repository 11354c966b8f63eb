/// A value written in a workflow file, typed by the YAML 1.2 core schema, with where it was written.
///
/// This is the neutral form of tool arguments and variable values: the engine and the registry convert it to
/// JSON. Mapping entries keep their order.
public struct SpecValue: Sendable, Hashable {
    public indirect enum Kind: Sendable, Hashable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        case list([SpecValue])
        case map([Entry])
    }

    public struct Entry: Sendable, Hashable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: SpecValue
        public init(key: String, keyLocation: SourceLocation, value: SpecValue) {
            self.key = key
            self.keyLocation = keyLocation
            self.value = value
        }
    }

    public var kind: Kind
    public var location: SourceLocation
    /// True when the value was tagged `!secret` in the file.
    public var isSecret: Bool

    /// For a string written on one line without escapes: the column of its first character (see
    /// ``location(ofScalarAt:)``).
    public var textColumn: Int?

    public init(_ kind: Kind, at location: SourceLocation, isSecret: Bool = false, textColumn: Int? = nil) {
        self.kind = kind
        self.location = location
        self.isSecret = isSecret
        self.textColumn = textColumn
    }

    /// Where the string's `offset`-th Unicode scalar is written, when the file allows knowing it precisely;
    /// otherwise where the value starts.
    public func location(ofScalarAt offset: Int) -> SourceLocation {
        guard let textColumn else { return location }
        return SourceLocation(file: location.file, line: location.line, column: textColumn + offset)
    }

    /// The value at `key` when this is a map.
    public subscript(key: String) -> SpecValue? {
        guard case .map(let entries) = kind else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// "a string", "a number", "a boolean", "null", "a list", "a mapping": how messages name the kind.
    public var kindDescription: String {
        switch kind {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .list: return "a list"
        case .map: return "a mapping"
        }
    }

    /// Calls `body` with every string in this value, depth first, in file order.
    public func forEachString(_ body: (String, SourceLocation) -> Void) {
        forEachStringValue { text, value in body(text, value.location) }
    }

    /// Calls `body` with every string in this value and the value holding it, depth first, in file order.
    public func forEachStringValue(_ body: (String, SpecValue) -> Void) {
        switch kind {
        case .string(let text): body(text, self)
        case .list(let items): for item in items { item.forEachStringValue(body) }
        case .map(let entries): for entry in entries { entry.value.forEachStringValue(body) }
        default: break
        }
    }
}

extension SpecValue {
    static let coreTag = "tag:yaml.org,2002:"
    public static let secretTag = "!secret"

    /// Types a scalar node by its tag, or by the core schema when it is plain and untagged.
    static func scalar(_ node: YAMLNode, file: String) -> SpecValue {
        let at = node.location(in: file)
        guard case .scalar(let text, let style) = node.content else { return SpecValue(.null, at: at) }
        let secret = node.tag == secretTag
        switch node.tag {
        case coreTag + "str", "!":
            // An explicit string tag, or the non-specific `!`: the text as written.
            return SpecValue(.string(text), at: at, textColumn: node.textColumn.map(Int.init))
        case nil, secretTag:
            // Quoted and block scalars are strings; plain ones follow the core schema.
            let kind = style == .plain ? resolvePlain(text) : .string(text)
            if case .string = kind {
                return SpecValue(kind, at: at, isSecret: secret, textColumn: node.textColumn.map(Int.init))
            }
            return SpecValue(kind, at: at, isSecret: secret)
        default:
            return SpecValue(resolvePlain(text), at: at)
        }
    }

    /// The YAML 1.2 core schema for plain scalars: null, booleans, integers (decimal, `0o`, `0x`) and floats.
    public static func resolvePlain(_ text: String) -> Kind {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        guard let first = text.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                || first == UInt8(ascii: ".") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
            return .string(text)
        }
        if text.hasPrefix("0o"), let value = Int(text.dropFirst(2), radix: 8) { return .int(value) }
        if text.hasPrefix("0x"), let value = Int(text.dropFirst(2), radix: 16) { return .int(value) }
        if isDecimalInteger(text) {
            if let value = Int(text) { return .int(value) }
            return Double(text).map { .double($0) } ?? .string(text)
        }
        if isFloat(text), let value = Double(text) { return .double(value) }
        return .string(text)
    }

    private static func isDecimalInteger(_ text: String) -> Bool {
        var digits = text.utf8[...]
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
    private static func isFloat(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        func digitRun() -> Int {
            var n = 0
            while let b = bytes.first, b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") { bytes = bytes.dropFirst(); n += 1 }
            return n
        }
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        let whole = digitRun()
        var fraction = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fraction = digitRun()
        }
        if whole == 0 && fraction == 0 { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            if digitRun() == 0 { return false }
        }
        return bytes.isEmpty
    }

    /// Converts a whole node tree; aliases become copies (the loader has bounded their expansion).
    public static func from(_ node: YAMLNode, file: String) -> SpecValue {
        let at = node.location(in: file)
        switch node.content {
        case .scalar:
            return scalar(node, file: file)
        case .sequence(let items):
            return SpecValue(.list(items.map { from($0, file: file) }), at: at, isSecret: node.tag == secretTag)
        case .mapping(let pairs):
            let entries = pairs.map { pair in
                Entry(key: pair.key.scalarText ?? "", keyLocation: pair.key.location(in: file),
                      value: from(pair.value, file: file))
            }
            return SpecValue(.map(entries), at: at, isSecret: node.tag == secretTag)
        }
    }
}
