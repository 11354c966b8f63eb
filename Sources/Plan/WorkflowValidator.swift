import Spec

/// Everything `wfhost validate` learns about one file.
public struct ValidationReport: Sendable {
    public var file: String
    /// Present when the structure could be read; trust it only when ``isValid``.
    public var workflow: Workflow?
    public var graph: DependencyGraph?
    /// Present when the workflow has no dependency cycle.
    public var plan: ExecutionPlan?
    public var cycles: [DependencyCycle]
    /// Sorted by place.
    public var diagnostics: [Diagnostic]
    /// Where each argument of each call comes from (`wfhost plan`); empty without a tool catalog.
    public var bindings: [CallBinding] = []

    public var isValid: Bool { workflow != nil && !diagnostics.containsErrors }
    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }
}

/// Loads a workflow file, checks it completely and plans it: what the CLI and the engine call.
public enum WorkflowValidator {
    /// Validates the file at `path`.
    /// - Parameters:
    ///   - displayName: the name used in locations (default: `path`).
    ///   - options: `--var` names, the tool catalog (nil for `--no-registry`) and load limits.
    public static func validate(path: String, displayName: String? = nil, options: LoadOptions = LoadOptions()) -> ValidationReport {
        finish(WorkflowLoader.load(path: path, displayName: displayName, options: options), options: options)
    }

    /// Validates a document held in memory; `file` is the name used in locations.
    public static func validate(text: String, file: String, options: LoadOptions = LoadOptions()) -> ValidationReport {
        finish(WorkflowLoader.load(text: text, file: file, options: options), options: options)
    }

    /// Validates a document held in memory; `file` is the name used in locations.
    public static func validate(bytes: [UInt8], file: String, options: LoadOptions = LoadOptions()) -> ValidationReport {
        finish(WorkflowLoader.load(bytes: bytes, file: file, options: options), options: options)
    }

    static func finish(_ loaded: LoadedWorkflow, options: LoadOptions) -> ValidationReport {
        var report = ValidationReport(file: loaded.file, workflow: loaded.workflow, graph: nil, plan: nil, cycles: [],
                                      diagnostics: loaded.diagnostics)
        guard let workflow = loaded.workflow else { return report }
        let graph = DependencyGraph(workflow: workflow)
        report.graph = graph
        var extra: [Diagnostic] = []
        report.cycles = CycleFinder.cycles(in: graph)
        for cycle in report.cycles {
            let notes = cycle.edges.map { edge in
                Diagnostic.Note(location: edge.location,
                                message: "'\(graph.names[edge.to])' depends on '\(graph.names[edge.from])'")
            }
            let at = cycle.edges.first?.location ?? workflow.location
            extra.append(.error(.dependencyCycle, at: at, "dependency cycle: \(cycle.description)",
                                hint: "remove one of these `depends_on` entries", notes: notes))
        }
        if report.cycles.isEmpty { report.plan = ExecutionPlan(graph: graph) }
        extra += GraphChecks.outputReads(workflow: workflow, graph: graph)
        extra += GraphChecks.skipPropagation(workflow: workflow, graph: graph)
        if let catalog = options.catalog {
            let bound = Bindings.resolve(workflow, catalog: catalog, externalVariables: options.externalVariables)
            report.bindings = bound.calls
            extra += bound.diagnostics
        }
        report.diagnostics = (report.diagnostics + extra).sortedByLocation()
        return report
    }
}
