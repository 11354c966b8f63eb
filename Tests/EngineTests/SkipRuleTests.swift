import Engine
import Foundation
import Schema
import Store
import Testing

/// `run_when` with skipped and failed dependencies, conditions, `required`.
@Suite struct SkipRuleTests {
    @Test func runWhenTableWithSkippedAndFailedDependencies() async throws {
        let h = try EngineHarness("runwhen")
        defer { h.cleanup() }
        let run = try await h.run("""
            variables: {mode: quick}
            error_policy: {mode: continue}
            stages:
              - {name: skipped, tools: [{name: echo, args: {message: x}}], conditions: [{key: mode, operator: equals, value: full}]}
              - {name: broken, tools: [{name: fail, args: {message: broken on purpose}}]}
              - {name: allowed, allow_failure: true, tools: [{name: fail, args: {message: tolerated}}]}
              - {name: all_after_skip, depends_on: [skipped], tools: [echo], args: {message: x}}
              - {name: nofail_after_skip, depends_on: [skipped], run_when: no_failures, tools: [echo], args: {message: x}}
              - {name: always_after_skip, depends_on: [skipped], run_when: always, tools: [echo], args: {message: x}}
              - {name: all_after_fail, depends_on: [broken], tools: [echo], args: {message: x}}
              - {name: nofail_after_fail, depends_on: [broken], run_when: no_failures, tools: [echo], args: {message: x}}
              - {name: always_after_fail, depends_on: [broken], run_when: always, tools: [echo], args: {message: x}}
              - {name: all_after_allowed, depends_on: [allowed], tools: [echo], args: {message: x}}
              - {name: chain_after_skip, depends_on: [all_after_skip], tools: [echo], args: {message: x}}
            """)
        let expected: [String: StageStatus] = [
            "skipped": .skipped, "broken": .failed, "allowed": .allowedFailure,
            "all_after_skip": .skipped, "nofail_after_skip": .succeeded, "always_after_skip": .succeeded,
            "all_after_fail": .skipped, "nofail_after_fail": .skipped, "always_after_fail": .succeeded,
            "all_after_allowed": .succeeded, "chain_after_skip": .skipped,
        ]
        for (name, status) in expected { #expect(run.status(name) == status, "\(name)") }
        #expect(run.result.status == .failed)
        // The reasons say which dependency and which rule: no silent propagation.
        #expect(run.stage("all_after_skip")?.reason == "dependency 'skipped' was skipped (run_when: all_succeeded)")
        #expect(run.stage("nofail_after_fail")?.reason == "dependency 'broken' failed (run_when: no_failures)")
        #expect(run.stage("chain_after_skip")?.reason == "dependency 'all_after_skip' was skipped (run_when: all_succeeded)")
        #expect(run.stage("skipped")?.reason == "condition 'mode equals 'full'' is false (the value is 'quick')")
        // The store holds the same statuses as the result.
        for r in run.stored { #expect(expected[r.stage] == r.status, "stored \(r.stage)") }
        // Skipped stages called nothing.
        let called = Set(run.attempts.map(\.stage))
        #expect(called.isDisjoint(with: ["skipped", "all_after_skip", "all_after_fail", "nofail_after_fail", "chain_after_skip"]))
    }

    @Test func conditionsCompareBooleansWithTheirText() async throws {
        let h = try EngineHarness("conditions")
        defer { h.cleanup() }
        var options = RunOptions()
        options.variables["from_cli"] = .string("true")  // --var gives strings
        let run = try await h.run("""
            variables: {deploy: true, count: 3, name: "release-1"}
            error_policy: {mode: continue}
            stages:
              - {name: bool_vs_string, tools: [echo], args: {message: x}, conditions: [{key: deploy, operator: equals, value: "true"}]}
              - {name: string_vs_bool, tools: [echo], args: {message: x}, conditions: [{key: from_cli, operator: equals, value: true}]}
              - {name: bool_false, tools: [echo], args: {message: x}, conditions: [{key: deploy, operator: equals, value: false}]}
              - {name: greater, tools: [echo], args: {message: x}, conditions: [{key: count, operator: greater_than, value: 2}]}
              - {name: matches, tools: [echo], args: {message: x}, conditions: [{key: name, operator: matches, value: "^release-[0-9]+$"}]}
              - {name: not_in, tools: [echo], args: {message: x}, conditions: [{key: name, operator: not_in, value: [a, b]}]}
              - {name: compute, tools: [{name: add, args: {a: 2, b: 2}}]}
              - {name: on_output, depends_on: [compute], tools: [echo], args: {message: x},
                 conditions: [{key: stages.compute.outputs.result, operator: equals, value: 4}]}
              - {name: on_output_false, depends_on: [compute], tools: [echo], args: {message: x},
                 conditions: [{key: stages.compute.outputs.result, operator: less_than, value: 4}]}
              - {name: needs_token, tools: [echo], args: {message: x}, conditions: [{key: token, operator: required}]}
              - {name: exists_missing, tools: [echo], args: {message: x}, conditions: [{key: token, operator: exists}]}
            """, options: options)
        let expected: [String: StageStatus] = [
            "bool_vs_string": .succeeded, "string_vs_bool": .succeeded, "bool_false": .skipped, "greater": .succeeded,
            "matches": .succeeded, "not_in": .succeeded, "compute": .succeeded, "on_output": .succeeded,
            "on_output_false": .skipped, "needs_token": .failed, "exists_missing": .skipped,
        ]
        for (name, status) in expected { #expect(run.status(name) == status, "\(name)") }
        let required = try #require(run.stage("needs_token"))
        #expect(required.errorClass == "condition_failed")
        #expect(required.errorMessage == "required value 'token' is missing")
        #expect(required.attempts == 0)
    }

    @Test func conditionEvaluatorUnits() {
        #expect(ConditionEvaluator.holds(.equals, actual: .bool(true), expected: .string("true")))
        #expect(ConditionEvaluator.holds(.equals, actual: .string("true"), expected: .bool(true)))
        #expect(!ConditionEvaluator.holds(.equals, actual: .bool(false), expected: .string("true")))
        #expect(ConditionEvaluator.holds(.equals, actual: .int(3), expected: .string("3")))
        #expect(ConditionEvaluator.holds(.contains, actual: .array([.int(1), .int(2)]), expected: .string("2")))
        #expect(ConditionEvaluator.holds(.in, actual: .string("b"), expected: .array(["a", "b"])))
        #expect(!ConditionEvaluator.holds(.greaterThan, actual: .string("x"), expected: .int(1)))
        #expect(ConditionEvaluator.holds(.notExists, actual: nil, expected: nil))
        #expect(!ConditionEvaluator.holds(.matches, actual: .string("a"), expected: .string("(")))
    }
}
