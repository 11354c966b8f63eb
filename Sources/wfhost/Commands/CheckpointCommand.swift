import ArgumentParser
import Foundation
import WorkflowHost

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Create, list and restore a session's checkpoints.",
        subcommands: [Create.self, List.self, Restore.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Save the session's current stage states.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The session id.") var session: String
        @Option(help: "The checkpoint's name.") var name: String
        @Option(help: "A description.") var description: String?
        @Flag(help: "Print a JSON document.") var json = false
        func run() throws {
            let cp = try runReportingHostErrors { try global.host().createCheckpoint(session, name: name, description: description) }
            if json { printDocument(["session_id": .string(session), "checkpoint_id": .int(Int64(cp.id)), "name": .string(cp.name)]); return }
            print("checkpoint \(cp.id) '\(cp.name)' saved (\(cp.stages.filter { $0.status.isTerminal }.count) finished stages)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the session's checkpoints.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The session id.") var session: String
        @Flag(help: "Print a JSON document.") var json = false
        func run() throws {
            let all = try runReportingHostErrors { try global.host().checkpoints(session) }
            if json {
                printDocument(JSONContract.list("checkpoints", all.map { cp in
                    .object(["checkpoint_id": .int(Int64(cp.id)), "name": .string(cp.name),
                             "description": cp.description.map(JSONValue.string) ?? .null, "automatic": .bool(cp.automatic),
                             "created_at": .double(cp.createdAt),
                             "finished_stages": .array(cp.stages.filter { $0.status.isTerminal }.map { .string($0.stage) })])
                }, extra: ["session_id": .string(session)]))
                return
            }
            var rows = [["ID", "NAME", "KIND", "CREATED", "FINISHED STAGES"]]
            for cp in all {
                rows.append([String(cp.id), cp.name, cp.automatic ? "auto" : "manual", SessionReport.time(cp.createdAt),
                             cp.stages.filter { $0.status.isTerminal }.map(\.stage).joined(separator: ", ")])
            }
            print(TextTable.render(rows))
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "restore", 
            abstract: "Set the session back to a checkpoint; `wfhost resume` then continues from there.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The session id.") var session: String
        @Argument(help: "The checkpoint's id or name.") var checkpoint: String
        func run() throws {
            let cp = try runReportingHostErrors { try global.host().restoreCheckpoint(session, checkpoint: checkpoint) }
            print("session \(session) restored to checkpoint \(cp.id) '\(cp.name)'; `wfhost resume \(session)` continues from there")
        }
    }
}
