import Isolation
import Schema

/// A tool that passed validation. Its schemas are compiled once, when first needed: listing plugins from the
/// registry's cache compiles nothing.
public struct RegisteredTool: Sendable {
    public var plugin: String
    public var pluginVersion: String
    public var pluginPath: String
    public var descriptor: ToolDescriptor
    let schemas: ToolSchemas
    /// Set for the tools of an MCP tool server (`server`).
    var serverConfig: ToolServerConfig? = nil

    init(plugin: String, pluginVersion: String, pluginPath: String, descriptor: ToolDescriptor, schemas: ToolSchemas) {
        self.plugin = plugin
        self.pluginVersion = pluginVersion
        self.pluginPath = pluginPath
        self.descriptor = descriptor
        self.schemas = schemas
    }

    /// The compiled input schema.
    public var inputSchema: CompiledSchema { schemas.input }
    /// The compiled output schema, when the tool declares one.
    public var outputSchema: CompiledSchema? { schemas.output }
    /// The tool's declared name.
    public var name: String { descriptor.name ?? "" }
    /// `plugin.tool`.
    public var qualifiedName: String { "\(plugin).\(name)" }
}

/// Checks a plugin descriptor: names, versions, descriptions, schemas, signatures, duplicates.
public enum PluginValidator {
    /// `[a-z][a-z0-9_]*`, the rule for plugin and tool names.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= 0x61, first <= 0x7a else { return false }
        return name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5f }
    }

    /// Semantic Versioning 2.0: MAJOR.MINOR.PATCH with optional -prerelease and +build.
    public static func isSemanticVersion(_ version: String) -> Bool {
        let core = version.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return false }
        return parts.allSatisfy { p in
            !p.isEmpty && p.allSatisfy(\.isASCII) && p.allSatisfy(\.isNumber) && (p == "0" || p.first != "0")
        }
    }

    /// The tools of a descriptor that validated before (its findings are cached), with schemas compiled lazily.
    static func cachedTools(_ d: PluginDescriptor, path: String) -> [RegisteredTool] {
        d.tools.map { tool in
            RegisteredTool(plugin: d.name ?? "", pluginVersion: d.version ?? "", pluginPath: path, descriptor: tool,
                           schemas: ToolSchemas(inputText: tool.inputSchema ?? "{}", outputText: tool.outputSchema))
        }
    }

    /// Validates `descriptor` read from the file at `path`; returns the findings and the usable tools.
    /// The plugin's tools are usable only when there is no error finding.
    public static func validate(_ d: PluginDescriptor, path: String) -> (findings: [Finding], tools: [RegisteredTool]) {
        var findings: [Finding] = []
        func error(_ code: String, tool: String? = nil, _ message: String, hint: String? = nil) {
            findings.append(Finding(.error, code, path: path, tool: tool, message, hint: hint))
        }
        func warning(_ code: String, tool: String? = nil, _ message: String, hint: String? = nil) {
            findings.append(Finding(.warning, code, path: path, tool: tool, message, hint: hint))
        }
        let nameRule = "names match [a-z][a-z0-9_]* (lowercase letters, digits and underscores, starting with a letter)"

        let pluginName = d.name ?? ""
        if d.name == nil || pluginName.isEmpty {
            error("invalid_plugin_name", "the plugin has no name", hint: "set the name in WFH_PLUGIN_DEFINE; \(nameRule)")
        } else if !isValidName(pluginName) {
            error("invalid_plugin_name", "plugin name '\(pluginName)' is invalid", hint: nameRule)
        }
        if let v = d.version, isSemanticVersion(v) {
        } else {
            error("invalid_version", "plugin version '\(d.version ?? "")' is not a semantic version",
                  hint: "use MAJOR.MINOR.PATCH, for example \"1.0.0\"")
        }
        // The header makes descriptions required (wfh_plugin.description, wfh_tool.description).
        if (d.description ?? "").allSatisfy(\.isWhitespace) {
            error("empty_description", "the plugin has no description (the SDK header requires one)",
                  hint: "describe in a sentence what the plugin offers (the description argument of "
                      + "WFH_PLUGIN_DEFINE); `wfhost plugins list` shows it")
        }
        if (d.author ?? "").isEmpty, (d.homepage ?? "").isEmpty {
            warning("missing_author", "the plugin names neither an author nor a homepage",
                    hint: "set the author or homepage argument of WFH_PLUGIN_DEFINE so users know whom to ask")
        }
        if (d.license ?? "").isEmpty {
            warning("missing_license", "the plugin declares no license", hint: "set an SPDX identifier such as \"MIT\"")
        }
        if d.tools.isEmpty, d.declaredToolCount == 0, !d.toolTableIsNull, let stride = d.toolSize,
           d.firstToolStructSize == stride {
            error("tools_pointer",
                  "the descriptor declares 0 tools, but its tool table holds a tool entry: WFH_PLUGIN_DEFINE was "
                      + "given a pointer, not an array (sizeof a pointer / sizeof(wfh_tool) is 0)",
                  hint: "pass the array itself: static const wfh_tool tools[] = {...}; WFH_PLUGIN_DEFINE(..., tools)")
        } else if d.tools.isEmpty {
            warning("no_tools", "the plugin declares no tools",
                    hint: "declare a static const wfh_tool array with WFH_TOOL or WFH_TYPED_TOOL entries and pass it "
                        + "to WFH_PLUGIN_DEFINE; a plugin without tools offers nothing")
        }
        if d.declaredToolCount > d.tools.count {
            error("too_many_tools", "the plugin declares \(d.declaredToolCount) tools; at most \(d.tools.count) are read",
                  hint: "split the plugin")
        }

        var seen: [String: Int] = [:]
        var tools: [RegisteredTool] = []
        for (index, tool) in d.tools.enumerated() {
            let label = tool.name.flatMap { $0.isEmpty ? nil : $0 } ?? "#\(index + 1)"
            var toolOK = true
            var parsedSignature: (text: String, signature: CSignature)?
            if let name = tool.name, !name.isEmpty {
                if !isValidName(name) {
                    error("invalid_tool_name", tool: label, "tool name '\(name)' is invalid", hint: nameRule)
                    toolOK = false
                }
                if let first = seen[name] {
                    error("duplicate_tool", tool: label,
                          "tool name '\(name)' is declared twice (entries \(first + 1) and \(index + 1))",
                          hint: "give every tool in a plugin a distinct name")
                    toolOK = false
                } else {
                    seen[name] = index
                }
            } else {
                error("invalid_tool_name", tool: label, "tool entry \(index + 1) has no name", hint: nameRule)
                toolOK = false
            }
            if let size = tool.structSize, let stride = d.toolSize, size != stride {
                error("tool_size_mismatch", tool: label,
                      "tool entry \(index + 1)'s struct_size is \(size) bytes, but the descriptor's tool_size (the "
                          + "table's stride) is \(stride)",
                      hint: "build every entry with WFH_TOOL or WFH_TYPED_TOOL and the descriptor with "
                          + "WFH_PLUGIN_DEFINE, all from the same <wfhost/plugin.h>: both are sizeof(wfh_tool)")
                toolOK = false
            }
            if (tool.description ?? "").allSatisfy(\.isWhitespace) {
                error("empty_description", tool: label, "the tool has no description (the SDK header requires one)",
                      hint: "describe what the tool does and what it returns; `wfhost plugins show` prints it")
                toolOK = false
            }
            if !tool.hasInvoke {
                if tool.cSignature == nil || !tool.hasCFunction {
                    error("no_function", tool: label, "the tool has neither an invoke function nor a typed C function",
                          hint: "use WFH_TOOL(..., fn) or WFH_TYPED_TOOL(..., \"f64 (f64 x)\", fn)")
                    toolOK = false
                } else if let signature = tool.cSignature {
                    do {
                        parsedSignature = (signature, try CSignature.parse(signature))
                    } catch let problem {
                        error("invalid_signature", tool: label, "typed signature \"\(signature)\": \(problem.message)",
                              hint: "write it as \"RESULT (TYPE NAME, ...)\" with types void, bool, i32, i64, u32, "
                                  + "u64, f32, f64, str")
                        toolOK = false
                    }
                }
            }
            let (input, inputJSON) = compileSchema(tool.inputSchema, which: "input", tool: label, required: true,
                                                   path: path, into: &findings)
            let (output, outputJSON) = compileSchema(tool.outputSchema, which: "output", tool: label, required: false,
                                                     path: path, into: &findings)
            if input == nil || (tool.outputSchema != nil && output == nil) { toolOK = false }
            let before = findings.count
            let report: Report = { severity, code, message, hint in
                findings.append(Finding(severity, code, path: path, tool: label, message, hint: hint))
            }
            for (which, json) in [("input", inputJSON), ("output", outputJSON)] {
                guard let json else { continue }
                for m in misspeltKeywords(json) {
                    report(.warning, "unknown_keyword",
                           "the \(which) schema has the unknown keyword \(JSONValue.string(m.keyword).serialized()) at "
                               + "\(m.pointer), which JSON Schema ignores",
                           "did you mean \(JSONValue.string(m.suggestion).serialized())?")
                }
            }
            if let inputJSON, input != nil {
                checkAcceptsObjects(inputJSON, report: report)
                if !tool.hasInvoke, let parsedSignature {
                    checkSignature(parsedSignature.text, parsedSignature.signature, against: inputJSON, report: report)
                }
            }
            if let caps = tool.capabilities {
                checkCapabilityPaths(caps, schema: input != nil ? inputJSON : nil, report: report)
            }
            checkExamples(tool, input: input, report: report)
            if findings[before...].contains(where: { $0.severity == .error }) { toolOK = false }
            if toolOK, let input {
                tools.append(RegisteredTool(plugin: pluginName, pluginVersion: d.version ?? "", pluginPath: path,
                                            descriptor: tool, schemas: ToolSchemas(input: input, output: output)))
            }
        }
        let hasError = findings.contains { $0.severity == .error }
        return (findings, hasError ? [] : tools)
    }

    private static func compileSchema(_ text: String?, which: String, tool: String, required: Bool, path: String,
                                      into findings: inout [Finding]) -> (CompiledSchema?, JSONValue?) {
        guard let text else {
            if required {
                findings.append(Finding(.error, "missing_schema", path: path, tool: tool, "the tool has no input schema",
                                        hint: "every tool declares a JSON Schema for its arguments; for none, use "
                                            + "{\"type\":\"object\",\"additionalProperties\":false}"))
            }
            return (nil, nil)
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(text)
        } catch {
            findings.append(Finding(.error, "schema_not_json", path: path, tool: tool,
                                    "the \(which) schema is not JSON: \(error.code)\(error.detail.map { ": \($0)" } ?? "") "
                                        + "at byte offset \(error.offset) (line \(error.line), column \(error.column))",
                                    hint: "check the string literal's quoting and escapes; `wfhost schema check` "
                                        + "validates a schema file"))
            return (nil, nil)
        }
        do {
            return (try CompiledSchema.compile(json), json)
        } catch {
            let dialect = "the dialect is JSON Schema 2020-12 (the SDK guide, share/doc/wfhost/SDK.md in the install tree, lists the keywords wfhost supports)"
            for e in error.errors {
                findings.append(Finding(.error, "invalid_schema", path: path, tool: tool,
                                        "the \(which) schema is invalid at \(JSONPointer.display(e.pointer)): \(e.message)",
                                        hint: typeSuggestion(at: e.pointer, in: json).map { "\($0) " + dialect } ?? dialect))
            }
            return (nil, json)
        }
    }
}
