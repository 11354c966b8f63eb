import Foundation
import Plan
import Registry
import Spec

/// What a workflow is checked against: names given from outside (`--var`, `--secret`) and, unless turned off,
/// the plugin registry (tool names, argument schemas, where each argument comes from).
public struct WorkflowChecks: Sendable {
    /// Variables given from outside the file; references to them count as defined.
    public var externalVariables: Set<String>
    /// Checks tool names and arguments against the plugin registry (`--no-registry` turns it off).
    public var useRegistry: Bool

    /// - Parameters:
    ///   - externalVariables: names given from outside the file (`--var`, `--secret`).
    ///   - useRegistry: whether tool names and arguments are checked against the registry.
    public init(externalVariables: Set<String> = [], useRegistry: Bool = true) {
        self.externalVariables = externalVariables
        self.useRegistry = useRegistry
    }
}

extension WorkflowHost {
    /// Validates workflows as `wfhost validate` does, every problem of each at once.
    ///
    /// ```swift
    /// let reports = try host.validate(["examples/hello.yaml"], checks: WorkflowChecks(externalVariables: ["name"]))
    /// for d in reports.flatMap(\.diagnostics) { print(d.textDescription) }
    /// ```
    /// - Parameters:
    ///   - workflows: each a file, the name of a predefined workflow (`wfhost workflows list`), or `-` for
    ///     standard input (named `<stdin>` in diagnostics).
    ///   - checks: what to check besides the file itself (the registry, variables passed from outside).
    /// - Returns: one report per argument, in order; a file that cannot be read is a report with its error.
    /// - Throws: `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) when `checks.useRegistry` and the registry cannot be read or updated.
    public func validate(_ workflows: [String], checks: WorkflowChecks = WorkflowChecks()) throws(WorkflowHostError)
        -> [ValidationReport] {
        let options = try loadOptions(checks)
        return workflows.map { Self.validate(argument: $0, options: options) }
    }

    /// The load options `checks` describe: the registry's catalog unless `useRegistry` is false.
    func loadOptions(_ checks: WorkflowChecks) throws(WorkflowHostError) -> LoadOptions {
        let catalog: (any ToolCatalog)? = checks.useRegistry ? try toolCatalog() : nil
        return LoadOptions(externalVariables: checks.externalVariables, catalog: catalog)
    }

    /// Validates one workflow argument: a file, a predefined workflow's name, or `-` for standard input.
    static func validate(argument: String, options: LoadOptions) -> ValidationReport {
        if argument == "-" {
            return WorkflowValidator.validate(bytes: Array(FileHandle.standardInput.readDataToEndOfFile()),
                                              file: "<stdin>", options: options)
        }
        return WorkflowValidator.validate(path: workflowPath(argument), options: options)
    }
}

extension ValidationReport {
    /// The reports as `wfhost validate --json` prints them: one document with every file's diagnostics.
    /// - Throws: `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) if the document cannot be encoded (a number JSON cannot hold).
    public static func jsonDocument(_ reports: [ValidationReport]) throws(WorkflowHostError) -> String {
        JSONContract.text(JSONContract.document(
            try JSONContract.encoded(ValidationDocument(reports: reports), what: "the validation report",
                                     snakeCaseValues: ["code"])))
    }

    /// Where each argument of each call comes from, as `wfhost plan` prints it (empty without the registry).
    public var bindingsText: String { Bindings.render(bindings) }
}
