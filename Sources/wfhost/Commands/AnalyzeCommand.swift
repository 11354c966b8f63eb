import ArgumentParser
import WorkflowHost

extension CriticalPathWeighting: ExpressibleByArgument {}

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Report a workflow's levels, critical path, complexity and optimization suggestions.",
        discussion: """
            The critical path is weighted by timeout when every stage has one, otherwise by weight; --weight \
            chooses. Suggestions name only what is true of the file as written.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var workflow: WorkflowOptions
    @Argument(help: "A workflow file, the name of a predefined workflow, or - for standard input.") var file: String
    @Option(help: "What weights the critical path.") var weight: CriticalPathWeighting?
    @Flag(help: "Print a JSON document.") var json = false

    func run() throws {
        let analysis = try plannedWorkflow(file, global: global, checks: workflow.checks()).analysis(weighting: weight)
        if json {
            printDocumentText(try runReportingHostErrors { try analysis.jsonText() })
        } else {
            print(analysis.text(file: file))
        }
    }
}
