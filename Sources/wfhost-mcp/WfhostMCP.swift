#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import MCP
import WorkflowHost

/// `wfhost-mcp`: the MCP server `wfhost mcp serve` execs (README.md, "MCP"). It serves over stdio until the client
/// closes stdin. `wfhost mcp serve` passes what it resolved in the environment: WFHOST_STATE_DIR, WFHOST_PLUGIN_PATH
/// (its whole plugin path), WFHOST_WORKFLOWS_DIR (the predefined workflows) and WFHOST_WORKER.
@main
enum WfhostMCP {
    static let usage = """
        usage: wfhost-mcp [--version | --help | client]
        The MCP server of wfhost, over stdio; start it with `wfhost mcp serve`.
        `client` is the MCP client of one workflow tool server, driven by wfhost over a pipe.
        """

    static func main() async {
        signal(SIGPIPE, SIG_IGN) // a closed pipe is an EPIPE error (a worker's, or the client's), not our death
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case nil:
            break
        case "--version": // not serving: stdout is ours
            print("wfhost-mcp \(WorkflowHostInfo.version) (plugin ABI \(WorkflowHostInfo.abiMajor).\(WorkflowHostInfo.abiMinor))")
            return
        case "client":
            await ClientMode.run()
        case "--help", "-h":
            print(usage)
            return
        case let other?:
            StandardStreams.printError("error: unknown argument '\(other)'\n" + usage)
            exit(2)
        }
        let environment = ProcessInfo.processInfo.environment
        let log = ServerLog(environment: environment)
        let output: CInt
        do {
            output = try StandardStreams.reserveStdoutForProtocol()
        } catch {
            log.error("cannot serve over stdio: \(error)")
            exit(3)
        }
        let configuration = HelperEnvironment.configuration(environment)
        let host = WorkflowHost(configuration: configuration)
        // The tool calls' workers and executor; the registry is read again for each request (`ToolCalls.refreshed`).
        let calls: ToolCalls
        do {
            calls = try host.toolCalls(snapshot: .empty) { log.notice($0) }
        } catch {
            log.error(error.description)
            exit(3)
        }
        let server = Server(
            name: "wfhost", version: WorkflowHostInfo.version, title: "wfhost",
            instructions: "wfhost runs tools of plugins, each call isolated in a sandboxed worker, and whole workflows of "
                + "them (wfhost_run) whose state it keeps: follow a run with wfhost_status, control it with wfhost_cancel, "
                + "wfhost_pause and wfhost_resume.",
            capabilities: .init(logging: .init(), tools: .init(listChanged: false)))
        let app = WfhostMCPServer(host: host, calls: calls, server: server, log: log,
                                  workflowsDirectory: HelperEnvironment.workflowsDirectory(environment))
        await app.register()
        let signals = SignalWatcher(log: log) { number in
            await app.activity.shutdown(reason: "the MCP server was stopped by signal \(number)")
            calls.shutdown()
            exit(128 + number)
        }
        do {
            let lines = LineTransport(input: STDIN_FILENO, output: output, logger: log.logger)
            // MCP tasks (2025-11-25), which the SDK does not implement, at the JSON-RPC level around the stdio lines.
            let transport = TaskTransport(wrapping: lines, logger: log.logger)
            await transport.attach(MCPTasks(app: app) { method, params in await transport.notify(method, params) })
            try await server.start(transport: transport) { client, _ in
                log.info("client \(client.name) \(client.version)")
            }
        } catch {
            log.error("cannot start the MCP server: \(error)")
            exit(3)
        }
        log.info("wfhost-mcp \(WorkflowHostInfo.version) serving over stdio; state directory \(configuration.stateDirectory); "
                 + "plugin path \(configuration.searchPath.directories.joined(separator: ":"))")
        await server.waitUntilCompleted()
        log.info("the client closed the connection; stopping")
        await app.activity.shutdown(reason: "the MCP client closed the connection")
        calls.shutdown()
        await server.stop()
        withExtendedLifetime(signals) {}
        exit(0)
    }
}

/// SIGTERM, SIGINT and SIGHUP stop the server cleanly: runs are cancelled (and can be resumed), workers stopped.
final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    init(log: ServerLog, onSignal: @escaping @Sendable (Int32) async -> Void) {
        sources = [SIGTERM, SIGINT, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                log.notice("stopping on signal \(number)")
                Task { await onSignal(number) }
            }
            source.resume()
            return source
        }
    }
}

/// What the helper reads from the environment `wfhost mcp serve` gives it.
enum HelperEnvironment {
    /// The install tree's root when this executable is `PREFIX/libexec/wfhost/wfhost-mcp`.
    static func installPrefix() -> String? {
        guard let dir = WorkflowHost.executableDirectory, dir.hasSuffix("/libexec/wfhost") else { return nil }
        return String(dir.dropLast("/libexec/wfhost".count))
    }

    /// The host's configuration: WFHOST_STATE_DIR and WFHOST_PLUGIN_PATH as `wfhost` reads them; when run straight
    /// from an install tree, its `lib/wfhost/plugins` is searched too (as `bin/wfhost` would search it).
    static func configuration(_ environment: [String: String]) -> HostConfiguration {
        var path = environment["WFHOST_PLUGIN_PATH"].map { [$0] } ?? []
        if let prefix = installPrefix() { path.append(prefix + "/lib/wfhost/plugins") }
        var configuration = HostConfiguration(pluginPath: path.isEmpty ? nil : path.joined(separator: ":"),
                                              environment: environment)
        if let prefix = installPrefix() { // `lib/wfhost/plugins` beside libexec/wfhost is not the install tree's
            let misplaced = URL(fileURLWithPath: prefix + "/libexec/lib/wfhost/plugins").standardizedFileURL.path
            configuration.searchPath.directories.removeAll { $0 == misplaced }
        }
        return configuration
    }

    /// WFHOST_WORKFLOWS_DIR, else the install tree's `share/wfhost/workflows`, else what `wfhost` finds.
    static func workflowsDirectory(_ environment: [String: String]) -> String? {
        if let dir = environment["WFHOST_WORKFLOWS_DIR"], !dir.isEmpty { return dir }
        if let prefix = installPrefix(), FileManager.default.fileExists(atPath: prefix + "/share/wfhost/workflows") {
            return prefix + "/share/wfhost/workflows"
        }
        return WorkflowHost.predefinedWorkflowsDirectory
    }
}
