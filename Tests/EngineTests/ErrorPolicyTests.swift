import Engine
import Foundation
import Schema
import Store
import Testing
import WfhostTestSupport
@testable import WorkflowHost // the engine and executor behind PreparedRun

/// Error policy (fail_fast, continue, max_failures), error routes, allow_failure and time limits.
@Suite struct ErrorPolicyTests {
    @Test func failFastCancelsRunningCallsAndSkipsUnstartedStages() async throws {
        let h = try EngineHarness("failfast")
        defer { h.cleanup() }
        let run = try await h.run("""
            max_concurrency: 2
            error_policy: {mode: fail_fast}
            stages:
              - {name: slow, tools: [{name: sleep, args: {ms: 20000}}]}
              # bad fails 2 s in, so that slow's call is running (not merely launched) under a loaded machine
              - {name: bad, tools: [{name: sleep, args: {ms: 2000}}, {name: fail, args: {message: broken}}]}
              - {name: after_slow, depends_on: [slow], tools: [echo], args: {message: x}}
              - {name: after_bad, depends_on: [bad], run_when: always, tools: [echo], args: {message: x}}
            """)
        #expect(run.result.status == .failed)
        #expect(run.result.stopReason == "stage 'bad' failed and error_policy is fail_fast")
        #expect(run.status("bad") == .failed)
        let slow = try #require(run.stage("slow"))
        #expect(slow.status == .cancelled)
        #expect(slow.errorClass == "cancelled")
        #expect(run.attempts(of: "slow").first?.status == "failed")
        #expect(run.status("after_slow") == .skipped)
        #expect(run.status("after_bad") == .skipped)
        #expect(run.stage("after_bad")?.reason == "not started: stage 'bad' failed and error_policy is fail_fast")
        #expect(run.attempts(of: "after_slow").isEmpty && run.attempts(of: "after_bad").isEmpty)
    }

    @Test func continueRunsIndependentBranches() async throws {
        let h = try EngineHarness("continue")
        defer { h.cleanup() }
        let run = try await h.run("""
            max_concurrency: 1
            error_policy: {mode: continue}
            stages:
              - {name: bad, tools: [{name: fail, args: {message: broken}}]}
              - {name: after_bad, depends_on: [bad], tools: [echo], args: {message: x}}
              - {name: other, tools: [{name: add, args: {a: 1, b: 2}}]}
              - {name: after_other, depends_on: [other], tools: [{name: add, args: {a: "${stages.other.outputs.result}", b: 3}}]}
            """)
        #expect(run.result.status == .failed)
        #expect(run.result.stopReason == nil)
        #expect(run.status("bad") == .failed)
        #expect(run.status("after_bad") == .skipped)
        #expect(run.status("other") == .succeeded)
        #expect(run.status("after_other") == .succeeded)
        #expect(run.result.outputs["after_other"]?["result"] == .int(6))
    }

    static func chain(maxFailures: Int) -> String {
        """
        error_policy: {mode: continue, max_failures: \(maxFailures)}
        stages:
          - {name: f1, tools: [{name: fail, args: {message: one}}]}
          - {name: f2, depends_on: [f1], run_when: always, tools: [{name: fail, args: {message: two}}]}
          - {name: f3, depends_on: [f2], run_when: always, tools: [echo], args: {message: three}}
          - {name: alone, depends_on: [f2], run_when: always, tools: [echo], args: {message: alone}}
        """
    }

    @Test func maxFailuresStopsTheRun() async throws {
        let h = try EngineHarness("maxfail")
        defer { h.cleanup() }
        let stopped = try await h.run(Self.chain(maxFailures: 2))
        #expect(stopped.result.status == .failed)
        #expect(stopped.status("f1") == .failed && stopped.status("f2") == .failed)
        #expect(stopped.status("f3") == .skipped && stopped.status("alone") == .skipped)
        #expect(stopped.result.stopReason == "2 stages failed, reaching error_policy.max_failures (2)")
        let roomy = try await h.run(Self.chain(maxFailures: 3))
        #expect(roomy.status("f3") == .succeeded && roomy.status("alone") == .succeeded)
        #expect(roomy.result.stopReason == nil)
    }

    /// The example from the issue: a build failure mentioning build_error runs validate_dockerfile, then the
    /// build again.
    @Test func redirectRunsTheRecoveryStageThenRetries() async throws {
        let h = try EngineHarness("redirect")
        defer { h.cleanup() }
        let spec = try String(contentsOfFile: TestSupport.repoRoot + "/Tests/EngineTests/Fixtures/redirect.yaml",
                              encoding: .utf8)
        let file = h.root + "/redirect.yaml"
        try spec.write(toFile: file, atomically: true, encoding: .utf8)
        let recorder = EventRecorder()
        let prepared = try h.host.prepareRun(file: file, options: RunOptions(), sink: recorder)
        let result = await prepared.engine.run()
        prepared.executor.shutdownAll()
        let attempts = try h.store().attempts(of: prepared.session)
        #expect(result.status == .succeeded)
        let build = try #require(result.stages.first { $0.stage == "build" })
        #expect(build.status == .succeeded && build.attempts == 2)
        #expect(result.stages.first { $0.stage == "validate_dockerfile" }?.status == .succeeded)
        #expect(result.stages.first { $0.stage == "publish" }?.status == .succeeded)
        // Order: build fails, validate_dockerfile runs, build runs again.
        let order = attempts.sorted { $0.startedAt < $1.startedAt }.map { "\($0.stage)#\($0.attempt):\($0.status)" }
        #expect(order == ["build#1:failed", "validate_dockerfile#1:succeeded", "build#2:succeeded", "publish#1:succeeded"])
        #expect(attempts.first { $0.stage == "build" && $0.attempt == 1 }?.errorMessage?.contains("build_error") == true)
        let notices = recorder.events.compactMap { e -> String? in if case .notice(let t) = e { return t } else { return nil } }
        #expect(notices.contains { $0.contains("error route 'dockerfile' runs 'validate_dockerfile', then retries 'build'") })
    }

    @Test func routeActionsSkipAndFail() async throws {
        let h = try EngineHarness("routes")
        defer { h.cleanup() }
        let run = try await h.run("""
            error_policy:
              mode: continue
              routes:
                - {id: ignore_lint, priority: 10, conditions: [{key: stage, operator: equals, value: lint}], action: skip}
                - {id: hard_stop, priority: 5, conditions: [{key: message, operator: matches, value: "^fatal"}], action: fail}
            stages:
              - {name: lint, tools: [{name: fail, args: {message: style}}]}
              - name: deploy
                tools: [{name: fail, args: {message: fatal disk error, retryable: true}}]
                retry_policy: {max_attempts: 5, initial_delay: 10ms}
              - {name: after_lint, depends_on: [lint], run_when: no_failures, tools: [echo], args: {message: x}}
            """)
        #expect(run.status("lint") == .skipped)
        #expect(run.stage("lint")?.reason?.hasPrefix("error route 'ignore_lint' skips it after") == true)
        #expect(run.status("after_lint") == .succeeded)
        #expect(run.status("deploy") == .failed)
        #expect(run.stage("deploy")?.attempts == 1)
    }

    @Test func onFailureStageRunsOnlyWhenCalled() async throws {
        let h = try EngineHarness("onfailure")
        defer { h.cleanup() }
        let run = try await h.run("""
            error_policy: {mode: continue}
            stages:
              - {name: good, on_failure: cleanup_good, tools: [echo], args: {message: x}}
              - {name: bad, on_failure: cleanup_bad, tools: [{name: fail, args: {message: broken}}]}
              - {name: cleanup_good, tools: [echo], args: {message: unused}}
              - {name: cleanup_bad, tools: [echo], args: {message: cleaning}}
            """)
        #expect(run.status("cleanup_bad") == .succeeded)
        #expect(run.status("cleanup_good") == .pending) // stays callable by a later retry or resume
        #expect(run.stage("cleanup_good")?.reason == "recovery stage: runs only when an error route or on_failure calls it")
        #expect(run.attempts(of: "cleanup_good").isEmpty)
    }

    @Test func allowFailureIsShownAndTheRunSucceeds() async throws {
        let h = try EngineHarness("allow")
        defer { h.cleanup() }
        let run = try await h.run("""
            stages:
              - {name: optional, allow_failure: true, tools: [{name: fail, args: {message: not today}}]}
              - {name: next, depends_on: [optional], tools: [echo], args: {message: x}}
            """)
        #expect(run.result.status == .succeeded)
        let optional = try #require(run.stage("optional"))
        #expect(optional.status == .allowedFailure)
        #expect(optional.errorMessage == "not today")
        #expect(run.status("next") == .succeeded)
        #expect(run.events.contains { e in
            if case .stageFinished("optional", .allowedFailure, _, _, _, _) = e { return true } else { return false }
        })
    }

    @Test func stageTimeoutCoversAllAttempts() async throws {
        let h = try EngineHarness("stage-timeout")
        defer { h.cleanup() }
        let run = try await h.run("""
            error_policy: {mode: continue}
            stages:
              - name: slow
                timeout: 300ms
                tools: [{name: sleep, args: {ms: 20000}}]
              - name: retried
                timeout: 300ms
                tools: [{name: fail, args: {message: again, retryable: true}}]
                retry_policy: {max_attempts: 10, backoff_mode: fixed, initial_delay: 200ms}
              - {name: fine, tools: [echo], args: {message: x}}
            """)
        let slow = try #require(run.stage("slow"))
        #expect(slow.status == .failed && slow.errorClass == "timeout")
        let retried = try #require(run.stage("retried"))
        #expect(retried.status == .failed)
        #expect(retried.attempts < 10)
        #expect(retried.errorMessage?.contains("within the stage's time limit") == true)
        #expect(run.status("fine") == .succeeded)
    }

    @Test func workflowTimeoutStopsTheRun() async throws {
        let h = try EngineHarness("wf-timeout")
        defer { h.cleanup() }
        let run = try await h.run("""
            timeout: 300ms
            stages:
              - {name: slow, tools: [{name: sleep, args: {ms: 20000}}]}
              - {name: after, depends_on: [slow], tools: [echo], args: {message: x}}
            """)
        #expect(run.result.status == .failed)
        #expect(run.result.stopReason == "the workflow's time limit of 300ms passed")
        #expect(run.status("slow") == .cancelled)
        #expect(run.status("after") == .skipped)
    }
}

/// A tool entry's `memory_mb` sets that call's memory limit.
@Suite struct PerToolLimitTests {
    @Test func memoryLimitPerToolEntry() async throws {
        let h = try EngineHarness("memory")
        defer { h.cleanup() }
        let run = try await h.run("""
            error_policy: {mode: continue}
            stages:
              - name: small
                tools: [{name: alloc, args: {mb: 200}, memory_mb: 64}]
              - name: default
                tools: [{name: alloc, args: {mb: 200}}]
            """)
        let small = try #require(run.stage("small"))
        // malloc returning NULL under the limit is the tool's own report (tool_error, code out_of_memory).
        #expect(small.status == .failed && small.errorClass == "tool_error")
        #expect(small.errorMessage?.contains("(memory limit 64 MiB)") == true)
        #expect(run.status("default") == .succeeded)
    }
}

/// Recovery stages called by two failing stages at once.
@Suite struct SharedRecoveryTests {
    @Test func twoRedirectsToOneRecoveryStageRunItOnce() async throws {
        let h = try EngineHarness("shared-recovery")
        defer { h.cleanup() }
        let counter = h.root + "/flaky-counts"
        let run = try await h.run("""
            error_policy:
              mode: continue
              routes:
                - {id: fix-builds, conditions: [{key: message, operator: contains, value: build_error},
                                                {key: stage, operator: not_equals, value: fix}],
                   action: redirect, redirect_to: fix}
            stages:
              - {name: build_a, tools: [{name: flaky, args: {key: build_error_a, failures: 1, path: "\(counter)"}}]}
              - {name: build_b, tools: [{name: flaky, args: {key: build_error_b, failures: 1, path: "\(counter)"}}]}
              - {name: fix, tools: [{name: sleep, args: {ms: 300}}]}
            """)
        #expect(run.status("build_a") == .succeeded)
        #expect(run.status("build_b") == .succeeded)
        #expect(run.status("fix") == .succeeded)
        #expect(run.attempts(of: "fix").count == 1)
    }
}
