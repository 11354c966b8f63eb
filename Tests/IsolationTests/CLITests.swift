#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Schema
import Testing

extension IsolationTests {
    /// `wfhost call` as users run it: exit codes, the stderr text and the --json document.
    @Suite struct CallCommandTests {
        let env: Env
        init() throws { env = try Env("cli") }

        @Test func successPrintsTheResultAndExitsZero() throws {
            let r = try env.wfhost(["call", "echo", "--args", #"{"message":"hi"}"#])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout == "{\n  \"message\" : \"hi\"\n}\n" || r.stdout == "{\n  \"message\": \"hi\"\n}\n",
                    "\(r.stdout)")
            #expect(r.stderr == "")
        }

        @Test func typedAddThroughTheCLI() throws {
            let r = try env.wfhost(["call", "core.add", "--args", #"{"a":1.5,"b":2}"#, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let doc = try JSONValue.parse(r.stdout)
            #expect(doc["ok"] == .bool(true))
            #expect(doc["result"] == .object(["result": .double(3.5)]))
        }

        @Test func segfaultExitsOneWithTheClassInTheMessage() throws {
            let r = try env.wfhost(["call", "segfault"])
            #expect(r.status == 1)
            #expect(r.stdout == "")
            #expect(r.stderr == """
                error: chaos.segfault failed: crash: the tool crashed: killed by SIGSEGV
                  hint: the fault is in the plugin \(env.plugins)/chaos.so; its stderr is kept with the call; `wfhost plugins debug \(env.plugins)/chaos.so --tool segfault --args JSON --gdb` runs the call under gdb and prints the backtrace

                """)
        }

        @Test func hangWithATimeoutExitsOne() throws {
            let r = try env.wfhost(["call", "hang", "--timeout", "1s", "--grace", "300ms"])
            #expect(r.status == 1)
            #expect(r.stderr == """
                error: chaos.hang failed: timeout: the call did not finish within 1s; killed with SIGKILL after the 300ms grace
                  hint: the tool did not stop after the cancel request: check is_cancelled in its long loops and return soon after (WfhostPluginKit: checkCancellation(); Rust: call.check_cancellation()?); raise the timeout if it is merely slow

                """)
        }

        @Test func outOfMemoryThroughTheCLI() throws {
            let r = try env.wfhost(["call", "alloc", "--args", #"{"mb":4096}"#, "--memory-mb", "256"])
            #expect(r.status == 1)
            #expect(r.stderr == """
                error: chaos.alloc failed: tool_error: malloc returned NULL (memory limit 256 MiB)
                  hint: raise the tool's memory limit (memory_mb) or give it less work

                """)
        }

        @Test func failAsJSON() throws {
            let r = try env.wfhost(["call", "fail", "--json", "--args",
                                    #"{"message":"boom","code":"bad_thing","retryable":true}"#])
            #expect(r.status == 1)
            #expect(r.stderr == "")
            var doc = try JSONValue.parse(r.stdout)
            // The layers the call ran under (DoctorTests checks their content).
            #expect(doc["sandbox"]?["status"]?.stringValue != nil)
            if case .object(var o) = doc { o["sandbox"] = nil; doc = .object(o) }
            #expect(doc == (try JSONValue.parse("""
                {"format_version": 1, "ok": false, "tool": "chaos.fail", "error": {"error_type": "tool_error", "message": "boom",
                 "retryable": true, "code": "bad_thing", "stdout_tail": "", "stderr_tail": ""}}
                """)))
        }

        @Test func exitAsJSONCarriesTheExitCode() throws {
            let r = try env.wfhost(["call", "exit", "--json", "--args", #"{"code":9}"#])
            #expect(r.status == 1)
            let error = try JSONValue.parse(r.stdout)["error"]
            #expect(error?["error_type"] == .string("exit"))
            #expect(error?["exit_code"] == .int(9))
            #expect(error?["message"] == .string("the worker exited with code 9 in the middle of the call"))
            #expect(error?["retryable"] == .bool(true))
        }

        @Test func badArgumentsExitTwo() throws {
            let r = try env.wfhost(["call", "add", "--args", #"{"a":"x","b":2}"#])
            #expect(r.status == 2)
            #expect(r.stderr == """
                error: core.add failed: invalid_args: the arguments do not match core.add's input schema:
                  /a: "x" is not of type number
                  hint: `wfhost plugins show core.add` prints the schema

                """)
            let notJSON = try env.wfhost(["call", "add", "--args", "{"])
            #expect(notJSON.status == 2)
            #expect(notJSON.stderr.hasPrefix("error: --args: not valid JSON: "))
        }

        @Test func unknownToolExitsTwo() throws {
            let r = try env.wfhost(["call", "segfalt"])
            #expect(r.status == 2)
            #expect(r.stderr == """
                error: no plugin offers a tool named 'segfalt'
                  hint: did you mean 'segfault'?

                """)
        }

        @Test func pooledIsolationThroughTheCLI() throws {
            let r = try env.wfhost(["call", "echo", "--isolation", "pooled", "--args", #"{"message":"p"}"#, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try JSONValue.parse(r.stdout)["result"] == .object(["message": .string("p")]))
        }
    }
}
