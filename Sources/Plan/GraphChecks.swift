import Spec

/// Checks that need the dependency graph.
enum GraphChecks {
    /// A stage that reads `${stages.X.outputs}` must depend on X, directly or through other stages: otherwise X
    /// may not have run yet.
    static func outputReads(workflow: Workflow, graph: DependencyGraph) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for index in workflow.stages.indices {
            guard let node = graph.nodeOfStage[index] else { continue }
            let references = outputReferences(of: workflow.stages[index])
            guard !references.isEmpty else { continue }
            let stage = workflow.stages[index]
            var reported = Set<String>()
            for (reference, location) in references {
                guard case .stageOutput(let name, _) = reference, let source = workflow.stageIndex(named: name),
                      let sourceNode = graph.nodeOfStage[source] else { continue }
                if sourceNode == node {
                    diagnostics.append(.error(.outputNotUpstream, at: location,
                                              "stage '\(stage.name)' reads its own outputs in '\(reference)'",
                                              hint: "a stage's outputs exist only after it finishes"))
                } else if !graph.dependsTransitively(node, on: sourceNode), reported.insert(name).inserted {
                    diagnostics.append(.error(.outputNotUpstream, at: location,
                                              "stage '\(stage.name)' reads the outputs of '\(name)' but does not depend on it",
                                              hint: "add '\(name)' to `depends_on` of '\(stage.name)'"))
                }
            }
        }
        return diagnostics
    }

    /// Every `${stages.X.outputs...}` reference in a stage's arguments, variables and conditions.
    static func outputReferences(of stage: Stage) -> [(VariableReference, SourceLocation)] {
        var found: [(VariableReference, SourceLocation)] = []
        func scan(_ value: SpecValue?) {
            value?.forEachStringValue { text, holder in
                guard text.contains("${stages.") else { return }
                do throws(Template.ParseError) {
                    for case .reference(let reference, let offset) in try Template.parse(text).segments {
                        if case .stageOutput = reference { found.append((reference, holder.location(ofScalarAt: offset))) }
                    }
                } catch {
                    // Already reported by the loader as a malformed reference.
                }
            }
        }
        scan(stage.args)
        for tool in stage.tools { scan(tool.args) }
        for variable in stage.variables { scan(variable.value) }
        for condition in stage.conditions {
            scan(condition.value)
            if let reference = condition.keyReference, case .stageOutput = reference {
                found.append((reference, condition.location))
            }
        }
        return found
    }

    /// Warns where a stage that its conditions may skip has dependents that `run_when: all_succeeded` would then
    /// skip too, silently. `required` conditions fail a stage rather than skip it, so they do not count.
    static func skipPropagation(workflow: Workflow, graph: DependencyGraph) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for i in workflow.stages.indices {
            guard let node = graph.nodeOfStage[i],
                  workflow.stages[i].conditions.contains(where: { $0.op != .required }) else { continue }
            let stage = workflow.stages[i]
            let dependents = graph.outgoing[node].map { graph.names[$0] }.filter { name in
                workflow.stageIndex(named: name).map { workflow.stages[$0].runWhen == .allSucceeded } ?? false
            }
            guard !dependents.isEmpty else { continue }
            let list = dependents.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (dependents.count > 5 ? ", ..." : "")
            diagnostics.append(.warning(.skipPropagation, at: stage.nameLocation,
                                        "when its conditions skip '\(stage.name)', \(list) will be skipped too "
                                        + "(run_when: all_succeeded)",
                                        hint: "set `run_when: no_failures` on a dependent that should run anyway"))
        }
        return diagnostics
    }
}
