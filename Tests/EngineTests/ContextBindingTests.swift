import Foundation
import Testing
import WfhostTestSupport
import Schema
import WorkflowHost

/// Issue 17, item 4 of the remaining parts: a tool binds from an earlier tool's output in the same sequential
/// stage, and `validate` checks that a bound value's type (the producer's output schema) fits the consumer's input
/// schema. The tools are the `relay` fixture plugin's (Fixtures/relay.c).
@Suite struct ContextBindingTests {
    /// A harness whose plugin path also holds the `relay` plugin.
    func harness(_ label: String) throws -> EngineHarness {
        let h = try EngineHarness(label)
        _ = try TestSupport.compileFixture(TestSupport.repoRoot + "/Tests/EngineTests/Fixtures/relay.c", to: h.pluginDir + "/relay.so")
        return h
    }

    @Test func aToolBindsFromAnEarlierToolOfItsSequentialStage() async throws {
        let h = try harness("same-stage")
        defer { h.cleanup() }
        let spec = """
            stages:
              - {name: relay, variables: {label: one}, tools: [produce, consume]}
            """
        let file = try h.write(spec, name: "same-stage.yaml")
        let plan = try h.cli(["plan", file])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout == """
            stage 'relay', tool produce (relay.produce) at \(file):6:54:
              label    stage variable (\(file):6:33)
            stage 'relay', tool consume (relay.consume) at \(file):6:63:
              token  * output of an earlier tool of this stage (produce)

            """, "\(plan.stdout)")
        let run = try await h.run(spec)
        #expect(run.result.status == .succeeded, "\(run.result.stages)")
        let output = try JSONValue.parse(try #require(run.stage("relay")?.output))
        #expect(output["consume"]?["seen"] == .string("tok-one"), "\(output)")
    }

    @Test func aParallelStagesToolsDoNotBindFromEachOther() throws {
        let h = try harness("same-stage-parallel")
        defer { h.cleanup() }
        let file = try h.write("""
            stages:
              - {name: relay, parallel: true, tools: [produce, consume]}
            """, name: "parallel.yaml")
        let out = try h.cli(["validate", file])
        #expect(out.status == 2)
        #expect(out.stdout == """
            \(file):6:54: error: tool 'consume' in stage 'relay' needs 'token', and nothing provides it: it is not in \
            `args`, no variable has that name, no stage that 'relay' depends on yields it, and the schema has no default
              hint: pass --var token=..., define 'token' under variables, or give it in `args`; no stage of this workflow \
            yields 'token'; 'produce' before it in this stage does, but the stage is parallel: remove `parallel: true` \
            to run its tools in order and bind from earlier ones
            \(file): invalid: 1 error

            """, "\(out.stdout)")
    }

    @Test func aBoundValueOfTheWrongTypeIsAnErrorNamingBothPlaces() throws {
        let h = try harness("type-mismatch")
        defer { h.cleanup() }
        let file = try h.write("""
            stages:
              - {name: source, tools: [produce]}
              - {name: tally, depends_on: [source], tools: [count_items]}
              - {name: same, tools: [produce, count_items]}
              - {name: given, depends_on: [source], tools: [{name: count_items, args: {count: 3}}]}
            """, name: "types.yaml")
        let out = try h.cli(["validate", file])
        #expect(out.status == 2)
        #expect(out.stdout == """
            \(file):7:51: error: argument 'count' of tool 'count_items' in stage 'tally' takes integer, but what binds \
            to it, output 'count' of tool 'produce' in stage 'source', is string
              note: \(file):6:30: 'produce' yields 'count' here (its output schema: string)
              hint: give 'count' in `args` (`count: ...`), or pass --var count=...
            \(file):8:37: error: argument 'count' of tool 'count_items' in stage 'same' takes integer, but what binds to \
            it, output 'count' of tool 'produce' earlier in stage 'same', is string
              note: \(file):8:28: 'produce' yields 'count' here (its output schema: string)
              hint: give 'count' in `args` (`count: ...`), or pass --var count=...
            \(file): invalid: 2 errors

            """, "\(out.stdout)")
    }
}
