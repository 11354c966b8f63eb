/// Masks the values tagged `!secret` in a workflow's text, on the parsed tree rather than by searching the text.
///
/// **Every `!secret` node's whole source range is replaced**, whatever its style: plain, quoted, a plain scalar
/// running over several lines, or a `|` / `>` block scalar such as a PEM key, whose lines are indented and so never
/// appear in the text as the value reads. The node becomes `!secret '***'` (its anchor kept), so the masked text
/// still loads and validates; line breaks after the node are kept, so the lines after it do not move.
public enum SecretMasking {
    /// What a masked value reads as (the engine's mask too); exempt from the shortest-secret rule.
    public static let maskedValue = "***"
    /// The masked value as written in the text.
    public static let replacement = "'\(maskedValue)'"

    /// `text` with every node tagged `!secret` replaced by `!secret '***'`. A text that does not load as YAML is
    /// returned unchanged (it holds no node to mask; callers mask known values in it separately).
    public static func maskTaggedValues(in text: String, file: String = "workflow") -> String {
        let loaded = YAMLLoader.load(text: text, file: file)
        guard let root = loaded.document?.root else { return text }
        var ranges: [(start: Int, end: Int)] = []
        var visited = Set<ObjectIdentifier>()
        var stack = [root]
        let table = LineTable(text)
        while let node = stack.popLast() {
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue } // aliases share nodes
            if node.tag == SpecValue.secretTag {
                if let start = table.offset(line: node.line, column: node.column),
                   let end = table.offset(line: node.endLine, column: node.endColumn), start < end {
                    ranges.append((start, end))
                }
                continue // a secret collection is masked whole
            }
            switch node.content {
            case .scalar: break
            case .sequence(let items): stack.append(contentsOf: items)
            case .mapping(let pairs): for pair in pairs { stack.append(pair.key); stack.append(pair.value) }
            }
        }
        guard !ranges.isEmpty else { return text }
        var scalars = table.scalars
        var lastStart = Int.max
        for range in ranges.sorted(by: { $0.start > $1.start }) where range.end <= lastStart {
            var end = range.end
            while end > range.start, isSpaceOrBreak(scalars[end - 1]) { end -= 1 }
            let original = scalars[range.start..<end]
            scalars.replaceSubrange(range.start..<end, with: replacementText(for: original).unicodeScalars)
            lastStart = range.start
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }

    /// `!secret '***'`, after the node's anchor when it has one (`&key !secret ...`), so aliases still resolve.
    static func replacementText(for original: ArraySlice<Unicode.Scalar>) -> String {
        var anchor: String?
        var rest = original[...]
        while let first = rest.first, first == "&" || first == "!" {
            let token = rest.prefix { !isSpaceOrBreak($0) }
            if first == "&" { anchor = String(String.UnicodeScalarView(token)) }
            rest = rest.dropFirst(token.count).drop(while: isSpaceOrBreak)
        }
        return (anchor.map { $0 + " " } ?? "") + SpecValue.secretTag + " " + replacement
    }

    static func isSpaceOrBreak(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || LineTable.isBreak(c)
    }

    /// Offsets of line starts in the text's Unicode scalars, with line breaks counted as libyaml counts them
    /// (`\r\n` is one break; `\r`, NEL, LS and PS break a line too), so that a mark's line and column find its scalar.
    struct LineTable {
        let scalars: [Unicode.Scalar]
        private var starts: [Int] = [0]

        init(_ text: String) {
            scalars = Array(text.unicodeScalars)
            var i = 0
            while i < scalars.count {
                let c = scalars[i]
                i += 1
                if c == "\r", i < scalars.count, scalars[i] == "\n" { i += 1 }
                if Self.isBreak(c) { starts.append(i) }
            }
        }

        static func isBreak(_ c: Unicode.Scalar) -> Bool {
            c == "\n" || c == "\r" || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}"
        }

        /// The scalar offset of a 1-based line and column; nil when the mark is outside the text.
        func offset(line: Int32, column: Int32) -> Int? {
            let l = Int(line) - 1, c = Int(column) - 1
            guard l >= 0, l < starts.count, c >= 0 else { return nil }
            let offset = starts[l] + c
            return offset <= scalars.count ? offset : nil
        }
    }
}
