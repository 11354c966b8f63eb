import Engine
import Foundation
import Schema
import Spec
import Store
import Testing

/// Retries and backoff: the computed delays from the `retrying` events, and the recorded attempt start times,
/// which are never closer together than the delay.
@Suite struct RetryTests {
    /// A stage whose flaky tool fails three times, retried with `policy`.
    static func flaky(_ policy: String) -> String {
        """
        stages:
          - name: build
            tools: [{name: flaky, args: {key: k, failures: 3, path: counter}}]
            retry_policy: {max_attempts: 4, initial_delay: 100ms, \(policy)}
        """
    }

    /// Gaps from the recorded end of each attempt to the start of the next, in milliseconds: the backoff wait
    /// (the first call's worker start-up is not in it).
    static func gaps(_ run: LibraryRun, _ stage: String) -> [Double] {
        let attempts = run.attempts(of: stage)
        return zip(attempts, attempts.dropFirst()).map { ($1.startedAt - ($0.finishedAt ?? .infinity)) * 1000 }
    }

    static func checkGapsCoverDelays(_ run: LibraryRun) {
        let gaps = gaps(run, "build"), delays = run.retryDelays("build")
        #expect(gaps.count == 3 && delays.count == 3)
        for (gap, delay) in zip(gaps, delays) {
            #expect(gap >= Double(delay) - 1, "an attempt started \(gap) ms after the previous one ended; the delay was \(delay) ms")
        }
    }

    static func succeededOnFourth(_ run: LibraryRun) {
        #expect(run.result.status == .succeeded)
        #expect(run.stage("build")?.attempts == 4)
        // The attempt number is visible to the tool.
        #expect(run.result.outputs["build"]?["attempt"] == .int(4))
        #expect(run.attempts(of: "build").map(\.status) == ["failed", "failed", "failed", "succeeded"])
    }

    @Test func fixedBackoff() async throws {
        let h = try EngineHarness("fixed")
        defer { h.cleanup() }
        let run = try await h.run(Self.flaky("backoff_mode: fixed"))
        Self.succeededOnFourth(run)
        #expect(run.retryDelays("build") == [100, 100, 100])
        Self.checkGapsCoverDelays(run)
    }

    @Test func linearBackoff() async throws {
        let h = try EngineHarness("linear")
        defer { h.cleanup() }
        let run = try await h.run(Self.flaky("backoff_mode: linear"))
        Self.succeededOnFourth(run)
        #expect(run.retryDelays("build") == [100, 200, 300])
        // The measured gaps cover the delays (checked above); their order is left to the recorded delays, since
        // under a loaded machine the time to start a call varies by more than the 100 ms steps.
        Self.checkGapsCoverDelays(run)
    }

    @Test func exponentialBackoffCappedByMaxDelay() async throws {
        let h = try EngineHarness("exponential")
        defer { h.cleanup() }
        let run = try await h.run(Self.flaky("backoff_mode: exponential, multiplier: 2"))
        Self.succeededOnFourth(run)
        #expect(run.retryDelays("build") == [100, 200, 400])
        Self.checkGapsCoverDelays(run)

        let h2 = try EngineHarness("capped")
        defer { h2.cleanup() }
        let capped = try await h2.run(Self.flaky("backoff_mode: exponential, multiplier: 3, max_delay: 250ms"))
        #expect(capped.retryDelays("build") == [100, 250, 250])
    }

    @Test func jitterStaysWithinItsRange() async throws {
        let h = try EngineHarness("jitter")
        defer { h.cleanup() }
        let full = try await h.run(Self.flaky("backoff_mode: fixed, jitter: full"))
        Self.succeededOnFourth(full)
        #expect(full.retryDelays("build").allSatisfy { (0...100).contains($0) })
        Self.checkGapsCoverDelays(full)
        let h2 = try EngineHarness("jitter-equal")
        defer { h2.cleanup() }
        let equal = try await h2.run(Self.flaky("backoff_mode: fixed, jitter: equal"))
        #expect(equal.retryDelays("build").allSatisfy { (50...100).contains($0) })
        Self.checkGapsCoverDelays(equal)
    }

    @Test func backoffFormula() {
        var policy = RetryPolicy.defaults(at: SourceLocation(file: "x", line: 1, column: 1))
        policy.initialDelay = .milliseconds(100)
        policy.backoff = .exponential
        policy.multiplier = 2
        policy.jitter = .full
        #expect(Backoff.delay(after: 3, policy: policy, random: 0.5) == .milliseconds(200))
        policy.jitter = .equal
        #expect(Backoff.delay(after: 3, policy: policy, random: 0) == .milliseconds(200))
        #expect(Backoff.delay(after: 3, policy: policy, random: 0.999999) < .milliseconds(401))
    }

    @Test func retryOnDecidesWhatIsRetried() async throws {
        let h = try EngineHarness("retry-on")
        defer { h.cleanup() }
        let run = try await h.run("""
            error_policy: {mode: continue}
            stages:
              - name: by_code
                tools: [{name: fail, args: {code: transient, message: try again, retryable: false}}]
                retry_policy: {max_attempts: 3, initial_delay: 10ms, retry_on: [transient]}
              - name: by_message
                tools: [{name: fail, args: {message: "quota exceeded (429)", retryable: false}}]
                retry_policy: {max_attempts: 2, initial_delay: 10ms, retry_on: [{message_matches: "\\\\(429\\\\)"}]}
              - name: not_listed
                tools: [{name: fail, args: {code: other, message: nope, retryable: true}}]
                retry_policy: {max_attempts: 3, initial_delay: 10ms, retry_on: [transient]}
              - name: not_retryable
                tools: [{name: fail, args: {message: permanent, retryable: false}}]
                retry_policy: {max_attempts: 3, initial_delay: 10ms}
              - name: retryable
                tools: [{name: fail, args: {message: flapping, retryable: true}}]
                retry_policy: {max_attempts: 2, initial_delay: 10ms}
            """)
        #expect(run.stage("by_code")?.attempts == 3)
        #expect(run.stage("by_message")?.attempts == 2)
        #expect(run.stage("not_listed")?.attempts == 1)
        #expect(run.stage("not_retryable")?.attempts == 1)
        #expect(run.stage("retryable")?.attempts == 2)
        #expect(run.result.stages.allSatisfy { $0.status == .failed })
    }
}
