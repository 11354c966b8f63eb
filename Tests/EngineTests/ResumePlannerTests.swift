import Engine
import Spec
import Store
import Testing

/// The one decision of what a resume does (`ResumePlanner.plan`), driven directly with stored rows: pure, no
/// clock, no process. The engine applies this plan and `wfhost resume --explain` prints it.
@Suite struct ResumePlannerTests {
    static let yaml = EngineSupport.workflow("""
        stages:
          - name: a
            parallel: true
            tools:
              - {name: sleep, args: {ms: 10}}
              - {name: write_file, args: {path: x, content: y}}
              - {name: echo, args: {message: m}}
          - name: b
            depends_on: [a]
            on_interrupt: retry
            tools: [{name: write_file, args: {path: x, content: y}}]
          - name: c
            depends_on: [b]
            tools: [echo]
        """)

    static func workflow() throws -> Workflow {
        try #require(WorkflowLoader.load(text: yaml, file: "plan.yaml").workflow)
    }

    /// sleep and echo are idempotent; write_file has side effects.
    static func traits(_ workflow: Workflow) -> (Int, Int) -> CallTraits? {
        { i, k in
            let name = workflow.stages[i].tools[k].name
            return CallTraits(idempotent: name != "write_file", sideEffects: name == "write_file")
        }
    }

    static func row(_ stage: String, _ attempt: Int, _ k: Int, _ tool: String, _ status: AttemptStatus,
                    result: String? = nil) -> AttemptRecord {
        var r = AttemptRecord(stage: stage, attempt: attempt, tool: tool, status: status.rawValue, startedAt: 0)
        r.callIndex = k
        r.argumentsHash = "h\(k)"
        r.result = result
        return r
    }

    static func stage(_ name: String, _ position: Int, _ status: StageStatus, attempts: Int = 0) -> StageRecord {
        StageRecord(stage: name, position: position, status: status, attempts: attempts)
    }

    @Test func anInterruptedSideEffectFailsItsStageWhileFinishedCallsWouldBeReused() throws {
        let w = try Self.workflow()
        let plan = ResumePlanner.plan(
            workflow: w, session: "S", status: .running,
            stages: [Self.stage("a", 0, .running, attempts: 1), Self.stage("b", 1, .pending), Self.stage("c", 2, .pending)],
            attempts: [Self.row("a", 1, 0, "core.sleep", .succeeded, result: "{}"),
                       Self.row("a", 1, 1, "core.write_file", .running)],
            traits: Self.traits(w))
        #expect(plan.stages.map(\.action) == [.fail, .run, .run])
        #expect(plan.stages[0].calls.map(\.action) == [.reuse, .fail, .run])
        #expect(plan.failures[0]?.hint == "check what it did, then `wfhost retry S --stage a` runs the stage again "
                + "(or set `on_interrupt: retry` on the stage when a repeat is harmless)")
        #expect(plan.hasInterruptedCalls)
    }

    @Test func anInterruptedIdempotentCallRunsAgainWithoutUsingAnAttempt() throws {
        let w = try Self.workflow()
        let plan = ResumePlanner.plan(
            workflow: w, session: "S", status: .running,
            stages: [Self.stage("a", 0, .running, attempts: 1), Self.stage("b", 1, .pending), Self.stage("c", 2, .pending)],
            attempts: [Self.row("a", 1, 0, "core.sleep", .running),
                       Self.row("a", 1, 1, "core.write_file", .succeeded, result: "{\"ok\":true}")],
            traits: Self.traits(w))
        #expect(plan.stages[0].action == .run)
        #expect(plan.stages[0].calls.map(\.action) == [.rerun, .reuse, .run])
        #expect(plan.records[0].status == .pending)
        #expect(plan.records[0].attemptsInBudget == 0, "the interrupted attempt must not count")
        let reused = try #require(plan.reusable[0]?[1])
        #expect(reused.attempt == 1 && reused.argumentsHash == "h1" && reused.result == "{\"ok\":true}")
        #expect(plan.reusable[0]?[0] == nil)
    }

    @Test func onInterruptRetryRunsASideEffectAgain() throws {
        let w = try Self.workflow()
        let plan = ResumePlanner.plan(
            workflow: w, session: "S", status: .running,
            stages: [Self.stage("a", 0, .succeeded, attempts: 1), Self.stage("b", 1, .running, attempts: 1),
                     Self.stage("c", 2, .pending)],
            attempts: [Self.row("b", 1, 0, "core.write_file", .running)], traits: Self.traits(w))
        #expect(plan.stages.map(\.action) == [.keep, .run, .run])
        #expect(plan.stages[1].calls.map(\.why) == ["was cut short; the tool has side effects and is not idempotent, "
                                                    + "and on_interrupt: retry runs it again"])
    }

    @Test func anAttemptThatHadFailedIsRetriedByItsPolicyAndReusesNothing() throws {
        let w = try Self.workflow()
        let plan = ResumePlanner.plan(
            workflow: w, session: "S", status: .running,
            stages: [Self.stage("a", 0, .running, attempts: 1), Self.stage("b", 1, .pending), Self.stage("c", 2, .pending)],
            attempts: [Self.row("a", 1, 0, "core.sleep", .succeeded, result: "{}"),
                       Self.row("a", 1, 2, "core.echo", .failed)],
            traits: Self.traits(w))
        // max_attempts 1 and the only attempt failed: it fails, as the run would have.
        #expect(plan.stages[0].action == .fail)
        #expect(plan.failures[0]?.message == "attempt 1 failed before the host stopped, and no attempts are left (max_attempts 1)")
        #expect(plan.reusable.isEmpty)
    }

    @Test func aQueuedStageRunsAsTheAttemptItNeverStartedAndStoppedStagesReopen() throws {
        let w = try Self.workflow()
        var queued = Self.stage("a", 0, .running, attempts: 1)
        queued.queuedAt = 1
        var skipped = Self.stage("b", 1, .skipped)
        skipped.notStarted = true
        let plan = ResumePlanner.plan(workflow: w, session: "S", status: .interrupted,
                                      stages: [queued, skipped, Self.stage("c", 2, .skipped)], attempts: [],
                                      traits: Self.traits(w))
        #expect(plan.records.map(\.status) == [.pending, .pending, .pending])
        #expect(plan.records[0].attempts == 0)
        #expect(plan.stages.map(\.why) == [
            "was queued for a slot when the run stopped (no call had started); runs again as attempt 1",
            "was skipped when the run stopped; runs again",
            "was skipped when the run stopped; runs again",
        ])
    }
}
