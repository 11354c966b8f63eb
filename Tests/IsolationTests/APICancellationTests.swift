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
    }
}
