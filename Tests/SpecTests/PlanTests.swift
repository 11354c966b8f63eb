import Plan
import Spec
import Testing

@Suite struct PlanTests {
    static let diamond = """
        apiVersion: orchestration/v1
        kind: Workflow
        metadata: {name: diamond}
        spec:
          max_concurrency: 1
          stages:
            - {name: fetch, tools: [f], timeout: 1m}
            - {name: build, tools: [b], depends_on: [fetch], timeout: 10m, weight: 5}
            - {name: lint, tools: [l], depends_on: [fetch], timeout: 2m}
            - {name: test, tools: [t], depends_on: [build, lint], timeout: 5m}
            - {name: ship, tools: [s], depends_on: [test, fetch], timeout: 30s, parallel: true}
        """

    func plan(_ text: String) throws -> (Workflow, ExecutionPlan) {
        let report = WorkflowValidator.validate(text: text, file: "w.yaml")
        #expect(report.diagnostics.filter { $0.severity == .error }.isEmpty, "\(report.diagnostics)")
        return (try #require(report.workflow), try #require(report.plan))
    }

    func names(_ plan: ExecutionPlan, _ nodes: [Int]) -> [String] { nodes.map { plan.graph.names[$0] } }

    @Test func levelsGroupStagesThatMayRunTogether() throws {
        let (_, plan) = try plan(Self.diamond)
        #expect(plan.levels.map { names(plan, $0) } == [["fetch"], ["build", "lint"], ["test"], ["ship"]])
    }

    @Test func criticalPathByTimeoutAndByWeight() throws {
        let (workflow, plan) = try plan(Self.diamond)
        let byTimeout = plan.criticalPath(costs: ExecutionPlan.costs(of: workflow, graph: plan.graph, by: .timeout))
        #expect(names(plan, byTimeout.stages) == ["fetch", "build", "test", "ship"])
        #expect(byTimeout.total == 60 + 600 + 300 + 30)
        let byWeight = plan.criticalPath(costs: ExecutionPlan.costs(of: workflow, graph: plan.graph, by: .weight))
        #expect(byWeight.total == 1 + 5 + 1 + 1)
    }

    @Test func complexityFigures() throws {
        let (_, plan) = try plan(Self.diamond)
        let figures = ComplexityFigures(plan: plan)
        #expect(figures.stages == 5)
        #expect(figures.edges == 6)
        #expect(figures.depth == 4)
        #expect(figures.widestLevel == 2)
        #expect(figures.maxFanIn == 2 && figures.maxFanInStage == "test")
        #expect(figures.maxFanOut == 3 && figures.maxFanOutStage == "fetch")
        #expect(figures.roots == 1 && figures.leaves == 1)
    }

    @Test func suggestionsAreTrueOfTheFile() throws {
        let (workflow, plan) = try plan(Self.diamond)
        let analysis = WorkflowAnalyzer.analyze(workflow: workflow, plan: plan)
        #expect(analysis.criticalPath.weighting == .timeout)
        let kinds = analysis.suggestions.map(\.kind)
        #expect(kinds.contains(.redundantDependency))
        #expect(kinds.contains(.concurrencyBelowWidth))
        #expect(kinds.contains(.parallelWithOneTool))
        #expect(!kinds.contains(.missingTimeout))
        let redundant = try #require(analysis.suggestions.first { $0.kind == .redundantDependency })
        #expect(redundant.message == "'ship' depends on 'fetch' directly and through 'test'; the direct `depends_on` entry can be removed")
        #expect(redundant.location == SourceLocation(file: "w.yaml", line: 11, column: 51))
    }

    @Test func missingTimeoutAndSerializingChain() throws {
        let text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: chain}
            spec:
              stages:
                - {name: a, tools: [x]}
                - {name: b, tools: [y], depends_on: [a]}
                - name: c
                  tools: [{name: z, args: {in: "${stages.b.outputs.file}"}}]
                  depends_on: [b]
            """
        let (workflow, plan) = try plan(text)
        let analysis = WorkflowAnalyzer.analyze(workflow: workflow, plan: plan)
        #expect(analysis.criticalPath.weighting == .weight)
        let chain = analysis.suggestions.filter { $0.kind == .serializingChain }
        // c reads b's outputs, so only the a → b edge may be a needless serialization.
        #expect(chain.map(\.stages) == [["b", "a"]])
        let timeouts = try #require(analysis.suggestions.first { $0.kind == .missingTimeout })
        #expect(timeouts.stages == ["a", "b", "c"])
    }

    @Test func cyclesAreReportedWithEveryEdge() {
        let text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: cycles}
            spec:
              stages:
                - {name: a, tools: [x], depends_on: [c]}
                - {name: b, tools: [x], depends_on: [a]}
                - {name: c, tools: [x], depends_on: [b]}
                - {name: d, tools: [x], depends_on: [d]}
                - {name: e, tools: [x], depends_on: [a]}
            """
        let report = WorkflowValidator.validate(text: text, file: "c.yaml")
        #expect(report.plan == nil)
        #expect(report.cycles.map(\.path) == [["a", "b", "c", "a"], ["d", "d"]])
        #expect(report.cycles[0].edges.map(\.location.line) == [7, 8, 6])
    }

    @Test func outputsReadThroughATransitiveDependencyAreFine() throws {
        let text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: t}
            spec:
              stages:
                - {name: a, tools: [x]}
                - {name: b, tools: [x], depends_on: [a]}
                - {name: c, tools: [x], depends_on: [b], args: {v: "${stages.a.outputs.v}"}}
            """
        #expect(WorkflowValidator.validate(text: text, file: "t.yaml").diagnostics.isEmpty)
    }

    @Test func skipPropagationIsAWarning() throws {
        let text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: t}
            spec:
              variables: {deploy: "no"}
              stages:
                - {name: gate, tools: [x], conditions: [{key: deploy, operator: equals, value: "yes"}]}
                - {name: ship, tools: [x], depends_on: [gate]}
                - {name: report, tools: [x], depends_on: [gate], run_when: no_failures}
            """
        let report = WorkflowValidator.validate(text: text, file: "t.yaml")
        #expect(report.isValid)
        #expect(report.diagnostics.map(\.textDescription) == [
            "t.yaml:7:14: warning: when its conditions skip 'gate', 'ship' will be skipped too (run_when: all_succeeded)\n"
            + "  hint: set `run_when: no_failures` on a dependent that should run anyway",
        ])
    }

    @Test func dotAndMermaidRendering() throws {
        let text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: "say \\"hi\\""}
            spec:
              stages:
                - {name: a, tools: [x]}
                - {name: b, tools: [x], depends_on: [a], weight: 3}
                - {name: c, tools: [x], depends_on: [a]}
            """
        let (workflow, plan) = try plan(text)
        #expect(try GraphRenderer.render(workflow, plan: plan, format: .dot) == """
            digraph "say \\"hi\\"" {
              rankdir=LR;
              node [shape=box, style=rounded];
              s0 [label="a"];
              s1 [label="b"];
              s2 [label="c"];
              s0 -> s1 [color=red, penwidth=2];
              s0 -> s2;
            }

            """)
        #expect(try GraphRenderer.render(workflow, plan: plan, format: .mermaid) == """
            flowchart LR
              s0["a"]
              s1["b"]
              s2["c"]
              s0 --> s1
              s0 --> s2
              linkStyle 0 stroke:#d00,stroke-width:2px

            """)
        let json = try GraphRenderer.render(workflow, plan: plan, format: .json)
        #expect(json.contains("\"criticalPath\" : [\n    \"a\",\n    \"b\"\n  ]"))
    }
}
