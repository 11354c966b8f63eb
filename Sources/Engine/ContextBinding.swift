import Registry
import Schema
import Spec

extension ToolInterface {
    /// The interface of a tool from its input schema and, when it has one, its output schema: the top-level
    /// `properties` of each (with `required` and `default` of the input's).
    public init(inputSchema input: JSONValue, outputSchema output: JSONValue?) {
        let required = Set(input["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let properties = input["properties"]?.objectValue?.members ?? []
        var outputTypes: [String: Set<String>] = [:]
        for member in output?["properties"]?.objectValue?.members ?? [] {
            if let types = Self.jsonTypes(member.value) { outputTypes[member.key] = types }
        }
        self.init(inputs: properties.map { member in
                      Input(name: member.key, isRequired: required.contains(member.key),
                            defaultText: member.value["default"].map { $0.serialized() }, types: Self.jsonTypes(member.value))
                  },
                  outputs: output.map { $0["properties"]?.objectValue?.keys ?? [] }, outputTypes: outputTypes)
    }

    /// The JSON types a property schema allows: its `type` (a name or a list), else the kinds of its `enum` or
    /// `const` values, else the union of its `anyOf`/`oneOf` branches; nil when it does not say (or a branch does not).
    static func jsonTypes(_ schema: JSONValue) -> Set<String>? {
        if let name = schema["type"]?.stringValue { return [name] }
        if let names = schema["type"]?.arrayValue { return Set(names.compactMap(\.stringValue)) }
        if let values = schema["enum"]?.arrayValue { return Set(values.map(kind)) }
        if let value = schema["const"] { return [kind(value)] }
        for key in ["anyOf", "oneOf"] {
            guard let branches = schema[key]?.arrayValue else { continue }
            var union: Set<String> = []
            for branch in branches {
                guard let types = jsonTypes(branch) else { return nil }
                union.formUnion(types)
            }
            return union
        }
        return nil
    }

    /// The JSON type of a value (a whole number is an integer).
    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .uint: return "integer"
        case .double(let d): return d.rounded() == d ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension RegisteredTool {
    /// What the session context binds into this tool and what the tool adds to it.
    public var contextInterface: ToolInterface {
        ToolInterface(inputSchema: inputSchema.document, outputSchema: outputSchema?.document)
    }
}

/// The outputs half of a stage's session context during the run: the keys that the stages it depends on
/// yielded, nearest first. A stage yields the top-level keys of its tools' results that their output schemas
/// declare (every key, for a tool without one); with several tools, each tool's keys, a later tool's winning.
public struct ContextLookup: Sendable {
    public let workflow: Workflow
    public let stage: Int
    /// A tool's interface, or nil when it is not known (then all its result's keys count).
    public let interface: @Sendable (ToolInvocation) -> ToolInterface?

    public init(workflow: Workflow, stage: Int, interface: @escaping @Sendable (ToolInvocation) -> ToolInterface?) {
        self.workflow = workflow
        self.stage = stage
        self.interface = interface
    }

    public enum Found: Sendable, Equatable {
        case value(JSONValue, stage: String)
        case ambiguous(stages: [String])
        case none
    }

    /// The nearest upstream value of `key` in `outputs` (stage name → output).
    public func find(_ key: String, in outputs: [String: JSONValue]) -> Found {
        for level in workflow.upstreamLevels(of: stage) {
            var hits: [(String, JSONValue)] = []
            for i in level {
                let s = workflow.stages[i]
                if let output = outputs[s.name], let value = contextKeys(of: s, output: output)[key] {
                    hits.append((s.name, value))
                }
            }
            if hits.count > 1 { return .ambiguous(stages: hits.map(\.0)) }
            if let (name, value) = hits.first { return .value(value, stage: name) }
        }
        return .none
    }

    /// The context keys a finished stage's output adds.
    func contextKeys(of stage: Stage, output: JSONValue) -> JSONObject {
        var results: [(ToolInvocation, JSONValue)] = []
        if stage.tools.count == 1, let tool = stage.tools.first {
            results = [(tool, output)]
        } else if let members = output.objectValue?.members {
            results = Array(zip(stage.tools, members.map(\.value)))
        }
        var keys = JSONObject()
        for (tool, result) in results {
            guard let object = result.objectValue else { continue }
            let declared = interface(tool)?.outputs.map(Set.init)
            for member in object.members where declared?.contains(member.key) ?? true { keys[member.key] = member.value }
        }
        return keys
    }
}

/// Binds the arguments a call does not give from its stage's session context: each top-level property of the
/// tool's input schema missing from `args` takes the context key of the same name (the stage's variables, the
/// workflow's and `--var`, then upstream outputs, nearest first). What the context lacks is left out, so that the
/// host applies the schema's default (or reports the missing required property).
public enum ContextBinding {
    /// - Parameters:
    ///   - earlier: in a sequential stage, the results of the tools before this one, in order, each with its
    ///     interface (nil: every key of its result counts); the latest that yields a key is nearer than any
    ///     upstream stage.
    /// - Throws: `StageFailure` (`undefined_variable`) when the nearest upstream stages that yield a key are two.
    public static func bind(_ arguments: JSONValue, tool: RegisteredTool, resolver: VariableResolver,
                            earlier: [(interface: ToolInterface?, result: JSONValue)] = []) throws(StageFailure) -> JSONValue {
        guard case .object(var object) = arguments else { return arguments }
        for input in tool.contextInterface.inputs where !object.contains(input.name) {
            if let value = resolver.variables[input.name], value != .null {
                object[input.name] = value
                continue
            }
            if let value = earlier.reversed().lazy.compactMap({ e -> JSONValue? in
                guard e.interface?.outputs.map({ $0.contains(input.name) }) ?? true else { return nil }
                return e.result[input.name]
            }).first {
                object[input.name] = value
                continue
            }
            switch resolver.context?.find(input.name, in: resolver.outputs) ?? .none {
            case .value(let value, _):
                object[input.name] = value
            case .ambiguous(let stages):
                throw StageFailure(errorType: "undefined_variable",
                                   message: "argument '\(input.name)' is ambiguous: "
                                       + stages.map { "'\($0)'" }.joined(separator: " and ")
                                       + " both yielded '\(input.name)' at the same distance",
                                   retryable: false,
                                   hint: "give it in args, naming one: ${stages.\(stages[0]).outputs.\(input.name)}")
            case .none:
                break // the schema's default applies, or the host reports the missing property
            }
        }
        return .object(object)
    }
}

extension ContextBinding {
    /// The results of the tools before tool `k` of a sequential stage, each with its interface, for `bind`; none
    /// in a parallel stage, whose tools run at once.
    static func earlier(_ stage: Stage, _ k: Int, results: [JSONValue],
                        runner: ToolRunner) -> [(interface: ToolInterface?, result: JSONValue)] {
        guard !stage.parallel else { return [] }
        return zip(stage.tools.prefix(k), results).map { invocation, result in
            let interface: ToolInterface?
            do {
                interface = try runner.tool(named: invocation.resolvedName ?? invocation.name).contextInterface
            } catch {
                interface = nil // it ran, so it is known; if not, every key of its result counts
            }
            return (interface: interface, result: result)
        }
    }

    /// The context lookup of `stage` in a run whose tools `runner` knows.
    static func lookup(for stage: Stage, in workflow: Workflow, runner: ToolRunner) -> ContextLookup? {
        guard let index = workflow.stageIndex(named: stage.name) else { return nil }
        return ContextLookup(workflow: workflow, stage: index) { invocation in
            do {
                return try runner.tool(named: invocation.resolvedName ?? invocation.name).contextInterface
            } catch {
                return nil // an unknown tool fails its own call; its stage yields every key of its result, if any
            }
        }
    }
}
