import Spec

/// One dependency cycle: the stages in execution order, the first repeated at the end, and each edge.
public struct DependencyCycle: Sendable, Hashable {
    /// `["build", "test", "package", "build"]`: each stage runs before the next.
    public var path: [String]
    /// The `depends_on` entries that close the cycle, one per step of `path`.
    public var edges: [DependencyGraph.Edge]

    public var description: String { path.joined(separator: " → ") }
}

/// Finds every strongly connected component with a cycle (Tarjan's algorithm, iterative so a 100,000-stage
/// chain cannot overflow the stack) and one cycle through each.
enum CycleFinder {
    static func cycles(in graph: DependencyGraph) -> [DependencyCycle] {
        if graph.topologicalOrder() != nil { return [] }
        var index = [Int](repeating: -1, count: graph.count)
        var low = [Int](repeating: 0, count: graph.count)
        var onStack = [Bool](repeating: false, count: graph.count)
        var stack: [Int] = []
        var next = 0
        var components: [[Int]] = []
        for root in 0..<graph.count where index[root] < 0 {
            // Each frame: node and the position in its outgoing list.
            var frames: [(node: Int, edge: Int)] = [(root, 0)]
            index[root] = next; low[root] = next; next += 1
            stack.append(root); onStack[root] = true
            while let frame = frames.last {
                let node = frame.node
                if frame.edge < graph.outgoing[node].count {
                    frames[frames.count - 1].edge += 1
                    let child = graph.outgoing[node][frame.edge]
                    if index[child] < 0 {
                        index[child] = next; low[child] = next; next += 1
                        stack.append(child); onStack[child] = true
                        frames.append((child, 0))
                    } else if onStack[child] {
                        low[node] = min(low[node], index[child])
                    }
                    continue
                }
                frames.removeLast()
                if let parent = frames.last { low[parent.node] = min(low[parent.node], low[node]) }
                if low[node] == index[node] {
                    var component: [Int] = []
                    while let member = stack.popLast() {
                        onStack[member] = false
                        component.append(member)
                        if member == node { break }
                    }
                    let selfLoop = component.count == 1 && graph.outgoing[node].contains(node)
                    if component.count > 1 || selfLoop { components.append(component) }
                }
            }
        }
        return components.map { cycle(in: $0, graph: graph) }.sorted { $0.edges[0].location < $1.edges[0].location }
    }

    /// A shortest cycle through the component's first stage in file order, found by breadth-first search.
    static func cycle(in component: [Int], graph: DependencyGraph) -> DependencyCycle {
        let members = Set(component)
        let start = component.min() ?? 0
        var parent: [Int: Int] = [:]
        var queue = [start]
        var head = 0
        var closing: Int?
        search: while head < queue.count {
            let node = queue[head]
            head += 1
            for next in graph.outgoing[node] where members.contains(next) {
                if next == start { closing = node; break search }
                if parent[next] == nil { parent[next] = node; queue.append(next) }
            }
        }
        var nodes = [start]
        var cursor = closing ?? start
        while cursor != start {
            nodes.append(cursor)
            cursor = parent[cursor] ?? start
        }
        nodes = [start] + nodes.dropFirst().reversed() + [start]
        var edges: [DependencyGraph.Edge] = []
        for (from, to) in zip(nodes, nodes.dropFirst()) {
            if let edge = graph.incoming[to].first(where: { $0.from == from }) { edges.append(edge) }
        }
        return DependencyCycle(path: nodes.map { graph.names[$0] }, edges: edges)
    }
}
