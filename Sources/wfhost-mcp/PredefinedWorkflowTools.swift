import MCP
import WorkflowHost

/// One tool per predefined workflow, `workflow_NAME`: its arguments are the workflow's variables, so a client
/// sees what to fill in. Calling it runs the workflow to its end as `wfhost_run` with `wait: true` does.
struct PredefinedWorkflowTool: Sendable {
    static let prefix = "workflow_"

    var mcpName: String
    var workflow: String
    var file: String
    var listing: Tool
    var schema: CompiledSchema

    /// The valid workflows of `directory` (one that does not validate is left out: `wfhost_validate` says why).
    static func load(directory: String?) -> [PredefinedWorkflowTool] {
        guard let directory else { return [] }
        return WorkflowHost.predefinedWorkflows(in: directory).compactMap { predefined in
            let name = predefined.name, file = predefined.file
            guard predefined.isValid, let workflow = predefined.workflow else { return nil }
            let schemaJSON = inputSchema(workflow)
            // Built from the workflow's own variables: every keyword here compiles; a failure would list no tool.
            guard let schema = try? CompiledSchema.compile(schemaJSON) else { return nil }
            let mcpName = MCPToolName.sanitized(prefix + name)
            let description = (workflow.metadata.description.map { $0 + ". " } ?? "")
                + "Runs the predefined workflow \(name) (\(workflow.stages.count) stages) to its end, as wfhost_run does; "
                + "the arguments are its variables."
            let listing = Tool(name: mcpName, title: workflow.metadata.name, description: description,
                               inputSchema: ValueBridge.value(schemaJSON),
                               annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: false,
                                                  openWorldHint: true))
            return PredefinedWorkflowTool(mcpName: mcpName, workflow: name, file: file, listing: listing, schema: schema)
        }
    }

    /// An object with one property per variable (typed and defaulted from its value in the file), required when a
    /// stage's `required` condition names it and the file gives it no value. `!secret` variables are left out: a
    /// value passed as an argument would be stored with the session unmasked.
    static func inputSchema(_ workflow: Workflow) -> JSONValue {
        var properties = JSONObject()
        var declared: [String: SpecValue] = [:]
        for variable in workflow.variables where !variable.isSecret {
            declared[variable.name] = variable.value
            var property: JSONObject = [:]
            switch variable.value.kind {
            case .null: break
            case .bool: property["type"] = "boolean"
            case .int: property["type"] = "integer"
            case .double: property["type"] = "number"
            case .string: property["type"] = "string"
            case .list: property["type"] = "array"
            case .map: property["type"] = "object"
            }
            if !isNull(variable.value) { property["default"] = variable.value.jsonValue }
            properties[variable.name] = .object(property)
        }
        var required: [String] = []
        for stage in workflow.stages {
            for condition in stage.conditions where condition.op == .required && !condition.key.contains(".") {
                let key = condition.key
                if let value = declared[key], !isNull(value) { continue } // the file's value satisfies it
                if workflow.variables.contains(where: { $0.name == key && $0.isSecret }) { continue }
                if properties[key] == nil { properties[key] = .object([:]) }
                if !required.contains(key) { required.append(key) }
            }
        }
        var schema: JSONObject = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
        return .object(schema)
    }

    private static func isNull(_ value: SpecValue) -> Bool {
        if case .null = value.kind { return true }
        return false
    }
}
