import ArgumentParser
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
            // Registered by the schema and workflow-language work (one line each):
            // SchemaCommand.self, ValidateCommand.self, GraphCommand.self, AnalyzeCommand.self,
        ]
    )
}
