import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import WorkflowHost

/// `wfhost mcp`: the Model Context Protocol server. The server itself is the `wfhost-mcp` helper, so that the MCP
/// SDK (and the libcurl its Foundation networking needs) stays out of `bin/wfhost` (README.md, "MCP").
struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve wfhost's tools and workflows to MCP clients.",
        subcommands: [Serve.self])

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve over stdio: every plugin tool, and tools that run and control workflows.",
            discussion: """
                stdout carries JSON-RPC only; logs go to stderr (WFHOST_MCP_LOG=debug for more). The server ends when \
                the client closes stdin, cancelling what still runs (`wfhost resume` continues a session). It is the \
                wfhost-mcp helper: beside this executable, in ../libexec/wfhost/, or WFHOST_MCP.
                """)

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let helper: String
            do {
                helper = try Self.helperPath(environment: environment)
            } catch {
                printError(error.description)
                throw Exit.environment
            }
            let host = global.host()
            var childEnvironment = environment
            childEnvironment["WFHOST_STATE_DIR"] = host.configuration.stateDirectory
            childEnvironment["WFHOST_PLUGIN_PATH"] = host.configuration.searchPath.directories.joined(separator: ":")
            if let dir = WorkflowHost.predefinedWorkflowsDirectory, environment["WFHOST_WORKFLOWS_DIR"] == nil {
                childEnvironment["WFHOST_WORKFLOWS_DIR"] = dir
            }
            if environment["WFHOST_WORKER"] == nil, let worker = WorkflowHost.workerPath(environment: environment) {
                childEnvironment["WFHOST_WORKER"] = worker // none found: the helper looks beside itself and says where
            }
            let argv = [helper]
            let envp = childEnvironment.map { "\($0.key)=\($0.value)" }
            let cArgv = argv.map { strdup($0) } + [nil]
            let cEnvp = envp.map { strdup($0) } + [nil]
            execve(helper, cArgv, cEnvp)
            let reason = String(cString: strerror(errno))
            printError("error: cannot start the MCP server \(helper): \(reason)\n  hint: reinstall wfhost with `make`")
            throw Exit.environment
        }

        struct HelperNotFound: Error, CustomStringConvertible {
            var searched: [String]
            var description: String {
                "error: cannot find the wfhost-mcp helper (looked at: \(searched.joined(separator: ", ")))\n"
                    + "  hint: reinstall wfhost with `make`, or set WFHOST_MCP to the helper's path"
            }
        }

        /// `$WFHOST_MCP`, else `wfhost-mcp` beside this executable (a build folder), else
        /// `../libexec/wfhost/wfhost-mcp` relative to it (the install tree), as the worker is found.
        static func helperPath(environment: [String: String]) throws(HelperNotFound) -> String {
            var candidates: [String] = []
            if let explicit = environment["WFHOST_MCP"], !explicit.isEmpty { candidates.append(explicit) }
            if let dir = WorkflowHost.executableDirectory {
                candidates.append(dir + "/wfhost-mcp")
                candidates.append(dir + "/../libexec/wfhost/wfhost-mcp")
            }
            for path in candidates where access(path, X_OK) == 0 { return path }
            throw HelperNotFound(searched: candidates)
        }
    }
}
