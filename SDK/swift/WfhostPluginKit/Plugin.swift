import WfhostPluginSDK
#if canImport(Glibc)
import Glibc
#endif

/// A plugin: its identity and its tools. Export it from your module with:
///
/// ```swift
/// let plugin = Plugin(name: "hello", version: "1.0.0", description: "Greets.", license: "MIT",
///                     author: "You", tools: [greet])
///
/// @_cdecl("wfhost_plugin_descriptor")
/// public func wfhostPluginDescriptor() -> UnsafeRawPointer { plugin.descriptor }
/// ```
///
/// The descriptor, the tool table and every string in them are allocated once, the first time `descriptor` is
/// read, and never freed: the host may read them for as long as the shared object is loaded.
public final class Plugin: Sendable {
    public let name: String
    public let version: String
    public let pluginDescription: String
    public let license: String?
    public let author: String?
    public let homepage: String?
    public let tools: [Tool]
    private let exported: ExportedDescriptor

    public init(name: String, version: String, description: String, license: String? = nil, author: String? = nil,
                homepage: String? = nil, tools: [Tool]) {
        self.name = name
        self.version = version
        self.pluginDescription = description
        self.license = license
        self.author = author
        self.homepage = homepage
        self.tools = tools
        self.exported = ExportedDescriptor(name: name, version: version, description: description, license: license,
                                           author: author, homepage: homepage, tools: tools)
        ToolTable.install(tools)
    }

    /// The `wfh_plugin` descriptor, in stable memory; return it from the `wfhost_plugin_descriptor` symbol.
    public var descriptor: UnsafeRawPointer { UnsafeRawPointer(exported.pointer) }
}

/// The C descriptor and everything it points to, leaked on purpose (the host holds pointers into it).
private final class ExportedDescriptor: @unchecked Sendable {
    // @unchecked: `pointer` is written once in init and only read afterwards; the memory is immutable.
    let pointer: UnsafeMutablePointer<wfh_plugin>

    init(name: String, version: String, description: String, license: String?, author: String?, homepage: String?,
         tools: [Tool]) {
        func c(_ s: String?) -> UnsafePointer<CChar>? { s.map { UnsafePointer(strdup($0)) } }
        func list(_ items: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
            let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: items.count + 1)
            for (i, item) in items.enumerated() { array[i] = c(item) }
            array[items.count] = nil
            return UnsafePointer(array)
        }
        let table = UnsafeMutablePointer<wfh_tool>.allocate(capacity: max(tools.count, 1))
        for (i, tool) in tools.enumerated() {
            var capabilities: UnsafePointer<wfh_capabilities>? = nil
            if let caps = tool.capabilities {
                let p = UnsafeMutablePointer<wfh_capabilities>.allocate(capacity: 1)
                p.initialize(to: wfh_capabilities(struct_size: UInt32(MemoryLayout<wfh_capabilities>.size),
                                                  network: caps.network ? 1 : 0,
                                                  read_paths: caps.readPaths.isEmpty ? nil : list(caps.readPaths),
                                                  write_paths: caps.writePaths.isEmpty ? nil : list(caps.writePaths)))
                capabilities = UnsafePointer(p)
            }
            var examples: UnsafePointer<wfh_example>? = nil
            if !tool.examples.isEmpty {
                let p = UnsafeMutablePointer<wfh_example>.allocate(capacity: tool.examples.count)
                for (k, e) in tool.examples.enumerated() {
                    (p + k).initialize(to: wfh_example(struct_size: UInt32(MemoryLayout<wfh_example>.stride),
                                                       reserved: 0, description: c(e.description),
                                                       args_json: c(e.arguments), expected_json: c(e.expected)))
                }
                examples = UnsafePointer(p)
            }
            var flags: UInt32 = 0
            if tool.idempotent { flags |= UInt32(WFH_TOOL_IDEMPOTENT) }
            if tool.sideEffects { flags |= UInt32(WFH_TOOL_SIDE_EFFECTS) }
            (table + i).initialize(to: wfh_tool(
                struct_size: UInt32(MemoryLayout<wfh_tool>.size), flags: flags, name: c(tool.name),
                title: c(tool.title), description: c(tool.description), input_schema: c(tool.inputSchema),
                output_schema: c(tool.outputSchema), invoke: toolTrampoline, c_signature: nil, c_function: nil,
                capabilities: capabilities, examples: examples, example_count: UInt32(tool.examples.count),
                example_size: UInt32(MemoryLayout<wfh_example>.stride)))
        }
        pointer = UnsafeMutablePointer<wfh_plugin>.allocate(capacity: 1)
        pointer.initialize(to: wfh_plugin(
            struct_size: UInt32(MemoryLayout<wfh_plugin>.size), abi_major: UInt16(WFH_ABI_MAJOR),
            abi_minor: UInt16(WFH_ABI_MINOR), name: c(name), version: c(version), description: c(description),
            license: c(license), author: c(author), homepage: c(homepage), tool_count: UInt32(tools.count),
            tool_size: UInt32(MemoryLayout<wfh_tool>.stride), tools: UnsafePointer(table)))
    }
}

/// The tools by name, for the one C entry point every tool shares (`wfh_tool_fn` carries no context pointer,
/// so the trampoline finds the tool from `request->tool`).
enum ToolTable {
    // A plugin is one shared object with one `Plugin`; the table is written when that plugin is created (inside
    // the Swift global initializer that `wfhost_plugin_descriptor` triggers, before any call) and read-only after.
    nonisolated(unsafe) private static var tools: [String: Tool] = [:]

    static func install(_ list: [Tool]) {
        for tool in list { tools[tool.name] = tool }
    }

    static func tool(named name: String) -> Tool? { tools[name] }
}

/// The `invoke` of every Swift tool: decodes, runs, encodes, and reports through the host's callbacks.
private let toolTrampoline: wfh_tool_fn = { host, call, request in
    guard let host, let call, let request else { return WFH_FAILED }
    let name = request.pointee.tool.map { String(cString: $0) } ?? ""
    func fail(_ error: ToolError) -> wfh_status {
        error.code.withCString { code in
            error.message.withCString { message in
                host.pointee.report_error(call, code, message, error.retryable ? 1 : 0)
            }
        }
        return WFH_FAILED
    }
    guard let tool = ToolTable.tool(named: name) else {
        return fail(ToolError(code: "unknown_tool", message: "this plugin has no tool named '\(name)'"))
    }
    var args: [UInt8] = []
    if let bytes = request.pointee.args_json {
        args = Array(UnsafeRawBufferPointer(start: bytes, count: request.pointee.args_len))
    }
    let workDirectory = request.pointee.work_dir.map { String(cString: $0) } ?? ""
    let context = ToolContext(host: host, call: call, workDirectory: workDirectory,
                              attempt: Int(request.pointee.attempt))
    do {
        let result = try tool.body(context, args)
        let rc = result.withUnsafeBytes { raw in
            host.pointee.set_result(call, raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
        }
        if rc != 0 {
            return fail(ToolError(code: "too_large", message: "the result (\(result.count) bytes) exceeds the call's limit"))
        }
        return WFH_OK
    } catch let error as ToolError {
        return fail(error)
    } catch {
        return fail(ToolError(code: "internal", message: "\(error)"))
    }
}
