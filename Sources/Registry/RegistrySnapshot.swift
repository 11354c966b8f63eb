/// How a tool name used in a workflow or `wfhost call` resolves.
public enum ToolResolution: Sendable {
    case found(RegisteredTool)
    /// Several plugins offer the bare name: use one of these qualified names.
    case ambiguous([RegisteredTool])
    /// Nothing offers it; `suggestions` are the closest names.
    case unknown(suggestions: [String])
}

/// The registry at one moment: every plugin file in path order and the tools they offer.
public struct RegistrySnapshot: Sendable {
    public private(set) var records: [PluginRecord]
    /// MCP tool servers (`servers.yaml` and the workflow's `spec.tool_servers`), whose tools are `SERVER.tool`.
    public private(set) var toolServers: [ToolServerRecord] = []
    private var byBareName: [String: [RegisteredTool]] = [:]
    private var byQualifiedName: [String: RegisteredTool] = [:]

    init(records: [PluginRecord]) {
        self.records = records
        applyCrossPluginRules()
    }

    /// A registry with no plugins and no tool servers.
    public static let empty = RegistrySnapshot(records: [])

    /// All tools offered, in path order.
    public var tools: [RegisteredTool] { records.flatMap(\.tools) }

    /// Replaces the tool servers and their names in the index.
    mutating func setToolServers(_ servers: [ToolServerRecord]) {
        for old in toolServers { for tool in old.tools { byQualifiedName[tool.qualifiedName] = nil } }
        toolServers = servers
        for server in servers { for tool in server.tools { byQualifiedName[tool.qualifiedName] = tool } }
    }

    /// All findings of all files, errors first within each file.
    public var findings: [Finding] { records.flatMap { $0.findings.sorted { $0.severity < $1.severity } } }

    /// Resolves `name`: `plugin.tool`, or a bare tool name that exactly one plugin offers.
    public func resolve(_ name: String) -> ToolResolution {
        if let tool = byQualifiedName[name] { return .found(tool) }
        if let tools = byBareName[name] {
            return tools.count == 1 ? .found(tools[0]) : .ambiguous(tools)
        }
        let candidates = Array(byBareName.keys) + Array(byQualifiedName.keys)
        return .unknown(suggestions: Suggest.closest(to: name, among: candidates))
    }

    /// Marks a second plugin with an already used name invalid, and notes tool names offered by two plugins.
    private mutating func applyCrossPluginRules() {
        var pluginOwner: [String: String] = [:]
        for i in records.indices {
            guard records[i].status == .ok, let name = records[i].descriptor?.name else { continue }
            if let first = pluginOwner[name] {
                records[i].findings.append(Finding(
                    .error, "duplicate_plugin", path: records[i].path,
                    "plugin name '\(name)' is already used by \(first), which comes first on the plugin path; "
                        + "this file is ignored",
                    hint: "remove one of the two files, or give this plugin another name"))
                records[i].status = .invalid
                records[i].tools = []
            } else {
                pluginOwner[name] = records[i].path
            }
        }
        for record in records {
            for tool in record.tools {
                byBareName[tool.name, default: []].append(tool)
                byQualifiedName[tool.qualifiedName] = tool
            }
        }
        for i in records.indices {
            for tool in records[i].tools {
                guard let all = byBareName[tool.name], all.count > 1 else { continue }
                let others = all.filter { $0.plugin != tool.plugin }
                    .map { "'\($0.plugin)' (\($0.pluginPath))" }.joined(separator: ", ")
                records[i].findings.append(Finding(
                    .warning, "ambiguous_tool", path: records[i].path, tool: tool.name,
                    "tool name '\(tool.name)' is also offered by plugin \(others); the bare name is ambiguous",
                    hint: "workflows must name it '\(tool.qualifiedName)'"))
            }
        }
    }
}

/// Did-you-mean suggestions by edit distance.
public enum Suggest {
    /// The candidates within a small edit distance of `word`, closest first (at most 3).
    public static func closest(to word: String, among candidates: [String], limit: Int = 3) -> [String] {
        let threshold = max(2, word.count / 3)
        let scored = Set(candidates).compactMap { c -> (String, Int)? in
            let d = distance(word, c)
            return d <= threshold ? (c, d) : nil
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
    }

    /// Levenshtein distance over Unicode scalars.
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
