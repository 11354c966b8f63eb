import ArgumentParser
import Foundation
import WorkflowHost

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List, inspect, validate and scan plugins.",
        subcommands: [List.self, Show.self, Validate.self, Scan.self, PluginsTest.self, PluginsNew.self, PluginsTrust.self, PluginsDebug.self]
    )

    struct ScanOptions: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("Seconds a plugin may take to load before it is reported as hung.",
                                                valueName: "seconds"))
        var scanTimeout: Double = 10

        func validate() throws {
            guard scanTimeout > 0, scanTimeout <= 3600 else {
                throw ValidationError("--scan-timeout must be between 0 and 3600 seconds")
            }
        }

        func apply(to host: WorkflowHost) -> WorkflowHost {
            var config = host.configuration
            config.scanTimeout = .milliseconds(Int64(scanTimeout * 1000))
            return WorkflowHost(configuration: config)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the plugins on the plugin path and the tool servers of servers.yaml, with their status.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var scan: ScanOptions
        @Flag(help: "Print a JSON document instead of a table.") var json = false

        func run() throws {
            let snapshot = try runReportingHostErrors { try scan.apply(to: global.host()).refreshedRegistry() }
            let servers = snapshot.toolServers
            if json {
                printDocument(JSONContract.list("plugins", snapshot.records.map(PluginReport.json),
                                                extra: ["tool_servers": .array(servers.map(ToolServerReport.json))]))
                return
            }
            if snapshot.records.isEmpty {
                print("No plugins found. Searched: \(global.host().configuration.searchPath.directories.joined(separator: ":"))")
            } else {
                print(PluginReport.table(snapshot.records))
            }
            if !servers.isEmpty { print("\n" + ToolServerReport.table(servers)) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", 
            abstract: "Show a tool's description, schemas and capabilities, or a plugin's or tool server's status and tools.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A tool name, bare or qualified (plugin.tool, SERVER.tool), a plugin name or a tool server's name.") var tool: String
        @Flag(help: "Print a JSON document.") var json = false

        func run() throws {
            let snapshot = try runReportingHostErrors { try global.host().refreshedRegistry() }
            switch snapshot.resolve(tool) {
            case .found(let t):
                if json { printDocument(PluginReport.toolJSON(t)) } else { print(PluginReport.toolText(t)) }
            case .ambiguous(let tools):
                printError("error: tool name '\(tool)' is ambiguous: offered by "
                           + tools.map { "'\($0.plugin)'" }.joined(separator: " and ")
                           + "\n  hint: name one of: " + tools.map(\.qualifiedName).joined(separator: ", "))
                throw Exit.invalidInput
            case .unknown(let suggestions):
                if let gone = snapshot.unavailable(tool).first {
                    printError("error: \(gone.message)\n  hint: \(gone.hint)")
                    throw Exit.invalidInput
                }
                if let server = snapshot.toolServer(named: tool) {
                    if json {
                        printDocument(JSONContract.list("plugins", [], extra: ["tool_servers": .array([ToolServerReport.json(server)])]))
                    } else {
                        print(ToolServerReport.text(server))
                    }
                    return
                }
                let plugins = snapshot.plugins(named: tool)
                if !plugins.isEmpty {
                    if json {
                        printDocument(JSONContract.list("plugins", plugins.map(PluginReport.json)))
                    } else {
                        print(plugins.map(PluginReport.pluginText).joined(separator: "\n\n"))
                    }
                    return
                }
                printError("error: no plugin offers a tool named '\(tool)'"
                           + (suggestions.isEmpty ? "\n  hint: `wfhost plugins list` shows the plugins and tools"
                                                  : "\n  hint: did you mean '\(suggestions[0])'?"))
                throw Exit.invalidInput
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "validate", 
            abstract: "Check plugin files: loading, ABI, metadata and schemas.",
            discussion: "Exits 0 when every file is a valid plugin (warnings allowed), 1 when any is not, and 2 when a "
                + "named path does not exist (every path is still reported).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var scan: ScanOptions
        @Argument(help: "Plugin files, or directories whose *.so files are checked.") var paths: [String]
        @Flag(help: "Print a JSON document (same as --format json).") var json = false
        @Option(help: "Output format.") var format: ReportFormat = .text

        func run() throws {
            let snapshot = try runReportingHostErrors { try scan.apply(to: global.host()).validatePlugins(paths: paths) }
            let format = json ? .json : format
            switch format {
            case .json:
                printDocument(JSONContract.list("plugins", snapshot.records.map(PluginReport.json)))
            case .github:
                for finding in snapshot.findings { print(finding.githubAnnotation) }
            case .text:
                for record in snapshot.records {
                    for finding in record.findings.sorted(by: { $0.severity < $1.severity }) { print(finding) }
                    if record.status == .ok, let d = record.descriptor {
                        print("\(record.path): ok: plugin '\(d.name ?? "")' \(d.version ?? ""), "
                              + "\(record.tools.count) tool\(record.tools.count == 1 ? "" : "s"), "
                              + "ABI \(d.abiMajor).\(d.abiMinor)")
                    }
                }
            }
            if snapshot.records.isEmpty {
                printError("error: no plugin files found in \(paths.joined(separator: ", "))")
                throw Exit.invalidInput
            }
            let code = Exit.forPluginValidation(
                missingPaths: paths.contains { !FileManager.default.fileExists(atPath: $0) },
                invalidPlugins: snapshot.records.contains { $0.status != .ok })
            if code != Exit.success { throw code }
        }
    }

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "scan", 
            abstract: "Update the plugin registry: scan new and changed plugin files.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var scan: ScanOptions
        @Flag(help: "Rescan every file, changed or not.") var force = false
        @Flag(help: "Print a JSON document.") var json = false

        func run() throws {
            let snapshot = try runReportingHostErrors { try scan.apply(to: global.host()).refreshedRegistry(force: force) }
            if json {
                printDocument(JSONContract.list("plugins", snapshot.records.map(PluginReport.json)))
                return
            }
            let rescanned = snapshot.records.filter(\.rescanned).count
            print("scanned \(rescanned) of \(snapshot.records.count) plugin files "
                  + "(\(snapshot.records.count - rescanned) unchanged)")
            for record in snapshot.records where record.status != .ok {
                print("\(record.path): \(record.status.rawValue): \(record.reason ?? "")")
            }
        }
    }
}
