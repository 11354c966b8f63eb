import Registry
import SQLite
import Spec
import Store

/// The one error every throwing function of the WorkflowHost API throws: a ``Code`` saying which kind of problem
/// it is, a sentence saying what went wrong and where (``message``), what to do about it (``hint``), and, where the
/// problem has a place, the file (``location``) and every diagnostic (``diagnostics``, ``report``).
///
/// ```swift
/// do {
///     let result = try await host.execute(workflow: "examples/hello.yaml")
///     print(result.status.rawValue)
/// } catch {
///     print(error)                       // error: no workflow file 'examples/hello.yaml' ... hint: ...
///     if error.code == .workflowInvalid {
///         for d in error.diagnostics { print(d.textDescription) } // file:line:column: error: ...
///     }
/// }
/// ```
///
/// Errors of the modules below WorkflowHost (the store, the registry, the loaders, the workers) are converted at
/// the API's boundary: a caller sees no other error type. `wfhost` maps each code to its exit code in one function
/// (`Exit.forError` in `Sources/wfhost/Commands/GlobalOptions.swift`; the Errors article of the DocC catalog lists
/// them), and `--json` error documents carry the code as `code`.
public struct WorkflowHostError: Error, CustomStringConvertible, Sendable {
    /// Which kind of problem an error is. A struct with static members rather than an enum, so that adding a code
    /// breaks no caller's `switch`; the raw values are snake_case and stable (the `code` of `--json` errors).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code's snake_case word, as `--json` error documents carry it (`invalid_request`).
        public let rawValue: String
        /// A code by its raw value (a code this version does not define is kept as it is).
        /// - Parameter rawValue: the snake_case word, e.g. `invalid_request`.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The raw value, so that a code prints as `--json` writes it.
        public var description: String { rawValue }

        // MARK: What was asked (wfhost exits 2)

        /// A request the host cannot honour as asked: an unknown session, stage, checkpoint, plugin or tool, a
        /// session in the wrong state for the action, arguments that are not valid.
        public static let invalidRequest = Code(rawValue: "invalid_request")
        /// A file the request names cannot be used as input: it does not exist, is a directory, cannot be read
        /// or is not UTF-8 text. ``WorkflowHostError/location`` is the file.
        public static let fileUnreadable = Code(rawValue: "file_unreadable")
        /// A workflow (a file, a document, a `CustomWorkflow`, error routes added in code) has errors:
        /// ``WorkflowHostError/diagnostics`` holds every one, ``WorkflowHostError/report`` the whole report.
        public static let workflowInvalid = Code(rawValue: "workflow_invalid")
        /// A variable file (`--var-file`) cannot be read, is not valid YAML or JSON, or is not a mapping.
        public static let variableFileInvalid = Code(rawValue: "variable_file_invalid")
        /// A secret source (`--secret`, `--secret-file`) cannot be used: a value on the command line, an unset
        /// variable, a malformed file line, a value too short to mask. The message never holds a secret.
        public static let secretInvalid = Code(rawValue: "secret_invalid")
        /// A plugin project (`plugins new`) cannot be written as asked: an invalid name, a directory in the way.
        public static let pluginProjectInvalid = Code(rawValue: "plugin_project_invalid")

        // MARK: The host and its state (wfhost exits 3)

        /// The state directory or database cannot be created, opened, read or written, or SQLite reports it
        /// damaged.
        public static let stateUnavailable = Code(rawValue: "state_unavailable")
        /// The state database holds a value this version of wfhost does not know (a newer one wrote it, or the
        /// file is damaged).
        public static let storedValueUnknown = Code(rawValue: "stored_value_unknown")
        /// The plugin registry cannot be prepared or brought up to date with the plugin path.
        public static let registryUnavailable = Code(rawValue: "registry_unavailable")
        /// The user-level tool servers file (`~/.config/wfhost/servers.yaml`) has errors: every diagnostic.
        public static let toolServersFileInvalid = Code(rawValue: "tool_servers_file_invalid")
        /// The worker executable (`wfhost-worker`) is missing or cannot run on this machine.
        public static let workerUnavailable = Code(rawValue: "worker_unavailable")
        /// Something else of the machine is missing or unusable: a work directory that cannot be created, the
        /// trust file, gdb, the SDK beside this wfhost, a file that cannot be written.
        public static let environment = Code(rawValue: "environment")
        /// A document wfhost builds cannot be encoded (a number JSON cannot hold): a bug to report.
        public static let internalError = Code(rawValue: "internal_error")

        /// Every code the API throws, in the order the Errors article lists them.
        public static let all: [Code] = [
            .invalidRequest, .fileUnreadable, .workflowInvalid, .variableFileInvalid, .secretInvalid,
            .pluginProjectInvalid, .toolServersFileInvalid, .stateUnavailable, .storedValueUnknown,
            .registryUnavailable, .workerUnavailable, .environment, .internalError,
        ]

    }

    /// Which kind of problem this is.
    public var code: Code
    /// What went wrong, and where, in one sentence (for ``Code/workflowInvalid``, a summary such as
    /// `flow.yaml: 2 errors`; the diagnostics say the rest).
    public var message: String
    /// What to do about it, when there is something to say.
    public var hint: String?
    /// The file the error is about (a workflow, a variable or secret file, the state database), when there is one.
    public var location: String?
    /// Every diagnostic with its file, line and column: the workflow's for ``Code/workflowInvalid``, the YAML
    /// loader's for a variable file, the servers file's for ``Code/toolServersFileInvalid``; empty otherwise.
    public var diagnostics: [Diagnostic]
    /// The whole validation report of an invalid workflow (its summary line, warnings and plan); nil for other
    /// codes.
    public var report: ValidationReport?
    /// How ``description`` renders: the diagnostics' lines instead of `error: MESSAGE`.
    var rendersDiagnostics = false

    /// An error with `code`, `message` and an optional `hint` and `location`.
    /// - Parameters:
    ///   - code: which kind of problem it is.
    ///   - message: what went wrong and where, one sentence without the `error:` prefix.
    ///   - hint: what to do about it; nil when there is nothing to say.
    ///   - location: the file the error is about; nil for none.
    ///   - diagnostics: the diagnostics behind the error, each with its place; empty for none.
    public init(_ code: Code, _ message: String, hint: String? = nil, location: String? = nil,
                diagnostics: [Diagnostic] = []) {
        self.code = code
        self.message = message
        self.hint = hint
        self.location = location
        self.diagnostics = diagnostics
        self.report = nil
    }

    /// The error of a workflow that has errors: every diagnostic of `report`.
    /// - Parameter report: a report whose `isValid` is false; its summary line is the message and its file the
    ///   location.
    public init(workflowInvalid report: ValidationReport) {
        self.code = .workflowInvalid
        self.message = report.summaryLine
        self.hint = nil
        self.location = report.file
        self.diagnostics = report.diagnostics
        self.report = report
        self.rendersDiagnostics = true
    }

    /// An error whose text is its diagnostics' lines (a variable file's YAML errors).
    init(_ code: Code, rendering diagnostics: [Diagnostic], summary: String, location: String) {
        self.init(code, summary, location: location, diagnostics: diagnostics)
        rendersDiagnostics = true
    }

    /// As wfhost prints it: `error: MESSAGE` and an indented `hint:` line; for an invalid workflow (and a
    /// variable file's YAML errors), one `file:line:column: error: ...` line per diagnostic.
    public var description: String {
        if rendersDiagnostics && !diagnostics.isEmpty {
            return diagnostics.map(\.textDescription).joined(separator: "\n")
        }
        return "error: \(message)" + (hint.map { "\n  hint: \($0)" } ?? "")
    }
}

extension WorkflowHostError {
    /// The error of a lower module's failure at the API's boundary: a `WorkflowHostError` as it is, a stored value
    /// this version does not know as ``Code/storedValueUnknown``, an SQLite error as ``Code/stateUnavailable``
    /// with `action` ("read session X") and the database's path, anything else as `fallback`.
    static func converting(_ error: any Error, action: String, database: String,
                           fallback: Code = .stateUnavailable) -> WorkflowHostError {
        switch error {
        case let error as WorkflowHostError:
            return error
        case let unknown as StoredValueError:
            return WorkflowHostError(.storedValueUnknown, unknown.description, location: database)
        case let sqlite as SQLiteError:
            return WorkflowHostError(.stateUnavailable, "cannot \(action) in \(database): \(sqlite)",
                                     hint: "another wfhost may hold the database for a long time (try again); check the "
                                         + "file system's free space and the file's permissions",
                                     location: database)
        default:
            return WorkflowHostError(fallback, "cannot \(action) in \(database): \(error)", location: database)
        }
    }
}

extension WorkflowHost {
    /// Runs `body`, converting whatever it throws at the API's boundary (``WorkflowHostError/converting``): the
    /// store's errors name `action` and the state database.
    func boundary<T>(_ action: String, _ body: () throws -> T) throws(WorkflowHostError) -> T {
        do {
            return try body()
        } catch {
            throw WorkflowHostError.converting(error, action: action, database: configuration.databasePath)
        }
    }
}
