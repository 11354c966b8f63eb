import Foundation
import Schema
import Spec

/// A variable file that cannot be used (`--var-file`, exit code 2): every line of what is wrong, each with the
/// file and, for YAML, the line and column.
public struct InvalidVariableFile: Error, Sendable, CustomStringConvertible {
    public var file: String
    /// One line per problem, as printed.
    public var lines: [String]
    public var description: String { lines.joined(separator: "\n") }
}

extension WorkflowHost {
    /// The variables of a YAML or JSON file holding a mapping of names to values (`--var-file`), in file order.
    /// A file whose name ends in `.json` is read as JSON, any other as YAML.
    ///
    /// ```swift
    /// var options = RunOptions()
    /// for (name, value) in try WorkflowHost.readVariableFile("vars.yaml") { options.variables[name] = value }
    /// ```
    /// - Throws: `InvalidVariableFile` for a file that cannot be read, is not valid YAML or JSON, or holds
    ///   something other than a mapping.
    public static func readVariableFile(_ path: String) throws(InvalidVariableFile) -> [(String, JSONValue)] {
        func invalid(_ lines: [String]) -> InvalidVariableFile { InvalidVariableFile(file: path, lines: lines) }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw invalid(["error: cannot read the variable file \(path): \(error.localizedDescription)"])
        }
        let value: JSONValue
        if path.hasSuffix(".json") {
            do {
                value = try JSONValue.parse(bytes)
            } catch {
                throw invalid(["\(path): error: not valid JSON: \(error)"])
            }
        } else {
            let loaded = YAMLLoader.load(bytes: bytes, file: path)
            guard let document = loaded.document, !loaded.diagnostics.containsErrors else {
                throw invalid(loaded.diagnostics.map(\.textDescription))
            }
            value = SpecValue.from(document.root, file: path).jsonValue
        }
        guard case .object(let object) = value else {
            throw invalid(["\(path): error: a variable file must hold a mapping of names to values, not \(value.typeName)"])
        }
        return object.members.map { ($0.key, $0.value) }
    }
}

/// A predefined workflow shipped with wfhost (`wfhost workflows list`).
public struct PredefinedWorkflow: Sendable {
    public var name: String
    public var file: String
    /// False when the file does not load (`wfhost validate NAME` says why); the fields below are then partial.
    public var isValid: Bool
    public var description: String?
    /// Nil when the file's structure could not be read.
    public var stageCount: Int?
    public var variableNames: [String]
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
                                      variableNames: loaded.workflow?.variables.map(\.name) ?? [])
        }
    }
}
