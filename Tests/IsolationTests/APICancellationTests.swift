#if canImport(Glibc)
import Glibc
#endif
import Engine
import Foundation
import Isolation
import Testing
import WfhostTestSupport
import WorkflowHost

extension IsolationTests {
    /// The public API's runs end when the caller's Task is cancelled: the running call is asked to stop, killed
    /// after the grace time, and no worker is left.
    @Suite struct APICancellationTests {
        @Test func cancellingTheTaskOfAnAPIRunEndsItWithinTheGrace() async throws {
            let env = try Env("api-cancel")
            let file = env.dir + "/hang.yaml"
            try Data("""
                apiVersion: orchestration/v1
                kind: Workflow
                metadata: {name: hang}
                spec:
                  stages:
                    - name: stuck
                      tools: [{name: hang, timeout: 60s}]
                """.utf8).write(to: URL(fileURLWithPath: file))
            var options = RunOptions()
            options.limits.grace = .milliseconds(500)
            let host = env.host
            let run = Task { try await host.execute(workflow: file, options: options) }
            #expect(Iso.poll(seconds: 10) { !ProcessTable.workers().isEmpty }, "the hang never started")
            let cancelled = Iso.now()
            run.cancel()
            let result = try await run.value
            let elapsed = Iso.now() - cancelled
            #expect(result.status == .cancelled)
            #expect(result.stopReason == "the caller's task was cancelled")
            #expect(elapsed < 0.5 + 1.5, "ended \(elapsed) s after the cancel; the grace is 0.5 s")
            #expect(ProcessTable.workers().isEmpty, "a worker outlived the cancelled run")
        }

        /// A workflow built in code runs as a file does, and cancelling the Task that awaits it ends it within
        /// the grace time with no worker left.
        @Test func cancellingTheTaskOfACustomWorkflowEndsItWithinTheGrace() async throws {
            let env = try Env("api-custom-cancel")
            let workflow = CustomWorkflow(name: "hang", stages: [
                .init(name: "stuck", tools: [.init("hang", timeout: .seconds(60))]),
            ])
            var options = RunOptions()
            options.limits.grace = .milliseconds(500)
            let host = env.host
            let run = Task { try await host.execute(workflow: workflow, options: options) }
            #expect(Iso.poll(seconds: 10) { !ProcessTable.workers().isEmpty }, "the hang never started")
            let cancelled = Iso.now()
            run.cancel()
            let result = try await run.value
            let elapsed = Iso.now() - cancelled
            #expect(result.status == .cancelled)
            #expect(result.stopReason == "the caller's task was cancelled")
            #expect(elapsed < 0.5 + 1.5, "ended \(elapsed) s after the cancel; the grace is 0.5 s")
            #expect(ProcessTable.workers().isEmpty, "a worker outlived the cancelled run")
            let stored = try host.status(of: result.session)
            #expect(stored.session.workflowFile == "<api workflow hang>")
        }

        /// The handle's events arrive as the run goes; `cancel()` on the handle stops it; the stream ends.
        @Test func aRunHandleStreamsEventsAndCancels() async throws {
            let env = try Env("api-handle")
            let workflow = CustomWorkflow(name: "handle", stages: [
                .init(name: "stuck", tools: [.init("hang", timeout: .seconds(60))]),
            ])
            var options = RunOptions()
            options.limits.grace = .milliseconds(500)
            let run = try env.host.start(workflow: workflow, options: options)
            var kinds: [String] = []
            for await event in run.events {
                kinds.append(event.kind)
                if case .attemptStarted = event { await run.cancel(reason: "enough") }
            }
            let result = await run.result
            #expect(result.status == .cancelled)
            #expect(result.stopReason == "enough")
            #expect(kinds.first == "run_started")
            #expect(kinds.last == "run_finished")
            #expect(ProcessTable.workers().isEmpty, "a worker outlived the cancelled run")
        }

        /// A workflow built in code with an error is refused before anything runs, with the diagnostic at its
        /// place in the document the host wrote.
        @Test func anInvalidCustomWorkflowIsRefusedWithItsDiagnostic() async throws {
            let env = try Env("api-custom-invalid")
            let workflow = CustomWorkflow(name: "bad", stages: [
                .init(name: "a", tools: [.init("echo", args: ["message": "hi"])], dependsOn: ["nowhere"]),
            ])
            do {
                _ = try await env.host.execute(workflow: workflow)
                Issue.record("an invalid workflow ran")
            } catch {
                let invalid = error // typed throws: a WorkflowHostError
                #expect(invalid.code == .workflowInvalid)
                let text = invalid.description
                #expect(text.wholeMatch(of: /<api workflow bad>:\d+:\d+: error: unknown stage 'nowhere'\n  hint: no stage has this name; check `name:` of each stage/) != nil, "\(text)")
            }
        }
    }
}
