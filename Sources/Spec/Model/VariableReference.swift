/// A `${...}` reference inside a string of a workflow file.
public enum VariableReference: Sendable, Hashable, CustomStringConvertible {
    /// `${name}` or `${name.path}`: a workflow, stage or `--var` variable, optionally a path into its value.
    case variable(name: String, path: [String])
    /// `${stages.NAME.outputs}` or `${stages.NAME.outputs.PATH}`: an earlier stage's JSON result.
    case stageOutput(stage: String, path: [String])
    /// `${env.NAME}`: an environment variable of the host, read only where written.
    case environment(name: String)

    public var description: String {
        switch self {
        case .variable(let name, let path): return "${" + ([name] + path).joined(separator: ".") + "}"
        case .stageOutput(let stage, let path):
            return "${" + (["stages", stage, "outputs"] + path).joined(separator: ".") + "}"
        case .environment(let name): return "${env.\(name)}"
        }
    }
}

/// A string split into literal text and references, the form the engine substitutes into.
///
/// `$${` is an escape for a literal `${`; a `$` not followed by `{` is literal.
public struct Template: Sendable, Hashable {
    public enum Segment: Sendable, Hashable {
        case literal(String)
        /// A reference; `offset` counts characters from the start of the string to its `$`.
        case reference(VariableReference, offset: Int)
    }

    public var segments: [Segment]

    /// A problem in a template, with the character offset of the `$` that starts it.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var hint: String
        public var description: String { message }
    }

    /// True when the string is exactly one reference, which keeps its JSON type when substituted.
    public var wholeReference: VariableReference? {
        if segments.count == 1, case .reference(let reference, _) = segments[0] { return reference }
        return nil
    }

    public var references: [VariableReference] {
        segments.compactMap { if case .reference(let r, _) = $0 { return r } else { return nil } }
    }

    /// Splits `text` into segments. Offsets count Unicode scalars, as YAML columns do.
    /// - Throws: ``ParseError`` for an unclosed `${`, an empty reference or a malformed one.
    public static func parse(_ text: String) throws(ParseError) -> Template {
        guard text.utf8.contains(UInt8(ascii: "$")) else {
            return Template(segments: text.isEmpty ? [] : [.literal(text)])
        }
        var segments: [Segment] = []
        var literal = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "$", i + 2 < scalars.count, scalars[i + 1] == "$", scalars[i + 2] == "{" {
                literal.append(contentsOf: "${".unicodeScalars)
                i += 3
                continue
            }
            if c == "$", i + 1 < scalars.count, scalars[i + 1] == "{" {
                guard let close = scalars[(i + 2)...].firstIndex(of: "}") else {
                    throw ParseError(offset: i, message: "'${' is never closed by '}'",
                                     hint: "close the reference with '}', or write '$${' for a literal '${'")
                }
                var body = String.UnicodeScalarView()
                body.append(contentsOf: scalars[(i + 2)..<close])
                let reference = try parseBody(String(body), offset: i)
                if !literal.isEmpty { segments.append(.literal(String(literal))); literal = String.UnicodeScalarView() }
                segments.append(.reference(reference, offset: i))
                i = close + 1
                continue
            }
            literal.append(c)
            i += 1
        }
        if !literal.isEmpty { segments.append(.literal(String(literal))) }
        return Template(segments: segments)
    }

    /// Parses what is between `${` and `}` (also used for condition keys, written without `${}`).
    public static func parseBody(_ body: String, offset: Int = 0) throws(ParseError) -> VariableReference {
        let parts = body.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !body.isEmpty else {
            throw ParseError(offset: offset, message: "empty reference '${}'",
                             hint: "write a name, as in '${registry}', '${env.HOME}' or '${stages.build.outputs.image}'")
        }
        for part in parts where part.isEmpty || !part.unicodeScalars.allSatisfy(isNameCharacter) {
            throw ParseError(offset: offset, message: "malformed reference '${\(body)}'",
                             hint: "names are letters, digits, '_' and '-', separated by '.'")
        }
        switch parts[0] {
        case "env":
            guard parts.count == 2 else {
                throw ParseError(offset: offset, message: "malformed reference '${\(body)}'",
                                 hint: "an environment reference is '${env.NAME}'")
            }
            return .environment(name: parts[1])
        case "stages":
            guard parts.count >= 3, parts[2] == "outputs" else {
                throw ParseError(offset: offset, message: "malformed reference '${\(body)}'",
                                 hint: "a stage output reference is '${stages.NAME.outputs}' or '${stages.NAME.outputs.PATH}'")
            }
            return .stageOutput(stage: parts[1], path: Array(parts.dropFirst(3)))
        default:
            return .variable(name: parts[0], path: Array(parts.dropFirst()))
        }
    }

    /// Letters, digits, `_` and `-` (Unicode letters, marks and digits included).
    static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII {
            let v = c.value
            return (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) || v == 0x5F || v == 0x2D
        }
        let properties = c.properties
        if properties.isAlphabetic || properties.numericType != nil { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// True when `name` is a valid variable or tool-name part.
    static func isName(_ name: some StringProtocol) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy(isNameCharacter)
    }
}

extension Template {
    /// Joins the literal text with each reference replaced by `resolve`'s text, for the engine's substitution.
    ///
    /// A string that is one whole reference (``wholeReference``) should instead take the referenced value with its
    /// JSON type; this function is for references inside longer text.
    /// - Throws: whatever `resolve` throws (an undefined variable at run time, say).
    public func render<E: Error>(_ resolve: (VariableReference) throws(E) -> String) throws(E) -> String {
        var text = ""
        for segment in segments {
            switch segment {
            case .literal(let literal): text += literal
            case .reference(let reference, _): text += try resolve(reference)
            }
        }
        return text
    }
}
