/// A node of a YAML document as read by ``YAMLLoader``, with its position in the file.
///
/// Aliases are resolved to the anchored node itself (the same object), so a document is a DAG, never a cycle:
/// an alias may only name an anchor whose node is complete. Plain scalars keep their text; typing them
/// (YAML 1.2 core schema) is ``SpecValue``'s job.
public final class YAMLNode: Sendable {
    public enum ScalarStyle: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public struct Pair: Sendable {
        public let key: YAMLNode
        public let value: YAMLNode
    }

    public enum Content: Sendable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([Pair])
    }

    public let content: Content
    /// The resolved tag (`tag:yaml.org,2002:str`, `!secret`...) or nil when the node had none.
    public let tag: String?
    /// 1-based line of the node's first character.
    public let line: Int32
    /// 1-based column of the node's first character.
    public let column: Int32
    /// How many nodes this node stands for once every alias below it is expanded (itself included).
    let expandedCount: Int

    /// How many nodes this node stands for once every alias below it is expanded (itself included).
    public var expandedNodeCount: Int { expandedCount }

    /// For a scalar written on one line: the column of its text's first character when every character of the
    /// value sits at its own column in the file (no escapes, folds or doubled quotes); otherwise nil.
    public let textColumn: Int32?

    /// 1-based line and column just past the node's last character (its closing quote or bracket, the last line of
    /// a block scalar, which may include the line breaks after it). With `line` and `column`, which include the
    /// node's tag and anchor, this is the node's whole source range: ``SecretMasking`` replaces it.
    public let endLine: Int32
    public let endColumn: Int32

    init(content: Content, tag: String?, line: Int32, column: Int32, endLine: Int32, endColumn: Int32,
         expandedCount: Int, textColumn: Int32? = nil) {
        self.content = content
        self.tag = tag
        self.line = line
        self.column = column
        self.endLine = endLine
        self.endColumn = endColumn
        self.expandedCount = expandedCount
        self.textColumn = textColumn
    }

    public var scalarText: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    public var sequenceItems: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var mappingPairs: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The location of this node in `file`.
    public func location(in file: String) -> SourceLocation {
        SourceLocation(file: file, line: Int(line), column: Int(column))
    }
}

/// A parsed YAML document: its root node and the file name used in every location.
public struct YAMLDocument: Sendable {
    public let file: String
    public let root: YAMLNode

    public func location(of node: YAMLNode) -> SourceLocation { node.location(in: file) }
}
