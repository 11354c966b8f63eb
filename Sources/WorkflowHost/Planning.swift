import Engine
import Foundation
import Plan
import Registry
import Schema
import Spec

/// A workflow that validated and has a plan: its stages in levels, the dependency graph, and what it was checked
/// against. `wfhost graph`, `analyze` and `plan` print from it.
///
/// ```swift
/// let planned = try host.plan("examples/hello.yaml")
/// print(try planned.graph(.mermaid))
/// print(planned.analysis().text(file: "examples/hello.yaml"))
/// ```
public struct PlannedWorkflow: Sendable {
    /// The validation report: warnings, and where each argument comes from when the registry was used.
    public var report: ValidationReport
    /// The typed workflow as validated.
    public var workflow: Workflow
    /// The stages in levels and the dependency graph between them.
    public var plan: ExecutionPlan
    let catalog: (any ToolCatalog)?

    /// The dependency graph as DOT, Mermaid or JSON, the critical path (by weight) highlighted.
    /// - Parameter format: the graph's notation; `.json` is a `format_version` document with snake_case keys.
    /// - Returns: the graph's text.
    /// - Throws: `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) if the JSON form cannot be encoded.
    public func graph(_ format: GraphFormat) throws(WorkflowHostError) -> String {
        let text: String
        do {
            text = try GraphRenderer.render(workflow, plan: plan, format: format)
        } catch {
            throw WorkflowHostError(.internalError, "cannot encode the graph as JSON: \(error)")
        }
        guard format == .json else { return text }
        // The JSON contract (JSONContract): snake_case keys, format_version, one serializer.
        guard let parsed = try? JSONValue.parse(text) else { throw WorkflowHostError(.internalError, "cannot encode the graph as JSON") }
        return JSONContract.text(JSONContract.document(JSONContract.snakeCased(parsed, values: [])))
    }

    /// Levels, the critical path, complexity figures and optimization suggestions.
    /// - Parameter weighting: what weights the critical path; nil: timeouts when every stage has one, else weights.
    public func analysis(weighting: CriticalPathWeighting? = nil) -> WorkflowAnalysis {
        WorkflowAnalyzer.analyze(workflow: workflow, plan: plan, weighting: weighting, catalog: catalog)
    }
}

extension WorkflowAnalysis {
    /// The analysis as `wfhost analyze` prints it.
    /// - Parameter file: the workflow's file, as the report's header names it.
    public func text(file: String) -> String { AnalysisText.render(self, file: file) }

    /// The analysis as `wfhost analyze --json` prints it.
    /// - Throws: `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) if it cannot be encoded.
    public func jsonText() throws(WorkflowHostError) -> String {
        JSONContract.text(JSONContract.document(
            try JSONContract.encoded(self, what: "the analysis", snakeCaseValues: ["kind", "weighting", "by"])))
    }
}

extension WorkflowHost {
    /// Validates and plans one workflow.
    ///
    /// ```swift
    /// let planned = try host.plan("examples/hello.yaml", checks: WorkflowChecks(useRegistry: false))
    /// print(planned.plan.levels.count)
    /// ```
    /// - Parameters:
    ///   - workflow: a file, the name of a predefined workflow, or `-` for standard input.
    ///   - checks: outside variables and whether the registry is consulted.
    /// - Throws: `WorkflowHostError` (`workflowInvalid`) (every diagnostic) when the file has errors or a cycle, `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) when the
    ///   registry cannot be read.
    public func plan(_ workflow: String, checks: WorkflowChecks = WorkflowChecks()) throws(WorkflowHostError) -> PlannedWorkflow {
        let options = try loadOptions(checks)
        let report = Self.validate(argument: workflow, options: options)
        guard report.isValid, let spec = report.workflow, let plan = report.plan else { throw WorkflowHostError(workflowInvalid: report) }
        return PlannedWorkflow(report: report, workflow: spec, plan: plan, catalog: options.catalog)
    }
}

/// `wfhost run --dry-run`: the plan by levels, with each call's arguments as far as they are known before the run.
public struct DryRunPlan: Sendable {
    /// One call of a stage.
    public struct Call: Sendable {
        /// The tool's qualified name when the registry resolved it, else the name as written.
        public var tool: String
        /// The arguments after substitution, secrets masked; when a reference is known only at run time, the
        /// arguments as written (masked).
        public var arguments: JSONValue
        /// Why the arguments are not substituted (a reference known only at run time), or nil.
        public var knownAtRunTime: String?
    }

    /// One stage of a level.
    public struct Stage: Sendable {
        /// The stage's name.
        public var name: String
        /// The names of the stages it depends on (`depends_on`).
        public var dependsOn: [String]
        /// How many `conditions` the stage has; they are evaluated only when it runs.
        public var conditionCount: Int
        /// One call per tool of the stage, in the order written.
        public var calls: [Call]
    }

    /// The workflow's `metadata.name`.
    public var workflowName: String
    /// How many stages the workflow has.
    public var stageCount: Int
    /// The stages of each level, in order; a level's stages need only the levels before it.
    public var levels: [[Stage]]
}

extension WorkflowHost {
    /// The dry run of a workflow file: validated against the registry, planned, each call's arguments
    /// substituted from the workflow's variables, `options.variables` and `options.secrets` (masked); nothing is
    /// called and no session is created.
    ///
    /// ```swift
    /// let plan = try host.dryRun(file: "examples/hello.yaml", options: RunOptions())
    /// for (n, level) in plan.levels.enumerated() {
    ///     for stage in level { print(n, stage.name, stage.calls.map(\.tool)) }
    /// }
    /// ```
    /// - Parameters:
    ///   - file: the workflow file.
    ///   - options: the variables and secrets the run would get; the other settings are not used.
    /// - Returns: the plan by levels with each call's substituted arguments.
    /// - Throws: `WorkflowHostError` (`invalidRequest`) for a file that cannot be read, `WorkflowHostError` (`workflowInvalid`) for one with errors,
    ///   `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) when the registry cannot be read.
    public func dryRun(file: String, options: RunOptions) throws(WorkflowHostError) -> DryRunPlan {
        let text = try Self.readWorkflowFile(file)
        let snapshot = try refreshedRegistry()
        let report = validateWorkflow(text: text, file: file,
                                      externalVariables: Set(options.variables.keys).union(options.secrets.keys),
                                      snapshot: snapshot)
        guard report.isValid, let workflow = report.workflow, let plan = report.plan else { throw WorkflowHostError(workflowInvalid: report) }
        let secrets = Secrets(Array(options.secrets.values) + workflow.variables.compactMap { v in
            guard v.isSecret, case .string(let s) = v.value.kind else { return nil }
            return s
        })
        var vars: [String: JSONValue] = [:]
        for v in workflow.variables { vars[v.name] = v.value.jsonValue }
        for (k, v) in options.variables { vars[k] = v }
        for (k, v) in options.secrets { vars[k] = .string(v) }
        let levels = plan.levels.map { level in
            level.map { i -> DryRunPlan.Stage in
                let stage = workflow.stages[i]
                var stageVars = vars
                for v in stage.variables { stageVars[v.name] = v.value.jsonValue }
                let resolver = VariableResolver(variables: stageVars, outputs: [:], environment: configuration.environment)
                let calls = stage.tools.map { invocation -> DryRunPlan.Call in
                    let tool = invocation.resolvedName ?? invocation.name
                    guard let merged = WorkflowEngine.mergedArguments(stage, invocation) else {
                        return DryRunPlan.Call(tool: tool, arguments: .object([:]), knownAtRunTime: nil)
                    }
                    do throws(StageFailure) {
                        return DryRunPlan.Call(tool: tool, arguments: secrets.mask(try resolver.substitute(merged)),
                                               knownAtRunTime: nil)
                    } catch {
                        return DryRunPlan.Call(tool: tool, arguments: secrets.mask(merged.jsonValue),
                                               knownAtRunTime: error.message)
                    }
                }
                return DryRunPlan.Stage(name: stage.name, dependsOn: stage.dependsOn.map(\.name),
                                        conditionCount: stage.conditions.count, calls: calls)
            }
        }
        return DryRunPlan(workflowName: workflow.metadata.name, stageCount: workflow.stages.count, levels: levels)
    }
}
