import Foundation
import Isolation
import Registry
import Spec

/// How tool servers' declarations become the registry's: environments resolved, tools listed (with a cache).
public struct ToolServerResolver: Sendable {
    /// wfhost's own environment: `${env:NAME}` reads it, and PATH, LANG and LC_ALL are passed on.
    public var environment: [String: String]
    /// The run's secrets (`--secret`); at validation time, a secret not given reads the environment variable of
    /// its name, as `--secret NAME` would.
    public var secrets: [String: String]
    let lister: ToolServerLister

    init(environment: [String: String], secrets: [String: String], lister: ToolServerLister) {
        self.environment = environment
        self.secrets = secrets
        self.lister = lister
    }

    /// The variables every server gets from wfhost's environment (nothing else of it: no credentials by accident).
    /// HOME and TMPDIR are the server's work directory (the user's home is not in its sandbox) unless declared.
    public static let inheritedVariables = ["PATH", "LANG", "LC_ALL"]

    /// The server as the host starts it: its environment resolved (a reference to nothing is an empty value).
    public func config(_ server: ToolServer) -> ToolServerConfig {
        var env: [String: String] = [:]
        for name in Self.inheritedVariables { if let value = environment[name] { env[name] = value } }
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        for entry in server.env {
            var value = ""
            for part in EnvReference.parse(entry.value) ?? [.text(entry.value)] {
                switch part {
                case .text(let text): value += text
                case .reference(.environment(let name)): value += environment[name] ?? ""
                case .reference(.secret(let name)): value += secrets[name] ?? environment[name] ?? ""
                }
            }
            env[entry.name] = value
        }
        return ToolServerConfig(name: server.name, command: server.command, arguments: server.args, environment: env,
                                network: server.capabilities.network, readPaths: server.capabilities.readPaths,
                                writePaths: server.capabilities.writePaths, startupTimeout: server.startupTimeout)
    }

    /// The registry records of `servers` (started and listed, or from the cache), each naming the place
    /// (file:line:column) that declares it.
    public func records(_ servers: [ToolServer], pluginNames: Set<String>) -> [ToolServerRecord] {
        lister.records(servers.map { (config($0), $0.location.description) }, pluginNames: pluginNames)
    }
}

extension WorkflowHost {
    /// The resolver of tool servers for this host, with the run's secrets.
    public func toolServerResolver(secrets: [String: String] = [:]) -> ToolServerResolver {
        ToolServerResolver(environment: configuration.environment, secrets: secrets,
                           lister: ToolServerLister(sandbox: toolServerSandbox(),
                                                    database: try? openDatabase())) // no database: lists are not kept
    }

    /// How this host confines a tool server while listing its tools: every layer the machine offers, the
    /// state directory masked (a run's calls use the run's `--sandbox`).
    func toolServerSandbox() -> Result<ToolServerSandbox, ToolServerError> {
        let environment = configuration.environment
        do {
            let worker = try WorkerLocator.workerPath(environment: environment)
            return .success(ToolServerSandbox(workerPath: worker, hiddenPaths: configuration.maskedPaths,
                                              userHome: environment["HOME"], workRoot: environment["TMPDIR"] ?? "/tmp"))
        } catch {
            return .failure(ToolServerError(server: "", message: "cannot confine tool servers: \(error.description)",
                                            hint: "reinstall wfhost, or set WFHOST_WORKER to the worker's path"))
        }
    }

    /// The user-level servers file's path (`$XDG_CONFIG_HOME/wfhost/servers.yaml`, else
    /// `~/.config/wfhost/servers.yaml`), whether or not it exists.
    public var userToolServersPath: String? { ToolServersFile.path(environment: configuration.environment) }

    /// The user-level tool servers, or none when the file does not exist.
    /// - Throws: `WorkflowHostError` (`toolServersFileInvalid`) with every diagnostic when the file has errors.
    public func userToolServers() throws(WorkflowHostError) -> [ToolServer] {
        guard let path = userToolServersPath, FileManager.default.fileExists(atPath: path) else { return [] }
        let file = ToolServersFile.load(path: path)
        guard file.isValid else {
            throw WorkflowHostError(.toolServersFileInvalid, "the tool servers file \(path) has errors:\n"
                                        + file.diagnostics.map(\.textDescription).joined(separator: "\n"),
                                    hint: "fix the file, or move it away to run without its servers", location: path,
                                    diagnostics: file.diagnostics)
        }
        return file.servers
    }

    /// `snapshot` with `servers` (started and listed, or from the cache) as `SERVER.tool`.
    public func adding(servers: [ToolServer], to snapshot: RegistrySnapshot, secrets: [String: String] = [:]) -> RegistrySnapshot {
        guard !servers.isEmpty else { return snapshot }
        let pluginNames = Set(snapshot.records.compactMap { $0.status == .ok ? $0.descriptor?.name : nil })
        return snapshot.adding(servers: toolServerResolver(secrets: secrets).records(servers, pluginNames: pluginNames))
    }

    /// The catalog `validate` checks workflows against: the registry with the user-level tool servers, and a
    /// workflow's own `spec.tool_servers` when it declares them.
    /// - Throws: `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) when the registry cannot be read, `WorkflowHostError` (`toolServersFileInvalid`) for a bad servers file.
    public func toolCatalog(secrets: [String: String] = [:]) throws(WorkflowHostError) -> RegistryCatalog {
        RegistryCatalog(snapshot: try refreshedRegistry(), host: self, secrets: secrets)
    }
}
