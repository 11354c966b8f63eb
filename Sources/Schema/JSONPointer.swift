/// RFC 6901 JSON pointers: escaping, parsing, and rendering for messages.
public enum JSONPointer {
    /// How the empty pointer (the whole document) is shown in messages.
    public static let rootDisplay = "(root)"

    /// `token` escaped for use in a pointer (`~` → `~0`, `/` → `~1`).
    public static func escape(_ token: String) -> String {
        guard token.contains("~") || token.contains("/") else { return token }
        var escaped = ""
        for c in token {
            switch c {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.append(c)
            }
        }
        return escaped
    }

    /// The pointer made of `tokens`; `""` for no tokens.
    public static func make(_ tokens: [String]) -> String {
        tokens.reduce(into: "") { $0 += "/" + escape($1) }
    }

    /// `pointer` extended by one reference token.
    public static func appending(_ pointer: String, _ token: String) -> String { pointer + "/" + escape(token) }

    /// The pointer shown in a message: the pointer itself, or ``rootDisplay`` when it is empty.
    public static func display(_ pointer: String) -> String { pointer.isEmpty ? rootDisplay : pointer }

    /// The unescaped reference tokens of `pointer`, or `nil` when it is not a valid pointer
    /// (it must be empty or start with `/`, and `~` must be followed by `0` or `1`).
    public static func tokens(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        var result: [String] = []
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var iterator = raw.makeIterator()
            while let c = iterator.next() {
                if c == "~" {
                    switch iterator.next() {
                    case "0": token.append("~")
                    case "1": token.append("/")
                    default: return nil
                    }
                } else {
                    token.append(c)
                }
            }
            result.append(token)
        }
        return result
    }

    /// The value `pointer` designates inside `document`, or `nil` when there is none.
    public static func resolve(_ pointer: String, in document: JSONValue) -> JSONValue? {
        guard let tokens = tokens(pointer) else { return nil }
        return resolve(tokens: tokens, in: document)
    }

    static func resolve(tokens: [String], in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                // Array indices: decimal digits without leading zeros.
                guard let index = Int(token), String(index) == token, array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Decodes `%XX` escapes in a URI fragment; `nil` when an escape is malformed or the bytes are not UTF-8.
    static func percentDecoded(_ fragment: String) -> String? {
        guard fragment.contains("%") else { return fragment }
        var bytes: [UInt8] = []
        var utf8 = Array(fragment.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard utf8.count >= 2, let high = hexValue(utf8.removeFirst()), let low = hexValue(utf8.removeFirst())
                else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
