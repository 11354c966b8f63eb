import ArgumentParser
import WorkflowHost

extension GraphFormat: ExpressibleByArgument {}

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print a workflow's dependency graph as DOT, Mermaid or JSON.",
        discussion: "The critical path (by weight) is highlighted. An invalid file prints its diagnostics and exits 2.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var workflow: WorkflowOptions
    @Argument(help: "A workflow file, the name of a predefined workflow, or - for standard input.") var file: String
    @Option(help: "Output format.") var format: GraphFormat = .dot

    func run() throws {
        // Drawing needs only the file: tool names are not looked up.
        let planned = try plannedWorkflow(file, global: global, checks: workflow.checks(useRegistry: false))
        let text = try runReportingHostErrors { try planned.graph(format) }
        if format == .json { printDocumentText(text) } else { print(text, terminator: "") }
    }
}
