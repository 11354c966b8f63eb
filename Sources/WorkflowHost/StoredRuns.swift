import Engine
import Plan
import Schema
import Spec
import Store

/// A call's arguments re-derived outside a run (the reports' view of a stored attempt).
public struct DerivedArguments: Sendable {
    /// After substitution; nil when a reference cannot be resolved from what was given.
    public var substituted: JSONValue?
    /// The merged `args` as written, when `substituted` is nil.
    public var asWritten: JSONValue?
}

extension WorkflowHost {
    /// The events stored for session `id` after event `after` (0: from the start), oldest first.
    /// - Throws: `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) when the store cannot be read.
    public func events(ofSession id: String, after: Int64 = 0) throws(WorkflowHostError) -> [EventRecord] {
        let store = try sessionStore()
        do {
            return try store.events(of: id, after: after)
        } catch {
            throw WorkflowHostError(.stateUnavailable, "cannot read the events of session \(id) from \(configuration.databasePath): \(error)")
        }
    }

    /// The workflow a session stored (its masked text, parsed again without the registry); nil when the text no
    /// longer loads.
    public static func storedWorkflow(of session: SessionRecord) -> Workflow? {
        WorkflowValidator.validate(text: session.workflowText, file: session.workflowFile).workflow
    }

    /// The arguments of `invocation` in `stage`: the stage's and the tool's `args` merged (the tool's win), with
    /// `${...}` substituted from `variables` and the upstream `outputs` (by stage name).
    public static func arguments(of invocation: ToolInvocation, in stage: Stage, variables: [String: JSONValue],
                                 outputs: [String: JSONValue], environment: [String: String] = [:]) -> DerivedArguments {
        guard let merged = WorkflowEngine.mergedArguments(stage, invocation) else {
            return DerivedArguments(substituted: .object([:]), asWritten: nil)
        }
        let resolver = VariableResolver(variables: variables, outputs: outputs, environment: environment)
        do {
            return DerivedArguments(substituted: try resolver.substitute(merged), asWritten: nil)
        } catch {
            return DerivedArguments(substituted: nil, asWritten: merged.jsonValue)
        }
    }
}
