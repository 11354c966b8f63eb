import Foundation
import Schema

/// The run figures of `wfhost-bench` (issues 6 and 18): no-op stages (`core.echo`), wide and as a chain, 500 and
/// 10,000 of them, run end to end by the measured wfhost as a child (`wfhost run --quiet`, state database
/// included), in `per_call` (500 only: a fresh worker per call), `forked` (a fork server: a fresh process per call)
/// and `pooled` isolation, beside `ninja -j2` running `/bin/true` for the same graph; time per stage and the run's
/// peak resident memory, medians of three runs.
enum RunBenchmark {
    static let sizes = [500, 10_000]
    static let runs = 3
    static let concurrency = 2

    enum Shape: String, CaseIterable { case wide, chain }

    struct Row {
        var shape: Shape
        var stages: Int
        /// Median wall time of a whole run, per stage, in ms, by isolation mode (nil: not measured at this size).
        var perCall: Double?
        var forked: Double
        var pooled: Double
        /// The pooled run's peak resident memory, MiB.
        var pooledPeakMiB: Double
        var ninja: Double?
        var pooledMet: Bool? { ninja.map { pooled <= $0 } }
        var forkedMet: Bool? { ninja.map { forked <= 2 * $0 } }
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
            return .skipped("needs the core plugin (looked in the measured tree's lib/wfhost/plugins/core.so)")
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
        for stages in sizes {
            for shape in Shape.allCases {
                let file = scratch + "/\(shape.rawValue)-\(stages).yaml"
                try write(workflow(shape, stages: stages), to: file)
                func measure(_ mode: String) throws -> (perStage: Double, peakMiB: Double) {
                    let args = ["run", "--state-dir", state, "--plugin-path", plugins, "--isolation", mode,
                                "--max-concurrency", String(concurrency), "--quiet", file]
                    let log = scratch + "/run.log"
                    try BenchProcess.check(exe, args, stderrPath: log) // warm-up: registry scan, page cache
                    var times: [Double] = [], peaks: [Double] = []
                    for n in 1...runs {
                        progress("bench: run: \(shape.rawValue) \(stages) stages, \(mode), run \(n) of \(runs)")
                        times.append(try BenchProcess.timedRun(exe, args, stderrPath: log))
                        peaks.append(Double(BenchProcess.lastMaxRSSKiB) / 1024)
                    }
                    return (median(times) / Double(stages), median(peaks))
                }
                let perCall = stages <= 500 ? try measure("per_call").perStage : nil
                let forked = try measure("forked").perStage
                let pooled = try measure("pooled")
                var ninjaPerNode: Double? = nil
                if let ninja {
                    let buildDir = scratch + "/ninja-\(shape.rawValue)-\(stages)"
                    do {
                        try FileManager.default.createDirectory(atPath: buildDir, withIntermediateDirectories: true)
                    } catch {
                        throw BenchError("cannot create \(buildDir): \(error.localizedDescription)")
                    }
                    try write(ninjaFile(shape, stages: stages), to: buildDir + "/build.ninja")
                    let args = ["-C", buildDir, "-j", String(concurrency)]
                    let log = scratch + "/ninja.log"
                    try BenchProcess.check(ninja, args, stderrPath: log)
                    var times: [Double] = []
                    for n in 1...runs {
                        progress("bench: run: \(shape.rawValue) \(stages) ninja -j\(concurrency), run \(n) of \(runs)")
                        // No edge writes its output, so every run runs all of them.
                        times.append(try BenchProcess.timedRun(ninja, args, stderrPath: log))
                    }
                    ninjaPerNode = median(times) / Double(stages)
                }
                rows.append(Row(shape: shape, stages: stages, perCall: perCall, forked: forked, pooled: pooled.perStage,
                                pooledPeakMiB: pooled.peakMiB, ninja: ninjaPerNode))
            }
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
    static func workflow(_ shape: Shape, stages: Int) -> String {
        var text = "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: bench-\(shape.rawValue)}\nspec:\n  stages:\n"
        for i in 0..<stages {
            let deps = shape == .chain && i > 0 ? "depends_on: [s\(i - 1)], " : ""
            text += "    - {name: s\(i), \(deps)tools: [{name: echo, args: {message: s\(i)}}]}\n"
        }
        return text
    }

    /// The same graph for ninja: one `/bin/true` edge per stage.
    static func ninjaFile(_ shape: Shape, stages: Int) -> String {
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
        func ratio(_ x: Double?, _ n: Double?) -> String {
            guard let x, let n, n > 0 else { return "  n/a" }
            return String(format: "%4.2fx", x / n)
        }
        var lines = ["run benchmark: `wfhost run --quiet` as a child, store included, max-concurrency \(concurrency), "
                     + "ms per stage, median of \(runs) runs; ratios to ninja; goals: pooled <= 1.0x ninja, forked "
                     + "(a fresh process per call, every sandbox layer) <= 2.0x, 10,000 stages within 1.2x the "
                     + "per-stage time of 500, peak <= 100 MB"]
        lines.append("  stages  shape  per_call   forked       pooled       ninja -j\(concurrency)  pooled peak")
        for r in rows {
            lines.append("  " + String(r.stages).padding(toLength: 6, withPad: " ", startingAt: 0) + "  "
                         + r.shape.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)
                         + "  \(ms(r.perCall))  \(ms(r.forked)) \(ratio(r.forked, r.ninja))  \(ms(r.pooled)) "
                         + "\(ratio(r.pooled, r.ninja))  \(ms(r.ninja))  " + String(format: "%5.1f MiB", r.pooledPeakMiB))
        }
        for shape in Shape.allCases {
            if let small = rows.first(where: { $0.shape == shape && $0.stages == sizes[0] }),
               let large = rows.first(where: { $0.shape == shape && $0.stages == sizes[sizes.count - 1] }), small.pooled > 0 {
                lines.append("  \(shape.rawValue): pooled per stage at \(large.stages) is " + String(format: "%.2fx", large.pooled / small.pooled)
                             + " that at \(small.stages)")
            }
        }
        if let note { lines.append("  note: \(note)") }
        return lines.joined(separator: "\n")
    }

    static func json(_ outcome: Outcome) -> JSONValue {
        switch outcome {
        case .skipped(let reason):
            return .object(["skipped": .string(reason)])
        case .measured(let rows, let note):
            var o: JSONObject = ["runs": .int(Int64(runs)), "max_concurrency": .int(Int64(concurrency))]
            o["rows"] = .array(rows.map { r in
                var row: JSONObject = ["stages": .int(Int64(r.stages)), "shape": .string(r.shape.rawValue),
                                       "forked_ms_per_stage": .double(r.forked), "pooled_ms_per_stage": .double(r.pooled),
                                       "pooled_peak_mib": .double(r.pooledPeakMiB)]
                row["per_call_ms_per_stage"] = r.perCall.map(JSONValue.double) ?? .null
                row["ninja_ms_per_node"] = r.ninja.map(JSONValue.double) ?? .null
                row["pooled_met"] = r.pooledMet.map(JSONValue.bool) ?? .null
                row["forked_met"] = r.forkedMet.map(JSONValue.bool) ?? .null
                return .object(row)
            })
            o["ninja_note"] = note.map(JSONValue.string) ?? .null
            return .object(o)
        }
    }
}
