import ArgumentParser
import Benchmarks
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Plan
import Schema
import Store

/// `wfhost-bench` (what `make bench` runs): benchmark figures for the registry, the schema validator, the workflow
/// loader and planner, the store, calls and runs. Figures only: nothing is asserted, so the exit code is 0 unless a
/// benchmark cannot run. A target of its own: nothing of it is in the product modules or in `bin/wfhost`.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wfhost-bench",
        abstract: "Print benchmark figures (medians; nothing is asserted).",
        discussion: """
            registry: `wfhost plugins list` with 100 generated plugins on the path (needs `cc`), cold and warm, \
            run as child processes of this binary. schema: compiling a tool schema and validating arguments. \
            spec: validating and planning generated workflows. calls: median wall time of a no-op call \
            (core.echo) over 1000 calls, per_call and pooled, beside the floor (posix_spawn + waitpid of a static \
            no-op C program compiled with `cc`). run: 500 and 10,000 no-op stages, wide and as a chain, run end to end \
            by `wfhost run` in per_call (500 only), forked and pooled isolation, beside the spawn floor, `make -j2` \
            and `ninja -j2` running /bin/true for the same graph (each skipped, saying how to install it, when \
            missing: a benchmark installs nothing), every engine's task count verified; then a one-stage run with a \
            warm and a cold registry. mcp: over one \
            `wfhost mcp serve` session, the median round trip of tools/list and of tools/call echo, beside `wfhost \
            call echo` as a process. Progress goes to standard error.
            """
    )

    enum Suite: String, ExpressibleByArgument, CaseIterable {
        case registry, schema, spec, calls, run, store, mcp, all
    }

    @Option(help: "The benchmark to run.") var only: Suite = .all
    @Option(help: ArgumentHelp("The wfhost to measure (its install tree's worker and plugins are used).", valueName: "path"))
    var wfhost: String = "dist/bin/wfhost"
    @Flag(help: "Print only a JSON document with the figures on standard output.") var json = false

    func includes(_ suite: Suite) -> Bool { only == .all || only == suite }

    func run() throws {
        try BenchProcess.select(wfhost: wfhost)
        var document = JSONObject()
        var sections: [String] = []
        if includes(.registry) {
            let outcome = try Self.measure { try RegistryBenchmark.run(progress: printError) }
            document["registry"] = Self.json(outcome)
            sections.append(Self.text(outcome))
        }
        // Before the in-process benchmarks (the 100,000-stage spec grows this process to ~340 MiB): a child's peak
        // resident memory as wait4 reports it starts from its parent's at the spawn, which would hide the run's own.
        if includes(.run) {
            let outcome = try Self.measure { try RunBenchmark.run(progress: printError) }
            document["run"] = RunBenchmark.json(outcome)
            sections.append(RunBenchmark.text(outcome))
        }
        if includes(.schema) {
            printError("bench: schema")
            let result = SchemaBenchmark.measure()
            document["schema"] = .object([
                "compile_median_us": .double(result.compileMedianMicroseconds),
                "validate_median_us": .double(result.validateMedianMicroseconds),
                "is_valid_median_us": .double(result.isValidMedianMicroseconds),
                "runs": .int(Int64(result.iterations)),
                "sample_violations": .array(result.sampleViolations.map(JSONValue.string)),
            ])
            sections.append("schema benchmark\n" + result.description.split(separator: "\n")
                .map { "  \($0)" }.joined(separator: "\n"))
        }
        if includes(.spec) {
            printError("bench: spec (validate + plan; the 100,000-stage workflow takes a while)")
            let report = SpecBenchmark.run()
            document["spec"] = .object(["report": .array(report.split(separator: "\n").map { .string(String($0)) })])
            sections.append(report)
        }
        if includes(.store) {
            printError("bench: store (stage transitions, WAL with synchronous=NORMAL and FULL)")
            let directory = NSTemporaryDirectory() + "wfhost-store-bench-\(getpid())"
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let figures = try StoreBenchmark.measure(directory: directory)
                try? FileManager.default.removeItem(atPath: directory) // scratch directory
                document["store"] = .array(figures.map {
                    .object(["durability": .string($0.durability), "median_us": .double($0.medianMicroseconds),
                             "transitions": .int(Int64($0.transitions)),
                             "call_before_us": .double($0.bareCallMicroseconds), "call_us": .double($0.durableCallMicroseconds)])
                })
                sections.append(StoreBenchmark.text(figures))
                sections.append(try StoreBenchmark.storeCheckText(directory: directory))
            } catch {
                printError("wfhost-bench: error: the store benchmark failed: \(error)")
                throw Exit.environment
            }
        }
        if includes(.mcp) {
            let outcome = try Self.measure { try MCPBenchmark.run(progress: printError) }
            document["mcp"] = MCPBenchmark.json(outcome)
            sections.append(MCPBenchmark.text(outcome))
        }
        if includes(.calls) {
            let outcome = try Self.measure { try CallBenchmark.run(progress: printError) }
            document["calls"] = Self.json(outcome)
            sections.append(Self.text(outcome))
        }
        print(json ? JSONValue.object(document).serialized(.pretty) : sections.joined(separator: "\n\n"))
    }

    /// Runs one benchmark that spawns children; its failure is reported as `wfhost-bench: error: …` and exits 3.
    private static func measure<Outcome>(_ benchmark: () throws -> Outcome) throws -> Outcome {
        do {
            return try benchmark()
        } catch {
            printError("wfhost-bench: error: \(error)")
            throw Exit.environment
        }
    }

    // MARK: - Rendering the registry figures

    static func text(_ outcome: RegistryBenchmark.Outcome) -> String {
        typealias B = RegistryBenchmark
        let f: RegistryBenchmark.Figures
        switch outcome {
        case .skipped(let reason): return "registry benchmark: skipped: \(reason)"
        case .measured(let figures): f = figures
        }
        func ms(_ x: Double) -> String { String(format: "%8.2f ms", x) }
        let others = f.pluginFiles - B.pluginCount
        return """
            registry benchmark: `wfhost plugins list` as a child process, \(B.pluginCount) generated plugins \
            (\(f.pluginFiles) plugin files on the path\(others > 0 ? ", \(others) from the standard directories" : ""))
              floor  spawn + wait of /bin/true        \(ms(f.floorMedian)) median of \(B.floorRuns)
              cold   empty registry each run          \(ms(f.coldMedian)) median of \(B.coldRuns) \
            = \(String(format: "%.2f", f.coldPerPlugin)) ms per plugin   \
            goal < \(Int(B.coldGoalMillisecondsPerPlugin)) ms per plugin: \(goalVerdict(f.coldMet))
              warm   unchanged files, same registry   \(ms(f.warmMedian)) median of \(B.warmRuns)   \
            goal < \(Int(B.warmGoalMilliseconds)) ms: \(goalVerdict(f.warmMet))
            """
    }

    // MARK: - Rendering the call figures

    static func text(_ outcome: CallBenchmark.Outcome) -> String {
        typealias B = CallBenchmark
        let f: CallBenchmark.Figures
        switch outcome {
        case .skipped(let reason): return "call benchmark: skipped: \(reason)"
        case .measured(let figures): f = figures
        }
        func ms(_ x: Double) -> String { String(format: "%7.3f ms", x) }
        return """
            call benchmark: no-op call (core.echo), median of \(B.runs) calls each, sandbox on
              floor     posix_spawn + waitpid, \(f.floorStatic ? "static " : "dynamic") C no-op  \(ms(f.floorMedian))
              per_call  fresh worker per call             \(ms(f.perCallMedian))   \
            \(String(format: "%.2f", f.perCallRatio))x the floor   goal <= \(B.perCallGoalRatio)x: \(goalVerdict(f.perCallMet))
              pooled    warm worker, pipe round trip      \(ms(f.pooledMedian))   \
            \(String(format: "%.3f", f.pooledMedian / f.floorMedian))x the floor  goal < \(B.pooledGoalMilliseconds) ms: \(goalVerdict(f.pooledMet))
              forked    fork server, fresh process/call   \(ms(f.forkedMedian))   \
            \(String(format: "%.2f", f.forkedMedian / f.floorMedian))x the floor
              per_call  --sandbox off (limits only)       \(ms(f.perCallUnconfinedMedian))   \
            the layers cost \(ms(f.perCallMedian - f.perCallUnconfinedMedian)) per fresh worker
              pooled    --sandbox off (limits only)       \(ms(f.pooledUnconfinedMedian))
            """
    }

    static func json(_ outcome: CallBenchmark.Outcome) -> JSONValue {
        typealias B = CallBenchmark
        switch outcome {
        case .skipped(let reason):
            return .object(["skipped": .string(reason)])
        case .measured(let f):
            return .object([
                "runs": .int(Int64(B.runs)),
                "floor": .object(["median_ms": .double(f.floorMedian), "static": .bool(f.floorStatic)]),
                "per_call": .object([
                    "median_ms": .double(f.perCallMedian), "ratio_to_floor": .double(f.perCallRatio),
                    "sandbox_off_median_ms": .double(f.perCallUnconfinedMedian),
                    "goal_ratio": .double(B.perCallGoalRatio), "met": .bool(f.perCallMet),
                ]),
                "pooled": .object([
                    "median_ms": .double(f.pooledMedian), "ratio_to_floor": .double(f.pooledMedian / f.floorMedian),
                    "sandbox_off_median_ms": .double(f.pooledUnconfinedMedian),
                    "goal_ms": .double(B.pooledGoalMilliseconds), "met": .bool(f.pooledMet),
                ]),
                "forked": .object([
                    "median_ms": .double(f.forkedMedian), "ratio_to_floor": .double(f.forkedMedian / f.floorMedian),
                ]),
            ])
        }
    }

    static func json(_ outcome: RegistryBenchmark.Outcome) -> JSONValue {
        typealias B = RegistryBenchmark
        switch outcome {
        case .skipped(let reason):
            return .object(["skipped": .string(reason)])
        case .measured(let f):
            return .object([
                "generated_plugins": .int(Int64(B.pluginCount)),
                "plugin_files": .int(Int64(f.pluginFiles)),
                "floor": .object(["median_ms": .double(f.floorMedian), "runs": .int(Int64(B.floorRuns))]),
                "cold": .object([
                    "median_ms": .double(f.coldMedian), "runs": .int(Int64(B.coldRuns)),
                    "per_plugin_ms": .double(f.coldPerPlugin),
                    "goal_per_plugin_ms": .double(B.coldGoalMillisecondsPerPlugin), "met": .bool(f.coldMet),
                ]),
                "warm": .object([
                    "median_ms": .double(f.warmMedian), "runs": .int(Int64(B.warmRuns)),
                    "goal_ms": .double(B.warmGoalMilliseconds), "met": .bool(f.warmMet),
                ]),
            ])
        }
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// The benchmark's exit codes: 3 when a benchmark cannot run (the environment), as wfhost's own.
enum Exit {
    static let environment = ExitCode(3)
}
