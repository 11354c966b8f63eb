/// Bounds on what the loader accepts, so that hostile input fails fast in bounded memory.
///
/// The defaults admit a generated 100,000-stage workflow (about 15 MB) and reject a billion-laughs file,
/// a 10,000-deep nest and a 50 MB scalar within milliseconds.
public struct LoadLimits: Sendable, Hashable {
    /// Largest input accepted, in bytes.
    public var maxDocumentBytes: Int
    /// Longest single scalar (or run of text without a token boundary), in bytes.
    public var maxScalarBytes: Int
    /// Deepest nesting of lists and mappings.
    public var maxDepth: Int
    /// Most nodes the document may stand for once aliases are expanded (a 100,000-stage workflow has about
    /// 1.75 million).
    public var maxExpandedNodes: Int
    /// Most nodes that aliases may add in all: what bounds the memory of copying aliased values.
    public var maxAliasExpandedNodes: Int

    public init(maxDocumentBytes: Int = 64 << 20, maxScalarBytes: Int = 1 << 20, maxDepth: Int = 128,
                maxExpandedNodes: Int = 5_000_000, maxAliasExpandedNodes: Int = 1_000_000) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxScalarBytes = maxScalarBytes
        self.maxDepth = maxDepth
        self.maxExpandedNodes = maxExpandedNodes
        self.maxAliasExpandedNodes = maxAliasExpandedNodes
    }

    public static let `default` = LoadLimits()
}
