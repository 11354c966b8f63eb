/// A typed C tool signature such as `f64 (f64 x, f64 y)` (see `wfh_tool.c_signature` in the SDK header).
public struct CSignature: Sendable, Hashable {
    public enum CType: String, Sendable, Hashable, CaseIterable {
        case void, bool, i32, i64, u32, u64, f32, f64, str
    }
    public var result: CType
    public var parameters: [(type: CType, name: String)]

    public static func == (a: CSignature, b: CSignature) -> Bool {
        a.result == b.result && a.parameters.map(\.type) == b.parameters.map(\.type)
            && a.parameters.map(\.name) == b.parameters.map(\.name)
    }
    public func hash(into h: inout Hasher) {
        h.combine(result)
        for p in parameters { h.combine(p.type); h.combine(p.name) }
    }

    public struct ParseError: Error, Sendable { public var message: String }

    /// Parses `RESULT (TYPE NAME, ...)`; `RESULT ()` or `RESULT (void)` for no parameters.
    public static func parse(_ text: String) throws(ParseError) -> CSignature {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close,
              text[text.index(after: close)...].allSatisfy(\.isWhitespace)
        else { throw ParseError(message: "expected \"RESULT (TYPE NAME, ...)\"") }
        let resultText = text[..<open].trimmed
        guard let result = CType(rawValue: resultText) else {
            throw ParseError(message: "unknown result type '\(resultText)'")
        }
        let inner = text[text.index(after: open)..<close].trimmed
        var parameters: [(CType, String)] = []
        if !inner.isEmpty && inner != "void" {
            for (i, part) in inner.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                let words = part.split(whereSeparator: \.isWhitespace)
                guard words.count == 2 else {
                    throw ParseError(message: "parameter \(i + 1) must be \"TYPE NAME\", not '\(part.trimmed)'")
                }
                guard let type = CType(rawValue: String(words[0])), type != .void else {
                    throw ParseError(message: "parameter \(i + 1) has unknown type '\(words[0])'")
                }
                let name = String(words[1])
                guard PluginValidator.isValidName(name) else {
                    throw ParseError(message: "parameter name '\(name)' must match [a-z][a-z0-9_]*")
                }
                if parameters.contains(where: { $0.1 == name }) {
                    throw ParseError(message: "parameter name '\(name)' is used twice")
                }
                parameters.append((type, name))
            }
        }
        if parameters.count > 16 { throw ParseError(message: "at most 16 parameters are supported") }
        return CSignature(result: result, parameters: parameters)
    }
}

extension StringProtocol {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
