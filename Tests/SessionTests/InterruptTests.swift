import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Schema
import Testing
import WfhostTestSupport

/// Ctrl-C always ends a run (issue 12, item 10): SIGINT to the real `wfhost` ends it within 3 s whatever the
/// engine is waiting for: a retry delay, a slot under max_concurrency, a recovery stage, a tool that ignores SIGTERM.
@Suite(.serialized) struct InterruptTests {
    /// Runs `spec` (the lines under `spec:`), waits until `ready` holds for the session's status document, sends
    /// SIGINT, and checks that the host ends within 3 s with exit code 130.
    static func interrupt(_ label: String, _ spec: String, ready: (JSONValue) -> Bool) throws {
        let h = try SessionHarness("sigint-" + label)
        defer { h.cleanup() }
        let body = spec.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
        let file = try h.write("\(label).yaml", "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: \(label)}\nspec:\n\(body)\n")
        let child = try ExitCodeTests.start(h, ["run", file, "--quiet", "--no-sandbox"])
        var session: String?
        let waiting = h.waitUntil(30) {
            session = try? h.newestSession() // not created yet: keep waiting
            guard let s = session, let status = try? h.statusJSON(s) else { return false } // as above
            return ready(status)
        }
        #expect(waiting, "\(label): the run never reached the wait")
        kill(child.process.processIdentifier, SIGINT)
        let sent = Date()
        let done = child.finish(within: 30)
        let took = Date().timeIntervalSince(sent)
        #expect(took < 3, "\(label): the run took \(took) s to end after SIGINT")
        #expect(done.status == 130, "\(label): \(done.stderr)")
        #expect(done.stderr.contains("wfhost: SIGINT: cancelling the run (press Ctrl-C again to stop at once)"), "\(label): \(done.stderr)")
        if let s = session {
            #expect(try h.statusJSON(s)["status"]?.stringValue == "cancelled", "\(label)")
        }
    }

    static func attempts(_ status: JSONValue, stage: String, _ state: String) -> Int {
        (status["attempts"]?.arrayValue ?? []).filter { $0["stage"]?.stringValue == stage && $0["status"]?.stringValue == state }.count
    }

    @Test func duringARetryDelay() throws {
        try Self.interrupt("retry-delay", """
            stages:
              - name: flaky
                retry_policy: {max_attempts: 3, backoff_mode: fixed, initial_delay: 60s, retry_on: [{error_type: tool_error}]}
                tools: [{name: fail, args: {message: again}}]
            """) { Self.attempts($0, stage: "flaky", "failed") == 1 }
    }

    @Test func whileACallWaitsForASlot() throws {
        try Self.interrupt("queue", """
            max_concurrency: 1
            stages:
              - {name: first, tools: [{name: sleep, args: {ms: 60000}}]}
              - {name: second, tools: [{name: sleep, args: {ms: 60000}}]}
            """) { Self.attempts($0, stage: "first", "running") + Self.attempts($0, stage: "second", "running") == 1 }
    }

    @Test func whileAStageWaitsForItsRecoveryStage() throws {
        try Self.interrupt("recovery", """
            error_policy:
              routes:
                - {id: to-fix, conditions: [{key: stage, operator: equals, value: build}], action: redirect, redirect_to: fix}
            stages:
              - {name: build, tools: [{name: fail, args: {message: broken}}]}
              - {name: fix, tools: [{name: sleep, args: {ms: 60000}}]}
            """) { Self.attempts($0, stage: "fix", "running") == 1 }
    }

    @Test func whileAToolIgnoresSIGTERM() throws {
        // chaos.hang ignores cancellation and SIGTERM: the worker is killed after the grace time (2 s).
        try Self.interrupt("hang", """
            stages:
              - {name: stuck, tools: [hang]}
            """) { Self.attempts($0, stage: "stuck", "running") == 1 }
    }
}
