import Schema
import Spec

/// A workflow built in code (the design's ExecuteCustomWorkflow), for `WorkflowHost.start(workflow:)` and
/// `execute(workflow:)`.
///
/// It is a definition, not a checked workflow: the host writes it as a workflow document (`document`, JSON,
/// which is YAML) and checks that as it checks a file, so the same rules, limits and messages hold, and the
/// session stores the document, so `status`, `logs` and `resume` work as for a file. Fields the structs do not name
/// (`conditions`, `on_failure`, `error_policy`, ...) go in `extra`, with the names the workflow reference uses.
///
/// ```swift
/// var workflow = CustomWorkflow(name: "greet", variables: ["name": "world"], stages: [
///     .init(name: "greet", tools: [.init("echo", args: ["message": "hello, ${name}"])]),
///     .init(name: "sum", tools: [.init("add", args: ["a": 40, "b": 2])]),
/// ])
/// workflow.stages[1].dependsOn = ["greet"]
/// let result = try await host.execute(workflow: workflow)
/// ```
public struct CustomWorkflow: Sendable {
    /// One call of a tool in a stage.
    public struct Tool: Sendable {
        /// A bare tool name or `plugin.tool`.
        public var name: String
        /// The call's arguments (`args`); `${...}` references are substituted when the call runs. Keys here win
        /// over the stage's ``Stage/args``.
        public var args: JSONObject
        /// The call's time limit; nil for the stage's `timeout`, else the run's default call timeout (1 hour).
        public var timeout: Duration?

        /// A call of `name`.
        /// - Parameters:
        ///   - name: a bare tool name or `plugin.tool`.
        ///   - args: the call's arguments; empty for none.
        ///   - timeout: the call's time limit; nil for the stage's or the run's default.
        public init(_ name: String, args: JSONObject = [:], timeout: Duration? = nil) {
            self.name = name
            self.args = args
            self.timeout = timeout
        }
    }

    /// One stage: its tool calls and when it runs.
    public struct Stage: Sendable {
        /// The stage's name, unique in the workflow; ``dependsOn`` and error routes refer to it.
        public var name: String
        /// The calls of the stage, run in order (concurrently with `extra["parallel"] = true`).
        public var tools: [Tool]
        /// Names of the stages that must finish first.
        public var dependsOn: [String]
        /// Defaults for every tool's arguments; a tool's own win key by key.
        public var args: JSONObject?
        /// Variables of this stage alone; they win over the workflow's of the same name.
        public var variables: JSONObject
        /// The stage's time limit, all attempts together; nil for none.
        public var timeout: Duration?
        /// `retry_policy`, as in a file: `["max_attempts": 3, "backoff_mode": "fixed", "initial_delay": "100ms"]`.
        public var retryPolicy: JSONObject?
        /// Any other stage field, by its name in the workflow reference (`conditions`, `on_failure`, `parallel`...).
        public var extra: JSONObject

        /// A stage; every field but `name` and `tools` may be left out.
        /// - Parameters:
        ///   - name: the stage's name.
        ///   - tools: its calls.
        ///   - dependsOn: the stages that must finish first.
        ///   - args: default arguments for every call; nil for none.
        ///   - variables: the stage's own variables.
        ///   - timeout: the stage's time limit; nil for none.
        ///   - retryPolicy: `retry_policy` as in a file; nil for one attempt, no retry.
        ///   - extra: any other stage field, by its name in the workflow reference.
        public init(name: String, tools: [Tool], dependsOn: [String] = [], args: JSONObject? = nil,
                    variables: JSONObject = [:], timeout: Duration? = nil, retryPolicy: JSONObject? = nil,
                    extra: JSONObject = [:]) {
            self.name = name
            self.tools = tools
            self.dependsOn = dependsOn
            self.args = args
            self.variables = variables
            self.timeout = timeout
            self.retryPolicy = retryPolicy
            self.extra = extra
        }
    }

    /// The workflow's `metadata.name`: sessions, `wfhost sessions list --workflow` and the metrics go by it.
    public var name: String
    /// `metadata.description`; nil for none.
    public var description: String?
    /// The workflow's variables (`spec.variables`), which `${NAME}` references in arguments read.
    public var variables: JSONObject
    /// The stages; their order is the order of the session's stage rows.
    public var stages: [Stage]
    /// Calls running at once across the run (`max_concurrency`); nil for the number of cores, unless the run's
    /// options set it.
    public var maxConcurrency: Int?
    /// The whole run's time limit; nil for none.
    public var timeout: Duration?
    /// Any other `spec` field, by its name in the workflow reference (`error_policy`, `isolation`, `checkpoints`...).
    public var extra: JSONObject

    /// A workflow; nothing is checked until `start` or `execute` checks its ``document``.
    /// - Parameters:
    ///   - name: the workflow's `metadata.name`.
    ///   - description: `metadata.description`; nil for none.
    ///   - variables: `spec.variables`.
    ///   - stages: the stages.
    ///   - maxConcurrency: `max_concurrency`; nil for the default.
    ///   - timeout: the whole run's time limit; nil for none.
    ///   - extra: any other `spec` field, by its name in the workflow reference.
    public init(name: String, description: String? = nil, variables: JSONObject = [:], stages: [Stage],
                maxConcurrency: Int? = nil, timeout: Duration? = nil, extra: JSONObject = [:]) {
        self.name = name
        self.description = description
        self.variables = variables
        self.stages = stages
        self.maxConcurrency = maxConcurrency
        self.timeout = timeout
        self.extra = extra
    }

    /// The name diagnostics and the session give the document: `<api workflow NAME>`.
    public var documentName: String { "<api workflow \(name)>" }

    /// The workflow document the host checks and stores: `apiVersion: orchestration/v1`, `kind: Workflow`, as JSON
    /// (one key per line, so a diagnostic's line points at the field).
    public var document: String {
        var metadata: JSONObject = ["name": .string(name)]
        if let description { metadata["description"] = .string(description) }
        var spec: JSONObject = [:]
        if !variables.isEmpty { spec["variables"] = .object(variables) }
        spec["stages"] = .array(stages.map(\.json))
        if let maxConcurrency { spec["max_concurrency"] = .int(Int64(maxConcurrency)) }
        if let timeout { spec["timeout"] = .string(DurationText.format(timeout)) }
        for (key, value) in extra.members { spec[key] = value }
        let document: JSONObject = ["apiVersion": "orchestration/v1", "kind": "Workflow",
                                    "metadata": .object(metadata), "spec": .object(spec)]
        return JSONValue.object(document).serialized(.pretty) + "\n"
    }
}

extension CustomWorkflow.Stage {
    var json: JSONValue {
        var o: JSONObject = ["name": .string(name)]
        if !dependsOn.isEmpty { o["depends_on"] = .array(dependsOn.map(JSONValue.string)) }
        if let args { o["args"] = .object(args) }
        if !variables.isEmpty { o["variables"] = .object(variables) }
        if let timeout { o["timeout"] = .string(DurationText.format(timeout)) }
        if let retryPolicy { o["retry_policy"] = .object(retryPolicy) }
        o["tools"] = .array(tools.map { tool in
            var t: JSONObject = ["name": .string(tool.name)]
            if !tool.args.isEmpty { t["args"] = .object(tool.args) }
            if let timeout = tool.timeout { t["timeout"] = .string(DurationText.format(timeout)) }
            return .object(t)
        })
        for (key, value) in extra.members { o[key] = value }
        return .object(o)
    }
}
