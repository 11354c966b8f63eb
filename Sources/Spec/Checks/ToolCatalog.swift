/// What validation needs from the plugin registry. The registry module implements it; `--no-registry` passes nil.
public protocol ToolCatalog: Sendable {
    /// Resolves a tool name as written: bare (`resize`) or qualified (`images.resize`).
    func resolve(_ name: String) -> ToolResolution
    /// Checks arguments known before the run against the tool's schema.
    /// - Parameters:
    ///   - qualifiedName: a name that ``resolve(_:)`` returned as found.
    ///   - arguments: the stage's `args` merged with the tool's own (the tool's win), always a map.
    /// - Returns: one problem per violation, each with its path inside `arguments`. Messages must not quote
    ///   argument values, which may hold secrets. Problems at a value that is a `${...}` reference are dropped by
    ///   the caller (the value is known only during the run).
    func checkArguments(tool qualifiedName: String, arguments: SpecValue) -> [ArgumentProblem]
    /// What the registry knows about a tool's behaviour, or nil when it knows nothing.
    func traits(ofTool qualifiedName: String) -> ToolTraits?
    /// The tool's input properties and declared output keys, or nil when the registry knows nothing of them.
    func interface(ofTool qualifiedName: String) -> ToolInterface?
    /// This catalog with the tools of a workflow's `spec.tool_servers` as `SERVER.tool` (the servers are started
    /// and their tools listed), and an error at each server that could not be listed.
    func addingToolServers(_ servers: [ToolServer]) -> (catalog: any ToolCatalog, diagnostics: [Diagnostic])
    /// Why `name` is unknown in words the catalog knows best (a tool server without that tool, say), or nil for
    /// the generic "unknown tool" message.
    func explainUnknown(_ name: String) -> (message: String, hint: String?)?
}

extension ToolCatalog {
    public func traits(ofTool qualifiedName: String) -> ToolTraits? { nil }
    /// A catalog that knows no tool servers keeps its own tools: `SERVER.tool` names stay unknown.
    public func addingToolServers(_ servers: [ToolServer]) -> (catalog: any ToolCatalog, diagnostics: [Diagnostic]) {
        (self, [])
    }
    public func explainUnknown(_ name: String) -> (message: String, hint: String?)? { nil }
}

public enum ToolResolution: Sendable, Hashable {
    case found(qualifiedName: String)
    /// Several plugins offer this bare name; the candidates are qualified names.
    case ambiguous(candidates: [String])
    /// No such tool; suggestions are close names, best first (may be empty).
    case unknown(suggestions: [String])
}

public enum ArgumentPathComponent: Sendable, Hashable, CustomStringConvertible {
    case key(String)
    case index(Int)

    public var description: String {
        switch self {
        case .key(let key): return key
        case .index(let index): return "[\(index)]"
        }
    }
}

public struct ArgumentProblem: Sendable, Hashable {
    /// Where inside the arguments; empty for the arguments as a whole (a missing required one, say).
    public var path: [ArgumentPathComponent]
    public var message: String
    public var hint: String?

    public init(path: [ArgumentPathComponent], message: String, hint: String? = nil) {
        self.path = path
        self.message = message
        self.hint = hint
    }
}

public struct ToolTraits: Sendable, Hashable {
    /// The tool changes something outside itself (pushes an image, sends a message): retries may repeat that.
    public var hasSideEffects: Bool
    public init(hasSideEffects: Bool) { self.hasSideEffects = hasSideEffects }
}
