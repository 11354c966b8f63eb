import Foundation
import Isolation
import Registry
import SQLite
import Synchronization

/// Where wfhost keeps its state and finds its plugins: the global options `--state-dir` and `--plugin-path`.
public struct HostConfiguration: Sendable {
    /// The folder of the state database (`wfhost.sqlite3`), the work directories and the trust file.
    public var stateDirectory: String
    /// The directories searched for plugin files, in order (`--plugin-path`/`WFHOST_PLUGIN_PATH` first).
    public var searchPath: PluginSearchPath
    /// The environment the host reads its settings from and the workers start from (each worker gets a scrubbed
    /// copy): the process's by default, a fixed one in tests.
    public var environment: [String: String]
    /// Limit on loading one plugin file while scanning.
    public var scanTimeout: Duration = .seconds(10)
    /// Load only plugin files recorded in `trustFile` (`--require-trusted`, `WFHOST_REQUIRE_TRUSTED=1`).
    public var requireTrusted: Bool

    /// A configuration from the global options and the environment. The state directory is `--state-dir`, else
    /// `WFHOST_STATE_DIR`, else `$XDG_STATE_HOME/wfhost`, else `~/.local/state/wfhost`.
    ///
    /// ```swift
    /// let configuration = HostConfiguration(stateDirectory: "/tmp/wfhost-state", pluginPath: "/opt/plugins")
    /// let host = WorkflowHost(configuration: configuration)
    /// ```
    /// - Parameters:
    ///   - stateDirectory: `--state-dir`; nil to take it from the environment.
    ///   - pluginPath: `--plugin-path`, colon-separated directories searched first, in place of
    ///     `WFHOST_PLUGIN_PATH`, then the standard ones; nil for `WFHOST_PLUGIN_PATH` and the standard ones.
    ///   - environment: where `WFHOST_STATE_DIR`, `XDG_STATE_HOME`, `HOME`, `WFHOST_PLUGIN_PATH` and
    ///     `WFHOST_REQUIRE_TRUSTED` are read; the process's by default.
    public init(stateDirectory: String? = nil, pluginPath: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        self.requireTrusted = ["1", "true", "yes"].contains(environment["WFHOST_REQUIRE_TRUSTED"]?.lowercased() ?? "")
        if let dir = stateDirectory ?? environment["WFHOST_STATE_DIR"], !dir.isEmpty {
            self.stateDirectory = dir
        } else if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty {
            self.stateDirectory = xdg + "/wfhost"
        } else {
            self.stateDirectory = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/wfhost"
        }
        self.searchPath = PluginSearchPath.standard(explicit: pluginPath, environment: environment)
    }

    /// The state database file.
    public var databasePath: String { stateDirectory + "/wfhost.sqlite3" }
}

/// The host: configuration plus the parts built from it on demand. Every throwing function of the API throws
/// ``WorkflowHostError``.
///
/// ```swift
/// let host = WorkflowHost(configuration: HostConfiguration(stateDirectory: "/tmp/wfhost-state"))
/// let result = try await host.execute(workflow: "examples/hello.yaml")
/// ```
public final class WorkflowHost: Sendable {
    /// Where the state is and where plugins are found.
    public let configuration: HostConfiguration

    /// A host over `configuration`; nothing is opened or scanned until a function needs it.
    /// - Parameter configuration: the state directory, plugin path and environment.
    public init(configuration: HostConfiguration) {
        self.configuration = configuration
    }

    /// Opens (creating) the state directory's database.
    /// - Throws: `stateUnavailable` when the directory cannot be created or the database opened or is damaged.
    func openDatabase() throws(WorkflowHostError) -> SQLiteDatabase {
        let dir = configuration.stateDirectory
        if let failure = Directories.create(dir) {
            throw WorkflowHostError(.stateUnavailable, "cannot create the state directory \(dir): \(failure)",
                            hint: "pass a writable directory with --state-dir or WFHOST_STATE_DIR")
        }
        let db: SQLiteDatabase
        do {
            db = try SQLiteDatabase(path: configuration.databasePath)
        } catch {
            throw WorkflowHostError(.stateUnavailable, "cannot open the state database \(configuration.databasePath): \(error.message)",
                            hint: "check the file's permissions; if it is not an SQLite file, move it away")
        }
        try StateDatabaseCheck.verifyOnce(db)
        return db
    }

    /// The scanner: the worker executable with the workers' environment.
    /// - Throws: `workerUnavailable` when the worker executable is not found.
    func scanner() throws(WorkflowHostError) -> PluginScanner {
        let worker: String
        do {
            worker = try WorkerLocator.workerPath(environment: configuration.environment)
        } catch {
            throw WorkflowHostError(.workerUnavailable, error.description)
        }
        var scanner = PluginScanner(workerPath: worker,
                                    environment: WorkerLocator.workerEnvironment(configuration.environment),
                                    timeout: configuration.scanTimeout)
        scanner.hiddenPaths = configuration.maskedPaths
        return scanner
    }

    /// The plugin registry over the state database (`cached: false` for one that keeps nothing).
    /// - Throws: `workerUnavailable`, `stateUnavailable` or `registryUnavailable`.
    func registry(cached: Bool = true) throws(WorkflowHostError) -> PluginRegistry {
        let scanner = try scanner()
        let db = cached ? try openDatabase() : nil
        let trust = try trust()
        do {
            return try PluginRegistry(searchPath: configuration.searchPath, scanner: scanner, database: db,
                                      hostABI: "\(WorkflowHostInfo.abiMajor).\(WorkflowHostInfo.abiMinor)",
                                      hostVersion: WorkflowHostInfo.version, trust: trust)
        } catch {
            throw WorkflowHostError(.registryUnavailable, "cannot prepare the plugin registry in \(configuration.databasePath): \(error)")
        }
    }

    /// The registry brought up to date with the plugin path: new and changed plugin files scanned (in the
    /// sandbox, never in this process), the user-level tool servers added.
    ///
    /// ```swift
    /// let snapshot = try host.refreshedRegistry()
    /// for tool in snapshot.tools { print(tool.qualifiedName) }
    /// ```
    /// - Parameter force: scan every file again, not only new and changed ones.
    /// - Returns: the plugins and tools as the registry knows them.
    /// - Throws: `WorkflowHostError` with code `workerUnavailable` (no usable worker), `stateUnavailable` (the
    ///   state database), `registryUnavailable` (the registry cannot be prepared or updated) or
    ///   `toolServersFileInvalid` (the user-level servers file has errors).
    public func refreshedRegistry(force: Bool = false) throws(WorkflowHostError) -> RegistrySnapshot {
        let registry = try registry()
        let snapshot: RegistrySnapshot
        do {
            snapshot = try registry.refresh(force: force)
        } catch let unusable as WorkerUnusable {
            throw WorkflowHostError(.workerUnavailable, unusable.description,
                            hint: "install the worker's runtime libraries (Debian: libffi8 libseccomp2); `wfhost doctor` "
                                + "names what is missing")
        } catch {
            throw WorkflowHostError(.registryUnavailable, "cannot update the plugin registry in \(configuration.databasePath): \(error)",
                            hint: "another wfhost may hold the database for a long time; try again")
        }
        return adding(servers: try userToolServers(), to: snapshot)
    }
}

/// `PRAGMA quick_check` of the state database, once per file and process, when wfhost first opens it: a
/// database SQLite reports as malformed is an environment error (exit code 3) naming the file, never a success.
enum StateDatabaseCheck {
    private static let checked = Synchronization.Mutex<Set<String>>([])

    /// - Throws: `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) naming the file and SQLite's findings when the check does not report `ok`.
    static func verifyOnce(_ db: SQLiteDatabase) throws(WorkflowHostError) {
        guard checked.withLock({ !$0.contains(db.path) }) else { return }
        let problems: [String]
        do {
            problems = try db.quickCheck()
        } catch {
            problems = [error.message]
        }
        guard problems.isEmpty else {
            let shown = problems.prefix(3).joined(separator: "; ") + (problems.count > 3 ? "; ..." : "")
            throw WorkflowHostError(.stateUnavailable, "the state database \(db.path) is damaged: SQLite's quick_check reports \(shown)",
                            hint: "move the file away (wfhost then starts a new, empty one) or restore it from a "
                                + "backup; `sqlite3 FILE .recover` can save what is still readable")
        }
        checked.withLock { _ = $0.insert(db.path) }
    }
}
