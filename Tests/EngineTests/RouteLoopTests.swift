import Engine
import Foundation
import Plan
import Schema
import Spec
import Store
import Testing
import WfhostTestSupport
@testable import WorkflowHost // the engine, executor and store behind PreparedRun and WorkflowHost

/// Error routing that cannot loop (issue 12, item 8): `validate` rejects redirects and on_failure chains that
/// could send a failing recovery stage back to itself, `error_type` names a failure class, routes match a tool's
/// own `code`, and routes added through the Swift API are checked the same way and run as recovery stages.
@Suite struct RouteLoopTests {
    /// `wfhost validate --no-registry` of `spec`: its exit status and output.
    static func validate(_ h: EngineHarness, _ spec: String) throws -> (Int32, String) {
        let file = try h.write(spec, name: "loop.yaml")
        let r = try h.cli(["validate", file, "--no-registry"])
        return (r.status, (r.stdout + r.stderr).replacingOccurrences(of: file, with: "loop.yaml"))
    }

    @Test func aRouteThatCanMatchItsOwnTargetIsAValidationError() throws {
        let h = try EngineHarness("route-self")
        defer { h.cleanup() }
        // The issue's deadlock: every tool_error goes to fix, and fix fails with tool_error too.
        let (status, text) = try Self.validate(h, """
            error_policy:
              routes:
                - {id: to-fix, conditions: [{key: error_type, operator: equals, value: tool_error}],
                   action: redirect, redirect_to: fix}
            stages:
              - {name: build, tools: [{name: fail, args: {message: broken}}]}
              - {name: fix, tools: [{name: fail, args: {message: also broken}}]}
            """)
        #expect(status == 2)
        #expect(text == """
            loop.yaml:8:41: error: error route 'to-fix' redirects to 'fix', and its conditions also match failures of \
            'fix' itself: a failing 'fix' would be redirected to itself
              hint: add the condition `{key: stage, operator: not_equals, value: fix}` to the route, or name the \
            stages it is for with `{key: stage, operator: in, value: [...]}`
            loop.yaml: invalid: 1 error

            """, "\(text)")
        // Excluding the target by stage makes it valid.
        let (fixed, fixedText) = try Self.validate(h, """
            error_policy:
              routes:
                - {id: to-fix, conditions: [{key: error_type, operator: equals, value: tool_error},
                                            {key: stage, operator: not_equals, value: fix}],
                   action: redirect, redirect_to: fix}
            stages:
              - {name: build, tools: [{name: fail, args: {message: broken}}]}
              - {name: fix, tools: [{name: fail, args: {message: also broken}}]}
            """)
        #expect(fixed == 0, "\(fixedText)")
    }

    @Test func loopsThroughTwoRecoveryStagesAndOnFailureAreValidationErrors() throws {
        let h = try EngineHarness("route-cycle")
        defer { h.cleanup() }
        let (status, text) = try Self.validate(h, """
            error_policy:
              routes:
                - {id: r1, conditions: [{key: stage, operator: in, value: [build, fix2]}], action: redirect, redirect_to: fix1}
                - {id: r2, conditions: [{key: stage, operator: equals, value: fix1}], action: redirect, redirect_to: fix2}
            stages:
              - {name: build, tools: [echo]}
              - {name: fix1, tools: [echo]}
              - {name: fix2, tools: [echo]}
              - {name: a, tools: [echo], on_failure: b}
              - {name: b, tools: [echo], on_failure: a}
            """)
        #expect(status == 2)
        let hint = "  hint: give the recovery stages conditions that exclude each other (`{key: stage, operator: "
            + "not_in, value: [...]}`), or break the on_failure chain"
        #expect(text == """
            loop.yaml:8:108: error: error routes and on_failure form a loop: fix1 → (error route 'r2') fix2 → \
            (error route 'r1') fix1; a failing recovery stage would wait for itself
              note: loop.yaml:7:113: error route 'r1' of 'fix2'
            \(hint)
            loop.yaml:13:44: error: error routes and on_failure form a loop: a → (its on_failure) b → (its on_failure) a; \
            a failing recovery stage would wait for itself
              note: loop.yaml:14:44: its on_failure of 'b'
            \(hint)
            loop.yaml: invalid: 2 errors

            """, "\(text)")
    }

    @Test func errorTypeNamesAFailureClassAndCodeMatchesTheToolsOwnCode() async throws {
        let h = try EngineHarness("route-code")
        defer { h.cleanup() }
        let (status, text) = try Self.validate(h, """
            error_policy:
              routes:
                - {id: typo, conditions: [{key: error_type, operator: equals, value: tool_eror}], action: fail}
                - {id: design, conditions: [{key: error_type, operator: contains, value: build_error}], action: fail}
            stages:
              - {name: build, tools: [echo]}
            """)
        #expect(status == 2)
        let classes = "error_type is one of invalid_args, tool_error, timeout, crash, exit, out_of_memory, protocol, "
            + "cancelled, sandbox_denied, unknown_tool, undefined_variable, condition_failed, interrupted, or a tool's "
            + "own error code"
        // build_error is no class: error_type then matches the tool's own code (issue 17 item 4).
        #expect(text == """
            loop.yaml:7:76: error: 'tool_eror' is not a failure class, so `error_type equals tool_eror` in route 'typo' \
            can never match
              hint: did you mean 'tool_error'? \(classes)
            loop.yaml: invalid: 1 error

            """, "\(text)")
        // `code` is the tool's own error code: flaky fails with code flaky_failure, then succeeds.
        let counter = h.root + "/counts"
        let run = try await h.run("""
            error_policy:
              routes:
                - {id: by-code, conditions: [{key: code, operator: equals, value: flaky_failure},
                                             {key: stage, operator: not_equals, value: fix}],
                   action: redirect, redirect_to: fix}
            stages:
              - {name: build, tools: [{name: flaky, args: {key: b, failures: 1, path: "\(counter)"}}]}
              - {name: fix, tools: [{name: echo, args: {message: fixed}}]}
            """)
        #expect(run.result.status == .succeeded)
        let order = run.attempts.sorted { $0.startedAt < $1.startedAt }.map { "\($0.stage)#\($0.attempt):\($0.status)" }
        #expect(order == ["build#1:failed", "fix#1:succeeded", "build#2:succeeded"])
    }

    /// The engine itself refuses to wait for a recovery stage that waits for it (what `validate` guards against
    /// statically): the issue's deadlocking workflow, run without validation, ends.
    @Test func aRecoveryStageNeverWaitsForItselfEvenUnvalidated() async throws {
        let h = try EngineHarness("route-runtime")
        defer { h.cleanup() }
        let file = try h.write("""
            error_policy:
              mode: continue
              routes:
                - {id: to-fix, conditions: [{key: error_type, operator: equals, value: tool_error}],
                   action: redirect, redirect_to: fix}
            stages:
              - {name: build, tools: [{name: fail, args: {message: broken}}]}
              - {name: fix, tools: [{name: fail, args: {message: also broken}}]}
            """, name: "deadlock.yaml")
        let snapshot = try h.host.refreshedRegistry()
        let report = h.host.validateWorkflow(text: try String(contentsOfFile: file, encoding: .utf8), file: file,
                                             externalVariables: [], snapshot: snapshot)
        #expect(!report.isValid)
        let workflow = try #require(report.workflow)
        let store = try h.store()
        let session = "unvalidated"
        try store.createSession(SessionRecord(id: session, workflowName: "w", workflowFile: file, workflowText: "",
                                              status: .pending, variables: "{}", options: "{}",
                                              createdAt: Date().timeIntervalSince1970),
                                stages: workflow.stages.enumerated().map { StageRecord(stage: $1.name, position: $0) })
        let executor = try h.host.makeExecutor { _ in }
        let recorder = EventRecorder()
        let engine = WorkflowEngine(workflow: workflow, session: session, store: store,
                                    runner: ToolRunner(snapshot: snapshot, executor: executor), options: RunOptions(),
                                    sink: recorder, workDirectory: h.root, resume: nil)
        let result = await engine.run()
        executor.shutdownAll()
        #expect(result.status == .failed)
        #expect(result.stages.map(\.status) == [.failed, .failed])
        let notices = recorder.events.compactMap { e -> String? in if case .notice(let t) = e { return t } else { return nil } }
        #expect(notices.contains("""
            stage 'fix' failed (chaos.fail: tool_error: also broken); error route 'to-fix' is not followed: 'fix' would \
            be redirected to itself
            """), "\(notices)")
    }

    @Test func routesAddedThroughTheAPIAreCheckedAndTheirTargetsAreRecoveryStages() async throws {
        let h = try EngineHarness("route-api")
        defer { h.cleanup() }
        let counter = h.root + "/counts"
        let file = try h.write("""
            stages:
              - {name: build, tools: [{name: flaky, args: {key: b, failures: 1, path: "\(counter)"}}]}
              - {name: fix, tools: [{name: echo, args: {message: fixed}}]}
            """, name: "api.yaml")
        let misspelt = CustomErrorRoute(id: "docker-build", when: [.init(.code, .equals, "flaky_failure")],
                                        action: .redirect, redirectTo: "fixx")
        do {
            _ = try await h.host.execute(workflow: file, routes: [misspelt])
            Issue.record("a route to an unknown stage ran")
        } catch {
            let invalid = error // typed throws: a WorkflowHostError
            #expect(invalid.code == .workflowInvalid)
            #expect(invalid.description == """
                <api route 'docker-build'>:0:0: error: unknown stage 'fixx'
                  hint: did you mean 'fix'?
                """)
        }
        let looping = CustomErrorRoute(id: "docker-build", when: [.init(.code, .equals, "flaky_failure")],
                                       action: .redirect, redirectTo: "fix")
        do {
            _ = try await h.host.execute(workflow: file, routes: [looping])
            Issue.record("a route that can redirect fix to itself ran")
        } catch {
            let invalid = error // typed throws: a WorkflowHostError
            #expect(invalid.code == .workflowInvalid)
            #expect(invalid.description.hasPrefix("""
                <api route 'docker-build'>:0:0: error: error route 'docker-build' redirects to 'fix', and its \
                conditions also match failures of 'fix' itself
                """), "\(invalid.description)")
        }
        let route = CustomErrorRoute(id: "docker-build", when: [.init(.code, .equals, "flaky_failure"),
                                                                .init(.stage, .notEquals, "fix")],
                                     action: .redirect, redirectTo: "fix")
        let result = try await h.host.execute(workflow: file, routes: [route])
        #expect(result.status == .succeeded)
        let attempts = try h.store().attempts(of: result.session).sorted { $0.startedAt < $1.startedAt }
        // fix is a recovery stage: it runs once, when build's failure calls it, not at the start as well.
        #expect(attempts.map { "\($0.stage)#\($0.attempt):\($0.status)" }
                == ["build#1:failed", "fix#1:succeeded", "build#2:succeeded"])
    }

    /// Routes added through the API are stored with the session: after a pause, resume (which reads the
    /// session back from the store) still follows them.
    @Test func routesAddedThroughTheAPISurviveAPauseAndResume() async throws {
        let h = try EngineHarness("route-api-resume")
        defer { h.cleanup() }
        let counter = h.root + "/counts"
        let file = try h.write("""
            stages:
              - {name: gate, tools: [{name: sleep, args: {ms: 4000}}]}
              - {name: build, depends_on: [gate], tools: [{name: flaky, args: {key: b, failures: 1, path: "\(counter)"}}]}
              - {name: fix, tools: [{name: echo, args: {message: fixed}}]}
            """, name: "api-resume.yaml")
        let route = CustomErrorRoute(id: "docker-build", when: [.init(.code, .equals, "flaky_failure"),
                                                                .init(.stage, .notEquals, "fix")],
                                     action: .redirect, redirectTo: "fix")
        let host = h.host
        let run = Task { try await host.execute(workflow: file, routes: [route]) }
        var session: String?
        for _ in 0..<200 where session == nil {
            try await Task.sleep(for: .milliseconds(20))
            session = try h.store().sessions(status: .running, workflow: nil).first?.id
        }
        let id = try #require(session)
        _ = try h.host.pause(id)
        let paused = try await run.value
        #expect(paused.status == .paused, "\(paused.stages)")
        let resumed = try await h.host.resume(session: id)
        #expect(resumed.status == .succeeded, "\(resumed.stages)")
        let attempts = try h.store().attempts(of: id).sorted { $0.startedAt < $1.startedAt }
        #expect(attempts.map { "\($0.stage)#\($0.attempt):\($0.status)" }
                == ["gate#1:succeeded", "build#1:failed", "fix#1:succeeded", "build#2:succeeded"])
    }

    /// The design's `AddCustomErrorRoute("build_stage", rule)`: a route for one stage's failures only, checked
    /// like a file's routes when the run starts.
    @Test func aRouteAddedForOneStageHandlesThatStageOnly() async throws {
        let h = try EngineHarness("route-api-stage")
        defer { h.cleanup() }
        let counter = h.root + "/counts"
        let file = try h.write("""
            error_policy: {mode: continue}
            stages:
              - {name: build, tools: [{name: flaky, args: {key: b, failures: 1, path: "\(counter)"}}]}
              - {name: package, tools: [{name: flaky, args: {key: p, failures: 1, path: "\(counter)"}}]}
            """, name: "scoped.yaml")
        let rule = CustomErrorRoute(id: "build_error_skip", name: "Build Error Skip", priority: 100,
                                    when: [.init(.code, .equals, "flaky_failure")], action: .skip)
        var misspelt: [CustomErrorRoute] = []
        misspelt.addCustomErrorRoute("biuld", rule)
        do {
            _ = try await h.host.execute(workflow: file, routes: misspelt)
            Issue.record("a route for an unknown stage ran")
        } catch {
            let invalid = error // typed throws: a WorkflowHostError
            #expect(invalid.code == .workflowInvalid)
            #expect(invalid.description == """
                <api route 'build_error_skip'>:0:0: error: error route 'build_error_skip' is for stage 'biuld', and the \
                workflow has no stage of that name
                  hint: did you mean 'build'?
                """)
        }
        var routes: [CustomErrorRoute] = []
        routes.addCustomErrorRoute("build", rule)
        let result = try await h.host.execute(workflow: file, routes: routes)
        // Both stages fail the same way; only build's failure is the route's.
        #expect(result.status == .failed)
        let statuses = Dictionary(uniqueKeysWithValues: result.stages.map { ($0.stage, $0.status) })
        #expect(statuses == ["build": .skipped, "package": .failed], "\(result.stages)")
    }

    /// A route added for one stage is stored with the session: resume follows it, still for that stage only
    /// (its scope also keeps the redirect from looping back to the recovery stage: no `not_equals` needed).
    @Test func aRouteAddedForOneStageSurvivesAPauseAndResume() async throws {
        let h = try EngineHarness("route-api-stage-resume")
        defer { h.cleanup() }
        let counter = h.root + "/counts"
        let file = try h.write("""
            stages:
              - {name: gate, tools: [{name: sleep, args: {ms: 4000}}]}
              - {name: build, depends_on: [gate], tools: [{name: flaky, args: {key: b, failures: 1, path: "\(counter)"}}]}
              - {name: fix, tools: [{name: echo, args: {message: fixed}}]}
            """, name: "scoped-resume.yaml")
        var routes: [CustomErrorRoute] = []
        routes.addCustomErrorRoute("build", CustomErrorRoute(
            id: "build_error_redirect", name: "Build Error Redirect", priority: 100,
            when: [.init(.errorType, .contains, "flaky_failure")], action: .redirect, redirectTo: "fix"))
        let host = h.host
        let added = routes
        let run = Task { try await host.execute(workflow: file, routes: added) }
        var session: String?
        for _ in 0..<200 where session == nil {
            try await Task.sleep(for: .milliseconds(20))
            session = try h.store().sessions(status: .running, workflow: nil).first?.id
        }
        let id = try #require(session)
        _ = try h.host.pause(id)
        let paused = try await run.value
        #expect(paused.status == .paused, "\(paused.stages)")
        let stored = try RunOptionsCodec.routes(try #require(try h.store().session(id)).options)
        #expect(stored.map { "\($0.id) (\($0.name ?? "")): " + $0.conditions.map { "\($0.key) \($0.op.rawValue) \(($0.value?.jsonValue ?? .null).serialized())" }.joined(separator: ", ") }
                == [#"build_error_redirect (Build Error Redirect): stage equals "build", error_type contains "flaky_failure""#])
        let resumed = try await h.host.resume(session: id)
        #expect(resumed.status == .succeeded, "\(resumed.stages)")
        let attempts = try h.store().attempts(of: id).sorted { $0.startedAt < $1.startedAt }
        #expect(attempts.map { "\($0.stage)#\($0.attempt):\($0.status)" }
                == ["gate#1:succeeded", "build#1:failed", "fix#1:succeeded", "build#2:succeeded"])
    }
}

/// A stage's time limit and duration start at its first call (issue 12, item 3): time queued for a slot under
/// max_concurrency does not count.
@Suite struct QueuedTimeLimitTests {
    @Test func timeQueuedForASlotDoesNotCountAgainstTheStagesTimeLimit() async throws {
        let h = try EngineHarness("queued-limit")
        defer { h.cleanup() }
        let run = try await h.run("""
            max_concurrency: 1
            stages:
              - {name: long, tools: [{name: sleep, args: {ms: 4000}}]}
              - {name: short, timeout: 3s, tools: [{name: sleep, args: {ms: 100}}]}
            """)
        // `short` waits about 4 s for the slot `long` holds, longer than its 3 s limit: it succeeds only because
        // the limit starts at its first call (no timed bound here: the machine's load must not decide the test).
        #expect(run.result.status == .succeeded, "\(run.result.stages)")
        #expect(run.status("short") == .succeeded)
        let durations = run.events.compactMap { e -> Duration? in
            if case .stageFinished(let stage, _, _, let duration, _, _) = e, stage == "short" { return duration }
            return nil
        }
        #expect(durations.count == 1, "\(durations)")
    }
}
