import Schema

/// What a tool declares it needs (`wfh_capabilities`).
public struct Capabilities: Sendable, Hashable {
    public var network: Bool
    public var readPaths: [String]
    public var writePaths: [String]
}

/// One example a tool declares (`wfh_example`, ABI 1.2): arguments and a subset of the expected result, as the
/// plugin wrote them (JSON text, checked by the validator).
public struct ToolExample: Sendable, Hashable {
    public var description: String?
    /// The arguments' JSON text (nil when the plugin left it NULL).
    public var arguments: String?
    /// JSON text the result must contain (nil: any successful result).
    public var expected: String?
    /// The entry's `struct_size` as compiled.
    public var structSize: Int? = nil
}

/// A tool as its plugin describes it (`wfh_tool`), read by the scanner.
public struct ToolDescriptor: Sendable, Hashable {
    public var name: String?
    public var title: String?
    public var description: String?
    public var inputSchema: String?
    public var outputSchema: String?
    public var flags: UInt32
    public var hasInvoke: Bool
    public var cSignature: String?
    public var hasCFunction: Bool
    public var capabilities: Capabilities?
    /// The entry's `struct_size` as compiled (nil in reports of older scanners).
    public var structSize: Int? = nil
    /// Its examples (ABI 1.2; empty for older plugins and for older scanners' reports).
    public var examples: [ToolExample] = []
    /// `example_count` as declared (the scanner reads at most 64).
    public var declaredExampleCount = 0
    /// `example_size`: the stride of the examples table (nil in reports of older scanners).
    public var exampleSize: Int? = nil

    /// WFH_TOOL_IDEMPOTENT.
    public var isIdempotent: Bool { flags & 1 != 0 }
    /// WFH_TOOL_SIDE_EFFECTS.
    public var hasSideEffects: Bool { flags & 2 != 0 }
}

/// A plugin as its descriptor describes it (`wfh_plugin`).
public struct PluginDescriptor: Sendable, Hashable {
    public var abiMajor: Int
    public var abiMinor: Int
    public var name: String?
    public var version: String?
    public var description: String?
    public var license: String?
    public var author: String?
    public var homepage: String?
    public var tools: [ToolDescriptor]
    /// `tool_count` as declared (the scanner reads at most 4096 entries).
    public var declaredToolCount: Int
    /// `tool_size`: the stride of the tool table (nil in reports of older scanners).
    public var toolSize: Int? = nil
    /// `tools` is NULL.
    public var toolTableIsNull = false
    /// When `tool_count` is 0 but `tools` points into the plugin: the `struct_size` of the entry it points to.
    public var firstToolStructSize: Int? = nil
}

extension PluginDescriptor {
    /// Reads the scanner's report of a loaded descriptor; nil when a required member is missing.
    init?(report: JSONValue) {
        guard let major = report["abi_major"]?.intValue, let minor = report["abi_minor"]?.intValue,
              let tools = report["tools"]?.arrayValue
        else { return nil }
        abiMajor = major
        abiMinor = minor
        name = report["name"]?.stringValue
        version = report["version"]?.stringValue
        description = report["description"]?.stringValue
        license = report["license"]?.stringValue
        author = report["author"]?.stringValue
        homepage = report["homepage"]?.stringValue
        declaredToolCount = report["tool_count"]?.intValue ?? tools.count
        toolSize = report["tool_size"]?.intValue
        toolTableIsNull = report["tools_null"]?.boolValue ?? false
        firstToolStructSize = report["first_tool_struct_size"]?.intValue
        self.tools = tools.map { t in
            let caps = t["capabilities"]?.objectValue.map { c in
                Capabilities(network: c["network"]?.boolValue ?? false,
                             readPaths: c["read_paths"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                             writePaths: c["write_paths"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            }
            var tool = ToolDescriptor(
                name: t["name"]?.stringValue, title: t["title"]?.stringValue,
                description: t["description"]?.stringValue, inputSchema: t["input_schema"]?.stringValue,
                outputSchema: t["output_schema"]?.stringValue, flags: UInt32(t["flags"]?.intValue ?? 0),
                hasInvoke: t["has_invoke"]?.boolValue ?? false, cSignature: t["c_signature"]?.stringValue,
                hasCFunction: t["has_c_function"]?.boolValue ?? false, capabilities: caps,
                structSize: t["struct_size"]?.intValue)
            tool.examples = (t["examples"]?.arrayValue ?? []).map { e in
                ToolExample(description: e["description"]?.stringValue, arguments: e["args"]?.stringValue,
                            expected: e["expected"]?.stringValue, structSize: e["struct_size"]?.intValue)
            }
            tool.declaredExampleCount = t["example_count"]?.intValue ?? tool.examples.count
            tool.exampleSize = t["example_size"]?.intValue
            return tool
        }
    }
}
