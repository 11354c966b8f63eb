import Spec

/// What the critical path is weighted by.
public enum CriticalPathWeighting: String, Sendable, CaseIterable, Codable {
    /// A stage's `timeout` (or the sum of its tools' timeouts); stages without one count as zero.
    case timeout
    /// A stage's `weight` (default 1).
    case weight
}

/// A plan for an acyclic workflow: which stages may run together, and the longest chain.
public struct ExecutionPlan: Sendable {
    public let graph: DependencyGraph
    /// Level 0 holds stages with no dependencies; a stage's level is one more than its deepest dependency's.
    public let levels: [[Int]]
    /// The level of each stage.
    public let levelOf: [Int]
    /// A topological order (levels flattened).
    public var order: [Int] { levels.flatMap { $0 } }

    /// Builds the plan. Returns nil when the graph has a cycle.
    public init?(graph: DependencyGraph) {
        guard let order = graph.topologicalOrder() else { return nil }
        var levelOf = [Int](repeating: 0, count: graph.count)
        var depth = 0
        for node in order {
            var level = 0
            for edge in graph.incoming[node] { level = max(level, levelOf[edge.from] + 1) }
            levelOf[node] = level
            depth = max(depth, level + 1)
        }
        var levels = [[Int]](repeating: [], count: depth)
        for node in 0..<graph.count { levels[levelOf[node]].append(node) }
        self.graph = graph
        self.levels = levels
        self.levelOf = levelOf
    }

    /// The cost of each stage under `weighting`, in seconds for `.timeout`.
    public static func costs(of workflow: Workflow, graph: DependencyGraph, by weighting: CriticalPathWeighting) -> [Double] {
        graph.names.map { name in
            guard let index = workflow.stageIndex(named: name) else { return 0 }
            let stage = workflow.stages[index]
            switch weighting {
            case .weight:
                return stage.weight
            case .timeout:
                if let timeout = stage.timeout { return seconds(timeout) }
                return stage.tools.reduce(0) { $0 + ($1.timeout.map(seconds) ?? 0) }
            }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(DurationText.milliseconds(duration)) / 1000
    }

    /// The chain of stages with the largest total cost, first stage first.
    public func criticalPath(costs: [Double]) -> (stages: [Int], total: Double) {
        guard graph.count > 0 else { return ([], 0) }
        var best = [Double](repeating: 0, count: graph.count)
        var previous = [Int](repeating: -1, count: graph.count)
        for level in levels {
            for node in level {
                var start = 0.0
                for edge in graph.incoming[node] where best[edge.from] > start || (previous[node] < 0 && best[edge.from] == start) {
                    start = best[edge.from]
                    previous[node] = edge.from
                }
                best[node] = start + costs[node]
            }
        }
        var end = 0
        for node in 1..<graph.count where best[node] > best[end] { end = node }
        var path = [end]
        while previous[path[path.count - 1]] >= 0 { path.append(previous[path[path.count - 1]]) }
        return (path.reversed(), best[end])
    }
}

/// Size and shape figures of a dependency graph.
public struct ComplexityFigures: Sendable, Codable, Hashable {
    public var stages: Int
    public var edges: Int
    /// Number of levels: the longest chain counted in stages.
    public var depth: Int
    /// Most stages on one level.
    public var widestLevel: Int
    public var maxFanIn: Int
    public var maxFanInStage: String?
    public var maxFanOut: Int
    public var maxFanOutStage: String?
    /// Stages with no dependencies.
    public var roots: Int
    /// Stages nothing depends on.
    public var leaves: Int

    public init(plan: ExecutionPlan) {
        let graph = plan.graph
        stages = graph.count
        edges = graph.edgeCount
        depth = plan.levels.count
        widestLevel = plan.levels.map(\.count).max() ?? 0
        maxFanIn = 0
        maxFanOut = 0
        roots = 0
        leaves = 0
        for node in 0..<graph.count {
            if graph.incoming[node].count > maxFanIn { maxFanIn = graph.incoming[node].count; maxFanInStage = graph.names[node] }
            if graph.outgoing[node].count > maxFanOut { maxFanOut = graph.outgoing[node].count; maxFanOutStage = graph.names[node] }
            if graph.incoming[node].isEmpty { roots += 1 }
            if graph.outgoing[node].isEmpty { leaves += 1 }
        }
    }
}
