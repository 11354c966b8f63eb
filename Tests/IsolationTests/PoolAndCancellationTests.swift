#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Isolation
import Schema
import Testing

extension IsolationTests {
    /// Pooled workers: reuse, recycling after a crash and after N calls, one worker per sandbox.
    @Suite struct PoolTests {
        @Test func pooledCallsReuseOneWorker() async throws {
            let env = try Env("pool")
            let work = try env.workDirectory()
            var pids: [Int32] = []
            for i in 0..<5 {
                let s = try await env.success("echo", #"{"message":"m\#(i)"}"#, mode: .pooled, workDirectory: work)
                #expect(s.result == .object(["message": .string("m\(i)")]))
                pids.append(s.workerPID)
            }
            #expect(Set(pids).count == 1, "pids \(pids)")
            #expect(ProcessTable.isRunning(pids[0]), "the idle pooled worker is alive between calls")
            env.executor.shutdownAll()
            expectWorkerGone(pids[0])
        }

        @Test func perCallUsesAFreshWorkerEachTime() async throws {
            let env = try Env("percall")
            let work = try env.workDirectory()
            var pids: [Int32] = []
            for _ in 0..<3 {
                pids.append(try await env.success("echo", #"{"message":"x"}"#, workDirectory: work).workerPID)
                expectWorkerGone(pids.last)
            }
            #expect(Set(pids).count == 3)
        }

        @Test func aCrashNeverFailsTheNextCall() async throws {
            let env = try Env("poolcrash")
            let work = try env.workDirectory()
            // A no-op of the same plugin (a pooled worker serves one plugin and sandbox).
            let first = try await env.success("sleep", #"{"ms":0}"#, mode: .pooled, workDirectory: work)
            var current = first.workerPID
            for tool in ["segfault", "abort"] {
                switch try await env.call(tool, mode: .pooled, workDirectory: work) {
                case .success: Issue.record("\(tool) succeeded")
                case .failure(let f):
                    #expect(f.failureClass == .crash)
                    #expect(f.workerPID == current, "the crash happened in the pooled worker")
                }
                expectWorkerGone(current)
                let next = try await env.success("sleep", #"{"ms":1}"#, mode: .pooled, workDirectory: work)
                #expect(next.result == .object(["slept_ms": .int(1)]))
                #expect(next.workerPID != current, "the pool recycled the crashed worker")
                current = next.workerPID
            }
        }

        @Test func aTimedOutWorkerIsNotReused() async throws {
            let env = try Env("pooltimeout")
            let work = try env.workDirectory()
            let first = try await env.success("sleep", #"{"ms":0}"#, mode: .pooled, workDirectory: work)
            // sleep honours SIGTERM's cancellation and returns: the worker survives but must not serve again.
            switch try await env.call("sleep", #"{"ms":60000}"#, mode: .pooled,
                                      limits: { $0.timeout = .milliseconds(300) }, workDirectory: work) {
            case .success: Issue.record("sleep finished within 300 ms")
            case .failure(let f):
                #expect(f.failureClass == .timeout)
                #expect(f.message == "the call did not finish within 300ms; the tool stopped after SIGTERM")
            }
            let next = try await env.success("sleep", #"{"ms":1}"#, mode: .pooled, workDirectory: work)
            #expect(next.workerPID != first.workerPID)
            expectWorkerGone(first.workerPID)
        }

        @Test func workersAreRecycledAfterNCalls() async throws {
            let env = try Env("poolrecycle", maxCallsPerWorker: 3)
            let work = try env.workDirectory()
            var pids: [Int32] = []
            for _ in 0..<7 {
                pids.append(try await env.success("echo", #"{"message":"x"}"#, mode: .pooled, workDirectory: work).workerPID)
            }
            #expect(pids[0] == pids[1] && pids[1] == pids[2])
            #expect(pids[3] == pids[4] && pids[4] == pids[5])
            #expect(pids[2] != pids[3] && pids[5] != pids[6])
            expectWorkerGone(pids[0])
            expectWorkerGone(pids[3])
        }

        @Test func differentSandboxesGetDifferentWorkers() async throws {
            let env = try Env("poolkeys")
            let a = try await env.success("echo", #"{"message":"a"}"#, mode: .pooled, workDirectory: try env.workDirectory())
            let b = try await env.success("echo", #"{"message":"b"}"#, mode: .pooled, workDirectory: try env.workDirectory())
            #expect(a.workerPID != b.workerPID, "a worker confined to one work directory must not serve another")
        }

        @Test func concurrentPooledCallsEachGetAWorker() async throws {
            let env = try Env("poolconcurrent")
            let work = try env.workDirectory()
            let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
                for i in 0..<4 {
                    group.addTask {
                        try await env.success("sleep", #"{"ms":\#(50 + i)}"#, mode: .pooled, workDirectory: work).workerPID
                    }
                }
                return try await group.reduce(into: [Int32]()) { $0.append($1) }
            }
            #expect(pids.count == 4)
            // Afterwards the pool is warm: a later call reuses one of them.
            let again = try await env.success("sleep", #"{"ms":0}"#, mode: .pooled, workDirectory: work)
            #expect(pids.contains(again.workerPID))
        }
    }

    /// Fork servers (`forked`): one confined worker that has loaded the plugin forks a fresh process per call.
    @Suite struct ForkServerTests {
        @Test func eachCallRunsInAFreshProcessOfOneServer() async throws {
            let env = try fixtureEnv("forked")
            let work = try env.workDirectory()
            var pids: [Int32] = []
            for _ in 0..<3 {
                let s = try await env.success("fx.count", mode: .forked, workDirectory: work)
                // No state is shared between calls: each child starts from the server's state.
                #expect(s.result == .object(["count": .int(1)]))
                pids.append(s.workerPID)
            }
            #expect(Set(pids).count == 1, "one server served the calls: \(pids)")
            // The same tool pooled shares its static state between calls.
            var counts: [JSONValue?] = []
            for _ in 0..<3 { counts.append(try await env.success("fx.count", mode: .pooled, workDirectory: work).result["count"]) }
            #expect(counts == [.int(1), .int(2), .int(3)])
            env.executor.shutdownAll()
            expectWorkerGone(pids[0])
        }

        @Test func aCrashCostsTheCallAndRecyclesTheServer() async throws {
            let env = try Env("forkcrash")
            let work = try env.workDirectory()
            // sleep and segfault are both chaos tools: one server.
            let first = try await env.success("sleep", #"{"ms":0}"#, mode: .forked, workDirectory: work)
            switch try await env.call("segfault", mode: .forked, workDirectory: work) {
            case .success: Issue.record("segfault succeeded")
            case .failure(let f):
                #expect(f.failureClass == .crash)
                #expect(f.signal == Signal(rawValue: SIGSEGV))
                #expect(f.message.hasPrefix("the tool crashed: killed by SIGSEGV"), "\(f.message)")
                #expect(f.workerPID == first.workerPID, "the crash happened in the server's child")
            }
            let next = try await env.success("sleep", #"{"ms":0}"#, mode: .forked, workDirectory: work)
            #expect(next.workerPID != first.workerPID, "the crashed server was recycled")
            expectWorkerGone(first.workerPID)
        }

        @Test func aTimeoutIsATimeout() async throws {
            let env = try Env("forktimeout")
            let f = try await env.failure("hang", mode: .forked) { $0.timeout = .milliseconds(300); $0.grace = .milliseconds(200) }
            #expect(f.failureClass == .timeout)
            expectWorkerGone(f.workerPID)
        }
    }

    /// CallCancellation: the tool sees is_cancelled; a tool that ignores it is killed after the grace.
    @Suite struct CancellationTests {
        @Test(arguments: [IsolationMode.perCall, .pooled, .forked])
        func cancellingMakesIsCancelledTrue(mode: IsolationMode) async throws {
            let env = try fixtureEnv("cancel")
            let cancellation = CallCancellation()
            let started = Iso.now()
            // The tool logs "waiting" once it runs; cancelling from that event proves the tool saw the flag.
            let outcome = try await env.call("fx.wait_cancel", mode: mode, limits: { $0.grace = .seconds(20) },
                                             cancellation: cancellation) { event in
                if case .log(_, "waiting") = event { cancellation.cancel(reason: "cancelled by the test") }
            }
            let elapsed = Iso.now() - started
            guard case .failure(let f) = outcome else {
                Issue.record("\(outcome)")
                return
            }
            #expect(f.failureClass == .cancelled)
            #expect(f.message == "cancelled by the test (the tool reported: saw is_cancelled)", "not killed: the tool saw the flag and returned")
            #expect(!f.retryable)
            #expect(elapsed < 5, "took \(elapsed) s; the tool polls the flag every millisecond")
        }

        @Test func cancellingSleepEndsItWithoutAKill() async throws {
            let env = try Env("cancelsleep")
            let cancellation = CallCancellation()
            let started = Iso.now()
            async let outcome = env.call("sleep", #"{"ms":60000}"#, limits: { $0.grace = .seconds(20) },
                                         cancellation: cancellation)
            // Cancel once the worker exists. Whether the request has reached the tool yet or not, the worker
            // must not lose the cancellation: sleep sees is_cancelled and returns long before the 20 s grace.
            let spawned = Iso.poll(seconds: 10) { !ProcessTable.workers().isEmpty }
            #expect(spawned)
            cancellation.cancel(reason: "stop sleeping")
            guard case .failure(let f) = try await outcome else {
                Issue.record("sleep finished")
                return
            }
            let elapsed = Iso.now() - started
            #expect(f.failureClass == .cancelled)
            #expect(f.message == "stop sleeping (the tool reported: sleep was cancelled)")
            #expect(elapsed < 5, "took \(elapsed) s")
            expectWorkerGone(f.workerPID)
        }

        @Test func aCancelledHangIsKilledAfterTheGrace() async throws {
            let env = try Env("cancelhang")
            let cancellation = CallCancellation()
            async let outcome = env.call("hang", limits: { $0.grace = .milliseconds(400) }, cancellation: cancellation)
            #expect(Iso.poll(seconds: 10) { !ProcessTable.workers().isEmpty })
            let cancelled = Iso.now()
            cancellation.cancel(reason: "no longer needed")
            guard case .failure(let f) = try await outcome else {
                Issue.record("hang finished")
                return
            }
            let elapsed = Iso.now() - cancelled
            #expect(f.failureClass == .cancelled)
            #expect(f.message == "no longer needed (the worker was killed after the grace time)")
            #expect(elapsed >= 0.4 && elapsed < 2.5, "killed \(elapsed) s after the cancel; the grace is 0.4 s")
            expectWorkerGone(f.workerPID)
        }

        @Test func cancelAllStopsEveryRunningCall() async throws {
            let env = try Env("cancelall")
            async let a = env.call("sleep", #"{"ms":60000}"#)
            async let b = env.call("sleep", #"{"ms":60000}"#)
            #expect(Iso.poll(seconds: 10) { ProcessTable.workers().count == 2 })
            env.executor.cancelAll(reason: "shutting down")
            for outcome in [try await a, try await b] {
                guard case .failure(let f) = outcome else {
                    Issue.record("a sleep finished")
                    continue
                }
                #expect(f.failureClass == .cancelled)
                #expect(f.message == "shutting down (the tool reported: sleep was cancelled)")
            }
        }

        @Test func aCallCancelledBeforeItStartsNeverSpawns() async throws {
            let env = try Env("cancelearly")
            let cancellation = CallCancellation()
            cancellation.cancel(reason: "too late")
            let outcome = try await env.call("echo", #"{"message":"x"}"#, cancellation: cancellation)
            guard case .failure(let f) = outcome else {
                Issue.record("echo ran")
                return
            }
            #expect(f.failureClass == .cancelled)
            #expect(f.message == "too late")
            #expect(f.workerPID == nil)
        }
    }
}
