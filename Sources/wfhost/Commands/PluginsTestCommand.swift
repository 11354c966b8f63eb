import ArgumentParser
import Foundation
import WorkflowHost

/// `wfhost plugins test PLUGIN...`: runs every example the plugins' tools declare, each as its own call.
struct PluginsTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the examples that plugins' tools declare, and check their results.",
        discussion: """
            Each example is one isolated call (a fresh worker and work directory, in the sandbox), made as \
            `wfhost call` makes it; its result is checked against the tool's output schema and must contain the \
            example's expected result (members of objects, arrays element by element, other values equal). \
            Exit codes: 0 every example passed; 1 an example failed, a plugin is not valid, or a plugin declares no \
            examples; 2 a plugin that does not exist; 3 environment error (also a --junit report that could not be \
            written).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var scan: PluginsCommand.ScanOptions
    @Argument(help: "Plugin files, directories of *.so files, or names of plugins on the plugin path.")
    var plugins: [String]
    @Flag(help: "Print a JSON document instead of text.") var json = false
    @Option(help: ArgumentHelp("Also write a JUnit XML report to this file.", valueName: "file")) var junit: String?
    @Option(help: "Time limit of each example's call, e.g. 30s, 250ms.") var timeout: String = "30s"

    func validate() throws {
        guard let limit = DurationText.parse(timeout), limit > .zero else {
            throw ValidationError("--timeout '\(timeout)' is not a duration; write it like 30s, 5m or 250ms")
        }
    }

    /// One plugin under test: its record, or why there is none.
    struct Subject {
        var name: String
        var record: PluginRecord
        /// The snapshot the record came from (the plugin path's, or the named files').
        var snapshot: RegistrySnapshot
    }

    /// How one example went.
    struct Outcome {
        var tool: RegisteredTool
        var index: Int
        var example: ToolExample
        var duration: Duration
        /// nil when it passed.
        var failure: String?
        var result: JSONValue?
    }

    func run() async throws {
        let host = scan.apply(to: global.host())
        let subjects = try resolve(host)
        let calls = try runReportingHostErrors {
            try host.toolCalls(snapshot: subjects.first?.snapshot, notice: { printError("wfhost: note: \($0)") })
        }
        var options = CallOptions()
        options.limits.timeout = DurationText.parse(timeout) ?? .seconds(30)
        let started = ContinuousClock.now
        var reports: [(Subject, [Outcome], problem: String?)] = []
        for subject in subjects {
            let record = subject.record
            guard record.status == .ok else {
                reports.append((subject, [], "\(record.path): \(record.status.rawValue): \(record.reason ?? "")"
                                + (record.findings.first { $0.severity == .error }?.hint.map { "\n  hint: \($0)" } ?? "")))
                continue
            }
            let runner = calls.over(subject.snapshot)
            var outcomes: [Outcome] = []
            for tool in record.tools {
                for (i, example) in tool.descriptor.examples.enumerated() {
                    outcomes.append(await runExample(tool, index: i + 1, example: example, runner: runner,
                                                     host: host, options: options))
                }
            }
            let problem = outcomes.isEmpty
                ? "\(record.path): plugin '\(subject.name)' declares no examples\n  hint: declare them with "
                    + "WFH_EXAMPLE entries passed to WFH_TOOL_WITH_EXAMPLES (share/doc/wfhost/SDK.md, \"Examples and plugins test\")"
                : nil
            reports.append((subject, outcomes, problem))
        }
        calls.shutdown()
        let elapsed = ContinuousClock.now - started
        let all = reports.flatMap(\.1)
        let failed = all.filter { $0.failure != nil }.count
        let problems = reports.compactMap(\.problem)

        if json {
            printDocument(Self.json(reports, elapsed: elapsed))
        } else {
            for (subject, outcomes, problem) in reports {
                let d = subject.record.descriptor
                print("\(d?.name ?? subject.name) \(d?.version ?? "") (\(subject.record.path))")
                for o in outcomes {
                    print("  \(o.failure == nil ? "ok  " : "FAIL") \(o.tool.qualifiedName) example \(o.index)"
                          + (o.example.description.map { ": \($0)" } ?? "") + " (\(Self.milliseconds(o.duration)) ms)")
                    if let failure = o.failure {
                        print(failure.split(separator: "\n", omittingEmptySubsequences: false)
                            .map { "       \($0)" }.joined(separator: "\n"))
                    }
                }
                if let problem { printError("error: " + problem) }
            }
            print("\(all.count) example\(all.count == 1 ? "" : "s") in \(reports.count) plugin"
                  + "\(reports.count == 1 ? "" : "s"): \(all.count - failed) passed, \(failed) failed"
                  + (problems.isEmpty ? "" : ", \(problems.count) plugin\(problems.count == 1 ? "" : "s") not tested")
                  + " (\(Self.milliseconds(elapsed)) ms)")
        }
        if let junit {
            do {
                try ReportFile.write(Self.junit(reports), to: junit)
            } catch {
                printError("wfhost: error: the JUnit report \(junit) was not written: \(error) (exit code "
                           + "\(Exit.environment.rawValue))")
                throw Exit.environment
            }
        }
        if failed > 0 || !problems.isEmpty { throw Exit.failed }
    }

    /// Each argument as a file or directory (scanned as `plugins validate` does), else a plugin name on the path.
    private func resolve(_ host: WorkflowHost) throws -> [Subject] {
        var subjects: [Subject] = []
        var snapshot: RegistrySnapshot?
        for argument in plugins {
            // A name is a plugin's first; a path has a slash or names a .so file (or names nothing on the path).
            let looksLikePath = argument.contains("/") || argument.hasSuffix(".so")
            if !looksLikePath {
                if snapshot == nil { snapshot = try runReportingHostErrors { try host.refreshedRegistry() } }
            }
            let named = looksLikePath ? [] : snapshot?.plugins(named: argument) ?? []
            if looksLikePath || (named.isEmpty && FileManager.default.fileExists(atPath: argument)) {
                guard FileManager.default.fileExists(atPath: argument) else {
                    printError("error: no such file or directory: \(argument)")
                    throw Exit.invalidInput
                }
                let files = try runReportingHostErrors { try host.validatePlugins(paths: [argument]) }
                if files.records.isEmpty {
                    printError("error: no plugin files found in \(argument)")
                    throw Exit.invalidInput
                }
                subjects += files.records.map {
                    Subject(name: $0.descriptor?.name ?? argument, record: $0, snapshot: files)
                }
                continue
            }
            let found = named
            guard !found.isEmpty else {
                let names = snapshot?.records.compactMap(\.descriptor?.name) ?? []
                printError("error: no plugin named '\(argument)' on the plugin path"
                           + (Suggest.closest(to: argument, among: names).first.map { "\n  hint: did you mean '\($0)'?" }
                              ?? "\n  hint: `wfhost plugins list` shows the plugins; a file path works too"))
                throw Exit.invalidInput
            }
            if let snapshot { subjects += found.map { Subject(name: argument, record: $0, snapshot: snapshot) } }
        }
        return subjects
    }

    private func runExample(_ tool: RegisteredTool, index: Int, example: ToolExample, runner: ToolCalls,
                            host: WorkflowHost, options: CallOptions) async -> Outcome {
        var outcome = Outcome(tool: tool, index: index, example: example, duration: .zero)
        // The validator checked both texts; parse again without trusting that.
        guard let text = example.arguments, let arguments = try? JSONValue.parse(text) else {
            outcome.failure = "the example's arguments are not JSON"
            return outcome
        }
        let started = ContinuousClock.now
        let result: Result<CallSuccess, CallFailure>
        do {
            result = try await runner.call(tool, arguments: arguments, options: options)
        } catch {
            outcome.failure = error.description
            return outcome
        }
        outcome.duration = ContinuousClock.now - started
        switch result {
        case .failure(let failure):
            outcome.failure = "the call failed: \(failure.failureClass): \(failure.message)"
                + (failure.hint.map { "\nhint: \($0)" } ?? "")
        case .success(let success):
            outcome.result = success.result
            if let expectedText = example.expected {
                guard let expected = try? JSONValue.parse(expectedText) else {
                    outcome.failure = "the example's expected result is not JSON"
                    return outcome
                }
                if let problem = ExampleMatch.mismatch(expected: expected, result: success.result) {
                    outcome.failure = "the result does not contain the expected value: \(problem)\n"
                        + "result: \(success.result.serialized())"
                }
            }
        }
        return outcome
    }

    static func milliseconds(_ d: Duration) -> Int64 { Int64(clamping: d.nanoseconds / 1_000_000) }

    static func json(_ reports: [(Subject, [Outcome], problem: String?)], elapsed: Duration) -> JSONValue {
        let all = reports.flatMap(\.1)
        let failed = all.filter { $0.failure != nil }.count
        return .object([
            "passed": .int(Int64(all.count - failed)), "failed": .int(Int64(failed)),
            "duration_ms": .int(milliseconds(elapsed)),
            "plugins": .array(reports.map { subject, outcomes, problem in
                .object([
                    "plugin": subject.record.descriptor?.name.map(JSONValue.string) ?? .string(subject.name),
                    "path": .string(subject.record.path), "status": .string(subject.record.status.rawValue),
                    "problem": problem.map(JSONValue.string) ?? .null,
                    "examples": .array(outcomes.map { o in
                        .object([
                            "tool": .string(o.tool.qualifiedName), "index": .int(Int64(o.index)),
                            "description": o.example.description.map(JSONValue.string) ?? .null,
                            "ok": .bool(o.failure == nil), "duration_ms": .int(milliseconds(o.duration)),
                            "failure": o.failure.map(JSONValue.string) ?? .null,
                            "result": o.result ?? .null,
                        ])
                    }),
                ])
            }),
        ])
    }

    /// One `<testsuite>` per plugin, one `<testcase>` per example; a plugin that could not be tested is one failed
    /// test case named after it.
    static func junit(_ reports: [(Subject, [Outcome], problem: String?)]) -> String {
        func seconds(_ d: Duration) -> String { String(format: "%.3f", Double(d.nanoseconds) / 1e9) }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"wfhost plugins test\">\n"
        for (subject, outcomes, problem) in reports {
            let name = subject.record.descriptor?.name ?? subject.name
            let failures = outcomes.filter { $0.failure != nil }.count + (problem == nil ? 0 : 1)
            let total = outcomes.reduce(Duration.zero) { $0 + $1.duration }
            xml += "  <testsuite name=\"\(RunReports.xmlAttribute(name))\" tests=\"\(outcomes.count + (problem == nil ? 0 : 1))\" "
                + "failures=\"\(failures)\" errors=\"0\" time=\"\(seconds(total))\">\n"
            for o in outcomes {
                let caseName = "example \(o.index)" + (o.example.description.map { ": \($0)" } ?? "")
                xml += "    <testcase classname=\"\(RunReports.xmlAttribute(o.tool.qualifiedName))\" "
                    + "name=\"\(RunReports.xmlAttribute(caseName))\" time=\"\(seconds(o.duration))\""
                if let failure = o.failure {
                    let first = String(failure.split(separator: "\n").first ?? "")
                    xml += ">\n      <failure message=\"\(RunReports.xmlAttribute(first))\">"
                        + "\(RunReports.xmlEscape(failure))</failure>\n    </testcase>\n"
                } else {
                    xml += "/>\n"
                }
            }
            if let problem {
                let first = String(problem.split(separator: "\n").first ?? "")
                xml += "    <testcase classname=\"\(RunReports.xmlAttribute(name))\" name=\"plugin\" time=\"0.000\">\n"
                    + "      <failure message=\"\(RunReports.xmlAttribute(first))\">\(RunReports.xmlEscape(problem))"
                    + "</failure>\n    </testcase>\n"
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }
}
