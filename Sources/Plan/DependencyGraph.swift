import Spec

/// The stages of a workflow as a graph: an edge runs from a dependency to the stage that depends on it.
///
/// Stages are numbered by their order in the file. Edges to unknown stages and repeated stage names are left
/// out (the loader reported them), so the graph can be built from any decoded workflow.
public struct DependencyGraph: Sendable {
    public struct Edge: Sendable, Hashable {
        /// The stage that must finish first.
        public var from: Int
        /// The stage that waits.
        public var to: Int
        /// Where the `depends_on` entry is written.
        public var location: SourceLocation
    }

    public let names: [String]
    /// For each stage, the edges into it (its dependencies), in file order.
    public let incoming: [[Edge]]
    /// For each stage, the stages that depend on it.
    public let outgoing: [[Int]]
    public let edgeCount: Int
    /// For each stage of the workflow (file order), its node, or nil for a stage whose name was already used.
    public let nodeOfStage: [Int?]

    public var count: Int { names.count }

    public init(workflow: Workflow) {
        var names: [String] = []
        var indexOfStage: [Int] = []  // stage array index → graph node, or -1 for a repeated name
        names.reserveCapacity(workflow.stages.count)
        indexOfStage.reserveCapacity(workflow.stages.count)
        for i in workflow.stages.indices {
            let name = workflow.stages[i].name
            if workflow.stageIndex(named: name) == i {
                indexOfStage.append(names.count)
                names.append(name)
            } else {
                indexOfStage.append(-1)
            }
        }
        var incoming = [[Edge]](repeating: [], count: names.count)
        var outgoing = [[Int]](repeating: [], count: names.count)
        var edgeCount = 0
        for i in workflow.stages.indices {
            let to = indexOfStage[i]
            guard to >= 0 else { continue }
            for dependency in workflow.stages[i].dependsOn {
                guard let j = workflow.stageIndex(named: dependency.name) else { continue }
                let from = indexOfStage[j]
                if incoming[to].contains(where: { $0.from == from }) { continue }
                incoming[to].append(Edge(from: from, to: to, location: dependency.location))
                outgoing[from].append(to)
                edgeCount += 1
            }
        }
        self.names = names
        self.incoming = incoming
        self.outgoing = outgoing
        self.edgeCount = edgeCount
        self.nodeOfStage = indexOfStage.map { $0 >= 0 ? $0 : nil }
    }

    /// Stages in an order where every dependency comes first, or nil when there is a cycle.
    public func topologicalOrder() -> [Int]? {
        var remaining = incoming.map(\.count)
        var order: [Int] = []
        order.reserveCapacity(count)
        for node in 0..<count where remaining[node] == 0 { order.append(node) }
        var head = 0
        while head < order.count {
            let node = order[head]
            head += 1
            for next in outgoing[node] {
                remaining[next] -= 1
                if remaining[next] == 0 { order.append(next) }
            }
        }
        return order.count == count ? order : nil
    }

    /// True when `target` is `start` or one of its transitive dependencies.
    public func dependsTransitively(_ start: Int, on target: Int) -> Bool {
        if start == target { return true }
        var seen = Set<Int>([start])
        var stack = [start]
        while let node = stack.popLast() {
            for edge in incoming[node] where seen.insert(edge.from).inserted {
                if edge.from == target { return true }
                stack.append(edge.from)
            }
        }
        return false
    }
}
