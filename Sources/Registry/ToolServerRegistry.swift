import Foundation
import Isolation
import Schema
import SQLite
import Synchronization

/// Where a tool server stands in the registry.
public enum ToolServerStatus: Sendable {
    /// Its tools were listed (`cached`: from the list kept for the same declaration and command files).
    case ok(cached: Bool)
    /// It could not be started or listed.
    case failed(ToolServerError)

    public var word: String {
        switch self {
        case .ok(let cached): return cached ? "ok (cached list)" : "ok"
        case .failed: return "failed"
        }
    }
}

/// One MCP tool server as the registry knows it: its declaration, where it was declared, its status and tools.
public struct ToolServerRecord: Sendable {
    public var config: ToolServerConfig
    /// Where it is declared, file:line:column (a workflow, or the user-level servers.yaml).
    public var origin: String
    public var status: ToolServerStatus
    public var tools: [RegisteredTool]
    /// Tools left unchecked or left out (a schema this wfhost cannot compile), in words.
    public var warnings: [String]

    public var name: String { config.name }
}

extension RegisteredTool {
    /// The tool server this tool belongs to; nil for a plugin's tool.
    public var server: ToolServerConfig? { serverConfig }
}

/// Lists the tools of MCP servers through the `wfhost-mcp` helper, with a time limit, and keeps each list in
/// the state database keyed by the declaration (name, command, arguments, the names of its environment
/// variables) and the size and modification time of the command and of every argument that is a file, so a
/// changed server script is listed again.
public final class ToolServerLister: Sendable {
    private let helperPath: String?
    private let sandbox: Result<ToolServerSandbox, ToolServerError>
    private let cache: ToolServerCache?
    private static let memory = Synchronization.Mutex<[String: [ToolServerTool]]>([:])

    /// - Parameters:
    ///   - helperPath: the `wfhost-mcp` helper; nil finds it beside this executable or through WFHOST_MCP.
    ///   - sandbox: how a server is confined while it is listed (as for its calls), or why it cannot be (the
    ///     worker is missing): every server then fails with that error.
    ///   - database: the state database for the cache; nil keeps lists for this process only.
    public init(helperPath: String? = nil, sandbox: Result<ToolServerSandbox, ToolServerError>, database: SQLiteDatabase?) {
        self.helperPath = helperPath
        self.sandbox = sandbox
        self.cache = database.flatMap { try? ToolServerCache(db: $0) } // no cache table: the lists are made again each time
    }

    /// The record of each server: its tools, or why it could not be listed. Servers are listed one after another.
    public func records(_ configs: [(config: ToolServerConfig, origin: String)], pluginNames: Set<String>) -> [ToolServerRecord] {
        configs.map { record($0.config, origin: $0.origin, pluginNames: pluginNames) }
    }

    func record(_ config: ToolServerConfig, origin: String, pluginNames: Set<String>) -> ToolServerRecord {
        if pluginNames.contains(config.name) {
            return ToolServerRecord(config: config, origin: origin, status: .failed(ToolServerError(
                server: config.name, message: "tool server name '\(config.name)' is also the name of a plugin, so "
                    + "'\(config.name).TOOL' would be ambiguous", hint: "give the server another name in \(origin)")),
                tools: [], warnings: [])
        }
        let key = Self.cacheKey(config)
        var cached = true
        var listed = Self.memory.withLock { $0[key] } ?? cache?.load(key)
        if listed == nil {
            cached = false
            let pool = ToolServerPool(helperPath: helperPath)
            do {
                let connection = try pool.connection(for: config, limits: CallLimits(), sandbox: try sandbox.get())
                listed = try connection.listTools()
            } catch {
                pool.shutdown()
                return ToolServerRecord(config: config, origin: origin, status: .failed(error), tools: [], warnings: [])
            }
            pool.shutdown()
        }
        let tools = listed ?? []
        Self.memory.withLock { $0[key] = tools }
        if !cached { cache?.save(key, tools) }
        var warnings: [String] = []
        var registered: [RegisteredTool] = []
        for tool in tools {
            let input: CompiledSchema
            do {
                input = try CompiledSchema.compile(tool.inputSchema)
            } catch {
                warnings.append("\(config.name).\(tool.name): its input schema cannot be checked here (\(error)); "
                                + "the server checks its arguments")
                input = (try? CompiledSchema.compile(.object(["type": "object"]))) ?? .rejectingEverything // `{type: object}` always compiles
            }
            var output: CompiledSchema?
            if let schema = tool.outputSchema {
                do { output = try CompiledSchema.compile(schema) } catch {
                    warnings.append("\(config.name).\(tool.name): its output schema cannot be checked here (\(error))")
                }
            }
            var descriptor = ToolDescriptor(name: tool.name, title: nil, description: tool.description,
                                            inputSchema: tool.inputSchema.serialized(),
                                            outputSchema: tool.outputSchema?.serialized(),
                                            flags: tool.destructive == true ? 2 : 0, hasInvoke: true, cSignature: nil,
                                            hasCFunction: false,
                                            capabilities: Capabilities(network: config.network, readPaths: config.readPaths,
                                                                       writePaths: config.writePaths))
            descriptor.structSize = nil
            var registeredTool = RegisteredTool(plugin: config.name, pluginVersion: "", pluginPath: "mcp:\(config.commandLine)",
                                                descriptor: descriptor, schemas: ToolSchemas(input: input, output: output))
            registeredTool.serverConfig = config
            registered.append(registeredTool)
        }
        return ToolServerRecord(config: config, origin: origin, status: .ok(cached: cached), tools: registered,
                                warnings: warnings)
    }

    /// The declaration and the identity of the files it runs; never an environment value (secrets).
    static func cacheKey(_ config: ToolServerConfig) -> String {
        func identity(_ path: String) -> String? {
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
            return "\(path)@\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
        var parts = ["v1", config.name, config.command] + config.arguments
        parts.append("env:" + config.environment.keys.sorted().joined(separator: ","))
        parts += ([config.resolvedCommand ?? config.command] + config.arguments).compactMap(identity)
        return parts.joined(separator: "\u{1F}")
    }
}

/// The state database's table of tool lists.
struct ToolServerCache: Sendable {
    let db: SQLiteDatabase

    init(db: SQLiteDatabase) throws {
        self.db = db
        try db.migrate(RegistryCache.migrations)
    }

    func load(_ key: String) -> [ToolServerTool]? {
        guard let row = try? db.query("SELECT tools FROM tool_server_lists WHERE key = ?", [.text(key)]).first, // unreadable: list again
              let text = row[0].string, let json = try? JSONValue.parse(text), let items = json.arrayValue else { return nil }
        return items.compactMap(ToolServerTool.init(json:))
    }

    func save(_ key: String, _ tools: [ToolServerTool]) {
        let text = JSONValue.array(tools.map(\.json)).serialized()
        // A failed write only means the next validate lists the server again.
        _ = try? db.query("INSERT OR REPLACE INTO tool_server_lists (key, tools, listed_at) VALUES (?, ?, julianday('now'))",
                          [.text(key), .text(text)])
    }
}

extension RegistrySnapshot {
    /// This snapshot with `servers` added (a server of the same name is replaced): their tools resolve as
    /// `SERVER.tool`, never by a bare name.
    public func adding(servers: [ToolServerRecord]) -> RegistrySnapshot {
        var copy = self
        let names = Set(servers.map(\.name))
        copy.setToolServers(toolServers.filter { !names.contains($0.name) } + servers)
        return copy
    }

    /// The server called `name`, if any.
    public func toolServer(named name: String) -> ToolServerRecord? { toolServers.first { $0.name == name } }
}
