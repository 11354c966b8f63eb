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
        version: WorkflowHostInfo.versionLine,
        subcommands: [
            PluginsCommand.self,
            RunCommand.self,
            WorkflowsCommand.self,
            ResumeCommand.self,
            SessionsCommand.self,
            StatusCommand.self,
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
            BenchCommand.self,
        ]
    )

    /// Parses and runs, mapping argument-parser's usage exit code (64) to ours (2, invalid input or usage).
    static func main() async {
        // A worker that dies closes its request pipe; the write then fails with EPIPE, which the supervisor
        // reports. The default SIGPIPE action would kill the host instead.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { printError(message) }
            Foundation.exit(code.rawValue == 64 ? 2 : code.rawValue)
        }
    }
}
