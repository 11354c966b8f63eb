import ArgumentParser
import Foundation
import WorkflowHost

/// Options of commands that run workflows (`run`, `resume`).
struct RunSettings: ParsableArguments {
    @Option(name: .customLong("var"), help: ArgumentHelp("A variable, overriding the workflow's. Repeatable.", valueName: "name=value"))
    var variables: [String] = []
    @Option(name: .customLong("var-file"), help: ArgumentHelp("Variables from a YAML or JSON mapping. Repeatable.", valueName: "file"))
    var variableFiles: [String] = []
    @Option(name: .customLong("secret"), help: ArgumentHelp(
        "A secret variable, masked as *** everywhere: NAME reads the environment variable NAME, NAME=env:VAR reads VAR. "
        + "A value on the command line is refused (every local user can read it). Repeatable.", valueName: "name"))
    var secrets: [String] = []
    @Option(name: .customLong("secret-file"), help: ArgumentHelp(
        "Secrets from a file of name=value lines (# comments and blank lines allowed). Repeatable.", valueName: "file"))
    var secretFiles: [String] = []
    @Option(help: "Calls running at once across the run (default: the spec's max_concurrency, else the cores).")
    var maxConcurrency: Int?
    @Option(help: "How tool calls are isolated (default: the stage's or spec's isolation, else pooled).")
    var isolation: IsolationMode?
    @Option(help: "The sandbox: on (every layer this machine offers), strict (refuse to run a call without all of them), off (limits only; for debugging).")
    var sandbox: SandboxChoice = .on
    @Flag(help: "The same as --sandbox off.") var noSandbox = false
    @Option(help: ArgumentHelp("Write one JSON object per event to FILE ('-' for stdout).", valueName: "file"))
    var events: String?
    @Option(help: ArgumentHelp("Write a JUnit XML report (a test case per stage).", valueName: "file")) var junit: String?
    @Flag(help: "Print the result as one JSON document on stdout.") var json = false
    @Flag(help: "Print no progress; only the summary (or --json).") var quiet = false

    func validate() throws {
        for a in variables where !(a.firstIndex(of: "=").map { $0 != a.startIndex } ?? false) {
            throw ValidationError("--var takes name=value, as in --var registry=example.org (got '\(a)')")
        }
        for a in secrets {
            do {
                _ = try SecretSources.parseArgument(a)
            } catch {
                JSONOutput.state.keep(code: error.code)
                throw ValidationError(error.message + (error.hint.map { "\n  hint: \($0)" } ?? ""))
            }
        }
        if let c = maxConcurrency, let problem = Limits.maxConcurrency.problem("--max-concurrency", c) {
            throw ValidationError(problem + " (" + Limits.maxConcurrency.allowed + ")")
        }
        if json && events == "-" { throw ValidationError("--events - and --json both write to stdout; send events to a file") }
    }

    static func split(_ a: String) -> (String, String) {
        let i = a.firstIndex(of: "=") ?? a.endIndex
        return (String(a[..<i]), i < a.endIndex ? String(a[a.index(after: i)...]) : "")
    }

    /// The run options these flags describe.
    func runOptions() throws -> RunOptions {
        var o = RunOptions()
        for file in variableFiles { for (k, v) in try Self.readVariableFile(file) { o.variables[k] = v } }
        for a in variables { let (k, v) = Self.split(a); o.variables[k] = .string(v) }
        do {
            o.secrets = try SecretSources.resolve(arguments: secrets, files: secretFiles,
                                                  environment: ProcessInfo.processInfo.environment)
        } catch {
            throw report(error)
        }
        o.maxConcurrency = maxConcurrency
        o.isolation = isolation
        o.sandbox = !noSandbox && sandbox != .off
        o.strictSandbox = sandbox == .strict
        return o
    }

    static func readVariableFile(_ path: String) throws -> [(String, JSONValue)] {
        do {
            return try WorkflowHost.readVariableFile(path)
        } catch {
            throw report(error)
        }
    }

    /// Sinks for progress, the event stream, and anything else given.
    func sinks() throws -> [any RunEventSink] {
        var sinks: [any RunEventSink] = [ProgressDisplay(quiet: quiet || json)]
        if let events {
            if events == "-" {
                sinks.append(EventStreamSink(handle: .standardOutput))
            } else {
                guard FileManager.default.createFile(atPath: events, contents: nil), let handle = FileHandle(forWritingAtPath: events) else {
                    printError("error: cannot write the event file \(events)")
                    throw Exit.invalidInput
                }
                sinks.append(EventStreamSink(handle: handle))
            }
        }
        return sinks
    }
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow: stages in dependency order, each tool call in a supervised worker.",
        discussion: "Prints the session id first. Ctrl-C cancels cleanly; a second Ctrl-C kills. " + Exit.documentation)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var settings: RunSettings
    @Argument(help: "The workflow file, or the name of a predefined workflow (`wfhost workflows list`).") var file: String
    @Flag(help: "Print the plan with substituted arguments and call nothing.") var dryRun = false

    func run() async throws {
        let options = try settings.runOptions()
        let host = global.host()
        let file = PredefinedWorkflows.resolve(self.file)
        if dryRun {
            try DryRun.print(file: file, host: host, options: options, json: settings.json)
            return
        }
        let sink = CombinedSink(try settings.sinks())
        let prepared: PreparedRun
        do {
            prepared = try host.prepareRun(file: file, options: options, sink: sink)
        } catch {
            throw report(error)
        }
        printError("session \(prepared.session)")
        try await RunDriver.drive(prepared, settings: settings, host: host)
    }
}

/// Runs a prepared session to its end with Ctrl-C handling and the end-of-run reports; shared by `run` and
/// `resume`. The reports are masked with the run's secrets (`--secret` values and `!secret` variables).
enum RunDriver {
    static func drive(_ prepared: PreparedRun, settings: RunSettings, host: WorkflowHost) async throws {
        let workflow = prepared.workflow
        let interruptCount = Counter()
        let interrupts = Interrupts { name, number in
            if interruptCount.increment() == 1 {
                printError("wfhost: \(name): cancelling the run (press Ctrl-C again to stop at once)")
                Task { await prepared.cancel(reason: "interrupted by \(name)") }
            } else {
                printError("wfhost: \(name) again: stopping now; `wfhost resume` can continue the session")
                exit(Exit.forSignal(number).rawValue)
            }
        }
        let result = await prepared.run()
        // What the attempts printed, for the reports below; without it they still say how each stage ended.
        var details: SessionDetails?
        do {
            details = try SessionDetails.load(result.session, host: host)
        } catch {
            printError("wfhost: the stages' output could not be read back for the reports: \(error)")
        }
        var unwritten: String? // said last, after the summary, so that it is not scrolled away
        if let junit = settings.junit {
            do {
                try ReportFile.write(RunReports.junit(result, workflow: workflow.metadata.name, details: details), to: junit)
            } catch {
                unwritten = "wfhost: error: the JUnit report \(junit) was not written: \(error) (exit code \(Exit.environment.rawValue))"
            }
        }
        if let summaryFile = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !summaryFile.isEmpty {
            do {
                try ReportFile.append(RunReports.githubSummary(result, workflow: workflow, details: details), to: summaryFile)
            } catch {
                // The summary is a courtesy: a pipe that closed or a full disk loses it, not the run.
                printError("wfhost: the step summary was not written to \(summaryFile): \(error)")
            }
        }
        let failures = details.map { FailureOutput.console(result, details: $0) } ?? ""
        if settings.json {
            printDocument(RunReports.json(result, workflow: workflow.metadata.name, secrets: prepared.secrets))
        } else if settings.events != "-" {
            print(RunReports.summaryTable(result) + (failures.isEmpty ? "" : "\n\n" + failures))
        } else {
            printError(RunReports.summaryTable(result) + (failures.isEmpty ? "" : "\n\n" + failures))
        }
        if GitHubActions.isActive() {
            for annotation in GitHubActions.annotations(result, workflow: workflow) { printError(annotation) }
        }
        if result.status == .paused {
            printError("wfhost: session \(result.session) is paused (exit code \(Exit.paused.rawValue)); `wfhost resume \(result.session)` continues it")
        }
        if let unwritten { printError(unwritten) }
        if let lost = result.storeProblem { printError("wfhost: error: \(lost) (exit code \(Exit.environment.rawValue))") }
        let code = Exit.forRun(result.status, signal: interrupts.signal, reportUnwritten: unwritten != nil,
                               storeLost: result.storeProblem != nil)
        if code != Exit.success { throw code }
    }
}

/// Counts Ctrl-C presses.
final class Counter: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.withLock { value += 1; return value } }
}

/// `wfhost run --dry-run`: the plan by levels, with each call's arguments as far as they are known before the run.
enum DryRun {
    static func print(file: String, host: WorkflowHost, options: RunOptions, json: Bool = false) throws {
        let plan: DryRunPlan
        do {
            plan = try host.dryRun(file: file, options: options)
        } catch {
            // Only the diagnostics, as before the API had a dry run: no summary line.
            throw report(error, summary: false)
        }
        if json {
            printDocument(plan.json)
            return
        }
        Swift.print("plan for \(plan.workflowName) (\(plan.stageCount) stages, \(plan.levels.count) levels); nothing is called")
        for (n, level) in plan.levels.enumerated() {
            Swift.print("level \(n + 1):")
            for stage in level {
                Swift.print("  \(stage.name)" + (stage.dependsOn.isEmpty ? "" : " (after \(stage.dependsOn.joined(separator: ", ")))")
                    + (stage.conditionCount == 0 ? "" : " [\(stage.conditionCount) condition(s)]"))
                for call in stage.calls {
                    Swift.print("    \(call.tool) \(call.arguments.serialized())"
                                + (call.knownAtRunTime.map { "  (known at run time: \($0))" } ?? ""))
                }
            }
        }
    }
}
