import Engine
import Foundation
import Schema
import Store
import Testing

/// Variables and outputs: whole references keep their JSON type; secrets never leave the engine unmasked.
@Suite struct OutputTests {
    @Test func integerOutputPassedWholeStaysAnInteger() async throws {
        let h = try EngineHarness("types")
        defer { h.cleanup() }
        let run = try await h.run("""
            variables: {base: 40, label: answer}
            error_policy: {mode: continue}
            stages:
              - {name: x, tools: [{name: add, args: {a: "${base}", b: 1}}]}
              - {name: y, depends_on: [x], tools: [{name: add, args: {a: "${stages.x.outputs.result}", b: 1}}]}
              - {name: text, depends_on: [y], tools: [{name: echo, args: {message: "${label}=${stages.y.outputs.result} ${stages.y.outputs}"}}]}
              - {name: whole_into_string, depends_on: [y], tools: [{name: echo, args: {message: "${stages.y.outputs.result}"}}]}
            """)
        #expect(run.status("x") == .succeeded && run.status("y") == .succeeded)
        // add's schema takes numbers: a string "41" would have been rejected.
        #expect(run.result.outputs["y"] == .object(["result": .int(42)]))
        #expect(run.stored.first { $0.stage == "y" }?.output == #"{"result":42}"#)
        #expect(run.result.outputs["text"]?["message"] == .string(#"answer=42 {"result":42}"#))
        // The whole reference stays an integer, so echo (a string argument) refuses it.
        let refused = try #require(run.stage("whole_into_string"))
        #expect(refused.status == .failed)
        #expect(refused.errorClass == "invalid_args")
    }

    @Test func undefinedOutputFailsTheStageWithAHint() async throws {
        let h = try EngineHarness("undefined")
        defer { h.cleanup() }
        let run = try await h.run("""
            stages:
              - {name: x, tools: [{name: add, args: {a: 1, b: 1}}]}
              - {name: y, depends_on: [x], tools: [{name: echo, args: {message: "${stages.x.outputs.nothing}"}}]}
            """)
        let y = try #require(run.stage("y"))
        #expect(y.status == .failed)
        #expect(y.errorClass == "undefined_variable")
        #expect(y.errorMessage?.contains("is not in stage 'x''s output") == true)
    }

    @Test func secretsAreMaskedInEventsRowsAndResults() async throws {
        let h = try EngineHarness("secret-lib")
        defer { h.cleanup() }
        var options = RunOptions()
        options.secrets["token"] = "hunter2-cli-secret"
        let run = try await h.run("""
            variables: {api_key: !secret tagged-yaml-secret}
            error_policy: {mode: continue}
            stages:
              - {name: show, tools: [{name: echo, args: {message: "token ${token} key ${api_key}"}}]}
              - {name: leak, allow_failure: true, tools: [{name: fail, args: {message: "bad ${token} / ${api_key}"}}]}
            """, options: options)
        #expect(run.result.status == .succeeded)
        // The engine's own outputs stay unmasked in memory, for later stages.
        #expect(run.result.outputs["show"]?["message"] == .string("token hunter2-cli-secret key tagged-yaml-secret"))
        let everything = run.events.map { $0.json.serialized() }.joined(separator: "\n")
            + run.stored.map { "\($0)" }.joined(separator: "\n") + run.attempts.map { "\($0)" }.joined(separator: "\n")
        #expect(!everything.contains("hunter2-cli-secret"))
        #expect(!everything.contains("tagged-yaml-secret"))
        #expect(run.stored.first { $0.stage == "show" }?.output == #"{"message":"token *** key ***"}"#)
        #expect(run.stage("leak")?.errorMessage == "bad *** / ***")
        #expect(run.stage("leak")?.status == .allowedFailure)
    }

    @Test func secretMaskingIsLongestFirst() {
        let secrets = Secrets(["abc", "abcdef", ""])
        #expect(secrets.mask("x abcdef y abc") == "x *** y ***")
        #expect(secrets.mask(.object(["abc": .array([.string("abcdef")]), "n": .int(1)]))
                == .object(["***": .array([.string("***")]), "n": .int(1)]))
    }
}
