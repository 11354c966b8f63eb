import Engine
import Foundation
import Isolation
import Registry
import Schema

/// The worker of one call (or of a scan), prepared as wfhost would start it, to run by hand or under gdb:
/// `wfhost plugins debug`.
///
/// The arguments, the environment and the sandbox are the ones a call (`wfhost call`'s defaults) or a scan
/// uses, built by the same functions; the request frame the host would write on fd 3 is in a file, the worker's
/// events go to another. Only the tie to the host is left out (`WFHOST_PARENT_PID`): the worker's parent is the
/// shell or gdb. The worker forks into its sandbox (init, then the worker as PID 2); gdb follows the child.
public struct PluginDebugPlan: Sendable {
    /// The worker executable.
    public var worker: String
    /// Its arguments (`serve PLUGIN ...` for a call, `scan PLUGIN ...` for loading).
    public var arguments: [String]
    /// Its whole environment.
    public var environment: [String]
    /// The plugin file (given to the worker open on fd 5).
    public var pluginPath: String
    /// The directory the command runs in (the call's work directory; nil for a scan).
    public var workDirectory: String?
    /// The call's request frame (read on fd 3), nil for a scan.
    public var requestFile: String?
    /// Where the worker writes its events (fd 4).
    public var eventsFile: String
    /// "hello.greet" for a call, nil for loading only.
    public var tool: String?

    /// The worker's redirections: the request frames, the events, the plugin.
    var redirections: [String] {
        (requestFile.map { ["3<" + Self.quote($0)] } ?? []) + ["4>" + Self.quote(eventsFile), "5<" + Self.quote(pluginPath)]
    }

    /// The shell command that starts the worker as wfhost would.
    public var command: String {
        (workDirectory.map { "cd \(Self.quote($0)) && " } ?? "")
            + "env -i " + environment.map(Self.quote).joined(separator: " ") + " "
            + ([worker] + arguments).map(Self.quote).joined(separator: " ") + " " + redirections.joined(separator: " ")
    }

    /// gdb's arguments after `gdb`: follow the fork into the sandbox, run, and (batch) print the backtrace.
    public func gdbArguments(batch: Bool) -> [String] {
        let run = "run " + arguments.map(Self.quote).joined(separator: " ") + " " + redirections.joined(separator: " ")
        return ["-q"] + (batch ? ["-batch"] : []) + ["-ex", "set follow-fork-mode child", "-ex", run]
            + (batch ? ["-ex", "bt"] : []) + [worker]
    }

    /// The same under gdb, interactively, as a shell command.
    public var gdbCommand: String {
        (workDirectory.map { "cd \(Self.quote($0)) && " } ?? "") + "env -i "
            + environment.map(Self.quote).joined(separator: " ") + " gdb "
            + gdbArguments(batch: false).map(Self.quote).joined(separator: " ")
    }

    /// Runs the worker under `gdb -batch` (follow the fork, run, backtrace), its output on this process's.
    /// - Returns: gdb's exit status.
    /// - Throws: `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) when gdb is not installed or cannot be started.
    public func runUnderGDB() throws(WorkflowHostError) -> Int32 {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { $0 + "/gdb" } + ["/usr/bin/gdb"]
        guard let gdb = path.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw WorkflowHostError(.environment, "gdb is not installed", hint: "install it (Debian: apt-get install gdb), or run the "
                                + "command `wfhost plugins debug` prints without --gdb under your own debugger")
        }
        // Spawned with an empty signal mask and default dispositions (ChildProcess does both): gdb waits for its
        // inferiors through SIGCHLD, and a mask inherited from wfhost's parent would leave it waiting for ever.
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: gdb, arguments: gdbArguments(batch: true), environment: environment,
                                     fds: [(0, 0), (1, 1), (2, 2)])
        } catch {
            throw WorkflowHostError(.environment, "cannot start \(gdb): \(error)")
        }
        let termination: Termination
        do {
            termination = try child.wait()
        } catch {
            throw WorkflowHostError(.environment, "cannot wait for \(gdb): \(error)")
        }
        switch termination {
        case .exited(let code): return code
        case .signaled(let signal, _): return 128 + signal.rawValue
        }
    }

    /// A word for the shell: as it is when it holds only safe characters, else in single quotes.
    static func quote(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        if !word.isEmpty, word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension WorkflowHost {
    /// Prepares the worker for a call of `tool` with `arguments` in the plugin `plugin` (a file, or a plugin name
    /// on the plugin path), or, with no tool, for loading the plugin as the scanner does.
    ///
    /// ```swift
    /// let plan = try host.debugPlan(plugin: "chaos", tool: "segfault", arguments: nil)
    /// print(plan.command)
    /// ```
    /// - Throws: `WorkflowHostError` (`invalidRequest`) for an unknown plugin or tool, a plugin whose tools are not offered (with a
    ///   tool), or arguments that are not JSON or not valid; `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) for the environment (the worker, the
    ///   state directory).
    public func debugPlan(plugin: String, tool: String?, arguments: String?) throws(WorkflowHostError) -> PluginDebugPlan {
        let pluginPath: String
        var record: PluginRecord?
        if FileManager.default.fileExists(atPath: plugin) {
            pluginPath = URL(fileURLWithPath: plugin).resolvingSymlinksInPath().path
        } else {
            let snapshot = try refreshedRegistry()
            guard let found = snapshot.plugins(named: plugin).first else {
                throw WorkflowHostError(.invalidRequest, "no plugin file or plugin named '\(plugin)'",
                                     hint: "give the plugin's file, or a name `wfhost plugins list` shows")
            }
            pluginPath = found.path
            record = found
        }
        let scanner = try scanner()
        let debugDir = configuration.stateDirectory + "/debug/\(UUID().uuidString.prefix(8).lowercased())"
        do {
            try FileManager.default.createDirectory(atPath: debugDir, withIntermediateDirectories: true)
        } catch {
            throw WorkflowHostError(.environment, "cannot create \(debugDir): \(error.localizedDescription)",
                            hint: "check that the state directory is writable (--state-dir)")
        }
        let untied = { (env: [String]) in env.filter { !$0.hasPrefix("WFHOST_PARENT_PID=") } }
        guard let tool else {
            var arguments = ["scan", pluginPath, "--sandbox", scanner.sandboxed ? "on" : "off", "--network", "0"]
            for p in scanner.hiddenPaths { arguments += ["--hide", p] }
            return PluginDebugPlan(worker: scanner.workerPath, arguments: arguments,
                                   environment: untied(scanner.environment), pluginPath: pluginPath,
                                   workDirectory: nil, requestFile: nil, eventsFile: debugDir + "/events.frames",
                                   tool: nil)
        }
        if record == nil {
            record = try registry(cached: false).validate(paths: [pluginPath]).records.first
        }
        guard let record, record.status == .ok else {
            let why = record?.reason.map { ": \($0)" } ?? ""
            throw WorkflowHostError(.invalidRequest, "the plugin \(pluginPath) is \(record?.status.rawValue ?? "unreadable")\(why)",
                                 hint: "debug its loading first: `wfhost plugins debug \(pluginPath) --gdb` (without --tool)")
        }
        guard let registered = record.tools.first(where: { $0.name == tool || $0.qualifiedName == tool }) else {
            throw WorkflowHostError(.invalidRequest, "the plugin \(pluginPath) has no tool '\(tool)'",
                                 hint: "its tools: " + record.tools.map(\.name).joined(separator: ", "))
        }
        let given: JSONValue
        do {
            given = try JSONValue.parse(arguments ?? "{}")
        } catch {
            throw WorkflowHostError(.invalidRequest, "--args is not JSON: \(error)", hint: "pass a JSON object, e.g. --args '{\"name\":\"x\"}'")
        }
        let prepared: JSONValue
        switch ToolRunner.prepareArguments(given, for: registered) {
        case .success(let value): prepared = value
        case .failure(let failure): throw WorkflowHostError(.invalidRequest, failure.message, hint: failure.hint)
        }
        let workDirectory = try makeWorkDirectory("debug")
        let options = CallOptions()
        let sandbox = ToolRunner.sandbox(for: registered, workDirectory: workDirectory, enforce: options.sandbox,
                                         environment: options.environment, arguments: prepared)
        let key = WorkerKey(pluginPath: pluginPath, sandbox: sandbox, limits: options.limits.bounded())
        let request = CallRequest(tool: registered.name, arguments: prepared.serialized())
        let requestFile = debugDir + "/request.frames"
        do {
            try Data(Worker.requestFrame(request, callID: 1, workDirectory: workDirectory))
                .write(to: URL(fileURLWithPath: requestFile))
        } catch {
            throw WorkflowHostError(.environment, "cannot write \(requestFile): \(error.localizedDescription)")
        }
        let environment = Worker.scrubbedEnvironment(base: configuration.environment, workDirectory: workDirectory,
                                                     extra: sandbox.environment)
        return PluginDebugPlan(worker: scanner.workerPath,
                               arguments: Worker.serveArguments(key: key, hiddenPaths: configuration.maskedPaths),
                               environment: untied(environment), pluginPath: pluginPath, workDirectory: workDirectory,
                               requestFile: requestFile, eventsFile: debugDir + "/events.frames",
                               tool: registered.qualifiedName)
    }
}
