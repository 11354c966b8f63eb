/// Where a key of a stage's session context comes from, as far as it is known before the run.
///
/// A stage's context is, in this order: its own `variables`; the workflow's `variables` and `--var` values; then
/// the output keys of the stages it depends on, directly or transitively, nearest first (a direct dependency is at
/// distance 1). A variable whose value is null gives way to an output of the same name.
public enum ContextSource: Sendable, Hashable {
    case stageVariable(SourceLocation)
    case workflowVariable(SourceLocation)
    /// A `--var` value (or a variable passed through the API).
    case commandLine
    /// The declared output key of `tool` in upstream stage `stage`; at distance 0, of a tool before the call in
    /// its own (sequential) stage.
    case output(stage: String, tool: String, distance: Int)
    /// No variable or declared output has it, but these upstream stages call tools without an output schema, whose
    /// keys are known only at run time.
    case runtime(stages: [String])
    /// Two or more stages at the same, nearest distance declare it.
    case ambiguous(stages: [String], distance: Int)
    case none

    /// How `wfhost plan` and diagnostics name the source.
    public var description: String {
        switch self {
        case .stageVariable(let at): return "stage variable (\(at))"
        case .workflowVariable(let at): return "workflow variable (\(at))"
        case .commandLine: return "--var"
        case .output(_, let tool, 0):
            return "output of an earlier tool of this stage (\(tool))"
        case .output(let stage, let tool, let distance):
            return "output of stage '\(stage)' (\(tool), \(distance == 1 ? "a direct dependency" : "\(distance) dependencies away"))"
        case .runtime(let stages):
            return "known only at run time: maybe an output of " + stages.map { "'\($0)'" }.joined(separator: ", ")
        case .ambiguous(let stages, _): return "ambiguous: " + stages.map { "'\($0)'" }.joined(separator: " and ")
        case .none: return "nothing"
        }
    }
}

extension Diagnostic.Code {
    /// A required tool argument that neither `args`, the context nor the schema's default provides.
    public static let missingArgument = Self("missing-argument")
    /// A context key that two upstream stages at the same distance yield.
    public static let ambiguousContextKey = Self("ambiguous-context-key")
    /// A context key that only the result of a tool without an output schema may provide.
    public static let runtimeContextKey = Self("runtime-context-key")
    /// A context key bound to an argument whose input schema does not accept the type the producer declares.
    public static let contextTypeMismatch = Self("context-type-mismatch")
}

/// The session context of every stage, before the run: which variables exist and which keys the tools of each
/// stage declare in their output schemas (from the catalog; without one, every stage's keys are run-time only).
public struct StaticContext: Sendable {
    let workflow: Workflow
    let externalVariables: Set<String>
    /// Per stage: the declared output keys, each with the tool (as written) that yields it (a later tool of the
    /// stage wins), and the tools of the stage whose keys are known only at run time.
    let declared: [[String: String]]
    let undeclared: [[String]]
    /// Per stage, per tool: its declared output keys; nil for a tool without an output schema (or unknown).
    let toolOutputs: [[[String]?]]
    let workflowVariables: [String: Variable]

    public init(workflow: Workflow, externalVariables: Set<String>, catalog: (any ToolCatalog)?) {
        self.workflow = workflow
        self.externalVariables = externalVariables
        var declared: [[String: String]] = []
        var undeclared: [[String]] = []
        var toolOutputs: [[[String]?]] = []
        declared.reserveCapacity(workflow.stages.count)
        for stage in workflow.stages {
            var keys: [String: String] = [:]
            var unknown: [String] = []
            var perTool: [[String]?] = []
            for tool in stage.tools {
                let outputs = catalog.flatMap({ Self.interface(of: tool, in: $0) })?.outputs
                perTool.append(outputs)
                if let outputs {
                    for key in outputs { keys[key] = tool.name }
                } else {
                    unknown.append(tool.name)
                }
            }
            declared.append(keys)
            undeclared.append(unknown)
            toolOutputs.append(perTool)
        }
        self.declared = declared
        self.undeclared = undeclared
        self.toolOutputs = toolOutputs
        var variables: [String: Variable] = [:]
        for v in workflow.variables where variables[v.name] == nil { variables[v.name] = v }
        self.workflowVariables = variables
    }

    /// The catalog's interface of `tool`, by its resolved name when there is one.
    public static func interface(of tool: ToolInvocation, in catalog: any ToolCatalog) -> ToolInterface? {
        if let resolved = tool.resolvedName { return catalog.interface(ofTool: resolved) }
        if case .found(let qualified) = catalog.resolve(tool.name) { return catalog.interface(ofTool: qualified) }
        return nil
    }

    /// The stages stage `index` depends on, by distance (see ``Workflow/upstreamLevels(of:)``).
    public func upstreamLevels(of index: Int) -> [[Int]] { workflow.upstreamLevels(of: index) }

    /// Where `key` comes from in the context of stage `index`; for the call of tool `position` of a sequential
    /// stage, the tools before it in the stage come after the variables and before every upstream stage.
    public func source(of key: String, inStage index: Int, beforeTool position: Int? = nil) -> ContextSource {
        let stage = workflow.stages[index]
        if let v = stage.variables.first(where: { $0.name == key }) { return .stageVariable(v.location) }
        if externalVariables.contains(key) { return .commandLine }
        let variable = workflowVariables[key]
        if let variable, variable.value.kind != .null { return .workflowVariable(variable.location) }
        var maybe: [String] = []
        if let position, !stage.parallel {
            for k in stride(from: min(position, stage.tools.count) - 1, through: 0, by: -1) {
                guard let outputs = toolOutputs[index][k] else {
                    if !maybe.contains(stage.name) { maybe.append(stage.name) }
                    continue
                }
                if outputs.contains(key) { return .output(stage: stage.name, tool: stage.tools[k].name, distance: 0) }
            }
        }
        for (distance, level) in upstreamLevels(of: index).enumerated() {
            let producers = level.filter { declared[$0][key] != nil }
            maybe += level.filter { !undeclared[$0].isEmpty }.map { workflow.stages[$0].name }
            if producers.count > 1 {
                return .ambiguous(stages: producers.map { workflow.stages[$0].name }, distance: distance + 1)
            }
            if let p = producers.first, let tool = declared[p][key] {
                return .output(stage: workflow.stages[p].name, tool: tool, distance: distance + 1)
            }
        }
        if let variable { return .workflowVariable(variable.location) }
        return maybe.isEmpty ? .none : .runtime(stages: maybe)
    }

    /// The tools before tool `position` of stage `index` whose output schemas declare `key` (as written).
    public func earlierTools(yielding key: String, inStage index: Int, before position: Int) -> [String] {
        zip(workflow.stages[index].tools.prefix(position), toolOutputs[index].prefix(position))
            .filter { $0.1?.contains(key) == true }.map { $0.0.name }
    }

    /// The stages (other than `index`) whose tools declare `key`: those that could provide it if the stage
    /// depended on them.
    public func producers(of key: String, except index: Int) -> [String] {
        workflow.stages.indices.filter { $0 != index && declared[$0][key] != nil }.map { workflow.stages[$0].name }
    }
}

extension Workflow {
    /// The stages stage `index` depends on, directly or transitively, grouped by distance, nearest first (a direct
    /// dependency is at distance 1); each stage once, at its shortest distance, in file order within a level.
    public func upstreamLevels(of index: Int) -> [[Int]] {
        var seen: Set<Int> = [index]
        var levels: [[Int]] = []
        var frontier = [index]
        while !frontier.isEmpty {
            var next: [Int] = []
            for i in frontier {
                for dependency in stages[i].dependsOn {
                    guard let d = stageIndex(named: dependency.name), seen.insert(d).inserted else { continue }
                    next.append(d)
                }
            }
            next.sort()
            if !next.isEmpty { levels.append(next) }
            frontier = next
        }
        return levels
    }
}
