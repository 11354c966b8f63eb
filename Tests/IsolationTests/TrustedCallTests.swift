import Foundation
import Isolation
import Testing
import WfhostTestSupport

// Inside IsolationTests (serialized): its calls start workers, which the other isolation tests count.
extension IsolationTests {
/// The call-time half of --require-trusted: a worker is started only for a file whose bytes, hashed from the very
/// descriptor the worker receives, are trusted, whatever the registry saw earlier.
@Suite struct TrustedCallTests {
    @Test func aWorkerIsNeverStartedForAnUntrustedFile() async throws {
        let env = try Env("trust")
        let core = env.plugins + "/core.so"
        env.executor.trust = PluginTrust(file: env.dir + "/trusted.lock")
        let failure = try await env.failure("echo", #"{"message":"hi"}"#)
        let sha = try #require(PluginTrust.sha256(fd: open(core, O_RDONLY)))
        #expect(failure.failureClass == .exit)
        #expect(failure.message == "refused: the plugin file \(core) is not trusted: its SHA-256 \(sha) is not in "
                    + "\(env.dir)/trusted.lock, and --require-trusted (or WFHOST_REQUIRE_TRUSTED=1) loads only trusted files")
        #expect(failure.hint == "check the file, then trust it with `wfhost plugins trust \(core)`")
        env.executor.trust = PluginTrust(file: env.dir + "/trusted.lock", entries: [(sha, core)])
        let success = try await env.success("echo", #"{"message":"hi"}"#)
        #expect(success.result["message"]?.stringValue == "hi")
    }
}
}
