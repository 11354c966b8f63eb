import ArgumentParser
import Foundation
import WorkflowHost

/// `wfhost workflows`: the predefined workflows shipped with wfhost.
struct WorkflowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflows",
        abstract: "List and show the predefined workflows (run one with `wfhost run NAME`).",
        subcommands: [ListWorkflows.self, ShowWorkflow.self])

    struct ListWorkflows: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the predefined workflows.")
        @Flag(help: "Print a JSON document (the workflows under \"workflows\").") var json = false

        func run() throws {
            let dir = try PredefinedWorkflows.directoryOrExit()
            let entries = WorkflowHost.predefinedWorkflows(in: dir)
            if json {
                printDocument(JSONContract.list("workflows", entries.map { entry -> JSONValue in
                    .object(["name": .string(entry.name), "file": .string(entry.file),
                             "description": entry.description.map(JSONValue.string) ?? .null,
                             "valid": .bool(entry.isValid), "stages": entry.stageCount.map { .int(Int64($0)) } ?? .null,
                             "variables": .array(entry.variableNames.map(JSONValue.string))])
                }, extra: ["directory": .string(dir)]))
                return
            }
            var rows = [["NAME", "STAGES", "DESCRIPTION"]]
            for entry in entries {
                let stages = entry.stageCount.map(String.init) ?? "?"
                let description = entry.isValid ? (entry.description ?? "") : "(invalid: `wfhost validate` says why)"
                rows.append([entry.name, stages, description])
            }
            print(TextTable.render(rows))
            print("(from \(dir))")
        }
    }

    struct ShowWorkflow: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a predefined workflow's YAML.")
        @Argument(help: "The workflow's name (see `wfhost workflows list`).") var name: String
        @Flag(help: "Print only the file's path.") var path = false

        func run() throws {
            let dir = try PredefinedWorkflows.directoryOrExit()
            guard let file = PredefinedWorkflows.file(named: name, in: dir) else {
                printError("error: no predefined workflow named '\(name)'")
                printError("  hint: `wfhost workflows list` shows them: \(PredefinedWorkflows.names(in: dir).joined(separator: ", "))")
                throw Exit.invalidInput
            }
            if path { print(file); return }
            do {
                print(try String(contentsOfFile: file, encoding: .utf8), terminator: "")
            } catch {
                printError("error: cannot read \(file): \(error.localizedDescription)")
                throw Exit.environment
            }
        }
    }
}

/// Where the predefined workflows live: `../share/wfhost/workflows` beside the executable in an install tree,
/// else the repository's `workflows/` folder above a build folder (`.build/debug/wfhost`).
enum PredefinedWorkflows {
    static func directoryOrExit() throws -> String {
        guard let dir = WorkflowHost.predefinedWorkflowsDirectory else {
            printError("error: the predefined workflows are not installed (looked in ../share/wfhost/workflows beside wfhost)")
            throw Exit.environment
        }
        return dir
    }

    static func names(in dir: String) -> [String] { WorkflowHost.predefinedWorkflowNames(in: dir) }

    static func file(named name: String, in dir: String) -> String? {
        guard !name.contains("/"), names(in: dir).contains(name) else { return nil }
        return "\(dir)/\(name).yaml"
    }

    /// `wfhost run NAME`: see `WorkflowHost.workflowPath`.
    static func resolve(_ argument: String) -> String { WorkflowHost.workflowPath(argument) }
}
