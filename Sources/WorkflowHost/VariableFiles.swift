import Foundation
import Schema
import Spec

extension WorkflowHost {
    /// The variables of a YAML or JSON file holding a mapping of names to values (`--var-file`), in file order.
    /// A file whose name ends in `.json` is read as JSON, any other as YAML.
    ///
    /// ```swift
    /// var options = RunOptions()
    /// for (name, value) in try WorkflowHost.readVariableFile("vars.yaml") { options.variables[name] = value }
    /// ```
    /// - Parameter path: the file; a name ending in `.json` is read as JSON.
    /// - Returns: the file's names and values, in file order.
    /// - Throws: `WorkflowHostError` with code `variableFileInvalid` (its `location` the file; for YAML, every
    ///   diagnostic with line and column) for a file that cannot be read, is not valid YAML or JSON, or holds
    ///   something other than a mapping.
    public static func readVariableFile(_ path: String) throws(WorkflowHostError) -> [(String, JSONValue)] {
        func invalid(_ message: String) -> WorkflowHostError {
            WorkflowHostError(.variableFileInvalid, message, location: path)
        }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw invalid("cannot read the variable file \(path): \(error.localizedDescription)")
        }
        let value: JSONValue
        if path.hasSuffix(".json") {
            do {
                value = try JSONValue.parse(bytes)
            } catch {
                throw invalid("\(path) is not valid JSON: \(error)")
            }
        } else {
            let loaded = YAMLLoader.load(bytes: bytes, file: path)
            guard let document = loaded.document, !loaded.diagnostics.containsErrors else {
                throw WorkflowHostError(.variableFileInvalid, rendering: loaded.diagnostics,
                                        summary: "the variable file \(path) is not valid YAML", location: path)
            }
            value = SpecValue.from(document.root, file: path).jsonValue
        }
        guard case .object(let object) = value else {
            throw invalid("the variable file \(path) must hold a mapping of names to values, not \(value.typeName)")
        }
        return object.members.map { ($0.key, $0.value) }
    }
}

/// A predefined workflow shipped with wfhost (`wfhost workflows list`).
public struct PredefinedWorkflow: Sendable {
    /// Its name (`wfhost run NAME`): the file's name without `.yaml`.
    public var name: String
    /// The file.
    public var file: String
    /// False when the file does not load (`wfhost validate NAME` says why); the fields below are then partial.
    public var isValid: Bool
    /// `metadata.description`.
    public var description: String?
    /// Nil when the file's structure could not be read.
    public var stageCount: Int?
    /// The names of its variables, in file order.
    public var variableNames: [String]
    /// The typed workflow as loaded without the registry (its variables with their values, its stages); nil when
    /// the file's structure could not be read.
    public var workflow: Workflow?
}

extension WorkflowHost {
    /// The predefined workflows in `directory` (see `predefinedWorkflowsDirectory`), sorted by name, each loaded
    /// without the registry.
    public static func predefinedWorkflows(in directory: String) -> [PredefinedWorkflow] {
        predefinedWorkflowNames(in: directory).map { name in
            let file = "\(directory)/\(name).yaml"
            let loaded = WorkflowLoader.load(path: file)
            return PredefinedWorkflow(name: name, file: file, isValid: loaded.isValid,
                                      description: loaded.workflow?.metadata.description,
                                      stageCount: loaded.workflow?.stages.count,
                                      variableNames: loaded.workflow?.variables.map(\.name) ?? [],
                                      workflow: loaded.workflow)
        }
    }
}
