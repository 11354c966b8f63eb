#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Isolation
import Schema
import Testing
import WfhostTestSupport

extension IsolationTests {
    /// No orphans, no zombies: workers die with the host, SIGINT cancels, and what a tool starts dies with it.
    @Suite struct LifetimeTests {
        let env: Env
        init() throws { env = try Env("life") }

        /// Starts `wfhost ARGS` as a child with the pinned environment; stdout and stderr go to files.
        private func startHost(_ arguments: [String]) throws -> (Process, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestSupport.wfhost)
            process.arguments = arguments
            process.environment = env.environment
            let errPath = env.dir + "/host-stderr-\(UUID().uuidString.prefix(6))"
            FileManager.default.createFile(atPath: errPath, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            try process.run()
            return (process, errPath)
        }

        /// The worker `host` started, once it is running its call (found in /proc within 10 s).
        private func workerOf(_ host: Process) throws -> ProcessEntry {
            var worker: ProcessEntry?
            let found = Iso.poll(seconds: 10) {
                worker = ProcessTable.workers(of: host.processIdentifier).first
                return worker != nil
            }
            guard found, let worker else {
                host.terminate()
                host.waitUntilExit()
                throw Iso.Failure(description: "wfhost \(host.processIdentifier) started no worker within 10 s")
            }
            return worker
        }

        @Test func sigkillingTheHostDuringAHangLeavesNoWorker() throws {
            let (host, _) = try startHost(["call", "hang", "--timeout", "60s"])
            let worker = try workerOf(host)
            #expect(kill(host.processIdentifier, SIGKILL) == 0)
            host.waitUntilExit()
            #expect(host.terminationReason == .uncaughtSignal)
            // The worker's parent-death signal (SIGKILL) ends it; init reaps it.
            let gone = Iso.poll(seconds: 5) { !ProcessTable.isRunning(worker.pid) }
            #expect(gone, "worker \(worker) outlived its host")
            let group = Iso.poll(seconds: 2) { ProcessTable.all().filter { $0.pgrp == worker.pid && !$0.isZombie }.isEmpty }
            #expect(group)
        }

        @Test func sigkillingTheHostEndsWhatTheToolStarted() throws {
            let mark = marker()
            let (host, _) = try startHost(["call", "shell", "--args", #"{"argv":["sleep","\#(mark)"]}"#, "--timeout", "60s"])
            let worker = try workerOf(host)
            let started = Iso.poll(seconds: 5) { ProcessTable.all().contains { $0.pgrp == worker.pid && $0.pid != worker.pid } }
            #expect(started, "the shell call's sleep never started")
            #expect(kill(host.processIdentifier, SIGKILL) == 0)
            host.waitUntilExit()
            // The worker's parent-death handler kills its whole group: the tool's sleep goes with it.
            let group = Iso.poll(seconds: 5) { ProcessTable.all().filter { $0.pgrp == worker.pid && !$0.isZombie }.isEmpty }
            #expect(group, "processes of the worker's group outlived the host")
        }

        @Test func sigintCancelsTheCallAndExits130WithinTheGrace() throws {
            let (host, errPath) = try startHost(["call", "sleep", "--args", #"{"ms":60000}"#, "--grace", "2s"])
            let worker = try workerOf(host)
            let sent = Iso.now()
            #expect(kill(host.processIdentifier, SIGINT) == 0)
            let workerGone = Iso.poll(seconds: 2) { !ProcessTable.isRunning(worker.pid) }
            let workerEnded = Iso.now() - sent
            host.waitUntilExit()
            #expect(workerGone, "the worker still ran \(workerEnded) s after SIGINT; the grace is 2 s")
            #expect(host.terminationStatus == 130)
            let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            #expect(stderr == "error: chaos.sleep failed: cancelled: interrupted by SIGINT (the tool reported: sleep was cancelled)\n")
        }

        @Test func sigtermCancelsAHangAndKillsItAfterTheGrace() throws {
            let (host, errPath) = try startHost(["call", "hang", "--timeout", "60s", "--grace", "300ms"])
            let worker = try workerOf(host)
            let sent = Iso.now()
            #expect(kill(host.processIdentifier, SIGTERM) == 0)
            host.waitUntilExit()
            let elapsed = Iso.now() - sent
            #expect(host.terminationStatus == 143, "SIGTERM exits 128 + 15")
            #expect(!ProcessTable.isRunning(worker.pid))
            #expect(elapsed < 3, "the host took \(elapsed) s to end a hang with a 300 ms grace")
            let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            #expect(stderr == "error: chaos.hang failed: cancelled: interrupted by SIGTERM "
                        + "(the worker was killed after the grace time)\n  hint: the tool did not stop after the cancel "
                        + "request: check is_cancelled in its long loops and return soon after (WfhostPluginKit: "
                        + "checkCancellation(); Rust: call.check_cancellation()?)\n")
        }

        /// A unique `sleep` duration, so the test finds its own sleep among all processes.
        private func marker() -> String { "6\(Int.random(in: 10_000...99_999))" }

        @Test(arguments: [IsolationMode.perCall, .pooled, .forked])
        func backgroundSleepStartedByShellIsKilledAfterTheCall(mode: IsolationMode) async throws {
            let plain = marker(), escaped = marker()
            // One in the worker's group, one in a session of its own (escapes the group kill; the subreaper
            // worker still ends it).
            let script = "sleep \(plain) >/dev/null 2>&1 & setsid sleep \(escaped) >/dev/null 2>&1 & echo started"
            let s = try await env.success("shell", #"{"argv":["sh","-c","\#(script)"]}"#, mode: mode)
            #expect(s.result["stdout"] == .string("started\n"))
            let gone = Iso.poll(seconds: 3) {
                ProcessTable.matching("sleep \(plain)").isEmpty && ProcessTable.matching("sleep \(escaped)").isEmpty
            }
            #expect(gone, "left: \(ProcessTable.matching("sleep \(plain)") + ProcessTable.matching("sleep \(escaped)"))")
            env.executor.shutdownAll()
            expectWorkerGone(s.workerPID)
        }

        @Test func timeoutKillsTheWholeGroupOfAShellCall() async throws {
            let m = marker()
            // The shell waits for its sleep, so the call only ends by the time limit.
            let f = try await env.failure("shell", #"{"argv":["sh","-c","sleep \#(m) & wait"]}"#) {
                $0.timeout = .milliseconds(500)
                $0.grace = .milliseconds(500)
            }
            #expect(f.failureClass == .timeout)
            #expect(f.message.hasPrefix("the call did not finish within 500ms; "))
            #expect(Iso.poll(seconds: 3) { ProcessTable.matching("sleep \(m)").isEmpty })
            expectWorkerGone(f.workerPID)
        }
    }
}
