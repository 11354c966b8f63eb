import WorkflowHost

/// Renders registry records as tables, text and JSON.
enum PluginReport {
    static func json(_ r: PluginRecord) -> JSONValue {
        var o: JSONObject = [
            "path": .string(r.path),
            "status": .string(r.status.rawValue),
            "findings": .array(r.findings.map(findingJSON)),
        ]
        if let d = r.descriptor {
            o["plugin"] = d.name.map(JSONValue.string) ?? .null
            o["version"] = d.version.map(JSONValue.string) ?? .null
            o["abi"] = .string("\(d.abiMajor).\(d.abiMinor)")
            o["description"] = d.description.map(JSONValue.string) ?? .null
            o["license"] = d.license.map(JSONValue.string) ?? .null
            o["author"] = d.author.map(JSONValue.string) ?? .null
            o["homepage"] = d.homepage.map(JSONValue.string) ?? .null
            o["tools"] = .array(d.tools.map { .string($0.name ?? "") })
        }
        if let f = r.failure {
            o["failure"] = .object(["kind": .string(f.kind), "message": .string(f.message),
                                    "stderr_tail": .string(f.stderrTail)])
        }
        if !r.sha256.isEmpty { o["sha256"] = .string(r.sha256) }
        return .object(o)
    }

    static func findingJSON(_ f: Finding) -> JSONValue {
        .object([
            "severity": .string(f.severity.rawValue), "code": .string(f.code), "path": .string(f.path),
            "tool": f.tool.map(JSONValue.string) ?? .null, "message": .string(f.message),
            "hint": f.hint.map(JSONValue.string) ?? .null,
        ])
    }

    /// PLUGIN VERSION ABI STATUS TOOLS, one line per file, then the reasons of files that are not ok.
    static func table(_ records: [PluginRecord]) -> String {
        var rows = [["PLUGIN", "VERSION", "ABI", "STATUS", "TOOLS"]]
        for r in records {
            let name = r.descriptor?.name ?? fileName(r.path)
            let abi = r.descriptor.map { "\($0.abiMajor).\($0.abiMinor)" } ?? r.failure?.pluginABI ?? "-"
            let tools = r.descriptor?.tools.compactMap(\.name).joined(separator: ", ") ?? "-"
            rows.append([name, r.descriptor?.version ?? "-", abi, r.status.rawValue, tools])
        }
        var lines = [TextTable.render(rows)]
        for r in records where r.status != .ok {
            lines.append("\(r.path): \(r.status.rawValue): \(r.reason ?? "")")
            if let hint = r.findings.first(where: { $0.severity == .error })?.hint { lines.append("  hint: \(hint)") }
        }
        return lines.joined(separator: "\n")
    }

    /// `plugins show PLUGIN`: the plugin's identity, status, tools and findings.
    static func pluginText(_ r: PluginRecord) -> String {
        let d = r.descriptor
        var lines = ["plugin \(d?.name ?? fileName(r.path))" + (d?.version.map { " \($0)" } ?? ""), ""]
        if let text = d?.description, !text.isEmpty { lines += [text, ""] }
        lines.append("path:    \(r.path)")
        lines.append("status:  \(r.status.rawValue)" + (r.reason.map { ": \($0)" } ?? ""))
        if let d { lines.append("ABI:     \(d.abiMajor).\(d.abiMinor)") }
        let names = d?.tools.compactMap(\.name) ?? []
        lines.append("tools:   \(names.isEmpty ? "-" : names.joined(separator: ", "))"
                     + (r.status == .ok || names.isEmpty ? "" : " (not offered)"))
        for f in r.findings.sorted(by: { $0.severity < $1.severity }) {
            lines.append("\(f.severity.rawValue): " + (f.tool.map { "tool '\($0)': " } ?? "") + f.message)
            if let hint = f.hint { lines.append("  hint: \(hint)") }
        }
        return lines.joined(separator: "\n")
    }

    static func toolText(_ t: RegisteredTool) -> String {
        let d = t.descriptor
        var lines = ["\(t.qualifiedName)" + (d.title.map { " — \($0)" } ?? ""), ""]
        lines.append(d.description ?? "(no description)")
        lines.append("")
        if let server = t.server {
            lines.append("tool server:  \(server.name) (\(server.commandLine)); `wfhost plugins show \(server.name)` shows its status")
        } else {
            lines.append("plugin:       \(t.plugin) \(t.pluginVersion) (\(t.pluginPath))")
        }
        var flags: [String] = []
        if d.isIdempotent { flags.append("idempotent") }
        if d.hasSideEffects { flags.append("has side effects") }
        lines.append("flags:        \(flags.isEmpty ? "none" : flags.joined(separator: ", "))")
        if let sig = d.cSignature { lines.append("C signature:  \(sig)") }
        if let c = d.capabilities {
            lines.append("capabilities: network \(c.network ? "yes" : "no"); reads \(c.readPaths.isEmpty ? "-" : c.readPaths.joined(separator: ", ")); writes \(c.writePaths.isEmpty ? "-" : c.writePaths.joined(separator: ", "))")
        } else {
            lines.append("capabilities: defaults (read the file system, write only the work directory, no network)")
        }
        lines.append("")
        lines.append("input schema:")
        lines.append(pretty(d.inputSchema))
        if let output = d.outputSchema {
            lines.append("output schema:")
            lines.append(pretty(output))
        }
        if !d.examples.isEmpty {
            lines.append("examples (`wfhost plugins test \(t.plugin)` runs them):")
            for (i, e) in d.examples.enumerated() {
                lines.append("  \(i + 1). " + (e.description ?? "(no description)"))
                lines.append("     args:     " + compact(e.arguments))
                lines.append("     expected: " + (e.expected.map { compact($0) } ?? "any successful result"))
            }
        }
        return lines.joined(separator: "\n")
    }

    static func toolJSON(_ t: RegisteredTool) -> JSONValue {
        let d = t.descriptor
        return .object([
            "name": .string(t.name), "qualified_name": .string(t.qualifiedName),
            "title": d.title.map(JSONValue.string) ?? .null,
            "description": d.description.map(JSONValue.string) ?? .null,
            "plugin": .string(t.plugin), "plugin_version": .string(t.pluginVersion), "path": .string(t.pluginPath),
            "idempotent": .bool(d.isIdempotent), "side_effects": .bool(d.hasSideEffects),
            "c_signature": d.cSignature.map(JSONValue.string) ?? .null,
            "input_schema": d.inputSchema.flatMap { try? JSONValue.parse($0) } ?? .null,
            "output_schema": d.outputSchema.flatMap { try? JSONValue.parse($0) } ?? .null,
            "examples": examplesJSON(d.examples),
            "capabilities": d.capabilities.map { c in
                .object(["network": .bool(c.network), "read_paths": .array(c.readPaths.map(JSONValue.string)),
                         "write_paths": .array(c.writePaths.map(JSONValue.string))])
            } ?? .null,
        ])
    }

    /// A registered tool's schema parsed when it was validated, so parsing again cannot fail.
    private static func pretty(_ text: String?) -> String {
        guard let text, let json = try? JSONValue.parse(text) else { return text ?? "" }
        return json.serialized(.pretty)
    }

    /// A tool's examples as `plugins show --json` prints them (texts parsed; validated, so parsing succeeds).
    static func examplesJSON(_ examples: [ToolExample]) -> JSONValue {
        .array(examples.map { (e: ToolExample) -> JSONValue in
            let args: JSONValue = e.arguments.flatMap { try? JSONValue.parse($0) } ?? .null
            let expected: JSONValue = e.expected.flatMap { try? JSONValue.parse($0) } ?? .null
            return .object(["description": e.description.map(JSONValue.string) ?? .null, "args": args,
                            "expected": expected])
        })
    }

    /// An example's JSON text on one line (validated when the plugin was, so parsing again cannot fail).
    private static func compact(_ text: String?) -> String {
        guard let text, let json = try? JSONValue.parse(text) else { return text ?? "null" }
        return json.serialized()
    }

    private static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

/// Renders the registry's MCP tool servers (the user-level servers.yaml's) for `plugins list` and `plugins show`.
enum ToolServerReport {
    static func json(_ r: ToolServerRecord) -> JSONValue {
        var lastError: JSONValue = .null
        var cached = false
        switch r.status {
        case .ok(let fromCache): cached = fromCache
        case .failed(let error):
            lastError = .object(["message": .string(error.message), "hint": error.hint.map(JSONValue.string) ?? .null,
                                 "stderr_tail": .string(error.stderrTail)])
        }
        let status: String
        if case .failed = r.status { status = "failed" } else { status = "ok" }
        return .object([
            "name": .string(r.name), "declared_at": .string(r.origin),
            "command": .string(r.config.command), "args": .array(r.config.arguments.map(JSONValue.string)),
            "status": .string(status), "tools_from_cache": .bool(cached),
            "tools": .array(r.tools.map { .string($0.qualifiedName) }),
            "capabilities": .object(["network": .bool(r.config.network),
                                     "read_paths": .array(r.config.readPaths.map(JSONValue.string)),
                                     "write_paths": .array(r.config.writePaths.map(JSONValue.string))]),
            "warnings": .array(r.warnings.map(JSONValue.string)),
            "last_error": lastError,
        ])
    }

    /// TOOL SERVER STATUS TOOLS DECLARED AT, then the errors of servers that failed.
    static func table(_ records: [ToolServerRecord]) -> String {
        var rows = [["TOOL SERVER", "STATUS", "TOOLS", "DECLARED AT"]]
        for r in records {
            let tools = r.tools.map(\.name).joined(separator: ", ")
            rows.append([r.name, r.status.word, tools.isEmpty ? "-" : tools, r.origin])
        }
        var lines = [TextTable.render(rows)]
        for r in records {
            guard case .failed(let error) = r.status else { continue }
            lines.append("\(r.name): failed: \(error.messageWithStderr)")
            if let hint = error.hint { lines.append("  hint: \(hint)") }
        }
        return lines.joined(separator: "\n")
    }

    /// `plugins show SERVER`: where it is declared, its command, status, tools, capabilities and last error.
    static func text(_ r: ToolServerRecord) -> String {
        let c = r.config
        var lines = ["tool server \(r.name)", ""]
        lines.append("declared at:  \(r.origin)")
        lines.append("command:      \(c.commandLine)")
        lines.append("status:       \(r.status.word)")
        let tools = r.tools.map(\.qualifiedName)
        lines.append("tools:        \(tools.isEmpty ? "-" : tools.joined(separator: ", "))")
        lines.append("capabilities: network \(c.network ? "yes" : "no"); reads \(c.readPaths.isEmpty ? "-" : c.readPaths.joined(separator: ", ")); "
                     + "writes \(c.writePaths.isEmpty ? "-" : c.writePaths.joined(separator: ", "))")
        lines.append("sandbox:      the worker's (wfhost-worker exec): these paths, the system directories, PATH, the command "
                     + "and its file arguments; HOME and TMPDIR are a work directory of its own")
        for warning in r.warnings { lines.append("warning: \(warning)") }
        if case .failed(let error) = r.status {
            lines.append("last error:   \(error.messageWithStderr)")
            if let hint = error.hint { lines.append("  hint: \(hint)") }
        } else {
            lines.append("last error:   -")
        }
        return lines.joined(separator: "\n")
    }
}
