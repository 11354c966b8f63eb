import ArgumentParser
import WorkflowHost

/// `wfhost plugins debug PLUGIN [--tool T --args JSON] [--gdb]`: the worker as a call (or a scan) starts it.
struct PluginsDebug: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Print the worker command of a call or a load, as wfhost runs it, or run it under gdb.",
        discussion: """
            With --tool, the worker serves one call of that tool with --args (default {}) in its sandbox, with the \
            arguments, environment and limits of `wfhost call`; without, it loads the plugin as the scanner does. \
            --gdb runs it under `gdb -batch` (following the fork into the sandbox) and prints the backtrace where \
            it stops. Exit codes: 0 printed or run; 2 an unknown plugin or tool, or bad arguments; 3 gdb or the \
            worker is missing.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "A plugin file, or a plugin's name on the plugin path.") var plugin: String
    @Option(help: "The tool to call (without it: load the plugin only).") var tool: String?
    @Option(help: ArgumentHelp("The call's arguments as a JSON object.", valueName: "json")) var args: String?
    @Flag(help: "Run the worker under gdb and print the backtrace.") var gdb = false

    func validate() throws {
        if args != nil && tool == nil { throw ValidationError("--args needs --tool") }
    }

    func run() throws {
        let plan = try runReportingHostErrors { try global.host().debugPlan(plugin: plugin, tool: tool, arguments: args) }
        if gdb {
            printError("wfhost: running the worker of \(plan.tool.map { "a call of \($0)" } ?? "loading \(plan.pluginPath)") "
                       + "under gdb")
            _ = try runReportingHostErrors { try plan.runUnderGDB() }
            return
        }
        let what = plan.tool.map { "a call of \($0)" } ?? "loading \(plan.pluginPath) (as the scanner does)"
        print("# the worker of \(what), as wfhost starts it; its events go to \(plan.eventsFile)")
        print(plan.command)
        print("# the same under gdb (it follows the worker into its sandbox):")
        print(plan.gdbCommand)
    }
}
