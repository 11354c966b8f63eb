import ArgumentParser
import Foundation
import WorkflowHost

/// Options every command accepts (ARCHITECTURE.md, "Interfaces users depend on").
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory for wfhost's state (env WFHOST_STATE_DIR).", valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("Colon-separated plugin directories searched first (env WFHOST_PLUGIN_PATH).",
                                            valueName: "dirs"))
    var pluginPath: String?

    @Flag(help: "Load only plugin files that `wfhost plugins trust` recorded (env WFHOST_REQUIRE_TRUSTED=1).")
    var requireTrusted = false

    func host() -> WorkflowHost {
        var configuration = HostConfiguration(stateDirectory: stateDir, pluginPath: pluginPath)
        configuration.requireTrusted = configuration.requireTrusted || requireTrusted
        return WorkflowHost(configuration: configuration)
    }
}

/// Output formats for reports.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, github
}

/// The exit codes wfhost promises, and the one place that maps an outcome or an error to one: every command throws
/// these (or asks the functions below) and `WfhostCommand.main` exits with `code(for:)`.
enum Exit {
    static let success = ExitCode(0)
    /// The work ran and failed (a workflow, a call, a plugin that does not validate, a failed session).
    static let failed = ExitCode(1)
    /// Invalid input or usage: a missing file, a bad workflow, arguments or options, an unknown session.
    static let invalidInput = ExitCode(2)
    /// Environment or internal error, including a requested report that could not be written and a state
    /// database that was removed, replaced or damaged.
    static let environment = ExitCode(3)
    /// The run stopped because an operator paused it (`wfhost pause`); `wfhost resume` continues it.
    static let paused = ExitCode(4)
    /// Stopped by SIGINT (Ctrl-C).
    static let interrupted = ExitCode(130)
    /// Stopped by SIGTERM.
    static let terminated = ExitCode(143)

    /// The exit-code paragraph of the root help and of `run`'s help (README.md says the same).
    static let documentation = """
        Exit codes: 0 success; 1 the work ran and failed; 2 invalid input or usage (a missing file, a bad \
        workflow, option or session id); 3 environment or internal error (also a --junit report that could not be \
        written, and a state database that was removed, replaced or damaged); 4 the run was paused by `wfhost pause` (`wfhost resume` continues it); 128+N stopped by signal N: \
        130 SIGINT (Ctrl-C), 143 SIGTERM, 129 SIGHUP (each cancels running calls and still writes the summary and \
        reports).
        """

    /// A run stopped by `signal` (SIGINT, SIGTERM, SIGHUP): 128 + its number, as shells report it.
    static func forSignal(_ signal: Int32) -> ExitCode { ExitCode(128 + signal) }

    /// How a run (`run`, `resume`, `retry`) ended: a state database that was removed or replaced under it first
    /// (whatever else happened, its record is lost), then a signal, then a report that could not be written, then
    /// the session's status (0 succeeded, 4 paused, 1 anything else: failed, cancelled).
    static func forRun(_ status: SessionStatus, signal: Int32?, reportUnwritten: Bool, storeLost: Bool = false) -> ExitCode {
        if storeLost { return environment }
        if let signal { return forSignal(signal) }
        if reportUnwritten { return environment }
        switch status {
        case .succeeded: return success
        case .paused: return paused
        case .failed, .cancelled, .interrupted, .pending, .running: return failed
        }
    }

    /// `status --exit-status`: 1 for a failed session, 0 otherwise.
    static func forStatus(_ status: SessionStatus) -> ExitCode {
        status == .failed ? failed : success
    }

    /// `plugins validate`: a named path that does not exist is invalid input (2), like any missing file; else 1
    /// when a plugin is not valid.
    static func forPluginValidation(missingPaths: Bool, invalidPlugins: Bool) -> ExitCode {
        missingPaths ? invalidInput : invalidPlugins ? failed : success
    }

    /// The exit code of an error of the WorkflowHost API, by its code: the one place that maps them (the DocC
    /// article "Errors" and README "Exit codes" say the same; `ErrorCodeExitTests` holds the table). A code this
    /// CLI does not know yet is a host problem (3).
    static func forError(_ code: WorkflowHostError.Code) -> ExitCode {
        switch code {
        case .invalidRequest, .fileUnreadable, .workflowInvalid, .variableFileInvalid, .secretInvalid,
             .pluginProjectInvalid, .toolServersFileInvalid:
            return invalidInput
        case .stateUnavailable, .storedValueUnknown, .registryUnavailable, .workerUnavailable,
             .environment, .internalError:
            return environment
        default:
            return environment
        }
    }

    /// The process exit status for an error that ended a command: ours as they are; argument-parser's usage
    /// errors (its 64) are invalid input (2).
    static func code(for exitCode: ExitCode) -> Int32 {
        exitCode.rawValue == 64 ? invalidInput.rawValue : exitCode.rawValue
    }
}

/// Writes a line to standard error (diagnostics and progress never go to stdout). Under `--json` the line is also
/// kept, so that a command that ends without its document can say why on stdout (`JSONOutput.errorDocument`).
func printError(_ text: String) {
    if JSONOutput.requested { JSONOutput.state.keep(text) }
    writeStandardError(text + "\n")
}

/// Prints `value` on stdout as a document of the JSON contract (an object gets `format_version` first; one
/// serializer).
func printDocument(_ value: JSONValue) {
    JSONOutput.state.printed()
    print(JSONContract.text(JSONContract.document(value)))
}

/// Prints a document's text that the API already serialized (`ValidationReport.jsonDocument`, ...).
func printDocumentText(_ text: String) {
    JSONOutput.state.printed()
    print(text)
}

/// `--json` (or `--format json`) on the command line: documents on stdout, and errors as documents too.
enum JSONOutput {
    /// Whether this process's command line asks for JSON (read once).
    static let requested: Bool = isRequested(Array(CommandLine.arguments.dropFirst()))

    static let state = State()

    /// `--json`, `--format json` or `--format=json` before any `--`.
    static func isRequested(_ arguments: [String]) -> Bool {
        let options = arguments.prefix { $0 != "--" }
        for (i, a) in options.enumerated() {
            if a == "--json" || a == "--format=json" { return true }
            if a == "--format", i + 1 < options.count, options[options.startIndex + i + 1] == "json" { return true }
        }
        return false
    }

    /// What was said on stderr and whether a document was printed.
    final class State: @unchecked Sendable {
        // @unchecked: guarded by `lock`.
        private let lock = NSLock()
        private var lines: [String] = []
        private var documentPrinted = false
        private var errorCode: String?

        func keep(_ text: String) {
            lock.withLock { lines += text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
        }
        func printed() { lock.withLock { documentPrinted = true } }
        /// Keeps the code of the API error that ends the command, for the error document (the first one wins).
        func keep(code: WorkflowHostError.Code) { lock.withLock { if errorCode == nil { errorCode = code.rawValue } } }
        var code: String? { lock.withLock { errorCode } }
        var hasDocument: Bool { lock.withLock { documentPrinted } }
        var said: [String] { lock.withLock { lines } }
    }

    /// The `code` of a usage error that argument-parser or the command line itself found (not an API error).
    static let usageCode = "usage"

    /// The error document for a command that ends with `exitCode` without having printed its document: the first
    /// error line it said (else its last line), the hint that follows it, the API error's code (`usage` for a
    /// usage error, null when the command failed otherwise), and the exit code.
    static func errorDocument(said lines: [String], exitCode: Int32, code: String?) -> JSONValue {
        func isHint(_ line: String) -> Bool {
            let t = line.trimmingCharacters(in: .whitespaces).lowercased()
            return t.hasPrefix("hint:") || t.hasPrefix("help:") || t.hasPrefix("usage:")
        }
        func isError(_ line: String) -> Bool {
            let t = line.lowercased()
            return t.hasPrefix("error:") || t.hasPrefix("wfhost: error:") || t.contains(": error: ")
        }
        let index = lines.firstIndex(where: isError) ?? lines.lastIndex { !isHint($0) }
        guard let index else {
            return JSONContract.error("wfhost stopped with exit code \(exitCode)", hint: nil, code: code, exitCode: exitCode)
        }
        var message = lines[index]
        for prefix in ["wfhost: ", "error: ", "Error: "] where message.hasPrefix(prefix) {
            message.removeFirst(prefix.count)
        }
        var hint: String?
        if index + 1 < lines.count, isHint(lines[index + 1]) {
            let h = lines[index + 1].trimmingCharacters(in: .whitespaces)
            hint = String(h[h.index(after: h.firstIndex(of: ":") ?? h.startIndex)...]).trimmingCharacters(in: .whitespaces)
        }
        return JSONContract.error(message, hint: hint, code: code, exitCode: exitCode)
    }
}

/// Writes text to standard error, clearing the live progress line first if one is shown. A closed or full stderr
/// drops the text: it must never stop a run.
func writeStandardError(_ text: String) {
    LiveLine.shared.write(text)
}

/// The one live line on a terminal's stderr (`ProgressDisplay`): every other write to stderr clears it first, so that
/// no message (the Ctrl-C notice included) lands on it; the display draws it again at its next update.
final class LiveLine: @unchecked Sendable {
    // @unchecked: `shown` and the writes are serialized by `lock`.
    static let shared = LiveLine()
    private let lock = NSLock()
    private var shown = false

    /// Writes `text` below a cleared line.
    func write(_ text: String) {
        lock.withLock {
            if shown {
                Self.raw("\r\u{1B}[2K")
                shown = false
            }
            Self.raw(text)
        }
    }

    /// Replaces the live line with `line` (which must fit the terminal's width).
    func show(_ line: String) {
        lock.withLock {
            Self.raw("\r\u{1B}[2K" + line)
            shown = true
        }
    }

    /// Clears the live line, if shown.
    func clear() {
        lock.withLock {
            if shown { Self.raw("\r\u{1B}[2K") }
            shown = false
        }
    }

    var isShown: Bool { lock.withLock { shown } }

    private static func raw(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }
}

/// Runs a command body; an error of the WorkflowHost API is printed and becomes its exit code (`report`).
func runReportingHostErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw exitReporting(error)
    }
}

/// `runReportingHostErrors` for an async body.
func runReportingHostErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw exitReporting(error)
    }
}

/// Prints what an error of the API says and returns the exit code it means; other errors (our `ExitCode`s,
/// argument-parser's) pass through unchanged.
func exitReporting(_ error: any Error) -> any Error {
    guard let error = error as? WorkflowHostError else { return error }
    return report(error)
}

/// Prints an error of the API on stderr as wfhost always has, keeps its code for the `--json` error document, and
/// returns its exit code (`Exit.forError`):
/// - an invalid workflow: one `file:line:column: error: ...` line per diagnostic, then the summary line (without it
///   when `summary` is false: the dry run's form);
/// - a problem of the host or its state (exit code 3): `wfhost: error: MESSAGE` and its hint;
/// - anything else: `error: MESSAGE` and its hint (a variable file's YAML errors: its diagnostics' lines).
func report(_ error: WorkflowHostError, summary: Bool = true) -> ExitCode {
    JSONOutput.state.keep(code: error.code)
    let exit = Exit.forError(error.code)
    if error.code == .workflowInvalid {
        for d in error.diagnostics { printError(d.textDescription) }
        if summary { printError(error.report?.summaryLine ?? error.message) }
    } else if exit == Exit.environment {
        printError("wfhost: \(error)")
    } else {
        printError(error.description)
    }
    return exit
}
