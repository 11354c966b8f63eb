import Engine
import Registry
import Schema
import Spec

/// The plugin registry as the workflow checks see it: tool names resolve, known arguments are checked against
/// the tools' input schemas.
public struct RegistryCatalog: ToolCatalog {
    /// The plugins, tools and tool servers the names are resolved against.
    public let snapshot: RegistrySnapshot
    /// Lists a workflow's own tool servers; nil: a workflow's `spec.tool_servers` stay unlisted (unknown tools).
    let host: WorkflowHost?
    let secrets: [String: String]

    /// A catalog over `snapshot` alone: a workflow's own `spec.tool_servers` are not started, so their
    /// `SERVER.tool` names stay unknown (the host's own checks use a catalog that starts them).
    ///
    /// ```swift
    /// let catalog = RegistryCatalog(snapshot: try host.refreshedRegistry())
    /// if case .found(let name) = catalog.resolve("echo") { print(name) } // "hello.echo"
    /// ```
    /// - Parameter snapshot: the registry, usually ``WorkflowHost/refreshedRegistry(force:)``'s.
    public init(snapshot: RegistrySnapshot) {
        self.snapshot = snapshot
        host = nil
        secrets = [:]
    }

    init(snapshot: RegistrySnapshot, host: WorkflowHost, secrets: [String: String]) {
        self.snapshot = snapshot
        self.host = host
        self.secrets = secrets
    }

    /// The registry with the workflow's servers, and an error at each server that could not be started or listed.
    /// - Parameter servers: the workflow's `spec.tool_servers`.
    /// - Returns: the catalog with their tools as `SERVER.tool` (this catalog unchanged when it was made with
    ///   ``init(snapshot:)``), and an error or warning diagnostic at each server's declaration.
    public func addingToolServers(_ servers: [ToolServer]) -> (catalog: any ToolCatalog, diagnostics: [Diagnostic]) {
        guard let host else { return (self, []) }
        let added = host.adding(servers: servers, to: snapshot, secrets: secrets)
        var diagnostics: [Diagnostic] = []
        for server in servers {
            guard let record = added.toolServer(named: server.name) else { continue }
            if case .failed(let error) = record.status {
                diagnostics.append(.error(.unknownTool, at: server.location, error.messageWithStderr, hint: error.hint))
            }
            for warning in record.warnings {
                diagnostics.append(.warning(.invalidArgument, at: server.location, warning))
            }
        }
        return (RegistryCatalog(snapshot: added, host: host, secrets: secrets), diagnostics)
    }

    /// A tool in a plugin that is invalid, incompatible or failed (or refused as untrusted): "tool 'x' is in plugin
    /// p (path), which is invalid: ..."; `SERVER.tool` where SERVER is a tool server without that tool, or where no
    /// plugin or server has the name.
    /// - Parameter name: the tool name as written, bare or qualified.
    /// - Returns: the message and hint; nil when the generic "unknown tool" message says it best.
    public func explainUnknown(_ name: String) -> (message: String, hint: String?)? {
        if let gone = snapshot.unavailable(name).first { return (gone.message, gone.hint) }
        guard let dot = name.firstIndex(of: ".") else { return nil }
        let prefix = String(name[..<dot]), toolName = String(name[name.index(after: dot)...])
        if let server = snapshot.toolServer(named: prefix) {
            if case .failed(let error) = server.status {
                return ("unknown tool '\(name)': tool server '\(prefix)' could not be listed (\(error.message))", error.hint)
            }
            let names = server.tools.map(\.name)
            let hint = Suggest.closest(to: toolName, among: names).first.map { "did you mean '\(prefix).\($0)'?" }
                ?? "its tools: " + names.joined(separator: ", ")
            return ("tool server '\(prefix)' has no tool '\(toolName)'", hint)
        }
        let plugins = Set(snapshot.records.compactMap { $0.descriptor?.name })
        guard !plugins.contains(prefix) else { return nil }
        let owners = plugins.union(snapshot.toolServers.map(\.name))
        let hint = Suggest.closest(to: prefix, among: Array(owners)).first.map { "did you mean '\($0).\(toolName)'?" }
            ?? "declare the server under `spec.tool_servers` or in \(host?.userToolServersPath ?? "~/.config/wfhost/servers.yaml")"
        return ("unknown tool '\(name)': no plugin or tool server is named '\(prefix)'", hint)
    }

    /// Resolves a tool name as written, bare (`resize`) or qualified (`images.resize`).
    /// - Parameter name: the name in the workflow.
    /// - Returns: the qualified name when one tool has it, the candidates when several do, else suggestions.
    public func resolve(_ name: String) -> Spec.ToolResolution {
        switch snapshot.resolve(name) {
        case .found(let tool): return .found(qualifiedName: tool.qualifiedName)
        case .ambiguous(let tools): return .ambiguous(candidates: tools.map(\.qualifiedName))
        case .unknown(let suggestions): return .unknown(suggestions: suggestions)
        }
    }

    /// Checks arguments known before the run against the tool's input schema.
    /// - Parameters:
    ///   - qualifiedName: a name that ``resolve(_:)`` returned as found.
    ///   - arguments: the stage's `args` merged with the tool's own.
    /// - Returns: one problem per schema violation, with its path inside `arguments` (no argument value is
    ///   quoted); empty for a tool the registry does not have.
    public func checkArguments(tool qualifiedName: String, arguments: SpecValue) -> [ArgumentProblem] {
        guard case .found(let tool) = snapshot.resolve(qualifiedName) else { return [] }
        let json = arguments.jsonValue
        return tool.inputSchema.validate(json).map { violation in
            ArgumentProblem(path: Self.path(violation.instancePath, in: json), message: violation.message,
                            hint: "`wfhost plugins show \(qualifiedName)` prints the tool's schema")
        }
    }

    /// What the registry knows of a tool's behaviour: whether it declares side effects.
    /// - Parameter qualifiedName: a name that ``resolve(_:)`` returned as found.
    /// - Returns: the traits; nil for a tool the registry does not have.
    public func traits(ofTool qualifiedName: String) -> ToolTraits? {
        guard case .found(let tool) = snapshot.resolve(qualifiedName) else { return nil }
        return ToolTraits(hasSideEffects: tool.descriptor.hasSideEffects)
    }

    /// The tool's input properties and declared output keys, which the checks of `${...}` references use.
    /// - Parameter qualifiedName: a name that ``resolve(_:)`` returned as found.
    /// - Returns: the interface; nil for a tool the registry does not have.
    public func interface(ofTool qualifiedName: String) -> ToolInterface? {
        guard case .found(let tool) = snapshot.resolve(qualifiedName) else { return nil }
        return tool.contextInterface
    }

    /// A JSON pointer as argument path components: a token is an index where the value there is an array.
    static func path(_ pointer: String, in value: JSONValue) -> [ArgumentPathComponent] {
        var components: [ArgumentPathComponent] = []
        var current: JSONValue? = value
        for token in JSONPointer.tokens(pointer) ?? [] {
            if case .array(let items)? = current, let index = Int(token) {
                components.append(.index(index))
                current = items.indices.contains(index) ? items[index] : nil
            } else {
                components.append(.key(token))
                current = current?[token]
            }
        }
        return components
    }
}
