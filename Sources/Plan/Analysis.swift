import Spec

/// An optimization suggestion that is true of the file as written.
public struct Suggestion: Sendable, Codable, Hashable {
    public struct Kind: RawRepresentable, Sendable, Codable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let redundantDependency = Kind(rawValue: "redundant-dependency")
        public static let missingTimeout = Kind(rawValue: "missing-timeout")
        public static let serializingChain = Kind(rawValue: "serializing-chain")
        public static let retriedSideEffects = Kind(rawValue: "retried-side-effects")
        public static let concurrencyBelowWidth = Kind(rawValue: "concurrency-below-width")
        public static let parallelWithOneTool = Kind(rawValue: "parallel-with-one-tool")
    }

    public var kind: Kind
    public var message: String
    public var location: SourceLocation?
    public var stages: [String]
}

/// The critical path: the chain of stages with the largest total cost.
public struct CriticalPath: Sendable, Codable, Hashable {
    public var weighting: CriticalPathWeighting
    public var stages: [String]
    /// Seconds for `.timeout`, weight units for `.weight`.
    public var total: Double
}

/// What `wfhost analyze` reports.
public struct WorkflowAnalysis: Sendable, Codable {
    public var workflow: String
    public var complexity: ComplexityFigures
    public var levels: [[String]]
    public var criticalPath: CriticalPath
    public var suggestions: [Suggestion]
    /// Checks that stopped early on a very large graph, said in words.
    public var limits: [String]
}

public enum WorkflowAnalyzer {
    /// Analyzes a planned workflow.
    /// - Parameters:
    ///   - weighting: nil picks `.timeout` when every stage has a timeout, otherwise `.weight`.
    ///   - catalog: used to find tools with side effects; nil skips that suggestion.
    ///   - budget: most graph steps spent looking for redundant dependencies.
    public static func analyze(workflow: Workflow, plan: ExecutionPlan, weighting: CriticalPathWeighting? = nil,
                               catalog: (any ToolCatalog)? = nil, budget: Int = 5_000_000) -> WorkflowAnalysis {
        let graph = plan.graph
        let stageOf = stageIndexByNode(workflow: workflow, graph: graph)
        let timeoutCosts = ExecutionPlan.costs(of: workflow, graph: graph, by: .timeout)
        let chosen = weighting ?? (timeoutCosts.allSatisfy { $0 > 0 } ? .timeout : .weight)
        let costs = chosen == .timeout ? timeoutCosts : ExecutionPlan.costs(of: workflow, graph: graph, by: .weight)
        let (pathNodes, total) = plan.criticalPath(costs: costs)
        var suggestions: [Suggestion] = []
        var limits: [String] = []

        let (redundant, finished) = redundantEdges(graph: graph, budget: budget)
        for (edge, via) in redundant.prefix(50) {
            suggestions.append(Suggestion(
                kind: .redundantDependency,
                message: "'\(graph.names[edge.to])' depends on '\(graph.names[edge.from])' directly and through "
                    + "'\(graph.names[via])'; the direct `depends_on` entry can be removed",
                location: edge.location, stages: [graph.names[edge.to], graph.names[edge.from]]))
        }
        if redundant.count > 50 { limits.append("\(redundant.count - 50) more redundant dependencies not listed") }
        if !finished { limits.append("the search for redundant dependencies stopped after \(budget) steps") }

        let redundantSet = Set(redundant.map { "\($0.0.from)>\($0.0.to)" })
        var chainEdges: [(DependencyGraph.Edge)] = []
        for (from, to) in zip(pathNodes, pathNodes.dropFirst()) where chainEdges.count < 5 {
            guard !redundantSet.contains("\(from)>\(to)"),
                  let edge = graph.incoming[to].first(where: { $0.from == from }) else { continue }
            let reads = GraphChecks.outputReferences(of: workflow.stages[stageOf[to]]).contains { reference, _ in
                if case .stageOutput(let name, _) = reference { return name == graph.names[from] }
                return false
            }
            if !reads { chainEdges.append(edge) }
        }
        for edge in chainEdges {
            suggestions.append(Suggestion(
                kind: .serializingChain,
                message: "'\(graph.names[edge.to])' waits for '\(graph.names[edge.from])' on the critical path but reads "
                    + "none of its outputs; if the order is not needed, removing this dependency lets them run together",
                location: edge.location, stages: [graph.names[edge.to], graph.names[edge.from]]))
        }

        let untimed = workflow.stages.filter { stage in stage.timeout == nil && stage.tools.contains { $0.timeout == nil } }
        if let first = untimed.first {
            let names = untimed.prefix(5).map { "'\($0.name)'" }.joined(separator: ", ") + (untimed.count > 5 ? ", ..." : "")
            let bound = workflow.timeout.map { "the workflow timeout (\(DurationText.format($0)))" } ?? "the run is cancelled"
            suggestions.append(Suggestion(
                kind: .missingTimeout,
                message: "\(untimed.count) stage\(untimed.count == 1 ? " has" : "s have") a tool call without a timeout "
                    + "(\(names)); a hung tool holds its stage until \(bound)",
                location: first.nameLocation, stages: untimed.map(\.name)))
        }

        if let limit = workflow.maxConcurrency, let widest = plan.levels.enumerated().max(by: { $0.element.count < $1.element.count }),
           widest.element.count > limit {
            suggestions.append(Suggestion(
                kind: .concurrencyBelowWidth,
                message: "max_concurrency is \(limit) but level \(widest.offset) has \(widest.element.count) stages "
                    + "that could run together",
                location: nil, stages: widest.element.map { graph.names[$0] }))
        }

        for stage in workflow.stages where stage.parallel && stage.tools.count == 1 {
            suggestions.append(Suggestion(kind: .parallelWithOneTool,
                                          message: "stage '\(stage.name)' sets `parallel: true` but has one tool; it has no effect",
                                          location: stage.nameLocation, stages: [stage.name]))
        }

        if let catalog {
            for stage in workflow.stages where (stage.retryPolicy?.maxAttempts ?? 1) > 1 {
                let risky = stage.tools.filter { tool in
                    tool.resolvedName.flatMap { catalog.traits(ofTool: $0) }?.hasSideEffects ?? false
                }
                if !risky.isEmpty {
                    suggestions.append(Suggestion(
                        kind: .retriedSideEffects,
                        message: "stage '\(stage.name)' retries up to \(stage.retryPolicy?.maxAttempts ?? 1) times and "
                            + "calls \(risky.map { "'\($0.name)'" }.joined(separator: ", ")), marked as having side "
                            + "effects; a retry may repeat them",
                        location: stage.retryPolicy?.location, stages: [stage.name]))
                }
            }
        }

        return WorkflowAnalysis(workflow: workflow.metadata.name, complexity: ComplexityFigures(plan: plan),
                                levels: plan.levels.map { $0.map { graph.names[$0] } },
                                criticalPath: CriticalPath(weighting: chosen, stages: pathNodes.map { graph.names[$0] },
                                                           total: total),
                                suggestions: suggestions, limits: limits)
    }

    static func stageIndexByNode(workflow: Workflow, graph: DependencyGraph) -> [Int] {
        var result = [Int](repeating: 0, count: graph.count)
        for (i, node) in graph.nodeOfStage.enumerated() { if let node { result[node] = i } }
        return result
    }

    /// Edges implied by other edges: `a → c` when `c` also depends on `b` and `b` depends on `a`.
    /// Returns each with the dependency it is implied through, and whether the search finished within `budget`.
    static func redundantEdges(graph: DependencyGraph, budget: Int) -> ([(DependencyGraph.Edge, Int)], Bool) {
        var result: [(DependencyGraph.Edge, Int)] = []
        var stamp = [Int](repeating: -1, count: graph.count)
        var reachedFrom = [Int](repeating: -1, count: graph.count)
        var steps = 0
        var stack: [Int] = []
        for node in 0..<graph.count where graph.incoming[node].count > 1 {
            for start in graph.incoming[node] {
                for edge in graph.incoming[start.from] where stamp[edge.from] != node {
                    stamp[edge.from] = node
                    reachedFrom[edge.from] = start.from
                    stack.append(edge.from)
                }
                while let current = stack.popLast() {
                    steps += 1
                    if steps > budget { return (result, false) }
                    for edge in graph.incoming[current] where stamp[edge.from] != node {
                        stamp[edge.from] = node
                        reachedFrom[edge.from] = start.from
                        stack.append(edge.from)
                    }
                }
            }
            for edge in graph.incoming[node] where stamp[edge.from] == node {
                result.append((edge, reachedFrom[edge.from]))
            }
        }
        return (result, true)
    }
}
