/// `spec.tool_servers` and the user-level `servers.yaml`: MCP servers by name, each with a command, arguments,
/// environment (secrets by reference only) and capabilities.
extension WorkflowDecoder {
    static let toolServerKeys = ["command", "args", "env", "capabilities", "startup_timeout"]
    static let toolServerCapabilityKeys = ["network", "read_paths", "write_paths"]
    static let serversFileKeys = ["tool_servers"]

    /// Words in an environment variable's name that say its value is a credential: such a value must be a
    /// `${secret:NAME}` or `${env:NAME}` reference, never written in the file.
    static let secretLookingWords = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "APIKEY", "API_KEY", "CREDENTIAL",
                                     "PRIVATE_KEY", "ACCESS_KEY", "AUTH"]

    /// The longest a server may be given to start.
    static let startupTimeoutLimit = DurationLimit(longest: .seconds(600), note: "10 minutes")

    /// A servers file: `tool_servers:` at the top, nothing else.
    mutating func decodeServersFile() -> [ToolServer] {
        let root = document.root
        guard root.mappingPairs != nil else {
            reader.error(.wrongType, root, "a servers file must be a mapping, not \(root.kindDescription)",
                         hint: "write `tool_servers:` and one entry per server under it")
            return []
        }
        guard let top = reader.fields(root, what: "the top level", context: "at the top level of a servers file",
                                      allowed: Self.serversFileKeys, required: Self.serversFileKeys),
              let node = top["tool_servers"] else { return [] }
        return decodeToolServers(node, context: "`tool_servers`")
    }

    /// A mapping of server names to their declarations.
    mutating func decodeToolServers(_ node: YAMLNode, context: String = "`spec.tool_servers`") -> [ToolServer] {
        guard let pairs = node.mappingPairs else {
            reader.error(.wrongType, node, "\(context) must be a mapping of server names to servers, not \(node.kindDescription)",
                         hint: "write `tool_servers:` then `NAME: {command: ..., args: [...]}` per server")
            return []
        }
        var servers: [ToolServer] = []
        for pair in pairs {
            guard let name = pair.key.scalarText else { continue }
            if !Self.isServerName(name) {
                reader.error(.invalidName, pair.key, "tool server name '\(name)' is not valid in \(context)",
                             hint: "a server's name is used as `NAME.tool`: start with a lowercase letter, then use "
                                 + "lowercase letters, digits and '_'")
                continue
            }
            if let server = decodeToolServer(pair.value, name: name, keyNode: pair.key) { servers.append(server) }
        }
        return servers
    }

    /// `[a-z][a-z0-9_]*`, the rule for plugin names.
    static func isServerName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= 0x61, first <= 0x7a else { return false }
        return name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5f }
    }

    mutating func decodeToolServer(_ node: YAMLNode, name: String, keyNode: YAMLNode) -> ToolServer? {
        let context = "in tool server '\(name)'"
        guard let fields = reader.fields(node, what: "tool server '\(name)'", context: context,
                                         allowed: Self.toolServerKeys, required: ["command"]),
              let commandNode = fields["command"],
              let command = reader.text(commandNode, what: "`command` of tool server '\(name)'") else { return nil }
        var server = ToolServer(name: name, command: command, location: reader.location(keyNode))
        if let argsNode = fields["args"] {
            if let items = reader.list(argsNode, what: "`args`", of: "arguments", example: "args: [server.py, --stdio]") {
                server.args = items.compactMap { reader.text($0, what: "an argument of tool server '\(name)'", allowEmpty: true) }
            }
        }
        if let envNode = fields["env"] { server.env = decodeServerEnvironment(envNode, server: name) }
        if let capsNode = fields["capabilities"] { server.capabilities = decodeServerCapabilities(capsNode, server: name) }
        if let timeoutNode = fields["startup_timeout"],
           let timeout = reader.duration(timeoutNode, what: "`startup_timeout`", limit: Self.startupTimeoutLimit) {
            server.startupTimeout = timeout
        }
        return server
    }

    mutating func decodeServerEnvironment(_ node: YAMLNode, server: String) -> [ToolServer.EnvEntry] {
        guard let pairs = node.mappingPairs else {
            reader.error(.wrongType, node, "`env` of tool server '\(server)' must be a mapping of variable names to values, "
                         + "not \(node.kindDescription)")
            return []
        }
        var entries: [ToolServer.EnvEntry] = []
        for pair in pairs {
            guard let name = pair.key.scalarText else { continue }
            guard EnvReference.isEnvironmentName(name) else {
                reader.error(.invalidName, pair.key, "'\(name)' is not an environment variable name (tool server '\(server)')",
                             hint: "use letters, digits and '_', not starting with a digit")
                continue
            }
            let referenceHint = "write `\(name): ${secret:NAME}` and run with `--secret NAME` (the value comes from "
                + "the environment variable NAME), or `\(name): ${env:VAR}` to pass a variable of wfhost's environment"
            if pair.value.tag == SpecValue.secretTag {
                reader.error(.invalidValue, pair.value, "a tool server's environment takes secrets by reference, not "
                             + "`!secret` values (tool server '\(server)', variable \(name))", hint: referenceHint)
                continue
            }
            guard let value = reader.text(pair.value, what: "`env.\(name)` of tool server '\(server)'", allowEmpty: true) else {
                continue
            }
            guard let parts = EnvReference.parse(value) else {
                reader.error(.invalidReference, pair.value, "`env.\(name)` of tool server '\(server)' has a `${` that is "
                             + "not a reference", hint: "references are ${secret:NAME} and ${env:NAME}")
                continue
            }
            let hasLiteral = parts.contains { if case .text(let t) = $0 { return !t.isEmpty } else { return false } }
            let hasReference = parts.contains { if case .reference = $0 { return true } else { return false } }
            let upper = name.uppercased()
            if hasLiteral, !hasReference, Self.secretLookingWords.contains(where: upper.contains) {
                // The value is not quoted: it may be a credential.
                reader.error(.invalidValue, pair.value, "`env.\(name)` of tool server '\(server)' looks like a secret "
                             + "written in the file; secrets are passed by reference, never inline", hint: referenceHint)
                continue
            }
            entries.append(ToolServer.EnvEntry(name: name, value: value))
        }
        return entries
    }

    mutating func decodeServerCapabilities(_ node: YAMLNode, server: String) -> ToolServerCapabilities {
        var caps = ToolServerCapabilities()
        guard let fields = reader.fields(node, what: "`capabilities` of tool server '\(server)'",
                                         context: "in the capabilities of tool server '\(server)'",
                                         allowed: Self.toolServerCapabilityKeys) else { return caps }
        if let n = fields["network"], let b = reader.bool(n, what: "`network`") { caps.network = b }
        for (key, keyPath) in [("read_paths", \ToolServerCapabilities.readPaths), ("write_paths", \.writePaths)] {
            guard let listNode = fields[key],
                  let items = reader.list(listNode, what: "`\(key)`", of: "paths", example: "\(key): [~/data]") else { continue }
            caps[keyPath: keyPath] = items.compactMap { reader.text($0, what: "a path in `\(key)`") }
        }
        return caps
    }
}
