import Engine
import Foundation
import Store
import Testing

/// Scheduling: concurrency is read from the recorded start and end times of attempts, never from wall-clock
/// thresholds.
@Suite struct SchedulingTests {
    static let threeSleepers = """
        max_concurrency: 3
        stages:
          - {name: a, tools: [{name: sleep, args: {ms: 300}}]}
          - {name: b, tools: [{name: sleep, args: {ms: 300}}]}
          - {name: c, tools: [{name: sleep, args: {ms: 300}}]}
          - {name: after, depends_on: [a, b, c], tools: [{name: echo, args: {message: done}}]}
        """

    @Test func independentStagesOverlapAndDependentsWait() async throws {
        let h = try EngineHarness("overlap")
        defer { h.cleanup() }
        let run = try await h.run(Self.threeSleepers)
        #expect(run.result.status == .succeeded)
        let a = try #require(run.attempts(of: "a").first), b = try #require(run.attempts(of: "b").first)
        let c = try #require(run.attempts(of: "c").first), after = try #require(run.attempts(of: "after").first)
        #expect(EngineSupport.overlap(a, b) && EngineSupport.overlap(b, c) && EngineSupport.overlap(a, c))
        for dep in [a, b, c] {
            #expect(after.startedAt >= (dep.finishedAt ?? .infinity), "a dependent starts after its dependencies end")
        }
    }

    @Test func maxConcurrencyOneSerializesCallsThroughTheCLI() throws {
        let h = try EngineHarness("serial")
        defer { h.cleanup() }
        let file = try h.write(Self.threeSleepers)
        let out = try h.cli(["run", file, "--max-concurrency", "1", "--quiet", "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        let session = try #require(try EngineSupport.json(out.stdout)["session_id"]?.stringValue)
        let attempts = try h.store().attempts(of: session)
        #expect(attempts.count == 4)
        for x in attempts {
            for y in attempts where x != y {
                #expect(!EngineSupport.overlap(x, y), "\(x.stage) and \(y.stage) ran at the same time")
            }
        }
    }

    @Test func parallelStageRunsItsToolsConcurrently() async throws {
        let h = try EngineHarness("parallel")
        defer { h.cleanup() }
        let run = try await h.run("""
            max_concurrency: 4
            stages:
              - name: both
                parallel: true
                tools: [{name: sleep, args: {ms: 300}}, {name: add, args: {a: 1, b: 2}}, {name: sleep, args: {ms: 300}}]
              - name: serial
                depends_on: [both]
                tools: [{name: sleep, args: {ms: 100}}, {name: sleep, args: {ms: 100}}]
            """)
        #expect(run.result.status == .succeeded)
        // A tool called twice in one stage keeps one attempt row per call.
        let both = run.attempts(of: "both").filter { $0.tool.hasPrefix("chaos.sleep") }
        #expect(Set(both.map(\.tool)) == ["chaos.sleep#1", "chaos.sleep#3"])
        if both.count == 2 { #expect(EngineSupport.overlap(both[0], both[1])) }
        let serial = run.attempts(of: "serial")
        #expect(serial.count == 2)
        if serial.count == 2 { #expect(!EngineSupport.overlap(serial[0], serial[1])) }
        // A multi-tool stage's output is {tool: result}; a repeated tool name gets a suffix.
        let output = try #require(run.result.outputs["both"])
        #expect(output["add"]?["result"] == .int(3))
        #expect(output["sleep"]?["slept_ms"] == .int(300))
    }

    @Test func aWideWorkflowFinishesEveryStageOnce() async throws {
        let h = try EngineHarness("wide")
        defer { h.cleanup() }
        var spec = "stages:\n"
        for i in 0..<60 { spec += "  - {name: s\(i), tools: [{name: echo, args: {message: m\(i)}}]}\n" }
        spec += "  - {name: join, depends_on: [" + (0..<60).map { "s\($0)" }.joined(separator: ", ")
            + "], tools: [{name: echo, args: {message: \"${stages.s59.outputs.message}\"}}]}"
        let run = try await h.run(spec)
        #expect(run.result.status == .succeeded)
        #expect(run.attempts.count == 61)
        #expect(run.stored.allSatisfy { $0.status == .succeeded && $0.attempts == 1 })
        #expect(run.result.outputs["join"]?["message"] == .string("m59"))
    }
}
