import Engine
import Registry
import Schema
import Spec

/// The plugin registry as the workflow checks see it: tool names resolve, known arguments are checked against
/// the tools' input schemas.
public struct RegistryCatalog: ToolCatalog {
    public let snapshot: RegistrySnapshot
    /// Lists a workflow's own tool servers; nil: a workflow's `spec.tool_servers` stay unlisted (unknown tools).
    let host: WorkflowHost?
    let secrets: [String: String]

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

    public func resolve(_ name: String) -> Spec.ToolResolution {
        switch snapshot.resolve(name) {
        case .found(let tool): return .found(qualifiedName: tool.qualifiedName)
        case .ambiguous(let tools): return .ambiguous(candidates: tools.map(\.qualifiedName))
        case .unknown(let suggestions): return .unknown(suggestions: suggestions)
        }
    }

    public func checkArguments(tool qualifiedName: String, arguments: SpecValue) -> [ArgumentProblem] {
        guard case .found(let tool) = snapshot.resolve(qualifiedName) else { return [] }
        let json = arguments.jsonValue
        return tool.inputSchema.validate(json).map { violation in
            ArgumentProblem(path: Self.path(violation.instancePath, in: json), message: violation.message,
                            hint: "`wfhost plugins show \(qualifiedName)` prints the tool's schema")
        }
    }

    public func traits(ofTool qualifiedName: String) -> ToolTraits? {
        guard case .found(let tool) = snapshot.resolve(qualifiedName) else { return nil }
        return ToolTraits(hasSideEffects: tool.descriptor.hasSideEffects)
    }

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
