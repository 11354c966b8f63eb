#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Isolation
import Schema

/// The run figures of `wfhost-bench` (issues 6 and 18): no-op stages (`core.echo`), wide and as a chain, 500 and
/// 10,000 of them, run end to end by the measured wfhost as a child (`wfhost run --quiet`, state database
/// included), in `per_call` (500 only: a fresh worker per call), `forked` (a fork server: a fresh process per call)
/// and `pooled` isolation, beside the spawn floor (posix_spawn + waitpid of `/bin/true`, two in flight for the wide
/// graph, one after another for the chain), `make -j2` and `ninja -j2` running `/bin/true` for the same graph; time
/// per stage and the run's peak resident memory, medians of three runs. Every engine's task count is verified once
/// per graph (wfhost: the succeeded stages of `run --json`; ninja: its last `[n/N]` line; make: the recipes
/// `--trace` echoes). Then a one-stage run, with a warm registry and with a cold one (a new state directory).
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
        var make: Double?
        var floor: Double
        var pooledMet: Bool? { ninja.map { pooled <= $0 } }
        var forkedMet: Bool? { ninja.map { forked <= 2 * $0 } }
    }

    /// A one-stage run, ms (median of `oneStageRuns`), pooled.
    struct OneStage { var warm: Double; var cold: Double }
    static let oneStageRuns = 11

    enum Outcome {
        case skipped(String)
        case measured(rows: [Row], oneStage: OneStage, notes: [String])
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
        let (ninja, ninjaNote) = findPeer("ninja", package: "ninja-build")
        let (make, makeNote) = findPeer("make", package: "make")
        var rows: [Row] = []
        for stages in sizes {
            for shape in Shape.allCases {
                let file = scratch + "/\(shape.rawValue)-\(stages).yaml"
                try write(workflow(shape, stages: stages), to: file)
                func measure(_ mode: String) throws -> (perStage: Double, peakMiB: Double) {
                    let args = ["run", "--state-dir", state, "--plugin-path", plugins, "--isolation", mode,
                                "--max-concurrency", String(concurrency), file]
                    let log = scratch + "/run.log", out = scratch + "/run.json"
                    // Warm-up (registry scan, page cache), which also verifies the task count.
                    try BenchProcess.check(exe, args + ["--json"], stdoutPath: out, stderrPath: log)
                    try verifyRun(out, stages: stages, what: "wfhost run --isolation \(mode) of \(file)")
                    var times: [Double] = [], peaks: [Double] = []
                    for n in 1...runs {
                        progress("bench: run: \(shape.rawValue) \(stages) stages, \(mode), run \(n) of \(runs)")
                        times.append(try BenchProcess.timedRun(exe, args + ["--quiet"], stderrPath: log))
                        peaks.append(Double(BenchProcess.lastMaxRSSKiB) / 1024)
                    }
                    return (median(times) / Double(stages), median(peaks))
                }
                progress("bench: run: \(shape.rawValue) \(stages) spawn floor")
                let floor = try spawnFloor(shape, stages: stages)
                let perCall = stages <= 500 ? try measure("per_call").perStage : nil
                let forked = try measure("forked").perStage
                let pooled = try measure("pooled")
                let buildDir = scratch + "/peers-\(shape.rawValue)-\(stages)"
                do {
                    try FileManager.default.createDirectory(atPath: buildDir, withIntermediateDirectories: true)
                } catch {
                    throw BenchError("cannot create \(buildDir): \(error.localizedDescription)")
                }
                func peer(_ tool: String, _ args: [String], verify: (String) throws -> Void) throws -> Double {
                    let log = scratch + "/peer.log", out = scratch + "/peer.out"
                    try BenchProcess.check(tool, args, stdoutPath: out, stderrPath: log)
                    try verify(out)
                    var times: [Double] = []
                    for n in 1...runs {
                        progress("bench: run: \(shape.rawValue) \(stages) \((tool as NSString).lastPathComponent) -j\(concurrency), run \(n) of \(runs)")
                        // No task writes its output, so every run runs all of them.
                        times.append(try BenchProcess.timedRun(tool, args, stderrPath: log))
                    }
                    return median(times) / Double(stages)
                }
                var ninjaPerNode: Double? = nil, makePerNode: Double? = nil
                if let ninja {
                    try write(ninjaFile(shape, stages: stages), to: buildDir + "/build.ninja")
                    ninjaPerNode = try peer(ninja, ["-C", buildDir, "-j", String(concurrency)]) { out in
                        let last = try read(out).split(separator: "\n").last { $0.hasPrefix("[") } ?? ""
                        guard last.hasPrefix("[\(stages)/\(stages)]") else {
                            throw BenchError("ninja ran a graph of \(stages) tasks but its last status line is '\(last)'")
                        }
                    }
                }
                if let make {
                    try write(makeFile(shape, stages: stages), to: buildDir + "/Makefile")
                    let args = ["-C", buildDir, "-j", String(concurrency), "--no-print-directory", "all"]
                    let out = scratch + "/make.out"
                    try BenchProcess.check(make, args + ["--trace"], stdoutPath: out, stderrPath: scratch + "/peer.log")
                    let ran = try read(out).split(separator: "\n").filter { $0 == "true" }.count
                    guard ran == stages else { throw BenchError("make ran \(ran) recipes of a graph of \(stages)") }
                    makePerNode = try peer(make, args) { _ in }
                }
                rows.append(Row(shape: shape, stages: stages, perCall: perCall, forked: forked, pooled: pooled.perStage,
                                pooledPeakMiB: pooled.peakMiB, ninja: ninjaPerNode, make: makePerNode, floor: floor))
            }
        }
        // One stage, pooled: a warm registry (the state directory of the runs above), then a cold one each time.
        let one = scratch + "/one.yaml"
        try write(workflow(.wide, stages: 1), to: one)
        func oneStage(state: () -> String) throws -> Double {
            var times: [Double] = []
            for _ in 1...oneStageRuns {
                let args = ["run", "--state-dir", state(), "--plugin-path", plugins, "--isolation", "pooled", "--quiet", one]
                times.append(try BenchProcess.timedRun(exe, args, stderrPath: scratch + "/one.log"))
            }
            return median(times)
        }
        progress("bench: run: one stage, warm and cold registry")
        let warm = try oneStage { state }
        var coldIndex = 0
        let cold = try oneStage { coldIndex += 1; return scratch + "/cold-\(coldIndex)" }
        return .measured(rows: rows, oneStage: OneStage(warm: warm, cold: cold), notes: [ninjaNote, makeNote].compactMap { $0 })
    }

    /// The floor for a process per task: posix_spawn + waitpid of `/bin/true`, `concurrency` in flight for the
    /// wide graph (oldest reaped first), one after another for the chain; median ms per task of `runs` runs.
    static func spawnFloor(_ shape: Shape, stages: Int) throws -> Double {
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard devNull >= 0 else { throw BenchError("/dev/null: " + SystemError("open", errno: errno).description) }
        defer { close(devNull) }
        let inFlight = shape == .wide ? concurrency : 1
        var times: [Double] = []
        for _ in 1...runs {
            let clock = ContinuousClock(), start = clock.now
            var running: [ChildProcess] = []
            var started = 0, ended = 0
            do {
                while ended < stages {
                    while started < stages && running.count < inFlight {
                        running.append(try ChildProcess(executable: "/bin/true", arguments: [], environment: [],
                                                        fds: [(devNull, 0), (devNull, 1), (devNull, 2)]))
                        started += 1
                    }
                    guard let reaped = try running.removeFirst().reapWithUsage(block: true),
                          reaped.termination == .exited(code: 0) else {
                        throw BenchError("/bin/true did not exit with 0")
                    }
                    ended += 1
                }
            } catch let error as BenchError {
                throw error
            } catch {
                throw BenchError("spawning /bin/true: \(error)")
            }
            let (seconds, attoseconds) = (clock.now - start).components
            times.append((Double(seconds) * 1e3 + Double(attoseconds) / 1e15) / Double(stages))
        }
        return median(times)
    }

    /// Checks that `run --json` in `path` reports `stages` succeeded stages.
    static func verifyRun(_ path: String, stages: Int, what: String) throws {
        let document: JSONValue
        do {
            document = try JSONValue.parse(try read(path))
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError("\(what): its --json output does not parse: \(error)")
        }
        let succeeded = document["stages"]?.arrayValue?.filter { $0["status"] == .string("succeeded") }.count ?? 0
        guard succeeded == stages else {
            throw BenchError("\(what): \(succeeded) of \(stages) stages succeeded")
        }
    }

    static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw BenchError("cannot read \(path): \(error.localizedDescription)")
        }
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

    /// The same graph for make: one phony target per stage whose recipe is `true` (make runs it without a shell).
    static func makeFile(_ shape: Shape, stages: Int) -> String {
        var text = "all:" + (0..<stages).map { " s\($0)" }.joined() + "\n"
        for i in 0..<stages {
            text += "s\(i):" + (shape == .chain && i > 0 ? " s\(i - 1)" : "") + "\n\t@true\n"
        }
        return text + ".PHONY: all" + (0..<stages).map { " s\($0)" }.joined() + "\n"
    }

    /// A peer engine on the path; nil with how to install it otherwise. A benchmark installs nothing.
    static func findPeer(_ name: String, package: String) -> (String?, String?) {
        if let path = BenchProcess.findOnPath(name) { return (path, nil) }
        return (nil, "\(name) is not installed: install it to compare (Debian: `apt-get install -y \(package)`)")
    }

    // MARK: - Rendering

    static func text(_ outcome: Outcome) -> String {
        let rows: [Row], oneStage: OneStage, notes: [String]
        switch outcome {
        case .skipped(let reason): return "run benchmark: skipped: \(reason)"
        case .measured(let r, let o, let n): (rows, oneStage, notes) = (r, o, n)
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
        lines.append("  stages  shape  spawn      make -j\(concurrency)  ninja -j\(concurrency)  per_call         forked           pooled           pooled peak")
        for r in rows {
            lines.append("  " + String(r.stages).padding(toLength: 6, withPad: " ", startingAt: 0) + "  "
                         + r.shape.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)
                         + "  \(ms(r.floor))  \(ms(r.make))  \(ms(r.ninja))  \(ms(r.perCall)) \(ratio(r.perCall, r.ninja))"
                         + "  \(ms(r.forked)) \(ratio(r.forked, r.ninja))  \(ms(r.pooled)) \(ratio(r.pooled, r.ninja))  "
                         + String(format: "%5.1f MiB", r.pooledPeakMiB))
        }
        lines.append("  (every engine's task count verified; ratios to ninja)")
        for shape in Shape.allCases {
            if let small = rows.first(where: { $0.shape == shape && $0.stages == sizes[0] }),
               let large = rows.first(where: { $0.shape == shape && $0.stages == sizes[sizes.count - 1] }), small.pooled > 0 {
                lines.append("  \(shape.rawValue): pooled per stage at \(large.stages) is " + String(format: "%.2fx", large.pooled / small.pooled)
                             + " that at \(small.stages)")
            }
        }
        lines.append(String(format: "  one-stage run, pooled, median of %d: warm registry %.1f ms (goal <= 10 ms), cold registry %.1f ms",
                            oneStageRuns, oneStage.warm, oneStage.cold))
        for note in notes { lines.append("  note: \(note)") }
        return lines.joined(separator: "\n")
    }

    static func json(_ outcome: Outcome) -> JSONValue {
        switch outcome {
        case .skipped(let reason):
            return .object(["skipped": .string(reason)])
        case .measured(let rows, let oneStage, let notes):
            var o: JSONObject = ["runs": .int(Int64(runs)), "max_concurrency": .int(Int64(concurrency))]
            o["rows"] = .array(rows.map { r in
                var row: JSONObject = ["stages": .int(Int64(r.stages)), "shape": .string(r.shape.rawValue),
                                       "forked_ms_per_stage": .double(r.forked), "pooled_ms_per_stage": .double(r.pooled),
                                       "pooled_peak_mib": .double(r.pooledPeakMiB)]
                row["per_call_ms_per_stage"] = r.perCall.map(JSONValue.double) ?? .null
                row["ninja_ms_per_node"] = r.ninja.map(JSONValue.double) ?? .null
                row["make_ms_per_node"] = r.make.map(JSONValue.double) ?? .null
                row["spawn_floor_ms_per_task"] = .double(r.floor)
                row["pooled_met"] = r.pooledMet.map(JSONValue.bool) ?? .null
                row["forked_met"] = r.forkedMet.map(JSONValue.bool) ?? .null
                return .object(row)
            })
            o["one_stage_warm_ms"] = .double(oneStage.warm)
            o["one_stage_cold_ms"] = .double(oneStage.cold)
            o["notes"] = .array(notes.map(JSONValue.string))
            return .object(o)
        }
    }
}
