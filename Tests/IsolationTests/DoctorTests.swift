#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Isolation
import Schema
import Testing
import WfhostTestSupport

/// `wfhost doctor`, `--sandbox strict` and the layers reported with a call, on this machine and in a user
/// namespace whose limit on user namespaces is 0 (so the worker's unshare fails, as in a locked-down container).
extension IsolationTests {
    @Suite struct DoctorTests {
        let env: Env
        init() throws { env = try Env("doctor") }

        /// Runs `wfhost ARGS` inside a user namespace where no further user namespace can be made.
        func withoutNamespaces(_ arguments: [String]) throws -> TestSupport.RunResult {
            let quoted = ([TestSupport.wfhost] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            return try TestSupport.run("/usr/bin/unshare", ["--user", "--map-root-user", "--mount", "/bin/sh", "-c",
                                                            "echo 0 > /proc/sys/user/max_user_namespaces && exec "
                                                                + quoted.joined(separator: " ")],
                                       environment: env.environment)
        }

        @Test func everyLayerIsInForceHere() throws {
            let r = try env.wfhost(["doctor"])
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            for layer in ["user namespace", "pid namespace", "mount namespace", "ipc namespace", "network namespace",
                          "no capabilities", "seccomp"] {
                #expect(r.stdout.contains("ok       \(layer)"), "\(layer) in \(r.stdout)")
            }
            #expect(r.stdout.contains("ok       landlock           ABI "))
            #expect(r.stdout.contains("ok       runtime libraries  libsqlite3.so.0, libyaml-0.so.2, libffi.so.8, libseccomp.so.2"))
            #expect(r.stdout.hasSuffix("wfhost can run here\n"))
            let json = try JSONValue.parse(Array(try env.wfhost(["doctor", "--json"]).stdout.utf8))
            #expect(json["format_version"] == .int(1))
            #expect(json["ok"] == .bool(true))
            #expect(json["sandbox"]?["status"] == .string("enforced"))
        }

        @Test func withoutNamespacesDoctorSaysSoAndStrictIsExit3() throws {
            let r = try withoutNamespaces(["doctor"])
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("warning  user namespace     not available: namespaces (unshare: No space left on device)\n"
                                      + "         hint: enable unprivileged user namespaces"), "\(r.stdout)")
            #expect(r.stdout.contains("ok       landlock"))
            #expect(r.stdout.contains("ok       seccomp"))
            #expect(r.stdout.hasSuffix("wfhost can run here (the sandbox is partial)\n"))
            let strict = try withoutNamespaces(["doctor", "--sandbox", "strict"])
            #expect(strict.status == 3)
            #expect(strict.stdout.contains("MISSING  pid namespace      not available"))
            #expect(strict.stdout.hasSuffix("wfhost cannot run here as configured: fix what is MISSING above\n"))
        }

        @Test func aCallWithoutNamespacesRunsSaysSoAndStrictRefuses() throws {
            let partial = try withoutNamespaces(["call", "echo", "--args", #"{"message":"hi"}"#, "--json"])
            #expect(partial.status == 0, "\(partial.stderr)")
            let json = try JSONValue.parse(Array(partial.stdout.utf8))
            #expect(json["sandbox"]?["status"] == .string("partial"))
            #expect(json["sandbox"]?["layers"]?["pid_namespace"] == .bool(false))
            #expect(json["sandbox"]?["layers"]?["seccomp"] == .bool(true))
            #expect(partial.stderr.contains("wfhost: note: the sandbox is partial on this machine: tools run without "
                                            + "namespaces (unshare: No space left on device); the other layers apply"))
            let strict = try withoutNamespaces(["call", "echo", "--args", #"{"message":"hi"}"#, "--sandbox", "strict"])
            #expect(strict.status == 1)
            #expect(strict.stderr.contains("failed: sandbox_denied: the worker could not load "), "\(strict.stderr)")
            #expect(strict.stderr.contains("the strict sandbox needs every layer, and this machine lacks: namespaces "
                                           + "(unshare: No space left on device)"))
        }

        @Test func aCallReportsItsLayers() throws {
            let r = try env.wfhost(["call", "echo", "--args", #"{"message":"hi"}"#, "--json", "--sandbox", "strict"])
            #expect(r.status == 0, "\(r.stderr)")
            let json = try JSONValue.parse(Array(r.stdout.utf8))
            #expect(json["sandbox"]?["status"] == .string("enforced"))
            #expect(json["sandbox"]?["missing"] == .string(""))
        }

        @Test func aWorkflowCannotTurnTheSandboxOff() throws {
            let file = env.dir + "/off.yaml"
            try Data("""
                apiVersion: orchestration/v1
                kind: Workflow
                metadata: {name: off}
                spec:
                  sandbox: off
                  stages:
                    - name: a
                      tools: [{name: echo, args: {message: hi}}]
                """.utf8).write(to: URL(fileURLWithPath: file))
            let r = try env.wfhost(["validate", file])
            #expect(r.status == 2)
            #expect(r.stdout.contains("\(file):5:12: error: a workflow cannot turn the sandbox off"), "\(r.stdout)")
            #expect(r.stdout.contains("hint: the sandbox is the caller's to loosen: `wfhost run --sandbox off` (for "
                                      + "debugging); a workflow may ask for `sandbox: strict`"))
        }
    }
}
