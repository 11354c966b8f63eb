import MCP
import WorkflowHost

/// MCP tool names: 1 to 128 of `A-Z a-z 0-9 _ - .` (specification 2025-11-25, "Tool names").
enum MCPToolName {
    static let maxLength = 128

    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maxLength && name.utf8.allSatisfy(isAllowed)
    }

    /// `name` with every character MCP does not allow replaced by `_`, cut to the longest allowed length.
    static func sanitized(_ name: String) -> String {
        let bytes = name.utf8.prefix(maxLength).map { isAllowed($0) ? $0 : UInt8(ascii: "_") }
        return bytes.isEmpty ? "_" : String(decoding: bytes, as: UTF8.self)
    }

    private static func isAllowed(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }
}

/// How a tool's JSON result becomes `structuredContent`, which MCP requires to be an object.
enum ResultShape: Sendable {
    /// The result is an object (or the output schema says it is one): sent as it is.
    case asIs
    /// Anything else is sent as `{"result": value}`, and a declared output schema is wrapped the same way.
    case wrapped

    func structured(_ result: JSONValue) -> JSONValue {
        if case .object = result, case .asIs = self { return result }
        return .object(["result": result])
    }
}

/// One registry tool as the MCP server lists and calls it.
struct PluginTool: Sendable {
    var mcpName: String
    var tool: RegisteredTool
    var shape: ResultShape
    var listing: Tool
}

/// The registry's tools as MCP tools: names as workflows write them (`tool`, or `plugin.tool` when two plugins
/// offer the name or it is taken by a workflow tool), schemas with `type: object` at the root, annotations from the
/// tool's flags.
struct PluginToolCatalog: Sendable {
    let snapshot: RegistrySnapshot
    private(set) var tools: [PluginTool] = []
    private var byName: [String: Int] = [:]

    /// - Parameter reserved: names already used (the workflow tools); a plugin tool of that name is listed qualified.
    init(snapshot: RegistrySnapshot, reserved: Set<String>) {
        self.snapshot = snapshot
        var taken = reserved
        for tool in snapshot.tools {
            var unique = false
            if case .found(let found) = snapshot.resolve(tool.name), found.qualifiedName == tool.qualifiedName { unique = true }
            var name = MCPToolName.sanitized(unique && !reserved.contains(tool.name) ? tool.name : tool.qualifiedName)
            if taken.contains(name) { name = MCPToolName.sanitized(tool.qualifiedName) }
            var n = 2
            let base = name
            while taken.contains(name) {
                let suffix = "_\(n)"
                name = MCPToolName.sanitized(String(base.prefix(MCPToolName.maxLength - suffix.count)) + suffix)
                n += 1
            }
            taken.insert(name)
            let shape = Self.shape(of: tool)
            byName[name] = tools.count
            tools.append(PluginTool(mcpName: name, tool: tool, shape: shape, listing: Self.listing(tool, name: name, shape: shape)))
        }
    }

    /// The tool an MCP client names: its listed name, or `plugin.tool` / a bare name as a workflow would write it.
    func tool(named name: String) -> PluginTool? {
        if let i = byName[name] { return tools[i] }
        guard case .found(let found) = snapshot.resolve(name) else { return nil }
        return tools.first { $0.tool.qualifiedName == found.qualifiedName }
    }

    static func shape(of tool: RegisteredTool) -> ResultShape {
        guard let output = tool.outputSchema?.document else { return .asIs }
        return output["type"]?.stringValue == "object" ? .asIs : .wrapped
    }

    static func listing(_ tool: RegisteredTool, name: String, shape: ResultShape) -> Tool {
        let d = tool.descriptor
        let annotations = Tool.Annotations(readOnlyHint: !d.hasSideEffects, destructiveHint: d.hasSideEffects,
                                           idempotentHint: d.isIdempotent,
                                           openWorldHint: d.capabilities?.network ?? false)
        let description = [d.description ?? d.title ?? "", "(plugin \(tool.plugin) \(tool.pluginVersion); `\(tool.qualifiedName)` in workflows)"]
            .filter { !$0.isEmpty }.joined(separator: " ")
        let output = tool.outputSchema.map { schema -> JSONValue in
            shape == .wrapped ? MCPSchemas.wrappedAsResult(schema.document) : schema.document
        }
        return Tool(name: name, title: d.title, description: description,
                    inputSchema: ValueBridge.value(MCPSchemas.objectAtRoot(tool.inputSchema.document)),
                    annotations: annotations, outputSchema: output.map(ValueBridge.value))
    }
}

extension ResultShape: Equatable {}

/// Schema rewrites MCP asks for: `type: object` at the root of input and output schemas.
enum MCPSchemas {
    /// `schema` with `type: object` at its root. The call itself is still checked against the tool's own schema,
    /// so a root that allowed other types only loses values no MCP client can send (arguments are objects).
    static func objectAtRoot(_ schema: JSONValue) -> JSONValue {
        switch schema {
        case .bool(true): return .object(["type": "object"])
        case .bool(false): return .object(["type": "object", "not": .object([:])])
        case .object(var o):
            o["type"] = "object"
            return .object(o)
        default: return .object(["type": "object"])
        }
    }

    /// `{"type": "object", "properties": {"result": schema}, "required": ["result"]}`, with the schema's `$schema`
    /// and `$defs` moved to the new root so that its `#/$defs/...` references still resolve.
    static func wrappedAsResult(_ schema: JSONValue) -> JSONValue {
        var inner = schema
        var root: JSONObject = ["type": "object"]
        if case .object(var o) = schema {
            for key in ["$schema", "$defs", "definitions"] {
                if let v = o[key] { root[key] = v; o[key] = nil }
            }
            inner = .object(o)
        }
        root["properties"] = .object(["result": inner])
        root["required"] = .array(["result"])
        return .object(root)
    }
}
