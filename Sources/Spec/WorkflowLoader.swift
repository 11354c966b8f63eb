/// Options for loading and checking a workflow file.
public struct LoadOptions: Sendable {
    /// Names given with `--var` (or the API): references to them count as defined.
    public var externalVariables: Set<String>
    /// Resolves tool names and checks arguments; nil skips those checks (`--no-registry`).
    public var catalog: (any ToolCatalog)?
    public var limits: LoadLimits

    public init(externalVariables: Set<String> = [], catalog: (any ToolCatalog)? = nil, limits: LoadLimits = .default) {
        self.externalVariables = externalVariables
        self.catalog = catalog
        self.limits = limits
    }
}

/// A loaded workflow: the typed workflow when its structure could be read, and every diagnostic, sorted by place.
public struct LoadedWorkflow: Sendable {
    public var file: String
    /// Present when the structure could be read, even with errors; trust it only when ``isValid``.
    public var workflow: Workflow?
    public var diagnostics: [Diagnostic]
    public var isValid: Bool { workflow != nil && !diagnostics.containsErrors }
}

/// Loads a workflow file and checks everything that does not need the dependency graph.
///
/// The `Plan` module's `WorkflowValidator` adds the graph checks (cycles, outputs read from stages that are not
/// upstream) and is what commands should call.
public enum WorkflowLoader {
    public static func load(path: String, displayName: String? = nil, options: LoadOptions = LoadOptions()) -> LoadedWorkflow {
        let result = YAMLLoader.load(path: path, displayName: displayName, limits: options.limits)
        return decode(result, file: displayName ?? path, options: options)
    }

    public static func load(text: String, file: String, options: LoadOptions = LoadOptions()) -> LoadedWorkflow {
        decode(YAMLLoader.load(text: text, file: file, limits: options.limits), file: file, options: options)
    }

    public static func load(bytes: [UInt8], file: String, options: LoadOptions = LoadOptions()) -> LoadedWorkflow {
        decode(YAMLLoader.load(bytes: bytes, file: file, limits: options.limits), file: file, options: options)
    }

    static func decode(_ result: YAMLLoadResult, file: String, options: LoadOptions) -> LoadedWorkflow {
        var diagnostics = result.diagnostics
        guard let document = result.document else {
            return LoadedWorkflow(file: file, workflow: nil, diagnostics: diagnostics.sortedByLocation())
        }
        var decoder = WorkflowDecoder(document: document)
        var workflow = decoder.decode()
        diagnostics += decoder.diagnostics
        if let decoded = workflow {
            var catalog = options.catalog
            if let base = catalog, !decoded.toolServers.isEmpty {
                let added = base.addingToolServers(decoded.toolServers)
                catalog = added.catalog
                diagnostics += added.diagnostics
            }
            var checker = SemanticChecker(workflow: decoded, externalVariables: options.externalVariables,
                                          catalog: catalog)
            workflow = checker.run()
            diagnostics += checker.diagnostics
        }
        return LoadedWorkflow(file: file, workflow: workflow, diagnostics: diagnostics.sortedByLocation())
    }
}
