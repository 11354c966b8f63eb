import ArgumentParser
import WorkflowHost

/// `wfhost doctor`: can this machine run wfhost, and which sandbox layers are in force.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this machine: the worker, each sandbox layer, runtime libraries, state dir, plugin path.",
        discussion: """
            Exit codes: 0 every required check passed (a missing sandbox layer is a warning: calls run with the \
            layers there are, and say so), 3 something required is missing. With --sandbox strict every layer \
            is required, as `wfhost run --sandbox strict` requires it.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "on: report missing sandbox layers as warnings; strict: require every layer.")
    var sandbox: SandboxChoice = .on
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        let report = global.host().doctor(strictSandbox: sandbox == .strict)
        if json {
            printDocument(report.json)
        } else {
            let width = report.checks.map(\.name.count).max() ?? 0
            for c in report.checks {
                let mark = c.status == .ok ? "ok     " : c.status == .warning ? "warning" : "MISSING"
                print("\(mark)  \(c.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(c.detail)")
                if let hint = c.hint, c.status != .ok { print("         hint: \(hint)") }
            }
            print(report.fit ? "wfhost can run here" + (report.sandbox?.status == "partial" ? " (the sandbox is partial)" : "")
                             : "wfhost cannot run here as configured: fix what is MISSING above")
        }
        if !report.fit { throw Exit.environment }
    }
}

/// `--sandbox off|on|strict`.
enum SandboxChoice: String, ExpressibleByArgument, CaseIterable {
    case off, on, strict
}
