import ArgumentParser
import Foundation
import Plan
import Spec

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

    /// Load options with the registry's catalog unless `--no-registry`.
    func loadOptions(global: GlobalOptions, useRegistry: Bool = true) throws -> LoadOptions {
        let catalog = (noRegistry || !useRegistry) ? nil : try makeToolCatalog(global: global)
        return LoadOptions(externalVariables: variableNames, catalog: catalog)
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
        let options = try workflow.loadOptions(global: global)
        let reports = files.map { validateWorkflowArgument($0, options: options) }
        switch json ? .json : format {
        case .json:
            print(try JSONText.encode(ValidationDocument(reports: reports)))
        case .github:
            for report in reports {
                for diagnostic in report.diagnostics { print(diagnostic.githubAnnotation) }
            }
        case .text:
            for report in reports {
                for diagnostic in report.diagnostics { print(diagnostic.textDescription) }
                if bindings && !report.bindings.isEmpty { print(Bindings.render(report.bindings)) }
                print(report.summaryLine)
            }
        }
        if reports.contains(where: { !$0.isValid }) { throw Exit.invalidInput }
    }
}

/// Validates a workflow argument as `run` takes it: a file, the name of a predefined workflow
/// (`wfhost workflows list`), or `-` for standard input (named `<stdin>` in diagnostics).
func validateWorkflowArgument(_ argument: String, options: LoadOptions) -> ValidationReport {
    if argument == "-" {
        return WorkflowValidator.validate(bytes: Array(FileHandle.standardInput.readDataToEndOfFile()), file: "<stdin>",
                                          options: options)
    }
    return WorkflowValidator.validate(path: PredefinedWorkflows.resolve(argument), options: options)
}

/// Validates one workflow argument (see `validateWorkflowArgument`) for `graph` and `analyze`: prints its
/// diagnostics on stderr, and exits 2 unless it can be planned.
func validatedPlan(path: String, options: LoadOptions) throws -> (ValidationReport, Workflow, ExecutionPlan) {
    let report = validateWorkflowArgument(path, options: options)
    for diagnostic in report.diagnostics { printError(diagnostic.textDescription) }
    guard report.isValid, let workflow = report.workflow, let plan = report.plan else {
        printError(report.summaryLine)
        throw Exit.invalidInput
    }
    return (report, workflow, plan)
}
