/// The members of a JSON object, in insertion order, with constant-time lookup by key.
///
/// Setting an existing key replaces its value in place (the key keeps its position); setting a key to
/// `nil` removes it. Equality ignores order, as JSON does.
public struct JSONObject: Sendable {
    /// The keys in insertion order.
    public private(set) var keys: [String] = []
    private var storage: [ExactKey: JSONValue] = [:]

    public init() {}

    /// An object with `members` in the given order; for a repeated key the last value wins.
    public init(_ members: some Sequence<(String, JSONValue)>) {
        for (key, value) in members { self[key] = value }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: String) -> JSONValue? {
        get { storage[ExactKey(key)] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: ExactKey(key)) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: ExactKey(key)) != nil,
                      let index = keys.firstIndex(where: { ExactKey($0) == ExactKey(key) }) {
                keys.remove(at: index)
            }
        }
    }

    /// Whether the object has a member named `key`.
    public func contains(_ key: String) -> Bool { storage[ExactKey(key)] != nil }

    /// The members in insertion order.
    public var members: [(key: String, value: JSONValue)] {
        keys.compactMap { key in storage[ExactKey(key)].map { (key: key, value: $0) } }
    }

    /// Adds `value` under a key not yet present and reports `false` (changing nothing) when it is.
    @discardableResult
    mutating func insertNew(_ key: String, _ value: JSONValue) -> Bool {
        guard storage[ExactKey(key)] == nil else { return false }
        storage[ExactKey(key)] = value
        keys.append(key)
        return true
    }
}

extension JSONObject: Sequence {
    public struct Iterator: IteratorProtocol {
        var keyIterator: IndexingIterator<[String]>
        let storage: [ExactKey: JSONValue]
        public mutating func next() -> (key: String, value: JSONValue)? {
            while let key = keyIterator.next() {
                if let value = storage[ExactKey(key)] { return (key, value) }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(keyIterator: keys.makeIterator(), storage: storage) }
    public var underestimatedCount: Int { keys.count }
}

extension JSONObject: Hashable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool { lhs.storage == rhs.storage }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine each member's own hash commutatively.
        var combined = 0
        for (key, value) in storage {
            var memberHasher = Hasher()
            memberHasher.combine(key)  // ExactKey hashes its UTF-8 bytes
            memberHasher.combine(value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(storage.count)
        hasher.combine(combined)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements { self[key] = value }
    }
}

/// A string compared by its Unicode code points, as JSON requires, rather than by Swift's canonical
/// equivalence (under which `"é"` and `"e\u{301}"` are equal).
struct ExactKey: Hashable, Sendable {
    let string: String
    init(_ string: String) { self.string = string }

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool { lhs.string.utf8.elementsEqual(rhs.string.utf8) }

    func hash(into hasher: inout Hasher) {
        var copy = string
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(0xFF as UInt8)  // terminator: never a UTF-8 byte
    }
}
