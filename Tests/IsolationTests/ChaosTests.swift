#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Isolation
import Schema
import Testing

/// All isolation tests run one at a time: they count the test process's children, and several measure time.
@Suite(.serialized, .noLeftoverProcesses) struct IsolationTests {}

/// Checks that nothing is left in the process group of the worker that ran a call.
func expectWorkerGone(_ pid: Int32?, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let pid, pid > 0 else {
        Issue.record("the outcome names no worker", sourceLocation: sourceLocation)
        return
    }
    #expect(!ProcessTable.isRunning(pid), "worker \(pid) still runs", sourceLocation: sourceLocation)
    let group = ProcessTable.all().filter { $0.pgrp == pid && !$0.isZombie }
    #expect(group.isEmpty, "left in the worker's group: \(group)", sourceLocation: sourceLocation)
}

extension IsolationTests {
    /// Each chaos tool through the library (ToolRunner → CallExecutor → worker): its class and its message.
    @Suite struct ChaosThroughLibrary {
        let env: Env
        init() throws { env = try Env("chaos") }

        @Test(arguments: [IsolationMode.perCall, .pooled, .forked])
        func segfaultIsACrashWithSIGSEGV(mode: IsolationMode) async throws {
            let f = try await env.failure("segfault", mode: mode)
            #expect(f.failureClass == .crash)
            #expect(f.signal?.name == "SIGSEGV")
            #expect(f.message == "the tool crashed: killed by SIGSEGV")
            #expect(f.hint == "the fault is in the plugin \(env.plugins)/chaos.so; its stderr is kept with the call; "
                        + "`wfhost plugins debug \(env.plugins)/chaos.so --tool segfault --args JSON --gdb` runs the "
                        + "call under gdb and prints the backtrace")
            #expect(f.retryable)
            #expect(f.description.hasPrefix("crash: the tool crashed: killed by SIGSEGV\n  hint: "))
            expectWorkerGone(f.workerPID)
        }

        @Test func aWorkerKilledFromOutsideIsACrashNamingIt() async throws {
            let env = self.env
            let call = Task { try await env.call("chaos.hang") }
            let found = Iso.poll(seconds: 5) { ProcessTable.children().contains { $0.command == "wfhost-worker" } }
            #expect(found, "the worker never started")
            usleep(1_000_000) // past its start-up (sandbox, plugin load) and into the call, on a loaded machine too
            for worker in ProcessTable.children() where worker.command == "wfhost-worker" { kill(worker.pid, SIGKILL) }
            guard case .failure(let f) = try await call.value else {
                Issue.record("the call succeeded")
                return
            }
            #expect(f.failureClass == .crash)
            #expect(f.message.hasPrefix("the worker was killed by SIGKILL from outside wfhost (peak resident "))
            #expect(f.hint == "the kernel's OOM killer (see `dmesg`) or another process ended it; it is retryable")
            #expect(f.retryable)
        }

        @Test func abortIsACrashWithSIGABRT() async throws {
            let f = try await env.failure("abort")
            #expect(f.failureClass == .crash)
            #expect(f.signal?.name == "SIGABRT")
            #expect(f.message == "the tool crashed: killed by SIGABRT")
            #expect(f.retryable)
            expectWorkerGone(f.workerPID)
        }

        @Test(arguments: [IsolationMode.perCall, .pooled, .forked])
        func hangTimesOutAndIsKilledWithinLimitPlusGrace(mode: IsolationMode) async throws {
            let started = Iso.now()
            let f = try await env.failure("hang", mode: mode) {
                $0.timeout = .seconds(1)
                $0.grace = .milliseconds(500)
            }
            let elapsed = Iso.now() - started
            #expect(f.failureClass == .timeout)
            // hang ignores SIGTERM, so only SIGKILL after the grace ends it.
            #expect(f.message == "the call did not finish within 1s; killed with SIGKILL after the 500ms grace")
            #expect(f.hint == Worker.ignoredCancellationHint + "; raise the timeout if it is merely slow")
            #expect(f.hint?.hasPrefix("the tool did not stop after the cancel request: check is_cancelled ") == true)
            #expect(f.retryable)
            #expect(elapsed >= 1.5, "ended after \(elapsed) s, before limit + grace")
            #expect(elapsed < 1.5 + 1.0, "ended after \(elapsed) s; limit + grace is 1.5 s (1 s allowed for a loaded machine)")
            expectWorkerGone(f.workerPID)
        }

        /// malloc returning NULL under the address-space limit is the tool's report, so its class is tool_error
        /// (a tool cannot claim a host class); its code and the limit are kept.
        @Test func allocOverTheMemoryLimitIsTheToolsOutOfMemoryReport() async throws {
            let f = try await env.failure("alloc", #"{"mb":4096}"#) { $0.memoryMB = 256 }
            #expect(f.failureClass == .toolError)
            #expect(f.toolCode == "out_of_memory")
            #expect(f.message == "malloc returned NULL (memory limit 256 MiB)")
            #expect(f.hint == "raise the tool's memory limit (memory_mb) or give it less work")
            #expect(!f.retryable)
            expectWorkerGone(f.workerPID)
        }

        @Test func allocUnderTheMemoryLimitSucceeds() async throws {
            let s = try await env.success("alloc", #"{"mb":64}"#) { $0.memoryMB = 256 }
            #expect(s.result == (try JSONValue.parse(#"{"allocated_mb":64}"#)))
            #expect(s.maxRSSKiB >= 64 * 1024, "peak RSS \(s.maxRSSKiB) KiB: the pages were touched")
        }

        @Test(arguments: [0, 7, 255])
        func exitMidCallIsExitWithItsCode(code: Int) async throws {
            let f = try await env.failure("exit", #"{"code":\#(code)}"#)
            #expect(f.failureClass == .exit)
            #expect(f.exitCode == Int32(code))
            #expect(f.message == "the worker exited with code \(code) in the middle of the call")
            #expect(f.hint == "the tool (or a library it uses) called exit(); tools must return instead")
            #expect(f.retryable)
            expectWorkerGone(f.workerPID)
        }

        @Test func floodOverTheResultLimitIsProtocol() async throws {
            let f = try await env.failure("flood", #"{"bytes":2000}"#) { $0.maxResultBytes = 1000 }
            #expect(f.failureClass == .protocol)
            // {"bytes":2000,"data":"xx…"} is 2024 bytes.
            #expect(f.message == "the result of 2024 bytes exceeds the limit of 1000 bytes")
            #expect(f.hint == "return less (write large data to a file in the work directory and return its "
                        + "path), or raise the result-size limit")
            #expect(!f.retryable)
            // What it printed to stdout is kept with the call.
            #expect(f.stdoutTail == String(repeating: "x", count: 2000))
            expectWorkerGone(f.workerPID)
        }

        @Test func floodKeepsOnlyTheLast64KiBOfStdout() async throws {
            let s = try await env.success("flood", #"{"bytes":200000}"#)
            #expect(s.stdoutTail == "[\(200_000 - 65536) earlier bytes dropped]\n" + String(repeating: "x", count: 65536))
            #expect(s.result["bytes"] == .int(200_000))
        }

        @Test(arguments: [true, false])
        func failIsAToolErrorWithMessageCodeAndRetryable(retryable: Bool) async throws {
            let f = try await env.failure("fail", #"{"message":"disk on fire","code":"on_fire","retryable":\#(retryable)}"#)
            #expect(f.failureClass == .toolError)
            #expect(f.message == "disk on fire")
            #expect(f.toolCode == "on_fire")
            #expect(f.retryable == retryable)
            #expect(f.description == "tool_error: disk on fire")
        }

        @Test func failDefaultsComeFromTheSchema() async throws {
            let f = try await env.failure("fail")
            #expect(f.failureClass == .toolError)
            #expect(f.message == "failed on purpose")
            #expect(f.toolCode == "chaos_failure")
            #expect(!f.retryable)
        }

        @Test(arguments: [IsolationMode.perCall, .pooled, .forked])
        func flakyFailsThenSucceeds(mode: IsolationMode) async throws {
            let work = try env.workDirectory()
            let args = #"{"key":"k","failures":2,"path":"\#(work)/counter"}"#
            for call in 1...2 {
                switch try await env.call("flaky", args, mode: mode, workDirectory: work) {
                case .success(let s): Issue.record("call \(call) succeeded: \(s.result.serialized())")
                case .failure(let f):
                    #expect(f.failureClass == .toolError)
                    #expect(f.message == "flaky 'k' fails call \(call) of the first 2")
                    #expect(f.toolCode == "flaky_failure")
                    #expect(f.retryable)
                }
            }
            let s = try await env.success("flaky", args, mode: mode, workDirectory: work)
            #expect(s.result == (try JSONValue.parse(#"{"key":"k","calls":3,"attempt":1}"#)))
        }

        @Test func sleepSucceedsAndUnknownArgumentsAreRejectedBeforeTheCall() async throws {
            let s = try await env.success("sleep", #"{"ms":5}"#)
            #expect(s.result == .object(["slept_ms": .int(5)]))
            let f = try await env.failure("sleep", #"{"ms":-1,"extra":1}"#)
            #expect(f.failureClass == .invalidArgs)
            #expect(f.workerPID == nil, "no worker is started for arguments the schema rejects")
            #expect(f.message.hasPrefix("the arguments do not match chaos.sleep's input schema:\n"))
        }
    }
}
