import ArgumentParser
import Foundation
import Plan
import WorkflowHost

/// Options every command accepts (ARCHITECTURE.md, "Interfaces users depend on").
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory for wfhost's state (env WFHOST_STATE_DIR).", valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("Colon-separated plugin directories searched first (env WFHOST_PLUGIN_PATH).",
                                            valueName: "dirs"))
    var pluginPath: String?

    func host() -> WorkflowHost {
        WorkflowHost(configuration: HostConfiguration(stateDirectory: stateDir, pluginPath: pluginPath))
    }
}

/// Output formats for reports.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, github
}

/// The exit codes wfhost promises (ARCHITECTURE.md): 0 success, 1 the work failed, 2 invalid input or usage,
/// 3 environment or internal error, 130 interrupted.
enum Exit {
    static let failed = ExitCode(1)
    static let invalidInput = ExitCode(2)
    static let environment = ExitCode(3)
    static let interrupted = ExitCode(130)
}

/// Writes a line to standard error (diagnostics and progress never go to stdout).
func printError(_ text: String) {
    writeStandardError(text + "\n")
}

/// Writes text to standard error. A closed or full stderr drops the text: it must never stop a run.
func writeStandardError(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
}

/// Runs a command body, turning environment errors into their message and exit code 3.
func runReportingHostErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as HostError {
        printError("wfhost: \(error)")
        throw Exit.environment
    } catch let error as InvalidRequest {
        printError(error.description)
        throw Exit.invalidInput
    } catch let invalid as WorkflowInvalid {
        for d in invalid.report.diagnostics { printError(d.textDescription) }
        printError(invalid.report.summaryLine)
        throw Exit.invalidInput
    }
}
