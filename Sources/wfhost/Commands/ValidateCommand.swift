import ArgumentParser
import WorkflowHost
import Foundation

/// Options shared by the workflow commands: `--var` and `--no-registry`.
struct WorkflowOptions: ParsableArguments {
    @Option(name: .customLong("var"), help: ArgumentHelp(
        "A variable given on the command line; references to it count as defined. Repeatable.", valueName: "name=value"))
    var variables: [String] = []

    @Flag(help: "Do not check tool names and arguments against the plugin registry.")
    var noRegistry = false

    func validate() throws {
        for assignment in variables {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw ValidationError("--var takes name=value, as in --var registry=example.org (got '\(assignment)')")
            }
        }
    }

    /// The variable names given with `--var`.
    var variableNames: Set<String> {
        Set(variables.compactMap { assignment in assignment.firstIndex(of: "=").map { String(assignment[..<$0]) } })
    }

    /// What the workflow is checked against: the `--var` names and the registry unless `--no-registry`.
    func checks(useRegistry: Bool = true) -> WorkflowChecks {
        WorkflowChecks(externalVariables: variableNames, useRegistry: useRegistry && !noRegistry)
    }
}

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check workflow files and report every problem at once.",
        discussion: """
            Exits 0 when every file is valid (warnings allowed) and 2 when any is not. Stage names compare by \
            Unicode canonical equivalence: 'café' typed with a precomposed or a combining accent is one name.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var workflow: WorkflowOptions
    @Argument(help: "Workflow files, names of predefined workflows, or - for standard input.") var files: [String]
    @Flag(help: "Print a JSON document (same as --format json).") var json = false
    @Option(help: "Output format.") var format: ReportFormat = .text
    @Flag(help: "Also print where each argument of each call comes from (as `wfhost plan` does).") var bindings = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("Name at least one workflow file to validate.") }
    }

    func run() throws {
        let host = global.host()
        let reports = try runReportingHostErrors { try host.validate(files, checks: workflow.checks()) }
        switch json ? .json : format {
        case .json:
            printDocumentText(try runReportingHostErrors { try ValidationReport.jsonDocument(reports) })
        case .github:
            for report in reports {
                for diagnostic in report.diagnostics { print(diagnostic.githubAnnotation) }
            }
        case .text:
            for report in reports {
                for diagnostic in report.diagnostics { print(diagnostic.textDescription) }
                if bindings && !report.bindings.isEmpty { print(report.bindingsText) }
                print(report.summaryLine)
            }
        }
        if reports.contains(where: { !$0.isValid }) { throw Exit.invalidInput }
    }
}

/// Validates and plans one workflow argument (a file, a predefined workflow's name, or `-`) for `graph`,
/// `analyze` and `plan`: prints its diagnostics on stderr, and exits 2 unless it can be planned.
func plannedWorkflow(_ argument: String, global: GlobalOptions, checks: WorkflowChecks) throws -> PlannedWorkflow {
    let host = global.host()
    let planned = try runReportingHostErrors { try host.plan(argument, checks: checks) }
    for diagnostic in planned.report.diagnostics { printError(diagnostic.textDescription) }
    return planned
}
