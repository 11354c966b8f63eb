import Foundation
import Schema

/// The run figures of `wfhost-bench` (issue 6, "Must show"): 1,000 no-op stages (`core.echo`), wide and as a
/// chain, run end to end by this very binary as a child (`wfhost run --quiet`, state database included), in
/// `per_call` and `pooled` isolation, beside `ninja -j2` running `/bin/true` for the same graph.
enum RunBenchmark {
    static let stages = 1000
    static let runs = 3
    static let concurrency = 2

    enum Shape: String, CaseIterable { case wide, chain }

    struct Row {
        var shape: Shape
        /// Median wall time of a whole run, per stage, in ms, by isolation mode (`per_call`, `pooled`), and ninja's.
        var perCall: Double
        var pooled: Double
        var ninja: Double?
        var pooledMet: Bool? { ninja.map { pooled <= $0 } }
        var perCallMet: Bool? { ninja.map { perCall <= 2 * $0 } }
    }

    enum Outcome {
        case skipped(String)
        case measured(rows: [Row], ninjaNote: String?)
    }

    /// Runs the benchmark; progress lines go to `progress`.
    /// - Throws: `BenchError` when a run fails.
    static func run(progress: (String) -> Void) throws -> Outcome {
        let exe = try BenchProcess.currentExecutable()
        guard let core = BenchProcess.corePlugin() else {
            return .skipped("needs the core plugin (looked beside the executable for libcore.so and in ../lib/wfhost/plugins/core.so)")
        }
        let scratch = try BenchProcess.makeTemporaryDirectory()
        defer { BenchProcess.remove(scratch) }
        let plugins = scratch + "/plugins", state = scratch + "/state"
        do {
            try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: core, toPath: plugins + "/core.so")
        } catch {
            throw BenchError("cannot prepare \(plugins): \(error.localizedDescription)")
        }
        let (ninja, note) = findNinja()
        var rows: [Row] = []
        for shape in Shape.allCases {
            let file = scratch + "/\(shape.rawValue).yaml"
            try write(workflow(shape), to: file)
            func measure(_ mode: String) throws -> Double {
                let args = ["run", "--state-dir", state, "--plugin-path", plugins, "--isolation", mode,
                            "--max-concurrency", String(concurrency), "--quiet", file]
                let log = scratch + "/run.log"
                try BenchProcess.check(exe, args, stderrPath: log) // warm-up: registry scan, page cache
                var times: [Double] = []
                for n in 1...runs {
                    progress("bench: run: \(shape.rawValue) \(stages) stages, \(mode), run \(n) of \(runs)")
                    times.append(try BenchProcess.timedRun(exe, args, stderrPath: log))
                }
                return median(times) / Double(stages)
            }
            let perCall = try measure("per_call")
            let pooled = try measure("pooled")
            var ninjaPerNode: Double? = nil
            if let ninja {
                let buildDir = scratch + "/ninja-\(shape.rawValue)"
                do {
                    try FileManager.default.createDirectory(atPath: buildDir, withIntermediateDirectories: true)
                } catch {
                    throw BenchError("cannot create \(buildDir): \(error.localizedDescription)")
                }
                try write(ninjaFile(shape), to: buildDir + "/build.ninja")
                let args = ["-C", buildDir, "-j", String(concurrency)]
                let log = scratch + "/ninja.log"
                try BenchProcess.check(ninja, args, stderrPath: log)
                var times: [Double] = []
                for n in 1...runs {
                    progress("bench: run: \(shape.rawValue) ninja -j\(concurrency), run \(n) of \(runs)")
                    // No edge writes its output, so every run runs all of them.
                    times.append(try BenchProcess.timedRun(ninja, args, stderrPath: log))
                }
                ninjaPerNode = median(times) / Double(stages)
            }
            rows.append(Row(shape: shape, perCall: perCall, pooled: pooled, ninja: ninjaPerNode))
        }
        return .measured(rows: rows, ninjaNote: note)
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }

    static func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw BenchError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// `stages` echo stages; in a chain each depends on the one before.
    static func workflow(_ shape: Shape) -> String {
        var text = "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: bench-\(shape.rawValue)}\nspec:\n  stages:\n"
        for i in 0..<stages {
            let deps = shape == .chain && i > 0 ? "depends_on: [s\(i - 1)], " : ""
            text += "    - {name: s\(i), \(deps)tools: [{name: echo, args: {message: s\(i)}}]}\n"
        }
        return text
    }

    /// The same graph for ninja: one `/bin/true` edge per stage.
    static func ninjaFile(_ shape: Shape) -> String {
        var text = "rule t\n  command = /bin/true\n"
        for i in 0..<stages {
            text += "build s\(i): t" + (shape == .chain && i > 0 ? " s\(i - 1)" : "") + "\n"
        }
        return text
    }

    /// `ninja` on the path; nil with how to install it otherwise. A benchmark installs nothing.
    static func findNinja() -> (String?, String?) {
        if let ninja = BenchProcess.findOnPath("ninja") { return (ninja, nil) }
        return (nil, "ninja is not installed: install it to compare (Debian: `apt-get install -y ninja-build`)")
    }

    // MARK: - Rendering

    static func text(_ outcome: Outcome) -> String {
        let rows: [Row], note: String?
        switch outcome {
        case .skipped(let reason): return "run benchmark: skipped: \(reason)"
        case .measured(let r, let n): (rows, note) = (r, n)
        }
        func ms(_ x: Double?) -> String { x.map { String(format: "%6.3f ms", $0) } ?? "     n/a" }
        func verdict(_ met: Bool?) -> String { met.map { $0 ? "met" : "NOT met" } ?? "no ninja figure" }
        var lines = ["run benchmark: `wfhost run --quiet` of \(stages) no-op stages (core.echo) as a child, store "
                     + "included, max-concurrency \(concurrency), ms per stage, median of \(runs) runs"]
        lines.append("  shape  per_call   pooled     ninja -j\(concurrency)  goals: pooled <= ninja, per_call <= 2x ninja")
        for r in rows {
            lines.append("  \(r.shape.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0))  \(ms(r.perCall))  \(ms(r.pooled))  \(ms(r.ninja))"
                         + "  pooled: \(verdict(r.pooledMet)); per_call: \(verdict(r.perCallMet))")
        }
        if let note { lines.append("  note: \(note)") }
        return lines.joined(separator: "\n")
    }

    static func json(_ outcome: Outcome) -> JSONValue {
        switch outcome {
        case .skipped(let reason):
            return .object(["skipped": .string(reason)])
        case .measured(let rows, let note):
            var o: JSONObject = ["stages": .int(Int64(stages)), "runs": .int(Int64(runs)),
                                 "max_concurrency": .int(Int64(concurrency))]
            for r in rows {
                var row: JSONObject = ["per_call_ms_per_stage": .double(r.perCall), "pooled_ms_per_stage": .double(r.pooled)]
                row["ninja_ms_per_node"] = r.ninja.map(JSONValue.double) ?? .null
                row["pooled_met"] = r.pooledMet.map(JSONValue.bool) ?? .null
                row["per_call_met"] = r.perCallMet.map(JSONValue.bool) ?? .null
                o[r.shape.rawValue] = .object(row)
            }
            if let note { o["note"] = .string(note) }
            return .object(o)
        }
    }
}
