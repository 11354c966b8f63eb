import Foundation
import Plan
import Spec

/// Benchmark of validation and planning on generated workflows, for `wfhost-bench` (`make bench`).
///
/// Figures, not assertions: the medians depend on the machine.
public enum SpecBenchmark {
    /// A generated DAG workflow: stage `i` depends on one to three of the 50 stages before it (fixed seed), with
    /// a mix of bare and mapping tool entries, timeouts, retry policies and variable references.
    public static func generateWorkflow(stages count: Int, seed: UInt64 = 42) -> String {
        var state = seed
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata:
              name: bench-\(count)
              version: 1.0.0
            spec:
              variables:
                registry: registry.example.org
              error_policy: {mode: continue, max_failures: 10}
              stages:

            """
        text.reserveCapacity(count * 160)
        for i in 0..<count {
            text += "    - name: stage-\(i)\n"
            if i % 2 == 0 {
                text += "      tools: [bench_tool]\n"
            } else {
                text += "      tools:\n        - name: bench_tool\n          args: {image: \"${registry}/img-\(i)\", level: \(i % 7)}\n"
            }
            if i > 0 {
                let fanIn = 1 + next() % 3
                var deps = Set<Int>()
                for _ in 0..<fanIn { deps.insert(max(0, i - 1 - next() % min(i, 50))) }
                text += "      depends_on: [" + deps.sorted().map { "stage-\($0)" }.joined(separator: ", ") + "]\n"
            }
            text += "      timeout: \(1 + i % 5)m\n"
            if i % 4 == 0 { text += "      retry_policy: {max_attempts: 3, backoff_mode: exponential}\n" }
        }
        return text
    }

    public struct Measurement: Sendable {
        public var stages: Int
        public var bytes: Int
        public var medianMilliseconds: Double
        public var runs: Int
        /// Peak resident memory during the runs, in MiB (Linux `VmHWM` after resetting it), if known.
        public var peakMiB: Double?
        public var valid: Bool
    }

    /// Validates and plans a generated workflow `runs` times; reports the median.
    public static func measure(stages: Int, runs requestedRuns: Int) -> Measurement {
        let runs = max(1, requestedRuns)
        let text = generateWorkflow(stages: stages)
        let bytes = Array(text.utf8)
        resetPeakMemory()
        var times: [Double] = []
        var valid = true
        let clock = ContinuousClock()
        for _ in 0..<runs {
            let start = clock.now
            let report = WorkflowValidator.validate(bytes: bytes, file: "bench-\(stages).yaml",
                                                    options: LoadOptions(externalVariables: []))
            let elapsed = clock.now - start
            valid = valid && report.isValid && report.plan != nil
            times.append(Double(DurationText.milliseconds(elapsed)) + Double(elapsed.components.attoseconds % 1_000_000_000_000_000) / 1e15)
        }
        times.sort()
        return Measurement(stages: stages, bytes: bytes.count, medianMilliseconds: times[times.count / 2], runs: runs,
                           peakMiB: peakMemoryMiB(), valid: valid)
    }

    /// Runs the standard figures (300 stages: goal < 30 ms; 100,000 stages: goal < 2 s and < 500 MB) and returns
    /// them as text.
    public static func run() -> String {
        var lines = ["spec benchmark: validate + plan a generated DAG (median)"]
        for (stages, runs, goal) in [(300, 51, "goal < 30 ms"), (100_000, 5, "goal < 2000 ms, < 500 MiB")] {
            let m = measure(stages: stages, runs: runs)
            let peak = m.peakMiB.map { String(format: "%.0f MiB peak RSS", $0) } ?? "peak RSS unknown"
            lines.append(String(format: "  %7d stages (%5.1f MB): %9.2f ms median of %d, %@ (%@)%@",
                                m.stages, Double(m.bytes) / 1e6, m.medianMilliseconds, m.runs, peak, goal,
                                m.valid ? "" : "  INVALID"))
        }
        return lines.joined(separator: "\n")
    }

    /// Resets the kernel's peak-RSS mark for this process (Linux: writing 5 to `/proc/self/clear_refs`).
    static func resetPeakMemory() {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
        handle.write(Data("5".utf8))
        // Closing a /proc file cannot lose data; an error here only means the figure includes earlier peaks.
        try? handle.close()
    }

    static func peakMemoryMiB() -> Double? {
        // No /proc (not Linux): the figure is reported as unknown.
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first
            return kb.map { $0 / 1024 }
        }
        return nil
    }
}
