import Foundation
import Testing
import WfhostTestSupport

/// `wfhost metrics --format prometheus` checked by promtool (Debian package `prometheus`): label values escaped
/// for any workflow name, `_sum` beside `_count`, counters that do not drop after `cleanup`, interrupted
/// sessions counted as such.
@Suite struct PrometheusTests {
    /// promtool's path, installing the `prometheus` package when it is missing and we are root; else a skip.
    static func promtool() throws -> String {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/promtool") {
            return dir + "/promtool"
        }
        guard getuid() == 0 else {
            try Test.cancel("skipped: promtool is not installed and the tests do not run as root; install the Debian package with `apt-get install -y prometheus`")
        }
        let install = try TestSupport.run("/usr/bin/apt-get", ["install", "-y", "prometheus"],
                                          environment: ["DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
        guard install.status == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") else {
            try Test.cancel("skipped: `apt-get install -y prometheus` failed, so promtool is missing: \(install.stderr.split(separator: "\n").last ?? "")")
        }
        return "/usr/bin/promtool"
    }

    /// Runs `promtool check metrics` on `text`: its exit status and what it said.
    static func check(_ text: String, promtool: String, in dir: String) throws -> TestSupport.RunResult {
        let file = dir + "/metrics.txt"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return try TestSupport.run("/bin/sh", ["-c", "\"$0\" check metrics < \"$1\"", promtool, file])
    }

    static let name = "a\"b\\c\nnext"

    @Test func anyWorkflowNamePassesPromtoolAndCountersSurviveCleanup() throws {
        let promtool = try Self.promtool()
        let h = try FailureOutputTests.harness("prometheus")
        defer { h.cleanup() }
        let ok = h.root + "/ok.yaml"
        try """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: "a\\"b\\\\c\\nnext"}
            spec:
              stages:
                - {name: s, tools: [echo], args: {message: hi}}
                - {name: t, tools: [settle], retry_policy: {max_attempts: 2, initial_delay: 1ms}}
            """.write(toFile: ok, atomically: true, encoding: .utf8)
        for _ in 0..<2 {
            let r = try h.cli(["run", ok, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let failed = try h.cli(["run", try h.write("stages: [{name: f, tools: [fail], args: {message: no}}]"), "--quiet"])
        #expect(failed.status == 1)

        let before = try h.cli(["metrics", "--format", "prometheus"])
        #expect(before.status == 0, "\(before.stderr)")
        let label = #"workflow="a\"b\\c\nnext""#
        #expect(before.stdout.contains("wfhost_workflow_runs_total{\(label),outcome=\"succeeded\"} 2\n"), "\(before.stdout)")
        #expect(before.stdout.contains("wfhost_workflow_duration_seconds_sum{\(label)} "))
        #expect(before.stdout.contains("wfhost_workflow_duration_seconds_count{\(label)} 2\n"))
        #expect(before.stdout.contains("wfhost_workflow_retries_total{\(label)} 2\n"))
        #expect(before.stdout.contains("wfhost_tool_runs_total{tool=\"noisy.settle\",outcome=\"failed\"} 2\n"))
        #expect(before.stdout.contains("wfhost_workflow_runs_total{workflow=\"engine-test\",outcome=\"failed\"} 1\n"))
        let checked = try Self.check(before.stdout, promtool: promtool, in: h.root)
        #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")

        // cleanup removes every session; the counters keep their values, the quantiles go.
        let cleaned = try h.cli(["cleanup", "--older-than", "0s"])
        #expect(cleaned.status == 0, "\(cleaned.stderr)")
        #expect(cleaned.stdout.hasPrefix("removed 3 session(s)"), "\(cleaned.stdout)")
        let after = try h.cli(["metrics", "--format", "prometheus"])
        #expect(after.stdout.contains("wfhost_workflow_runs_total{\(label),outcome=\"succeeded\"} 2\n"), "\(after.stdout)")
        #expect(after.stdout.contains("wfhost_workflow_duration_seconds_count{\(label)} 2\n"))
        #expect(after.stdout.contains("wfhost_workflow_retries_total{\(label)} 2\n"))
        #expect(after.stdout.contains("wfhost_tool_runs_total{tool=\"noisy.settle\",outcome=\"failed\"} 2\n"))
        #expect(after.stdout.contains("wfhost_tool_errors_total{tool=\"chaos.fail\",class=\"tool_error\"} 1\n"))
        #expect(!after.stdout.contains("quantile="))
        #expect(after.stdout.contains("wfhost_sessions{status=\"succeeded\"} 0\n"))
        let sumBefore = Self.sample(before.stdout, "wfhost_workflow_duration_seconds_sum{\(label)}")
        #expect(sumBefore != nil && Self.sample(after.stdout, "wfhost_workflow_duration_seconds_sum{\(label)}") == sumBefore)
        #expect(try Self.check(after.stdout, promtool: promtool, in: h.root).status == 0)

        // A run after cleanup adds to the kept totals.
        #expect(try h.cli(["run", ok, "--quiet"]).status == 0)
        let again = try h.cli(["metrics", "--format", "prometheus"])
        #expect(again.stdout.contains("wfhost_workflow_runs_total{\(label),outcome=\"succeeded\"} 3\n"), "\(again.stdout)")
        #expect(again.stdout.contains("wfhost_workflow_duration_seconds_count{\(label)} 3\n"))
    }

    /// The value of the sample line that starts with `series`.
    static func sample(_ text: String, _ series: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.map { String($0.dropFirst(series.count + 1)) }
    }

    /// A session whose host died while it ran is `interrupted`, not `running`.
    @Test func anInterruptedSessionHasItsOwnStatus() throws {
        let h = try EngineHarness("prometheus-interrupted")
        defer { h.cleanup() }
        let file = try h.write("stages: [{name: wait, tools: [sleep], args: {ms: 60000}}]")
        let runner = Process()
        runner.executableURL = URL(fileURLWithPath: TestSupport.wfhost)
        runner.arguments = ["run", file, "--quiet", "--events", "-"]
        runner.environment = h.environment
        let events = Pipe()
        runner.standardOutput = events
        runner.standardError = FileHandle.nullDevice
        try runner.run()
        // Wait for the call to start (its event), then kill the host without letting it clean up.
        var seen = ""
        while !seen.contains("\"attempt_started\"") {
            let chunk = events.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        #expect(seen.contains("\"attempt_started\""), "\(seen)")
        kill(runner.processIdentifier, SIGKILL)
        runner.waitUntilExit()
        let metrics = try h.cli(["metrics", "--format", "prometheus"])
        #expect(metrics.stdout.contains("wfhost_sessions{status=\"interrupted\"} 1\n"), "\(metrics.stdout)")
        #expect(metrics.stdout.contains("wfhost_sessions{status=\"running\"} 0\n"))
    }
}
