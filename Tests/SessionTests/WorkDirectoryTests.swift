import Foundation
import WfhostTestSupport
import Schema
import Testing

/// One work directory per session (issue 12, item 4): a file the first stage writes (relative to the work
/// directory) is read by the third after pause and resume, `retry --stage`, checkpoint restore, and kill -9 and
/// resume; `status` shows the directory and `cleanup` removes it with the session.
@Suite(.serialized) struct WorkDirectoryTests {
    /// produce writes artifact.txt; wait sleeps; consume reads artifact.txt (all relative to the work directory).
    static func workflow(sleepMs: Int) -> String {
        """
        apiVersion: orchestration/v1
        kind: Workflow
        metadata: {name: artifact}
        spec:
          checkpoints: true
          stages:
            - {name: produce, tools: [{name: write_file, args: {path: artifact.txt, content: "made by produce"}}]}
            - name: wait
              depends_on: [produce]
              retry_policy: {max_attempts: 5, backoff_mode: fixed, initial_delay: 10ms}
              tools: [{name: sleep, args: {ms: \(sleepMs)}}]
            - {name: consume, depends_on: [wait], tools: [{name: read_file, args: {path: artifact.txt}}]}
        """
    }

    /// What consume read, and how often produce ran.
    static func check(_ h: SessionHarness, _ s: String, _ context: String) throws {
        let status = try h.statusJSON(s)
        #expect(status["status"]?.stringValue == "succeeded", "\(context): \(status)")
        let consume = status["stages"]?.arrayValue?.first { $0["name"]?.stringValue == "consume" }
        #expect(consume?["output"]?["content"]?.stringValue == "made by produce", "\(context): \(String(describing: consume))")
        let produced = status["attempts"]?.arrayValue?.filter { $0["stage"]?.stringValue == "produce" }.count
        #expect(produced == 1, "\(context): produce ran \(String(describing: produced)) times")
        #expect(status["work_dir"]?.stringValue == h.state + "/work/session-\(s)", "\(context)")
    }

    @Test func theFileOfTheFirstStageReachesTheThirdAfterPauseAndResume() throws {
        let h = try SessionHarness("workdir-pause")
        defer { h.cleanup() }
        let file = try h.write("artifact.yaml", Self.workflow(sleepMs: 2500))
        let p = try h.start(["run", file, "--quiet"])
        guard let s = try h.waitForRunningStage("wait") else {
            Issue.record("stage wait never started")
            return
        }
        #expect(try h.wfhost(["pause", s]).status == 0)
        p.waitUntilExit()
        #expect(p.terminationStatus == 4)
        #expect(try h.stageStatuses(s)["consume"] == "pending")
        let resumed = try h.wfhost(["resume", s, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        try Self.check(h, s, "pause and resume")
        // `status` says where the directory is.
        let text = try h.wfhost(["status", s])
        #expect(text.stdout.contains("\nwork directory: \(h.state)/work/session-\(s)\n"), "\(text.stdout)")
    }

    @Test func theFileSurvivesRetryOfAStageAndCheckpointRestore() throws {
        let h = try SessionHarness("workdir-retry")
        defer { h.cleanup() }
        let file = try h.write("artifact.yaml", Self.workflow(sleepMs: 10))
        #expect(try h.wfhost(["run", file, "--quiet"]).status == 0)
        guard let s = try h.newestSession() else { return }
        try Self.check(h, s, "first run")
        let retried = try h.wfhost(["retry", s, "--stage", "consume", "--quiet"])
        #expect(retried.status == 0, "\(retried.stderr)")
        try Self.check(h, s, "retry --stage consume")
        #expect(try h.statusJSON(s)["attempts"]?.arrayValue?.filter { $0["stage"]?.stringValue == "consume" }.count == 2)
        let restore = try h.wfhost(["checkpoint", "restore", s, "after-produce"])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(try h.stageStatuses(s) == ["produce": "succeeded", "wait": "pending", "consume": "pending"])
        let resumed = try h.wfhost(["resume", s, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        try Self.check(h, s, "checkpoint restore and resume")
        // Only the session's one directory exists, and cleanup removes it with the session.
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.state + "/work") == ["session-\(s)"])
        let cleanup = try h.wfhost(["cleanup", "--older-than", "0s"])
        #expect(cleanup.stdout.hasPrefix("removed 1 session(s) and 1 work director(ies)"), "\(cleanup.stdout)")
        #expect(!FileManager.default.fileExists(atPath: h.state + "/work/session-\(s)"))
    }

    @Test func aWorkDirectoryRemovedByHandIsMadeAgainAndSaidSo() throws {
        let h = try SessionHarness("workdir-gone")
        defer { h.cleanup() }
        let file = try h.write("artifact.yaml", Self.workflow(sleepMs: 10))
        #expect(try h.wfhost(["run", file, "--quiet"]).status == 0)
        let s = try #require(try h.newestSession())
        let dir = h.state + "/work/session-\(s)"
        try FileManager.default.removeItem(atPath: dir)
        let retried = try h.wfhost(["retry", s, "--stage", "consume"])
        #expect(retried.stderr.contains("""
            wfhost: the work directory of session \(s), \(dir), is gone; the session continues in an empty one there
            """), "\(retried.stderr)")
        #expect(retried.status == 1, "artifact.txt went with the directory")
        #expect(FileManager.default.fileExists(atPath: dir))
    }

    @Test func theFileSurvivesAKilledHost() throws {
        let h = try SessionHarness("workdir-kill")
        defer { h.cleanup() }
        let file = try h.write("artifact.yaml", Self.workflow(sleepMs: 3000))
        let p = try h.start(["run", file, "--quiet"])
        guard let s = try h.waitForRunningStage("wait") else {
            Issue.record("stage wait never started")
            return
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(try h.statusJSON(s)["status"]?.stringValue == "interrupted")
        let resumed = try h.wfhost(["resume", s, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        try Self.check(h, s, "kill -9 and resume")
    }
}

/// Budgets and attempt states in the store (issue 12, items 3 and 6): a stage reset to fresh attempts keeps its
/// budget in a column through a kill, and the attempts a killed host left `running` become `interrupted`.
@Suite(.serialized) struct AttemptBudgetTests {
    @Test func aResetStageKeepsItsBudgetThroughAKillAndInterruptedAttemptsSaySo() throws {
        let h = try SessionHarness("budget")
        defer { h.cleanup() }
        let file = try h.write("budget.yaml", """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: budget}
            spec:
              stages:
                - name: b
                  retry_policy: {max_attempts: 2, backoff_mode: fixed, initial_delay: 10ms}
                  tools:
                    - {name: sleep, args: {ms: "${delay}"}}
                    - {name: flaky, args: {key: b, failures: 2, path: "\(h.dir)/counts"}}
            """)
        let quick = try h.write("quick.json", "{\"delay\": 10}")
        let slow = try h.write("slow.json", "{\"delay\": 20000}")
        let first = try h.wfhost(["run", file, "--var-file", quick, "--quiet", "--no-sandbox"])
        #expect(first.status == 1, "\(first.stderr)")
        let s = try #require(try h.newestSession())
        // retry --stage: attempt 3 of the stage, the first of its fresh budget; the host is killed during it.
        let p = try h.start(["retry", s, "--stage", "b", "--var-file", slow, "--quiet", "--no-sandbox"])
        #expect(h.waitUntil {
            (try? h.statusJSON(s)["attempts"]?.arrayValue?.contains { // not readable yet: keep waiting
                $0["attempt"]?.intValue == 3 && $0["status"]?.stringValue == "running"
            }) == true
        })
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let explain = try h.wfhost(["resume", s, "--explain"])
        #expect(explain.stdout == """
            STAGE             ON RESUME  WHY
            b                 run        was interrupted during attempt 3; runs again as attempt 4, which does not count against its retry policy
              1. chaos.sleep  rerun      was cut short; runs again (the tool is idempotent)
              2. chaos.flaky  run        had not started; runs

            """, "\(explain.stdout)")
        let resumed = try h.wfhost(["resume", s, "--var-file", quick, "--quiet", "--no-sandbox"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let attempts = try h.statusJSON(s)["attempts"]?.arrayValue ?? []
        let rows = attempts.filter { $0["tool"]?.stringValue == "chaos.sleep" }
            .map { "\($0["attempt"]?.intValue ?? 0):\($0["status"]?.stringValue ?? "")" }
        #expect(rows == ["1:succeeded", "2:succeeded", "3:interrupted", "4:succeeded"], "\(attempts)")
        let interrupted = attempts.first { $0["attempt"]?.intValue == 3 }
        #expect(interrupted?["error"]?.stringValue == "the host running this call stopped before it finished")
    }
}

/// `queued` apart from `running` (issue 12, item 3): under max_concurrency 1 the ready stages that wait for the
/// slot show as queued, and after a kill they run again as the attempt they never started.
@Suite(.serialized) struct QueuedStageTests {
    @Test func stagesWaitingForASlotAreQueuedAndAKillDoesNotCountTheirAttempt() throws {
        let h = try SessionHarness("queued")
        defer { h.cleanup() }
        var yaml = "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: queued}\nspec:\n  max_concurrency: 1\n  stages:\n"
        for name in ["a", "b", "c", "d"] {
            yaml += "    - name: \(name)\n      retry_policy: {max_attempts: 2, backoff_mode: fixed, initial_delay: 10ms}\n"
            yaml += "      tools: [{name: sleep, args: {ms: 20000}}]\n"
        }
        let file = try h.write("queued.yaml", yaml)
        let p = try h.start(["run", file, "--quiet", "--no-sandbox"])
        var session: String?
        var shown: [String: String] = [:]
        #expect(h.waitUntil {
            session = try? h.newestSession() // not created yet: keep waiting
            guard let s = session, let statuses = try? h.stageStatuses(s) else { return false } // as above
            shown = statuses
            return statuses.values.filter { $0 == "running" }.count == 1 && statuses.values.filter { $0 == "queued" }.count == 3
        }, "\(shown)")
        let s = try #require(session)
        let text = try h.wfhost(["status", s]).stdout
        let column = text.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) }
        #expect(column.filter { $0 == "queued" }.count == 3 && column.filter { $0 == "running" }.count == 1, "\(text)")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let running = try #require(shown.first { $0.value == "running" }?.key)
        let explain = try h.wfhost(["resume", s, "--explain", "--json"])
        let decisions = try JSONValue.parse(explain.stdout)["stages"]?.arrayValue ?? []
        for d in decisions {
            let name = d["stage"]?.stringValue ?? ""
            #expect(d["why"]?.stringValue == (name == running
                ? "was interrupted during attempt 1; runs again as attempt 2, which does not count against its retry policy"
                : "was queued for a slot when the run stopped (no call had started); runs again as attempt 1"), "\(name)")
        }
        // Four more short runs would take 80 s: end the session here; the explain above is what resume does.
        #expect(try h.wfhost(["cancel", s]).status == 0)
    }
}
