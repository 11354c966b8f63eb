import Foundation
import Spec

/// Output formats of `wfhost graph`.
public enum GraphFormat: String, Sendable, CaseIterable, Codable {
    case dot, mermaid, json
}

/// Renders a workflow's dependency graph. Stages on the critical path (by weight) are highlighted.
public enum GraphRenderer {
    public static func render(_ workflow: Workflow, plan: ExecutionPlan, format: GraphFormat) throws -> String {
        switch format {
        case .dot: return dot(workflow, plan: plan)
        case .mermaid: return mermaid(workflow, plan: plan)
        case .json: return try json(workflow, plan: plan)
        }
    }

    static func criticalEdges(_ workflow: Workflow, plan: ExecutionPlan) -> Set<Int64> {
        let costs = ExecutionPlan.costs(of: workflow, graph: plan.graph, by: .weight)
        let path = plan.criticalPath(costs: costs).stages
        return Set(zip(path, path.dropFirst()).map { Int64($0) << 32 | Int64($1) })
    }

    public static func dot(_ workflow: Workflow, plan: ExecutionPlan) -> String {
        let graph = plan.graph
        let critical = criticalEdges(workflow, plan: plan)
        var out = "digraph \(dotString(workflow.metadata.name)) {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n"
        for node in 0..<graph.count {
            out += "  s\(node) [label=\(dotString(graph.names[node]))];\n"
        }
        for node in 0..<graph.count {
            for edge in graph.incoming[node] {
                let style = critical.contains(Int64(edge.from) << 32 | Int64(node)) ? " [color=red, penwidth=2]" : ""
                out += "  s\(edge.from) -> s\(node)\(style);\n"
            }
        }
        out += "}\n"
        return out
    }

    static func dotString(_ text: String) -> String {
        var out = "\""
        for ch in text.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }

    public static func mermaid(_ workflow: Workflow, plan: ExecutionPlan) -> String {
        let graph = plan.graph
        let critical = criticalEdges(workflow, plan: plan)
        var out = "flowchart LR\n"
        for node in 0..<graph.count {
            out += "  s\(node)[\"\(mermaidText(graph.names[node]))\"]\n"
        }
        var linkIndex = 0
        var criticalLinks: [Int] = []
        for node in 0..<graph.count {
            for edge in graph.incoming[node] {
                out += "  s\(edge.from) --> s\(node)\n"
                if critical.contains(Int64(edge.from) << 32 | Int64(node)) { criticalLinks.append(linkIndex) }
                linkIndex += 1
            }
        }
        if !criticalLinks.isEmpty {
            out += "  linkStyle \(criticalLinks.map(String.init).joined(separator: ",")) stroke:#d00,stroke-width:2px\n"
        }
        return out
    }

    static func mermaidText(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            default: out.append(ch)
            }
        }
        return out
    }

    struct GraphDocument: Codable {
        struct StageEntry: Codable {
            var name: String
            var level: Int
            var dependsOn: [String]
            var tools: [String]
            var timeoutMs: Int64?
            var weight: Double
            var line: Int
            var column: Int
        }
        struct EdgeEntry: Codable {
            var from: String
            var to: String
            var line: Int
            var column: Int
        }
        var workflow: String
        var stages: [StageEntry]
        var edges: [EdgeEntry]
        var levels: [[String]]
        var criticalPath: [String]
    }

    public static func json(_ workflow: Workflow, plan: ExecutionPlan) throws -> String {
        let graph = plan.graph
        let stageOf = WorkflowAnalyzer.stageIndexByNode(workflow: workflow, graph: graph)
        var stages: [GraphDocument.StageEntry] = []
        var edges: [GraphDocument.EdgeEntry] = []
        for node in 0..<graph.count {
            let stage = workflow.stages[stageOf[node]]
            stages.append(.init(name: stage.name, level: plan.levelOf[node],
                                dependsOn: graph.incoming[node].map { graph.names[$0.from] },
                                tools: stage.tools.map { $0.resolvedName ?? $0.name },
                                timeoutMs: stage.timeout.map(DurationText.milliseconds), weight: stage.weight,
                                line: stage.nameLocation.line, column: stage.nameLocation.column))
            for edge in graph.incoming[node] {
                edges.append(.init(from: graph.names[edge.from], to: graph.names[node],
                                   line: edge.location.line, column: edge.location.column))
            }
        }
        let costs = ExecutionPlan.costs(of: workflow, graph: graph, by: .weight)
        let document = GraphDocument(workflow: workflow.metadata.name, stages: stages, edges: edges,
                                     levels: plan.levels.map { $0.map { graph.names[$0] } },
                                     criticalPath: plan.criticalPath(costs: costs).stages.map { graph.names[$0] })
        return try JSONText.encode(document)
    }
}

/// JSON with sorted keys and indentation, the form of every `--json` document.
public enum JSONText {
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return String(decoding: data, as: UTF8.self)
    }
}
