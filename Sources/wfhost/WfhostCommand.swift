import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import WorkflowHost

/// The root command. Each subcommand lives in its own file under `Commands/`.
@main
struct WfhostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wfhost",
        abstract: "Run declarative workflows of plugin tools in isolated, supervised processes.",
        discussion: Exit.documentation,
        version: WorkflowHostInfo.versionLine,
        subcommands: [
            PluginsCommand.self,
            RunCommand.self,
            WorkflowsCommand.self,
            PlanCommand.self,
            ResumeCommand.self,
            SessionsCommand.self,
            StatusCommand.self,
            LogsCommand.self,
            PauseCommand.self,
            CancelCommand.self,
            RetryCommand.self,
            CheckpointCommand.self,
            MetricsCommand.self,
            CleanupCommand.self,
            ValidateCommand.self,
            GraphCommand.self,
            AnalyzeCommand.self,
            CallCommand.self,
            SchemaCommand.self,
            MCPCommand.self,
            DoctorCommand.self,
        ]
    )

    /// `wfhost --state-dir D sessions list` means `wfhost sessions list --state-dir D`: global options written
    /// before the subcommand are moved after it (before a `--`, if there is one), where each command reads them.
    static func moveGlobalOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if (a == "--state-dir" || a == "--plugin-path") && i + 1 < arguments.count {
                leading += [a, arguments[i + 1]]
                i += 2
            } else if a.hasPrefix("--state-dir=") || a.hasPrefix("--plugin-path=") {
                leading.append(a)
                i += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty else { return arguments }
        var rest = Array(arguments[i...])
        rest.insert(contentsOf: leading, at: rest.firstIndex(of: "--") ?? rest.endIndex)
        return rest
    }

    /// `error: unknown command 'rnu'` with a did-you-mean hint, when the first argument names no subcommand.
    static func unknownSubcommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = configuration.subcommands.map { $0._commandName } + ["help"]
        guard !names.contains(first) else { return nil }
        let list = "`wfhost --help` lists the commands"
        return "error: unknown command '\(first)'\n  hint: "
            + (Suggestions.closest(to: first, among: names).map { "did you mean '\($0)'? (\(list))" } ?? list)
    }

    /// Parses and runs, exiting with the code `Exit` maps the error to (argument-parser's usage code 64 is our 2).
    static func main() async {
        // A worker that dies closes its request pipe; the write then fails with EPIPE, which the supervisor
        // reports. The default SIGPIPE action would kill the host instead.
        signal(SIGPIPE, SIG_IGN)
        let arguments = moveGlobalOptions(Array(CommandLine.arguments.dropFirst()))
        if let unknown = unknownSubcommand(arguments) {
            printError(unknown)
            if JSONOutput.requested {
                print(JSONContract.text(JSONOutput.errorDocument(said: JSONOutput.state.said,
                                                                 exitCode: Exit.invalidInput.rawValue,
                                                                 code: JSONOutput.usageCode)))
            }
            Foundation.exit(Exit.invalidInput.rawValue)
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // An API error a command did not report itself is reported here, with its exit code (`Exit.forError`).
            let error = exitReporting(error)
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { printError(message) }
            let status = Exit.code(for: code)
            if JSONOutput.requested && !JSONOutput.state.hasDocument {
                // An API error kept its code; argument-parser's own errors (its 64) are usage errors.
                let errorCode = JSONOutput.state.code ?? (code.rawValue == 64 ? JSONOutput.usageCode : nil)
                print(JSONContract.text(JSONOutput.errorDocument(said: JSONOutput.state.said, exitCode: status,
                                                                 code: errorCode)))
            }
            Foundation.exit(status)
        }
    }
}
