import ArgumentParser
import Foundation
import WorkflowHost

struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call one tool in an isolated worker and print its result.",
        discussion: """
            The tool's log lines and progress go to stderr, its result (JSON) to stdout. Exit codes: 0 success, \
            1 the call failed (the failure class is in the message and in --json), 2 invalid input, 3 environment \
            error, 128+N stopped by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP).
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The tool: a bare name or plugin.tool.") var tool: String
    @Option(help: "Arguments as a JSON object.") var args: String?
    @Option(help: ArgumentHelp("Read the arguments from a JSON file ('-' for stdin).", valueName: "file")) var argsFile: String?
    @Option(help: "Time limit, e.g. 30s, 5m, 250ms.") var timeout: String = "5m"
    @Option(help: "Grace time between SIGTERM and SIGKILL.") var grace: String = "2s"
    @Option(help: "Memory limit of the worker in MiB (0 for none).") var memoryMb: Int = 1024
    @Option(help: "CPU-time limit in seconds (0 for none).") var cpuSeconds: Int = 0
    @Option(help: "Largest accepted result in bytes.") var maxResultBytes: Int = 16 << 20
    @Option(help: "How the call is isolated.") var isolation: IsolationMode = .perCall
    @Option(help: "The sandbox: on (every layer this machine offers), strict (refuse to run without all of them), off (limits only; for debugging).")
    var sandbox: SandboxChoice = .on
    @Flag(help: "The same as --sandbox off.") var noSandbox = false
    @Flag(help: "Print one JSON document with the outcome.") var json = false

    func validate() throws {
        if args != nil && argsFile != nil { throw ValidationError("give the arguments with --args or --args-file, not both") }
        guard let timeout = DurationText.parse(timeout) else {
            throw ValidationError("--timeout '\(timeout)' is not a duration; write it like 30s, 5m, 1h30m or 250ms")
        }
        if let problem = Limits.timeout.problem("--timeout", timeout) {
            throw ValidationError(problem + " (" + Limits.timeout.allowed + ")")
        }
        guard let grace = DurationText.parse(grace) else {
            throw ValidationError("--grace '\(grace)' is not a duration; write it like 2s or 500ms")
        }
        if grace > Limits.grace.longest, let problem = Limits.grace.problem("--grace", grace) {
            throw ValidationError(problem + " (" + Limits.grace.allowed + ")")
        }
        if memoryMb != 0, let problem = Limits.memoryMB.problem("--memory-mb", memoryMb) {
            throw ValidationError(problem + " (" + Limits.memoryMB.allowed + ", or 0 for no limit)")
        }
        if let problem = Limits.cpuSeconds.problem("--cpu-seconds", cpuSeconds) {
            throw ValidationError(problem + " (" + Limits.cpuSeconds.allowed + "; 0 for no limit)")
        }
        if let problem = Limits.resultBytes.problem("--max-result-bytes", maxResultBytes) {
            throw ValidationError(problem + " (" + Limits.resultBytes.allowed + ")")
        }
    }

    func run() async throws {
        let arguments = try readArguments()
        let host = global.host()
        var options = CallOptions()
        options.isolation = isolation
        options.sandbox = !noSandbox && sandbox != .off
        options.strictSandbox = sandbox == .strict
        options.limits.timeout = DurationText.parse(timeout) ?? .seconds(300)
        options.limits.grace = DurationText.parse(grace) ?? .seconds(2)
        options.limits.memoryMB = memoryMb
        options.limits.cpuSeconds = cpuSeconds
        options.limits.maxResultBytes = maxResultBytes

        let calls = try runReportingHostErrors {
            try host.toolCalls(notice: { printError("wfhost: note: \($0)") })
        }
        defer { calls.shutdown() }
        let resolved = try runReportingHostErrors { try calls.tool(named: tool) }
        let cancellation = CallCancellation()
        let interrupts = Interrupts { name, _ in cancellation.cancel(reason: "interrupted by \(name)") }
        let quiet = json
        let outcome = try await runReportingHostErrors {
            try await calls.call(resolved, arguments: arguments, options: options, cancellation: cancellation) { event in
                guard !quiet else { return }
                switch event {
                case .log(let level, let message): printError("[\(level)] \(message)")
                case .progress(let fraction, let message):
                    printError("[progress] \(Int((fraction * 100).rounded()))%" + (message.isEmpty ? "" : " \(message)"))
                }
            }
        }
        switch outcome {
        case .success(let success):
            if json {
                printDocument([
                    "ok": true, "tool": .string(resolved.qualifiedName), "result": success.result,
                    "sandbox": success.sandbox?.json ?? .null,
                    "duration_ms": .int(Int64(success.duration.nanoseconds / 1_000_000)),
                    "stdout_tail": .string(success.stdoutTail), "stderr_tail": .string(success.stderrTail),
                ])
            } else {
                if !success.stderrTail.isEmpty { writeStandardError(success.stderrTail) }
                print(success.result.serialized(.pretty))
            }
        case .failure(let failure):
            if json {
                printDocument(["ok": false, "tool": .string(resolved.qualifiedName),
                               "sandbox": failure.sandbox?.json ?? .null, "error": failure.json])
            } else {
                printError("error: \(resolved.qualifiedName) failed: \(failure.failureClass): \(failure.message)"
                           + (failure.hint.map { "\n  hint: \($0)" } ?? ""))
                if !failure.stderrTail.isEmpty {
                    printError("--- stderr (tail) ---\n" + failure.stderrTail.trimmingCharacters(in: .newlines))
                }
            }
            if let signal = interrupts.signal { throw Exit.forSignal(signal) }
            throw failure.failureClass == .invalidArgs ? Exit.invalidInput : Exit.failed
        }
    }

    private func readArguments() throws -> JSONValue {
        let text: String
        let source: String
        if let args {
            text = args
            source = "--args"
        } else if let argsFile {
            source = argsFile
            do {
                text = argsFile == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                    : try String(contentsOfFile: argsFile, encoding: .utf8)
            } catch {
                printError("error: cannot read \(argsFile): \(error.localizedDescription)")
                throw Exit.invalidInput
            }
        } else {
            return .object([:])
        }
        do {
            let value = try JSONValue.parse(text)
            guard case .object = value else {
                printError("error: \(source): the arguments must be a JSON object, not \(value.typeName)")
                throw Exit.invalidInput
            }
            return value
        } catch let error as JSONParseError {
            printError("error: \(source): not valid JSON: \(error)\n  hint: pass an object such as '{\"message\": \"hi\"}'")
            throw Exit.invalidInput
        }
    }
}

extension IsolationMode: ExpressibleByArgument {}
