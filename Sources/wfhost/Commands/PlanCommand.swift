import ArgumentParser
import WorkflowHost

/// `wfhost plan FILE`: where each argument of each call comes from.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print where each argument of each tool call comes from.",
        discussion: """
            For every call: each property of the tool's input schema and its source: args, a stage or workflow \
            variable, --var, the output of an upstream stage (nearest first), the schema's default, or nothing. \
            '*' marks a required property. Diagnostics go to stderr; an invalid file exits 2.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var workflow: WorkflowOptions
    @Argument(help: "A workflow file, the name of a predefined workflow, or - for standard input.") var file: String
    @Flag(help: "Print a JSON document.") var json = false

    func validate() throws {
        guard !workflow.noRegistry else {
            throw ValidationError("plan needs the plugin registry (the tools' schemas); remove --no-registry")
        }
    }

    func run() throws {
        let report = try plannedWorkflow(file, global: global, checks: workflow.checks()).report
        if json { printDocument(report.bindingsJSON) } else { print(report.bindingsText) }
    }
}
