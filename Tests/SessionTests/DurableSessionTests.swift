import Foundation
import WfhostTestSupport
import Schema
import Testing

/// Crash-safe resume, operator commands from other processes, checkpoints, and two hosts on one state directory.
@Suite(.serialized) struct DurableSessionTests {
    /// A chain of stages, each appending its name to `log` through core.write_file (a side-effecting call that
    /// `on_interrupt: retry` lets a resume run again).
    static func chain(_ count: Int, log: String, sleepMs: Int? = nil, attempts: Int = 1) -> String {
        var yaml = "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: chain}\nspec:\n  checkpoints: true\n  stages:\n"
        for i in 0..<count {
            yaml += "    - name: s\(i)\n"
            if i > 0 { yaml += "      depends_on: [s\(i - 1)]\n" }
            yaml += "      on_interrupt: retry\n"
            if attempts > 1 {
                yaml += "      retry_policy: {max_attempts: \(attempts), backoff_mode: fixed, initial_delay: 10ms}\n"
            }
            yaml += "      tools:\n"
            if let ms = sleepMs { yaml += "        - {name: sleep, args: {ms: \(ms)}}\n" }
            yaml += "        - {name: write_file, args: {path: \"\(log)\", content: \"s\(i)\\n\", append: true}}\n"
        }
        return yaml
    }

    // The kill test (over 100 SIGKILLs, call by call) is CallDurabilityTests.killsAtRandomPointsNeverRerunAFinishedCallNorLoseOne.

    @Test func pauseFromAnotherProcessThenResume() throws {
        let h = try SessionHarness("pause")
        defer { h.cleanup() }
        let log = h.dir + "/stages.log"
        // 2 s stages: the pause (a process of its own, slow to start on a loaded machine) must land during s0
        let file = try h.write("slow.yaml", Self.chain(3, log: log, sleepMs: 2000))
        let p = try h.start(["run", file, "--quiet"])
        guard let s = try h.waitForRunningStage("s0") else {
            Issue.record("stage s0 never started")
            return
        }
        let pause = try h.wfhost(["pause", s])
        #expect(pause.status == 0)
        #expect(pause.stdout.hasPrefix("pause requested: the host running session \(s) starts no new stage"))
        p.waitUntilExit()
        #expect(p.terminationStatus == 4, "a paused run exits 4")
        let paused = try h.statusJSON(s)
        #expect(paused["status"]?.stringValue == "paused")
        #expect(try h.stageStatuses(s) == ["s0": "succeeded", "s1": "pending", "s2": "pending"])
        let explain = try h.wfhost(["resume", s, "--explain"])
        #expect(explain.stdout.contains("s0     keep       succeeded; its output is kept and it is not run again"))
        sleep(2) // paused time: not part of the session's active time
        let resumed = try h.wfhost(["resume", s, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(h.lineCounts(log) == ["s0": 1, "s1": 1, "s2": 1])
        let done = try h.statusJSON(s)
        let active = done["active_seconds"]?.doubleValue ?? 0
        let wall = (done["finished_at"]?.doubleValue ?? 0) - (done["started_at"]?.doubleValue ?? 0)
        // Three 2 s stages ran; the session spent at least 2 s paused besides.
        #expect(active >= 2.1 && active <= wall - 1.9, "active \(active) s of \(wall) s")
    }

    @Test func cancelFromAnotherProcessDuringAHang() throws {
        let h = try SessionHarness("cancel")
        defer { h.cleanup() }
        let file = try h.write("hang.yaml", """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: hang}
            spec:
              stages:
                - {name: stuck, tools: [hang]}
                - {name: after, depends_on: [stuck], tools: [{name: echo, args: {message: never}}]}
            """)
        let p = try h.start(["run", file, "--quiet"])
        var session: String? = nil
        #expect(h.waitUntil {
            session = try? h.newestSession() // not created yet
            guard let s = session else { return false }
            return (try? h.statusJSON(s)["attempts"]?.arrayValue?.isEmpty == false) ?? false // as above
        })
        guard let s = session else { return }
        let cancel = try h.wfhost(["cancel", s])
        #expect(cancel.stdout == "cancel requested: the host running session \(s) cancels its running calls and stops\n")
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        #expect(try h.statusJSON(s)["status"]?.stringValue == "cancelled")
        #expect(try h.stageStatuses(s) == ["stuck": "cancelled", "after": "skipped"])
    }

    @Test func cancelThenResumeRunsWhatTheCancelLeftBehind() throws {
        let h = try SessionHarness("cancel-resume")
        defer { h.cleanup() }
        let log = h.dir + "/stages.log"
        let file = try h.write("slow.yaml", Self.chain(3, log: log, sleepMs: 1500))
        let p = try h.start(["run", file, "--quiet"])
        guard let s = try h.waitForRunningStage("s0") else {
            Issue.record("stage s0 never started")
            return
        }
        #expect(try h.wfhost(["cancel", s]).status == 0)
        p.waitUntilExit()
        #expect(try h.stageStatuses(s) == ["s0": "cancelled", "s1": "skipped", "s2": "skipped"])
        let explain = try h.wfhost(["resume", s, "--explain"])
        let rows = explain.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(rows.contains("s1 run was skipped when the run stopped; runs again"), "\(explain.stdout)")
        #expect(rows.contains("s0 run was cancelled during attempt 1; runs again as attempt 2, which does not count against its retry policy"), "\(explain.stdout)")
        #expect(rows.contains("1. chaos.sleep run was cancelled; runs again"), "\(explain.stdout)")
        let resumed = try h.wfhost(["resume", s, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(h.lineCounts(log) == ["s0": 1, "s1": 1, "s2": 1])
    }

    @Test func resumingAFailedSessionRerunsItsFailedStagesWithFreshAttempts() throws {
        let h = try SessionHarness("resume-failed")
        defer { h.cleanup() }
        let file = try h.write("flaky.yaml", """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: flaky}
            spec:
              stages:
                - {name: a, tools: [{name: echo, args: {message: a}}]}
                - name: b
                  depends_on: [a]
                  retry_policy: {max_attempts: 2, backoff_mode: fixed, initial_delay: 10ms}
                  tools: [{name: flaky, args: {key: k, failures: 2, path: "\(h.dir)/counts"}}]
                - {name: c, depends_on: [b], tools: [{name: echo, args: {message: c}}]}
            """)
        #expect(try h.wfhost(["run", file, "--quiet"]).status == 1)
        guard let s = try h.newestSession() else { return }
        #expect(try h.stageStatuses(s) == ["a": "succeeded", "b": "failed", "c": "skipped"])
        let explain = try h.wfhost(["resume", s, "--explain"])
        #expect(explain.stdout == """
            STAGE  ON RESUME  WHY
            a      keep       succeeded; its output is kept and it is not run again
            b      run        failed; runs again with fresh attempts
            c      run        was skipped when the run stopped; runs again

            """)
        #expect(try h.wfhost(["resume", s, "--quiet"]).status == 0)
        #expect(try h.stageStatuses(s) == ["a": "succeeded", "b": "succeeded", "c": "succeeded"])
        let attempts = try h.statusJSON(s)["attempts"]?.arrayValue ?? []
        #expect(attempts.filter { $0["stage"]?.stringValue == "a" }.count == 1)
        // b's attempts before the resume stay recorded; the fresh budget continues their numbering.
        #expect(attempts.filter { $0["stage"]?.stringValue == "b" }.compactMap { $0["status"]?.stringValue }
                == ["failed", "failed", "succeeded"])
        let metrics = try JSONValue.parse(try h.wfhost(["metrics", "--json"]).stdout)
        #expect(metrics["workflows"]?[0]?["retries"]?.intValue == 2)
    }

    @Test func checkpointRestoreThenResumeRerunsExactlyTheLaterStages() throws {
        let h = try SessionHarness("checkpoint")
        defer { h.cleanup() }
        let log = h.dir + "/stages.log"
        let file = try h.write("chain.yaml", Self.chain(4, log: log))
        #expect(try h.wfhost(["run", file, "--quiet"]).status == 0)
        guard let s = try h.newestSession() else { return }
        let list = try h.wfhost(["checkpoint", "list", s, "--json"])
        let names = try JSONValue.parse(list.stdout)["checkpoints"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["after-s0", "after-s1", "after-s2", "after-s3"])
        let restore = try h.wfhost(["checkpoint", "restore", s, "after-s1"])
        #expect(restore.stdout == "session \(s) restored to checkpoint 2 'after-s1'; `wfhost resume \(s)` continues from there\n")
        #expect(try h.stageStatuses(s) == ["s0": "succeeded", "s1": "succeeded", "s2": "pending", "s3": "pending"])
        #expect(try h.wfhost(["resume", s, "--quiet"]).status == 0)
        #expect(h.lineCounts(log) == ["s0": 1, "s1": 1, "s2": 2, "s3": 2])
    }

    @Test func twoHostsOnOneStateDirectory() throws {
        let h = try SessionHarness("twohosts")
        defer { h.cleanup() }
        let file = TestSupport.repoRoot + "/examples/hello.yaml"
        let script = "for i in $(seq 20); do \"$0\" run \"$1\" --quiet || echo FAIL; done"
        let a = Process(), b = Process()
        let outA = Pipe(), outB = Pipe()
        for (p, out) in [(a, outA), (b, outB)] {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", script, TestSupport.wfhost, file]
            p.environment = h.environment
            p.standardOutput = out
            p.standardError = out
            try p.run()
        }
        let textA = String(decoding: outA.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let textB = String(decoding: outB.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        a.waitUntilExit()
        b.waitUntilExit()
        #expect(!textA.contains("FAIL") && !textA.contains("locked"), "\(textA)")
        #expect(!textB.contains("FAIL") && !textB.contains("locked"), "\(textB)")
        let sessions = try JSONValue.parse(try h.wfhost(["sessions", "list", "--json"]).stdout)["sessions"]?.arrayValue ?? []
        #expect(sessions.count == 40)
        #expect(sessions.allSatisfy { $0["status"]?.stringValue == "succeeded" })
        let metrics = try JSONValue.parse(try h.wfhost(["metrics", "--json"]).stdout)
        #expect(metrics["sessions"]?["succeeded"]?.intValue == 40)
    }

    @Test func cleanupRemovesOldFinishedSessions() throws {
        let h = try SessionHarness("cleanup")
        defer { h.cleanup() }
        #expect(try h.wfhost(["run", TestSupport.repoRoot + "/examples/hello.yaml", "--quiet"]).status == 0)
        let dry = try h.wfhost(["cleanup", "--older-than", "0s", "--dry-run"])
        #expect(dry.stdout.hasPrefix("would remove 1 session(s) and 1 work director(ies)"))
        let real = try h.wfhost(["cleanup", "--older-than", "0s"])
        #expect(real.stdout.hasPrefix("removed 1 session(s) and 1 work director(ies); database "))
        #expect(try JSONValue.parse(try h.wfhost(["sessions", "list", "--json"]).stdout)["sessions"]?.arrayValue?.isEmpty == true)
    }
}
