#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Isolation
import Schema
import Testing
import WfhostTestSupport
import Engine

/// The fixture plugin `fx`, compiled with `write_declared` declaring `declared`.
func fixtureEnv(_ label: String, declared: String = "/nonexistent-declared-dir",
                maxCallsPerWorker: Int = 1000) throws -> Env {
    try Env(label, fixtures: [("fixture.c", "fx.so", ["DECLARED_DIR=\"\(declared)\""])],
            maxCallsPerWorker: maxCallsPerWorker)
}

extension IsolationTests {
    /// Landlock from the tool's declared capabilities: the work directory and declared paths are writable,
    /// nothing else is.
    @Suite struct SandboxTests {
        let env: Env
        let declared: String
        let outside: String
        let landlock: Bool
        let namespaces: Bool

        init() throws {
            let base = try TestSupport.temporaryDirectory("iso-sandbox-paths")
            declared = base + "/declared"
            outside = base + "/outside"
            try FileManager.default.createDirectory(atPath: declared, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            env = try fixtureEnv("sandbox", declared: declared)
            // Ask a worker whether this kernel enforces Landlock (the worker reports it when it is ready).
            let work = try env.workDirectory()
            let probe = try Worker.start(key: WorkerKey(pluginPath: env.plugins + "/fx.so",
                                                        sandbox: SandboxSpec(workDirectory: work), limits: CallLimits()),
                                         workerPath: TestSupport.worker, baseEnvironment: env.environment)
            landlock = (probe.sandboxLayers["landlock_abi"]?.intValue ?? 0) > 0
            namespaces = probe.sandboxLayers["mount_namespace"]?.boolValue == true
            probe.shutdown(grace: .seconds(1))
        }

        /// Outside its work directory and declared paths nothing exists for the tool (its mount namespace holds
        /// only those and the system directories); where namespaces are unavailable, Landlock refuses the write.
        @Test func writingOutsideTheWorkDirectoryFails() async throws {
            let target = outside + "/file"
            let outcome = try await env.call("fx.write", #"{"path":"\#(target)"}"#)
            guard case .failure(let f) = outcome else {
                Issue.record("the write outside the work directory succeeded")
                return
            }
            if namespaces {
                #expect(f.failureClass == .toolError)
                #expect(f.message == "cannot open '\(target)': No such file or directory")
                #expect(f.toolCode == "io_error")
            } else {
                #expect(f.failureClass == .sandboxDenied)
                #expect(f.message == "cannot open '\(target)': Permission denied")
                #expect(f.toolCode == "permission_denied")
                #expect(f.hint == "the sandbox allows writes only to the work directory and the tool's declared "
                            + "write paths (none); declare the path in the tool's capabilities")
            }
            #expect(!f.retryable)
            #expect(!FileManager.default.fileExists(atPath: target))
        }

        @Test(arguments: [IsolationMode.perCall, .pooled, .forked])
        func writingInsideTheWorkDirectorySucceeds(mode: IsolationMode) async throws {
            let work = try env.workDirectory()
            let s = try await env.success("fx.write", #"{"path":"\#(work)/out.txt"}"#, mode: mode, workDirectory: work)
            #expect(s.result == .object(["written": .bool(true)]))
            #expect(FileManager.default.contents(atPath: work + "/out.txt") == Data("hello".utf8))
        }

        @Test func aDeclaredWritePathIsWritableAndItsSiblingIsNot() async throws {
            let s = try await env.success("fx.write_declared", #"{"path":"\#(declared)/ok.txt"}"#)
            #expect(s.result == .object(["written": .bool(true)]))
            #expect(FileManager.default.contents(atPath: declared + "/ok.txt") == Data("hello".utf8))
            let f = try await env.failure("fx.write_declared", #"{"path":"\#(outside)/no.txt"}"#)
            if namespaces {
                #expect(f.message == "cannot open '\(outside)/no.txt': No such file or directory")
            } else {
                #expect(f.failureClass == .sandboxDenied)
                #expect(f.hint?.contains("declared write paths (\(declared))") == true, "\(f.hint ?? "")")
            }
            #expect(!FileManager.default.fileExists(atPath: outside + "/no.txt"))
        }

        @Test func aToolWithoutTheNetworkCapabilityCannotOpenAnInternetSocket() async throws {
            let f = try await env.failure("fx.udp", "{}")
            // The seccomp filter refuses the family (EACCES), which the host reports as the sandbox's refusal.
            #expect(f.failureClass == .sandboxDenied)
            #expect(f.message == "cannot create a UDP socket: Permission denied")
            var options = CallOptions()
            options.sandbox = false
            let unconfined = await env.runner.call(try env.tool("fx.udp"), arguments: .object([:]),
                                                   workDirectory: try env.workDirectory(), options: options)
            guard case .success(let s) = unconfined else {
                Issue.record("\(unconfined)")
                return
            }
            #expect(s.result == .object(["socket": .bool(true)]))
        }

        @Test func withoutTheSandboxTheSameWriteIsAllowed() async throws {
            let target = outside + "/unconfined"
            var options = CallOptions()
            options.sandbox = false
            let outcome = await env.runner.call(try env.tool("fx.write"), arguments: .object(["path": .string(target)]),
                                                workDirectory: try env.workDirectory(), options: options)
            guard case .success = outcome else {
                Issue.record("\(outcome)")
                return
            }
            #expect(FileManager.default.fileExists(atPath: target))
        }
    }

    /// Typed C functions called through libffi: marshalling of each type, and wrong types never reach them.
    @Suite struct TypedCallTests {
        let env: Env
        init() throws { env = try fixtureEnv("typed") }

        @Test func coreAddThroughLibffi() async throws {
            let s = try await env.success("core.add", #"{"a":1.5,"b":2}"#)
            #expect(s.result == .object(["result": .double(3.5)]))
            #expect(s.result.serialized() == #"{"result":3.5}"#)
        }

        @Test func theSchemaRejectsWrongTypesBeforeTheCall() async throws {
            let f = try await env.failure("core.add", #"{"a":"1.5","b":2}"#)
            #expect(f.failureClass == .invalidArgs)
            #expect(f.message == """
                the arguments do not match core.add's input schema:
                  /a: "1.5" is not of type number
                """)
            #expect(f.workerPID == nil)
        }

        /// Bypasses the schema: the worker's own signature check rejects the arguments before ffi_call.
        @Test(arguments: [
            (#"{"a":"1.5","b":2}"#, "argument 'a' must be a number, not a string"),
            (#"{"a":1}"#, "missing argument 'b'"),
            (#"[1,2]"#, "arguments are not a JSON object: another JSON type"),
        ])
        func theWorkerRejectsWrongTypesWhenTheSchemaIsBypassed(args: String, message: String) async throws {
            let key = WorkerKey(pluginPath: env.plugins + "/core.so",
                                sandbox: SandboxSpec(workDirectory: try env.workDirectory()), limits: CallLimits())
            let outcome = await env.executor.call(CallRequest(tool: "add", arguments: args), key: key, mode: .perCall,
                                                  limits: CallLimits())
            guard case .failure(let f) = outcome else {
                Issue.record("the worker called add with \(args)")
                return
            }
            #expect(f.failureClass == .invalidArgs)
            #expect(f.message == message)
            #expect(!f.retryable)
            expectWorkerGone(f.workerPID)
        }

        @Test(arguments: [
            ("fx.sum_i64", #"{"a":9007199254740000,"b":-1}"#, #"{"result":9007199254739999}"#),
            ("fx.sum_i64", #"{"a":-5,"b":3}"#, #"{"result":-2}"#),
            ("fx.is_length", #"{"text":"héllo","n":6}"#, #"{"result":true}"#),
            ("fx.is_length", #"{"text":"abc","n":2}"#, #"{"result":false}"#),
            ("fx.shout", #"{"text":"hi there","loud":true}"#, #"{"result":"HI THERE!"}"#),
            ("fx.shout", #"{"text":"quiet \"please\"","loud":false}"#, #"{"result":"quiet \"please\"."}"#),
            ("fx.twice_u32", #"{"x":4294967295}"#, #"{"result":8589934590}"#),
            ("fx.bump", #"{}"#, #"{"result":null}"#),
        ])
        func marshalling(tool: String, args: String, expected: String) async throws {
            let s = try await env.success(tool, args)
            #expect(s.result == (try JSONValue.parse(expected)))
        }

        @Test(arguments: [
            ("fx.sum_i64", #"{"a":1.5,"b":1}"#, "argument 'a' must be a 64-bit integer, not 1.5"),
            ("fx.sum_i64", #"{"a":1e300,"b":1}"#,
             "argument 'a' is 1e+300, outside the range of a 64-bit integer (-9223372036854775808 to 9223372036854775807)"),
            ("fx.is_length", #"{"text":7,"n":1}"#, "argument 'text' must be a string, not a number"),
            ("fx.is_length", #"{"text":"a\u0000b","n":3}"#, "argument 'text' must be a string without NUL characters"),
            ("fx.is_length", #"{"text":"a","n":3000000000}"#,
             "argument 'n' is 3000000000, outside the range of a 32-bit integer (-2147483648 to 2147483647)"),
            ("fx.shout", #"{"text":"a","loud":1}"#, "argument 'loud' must be a boolean, not a number"),
            ("fx.twice_u32", #"{"x":-1}"#,
             "argument 'x' is -1, outside the range of an unsigned 32-bit integer (0 to 4294967295)"),
            // The schema names x as required (the validator insists), so a missing x stops there.
            ("fx.twice_u32", #"{}"#, "the arguments do not match fx.twice_u32's input schema:\n  /x: required property is missing"),
        ])
        func wrongTypesNeverReachTheFunction(tool: String, args: String, message: String) async throws {
            // The fixture's schemas accept any object, so this is the worker's typed_call check.
            let f = try await env.failure(tool, args)
            #expect(f.failureClass == .invalidArgs)
            #expect(f.message == message)
        }
    }
}
