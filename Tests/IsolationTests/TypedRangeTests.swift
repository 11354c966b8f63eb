import Foundation
import Isolation
import Schema
import Testing
import WfhostTestSupport

extension IsolationTests {
    /// Typed tools carry every int64_t and uint64_t, in both directions, digit for digit; values a C type cannot
    /// hold are refused with their text and the type's range, and the function is never called.
    @Suite struct TypedRangeTests {
        let env: Env
        init() throws { env = try Env("typed-range", fixtures: [("wide.c", "wide.so", [])]) }

        @Test(arguments: [
            ("wide.id_i64", "9007199254740993"),      // 2^53 + 1: not a double
            ("wide.id_i64", "9223372036854775807"),   // INT64_MAX
            ("wide.id_i64", "-9223372036854775808"),  // INT64_MIN
            ("wide.id_i64", "0"),
            ("wide.id_u64", "18446744073709551615"),  // UINT64_MAX
            ("wide.id_u64", "9223372036854775808"),   // INT64_MAX + 1
            ("wide.id_u64", "9007199254740993"),
            ("wide.id_i32", "-2147483648"),
            ("wide.id_i32", "2147483647"),
            ("wide.id_u32", "4294967295"),
        ])
        func extremesRoundTripExactly(tool: String, number: String) async throws {
            let s = try await env.success(tool, #"{"n":\#(number)}"#)
            #expect(s.result.serialized() == #"{"result":\#(number)}"#)
        }

        @Test func integralFractionAndExponentFormsAreExact() async throws {
            let a = try await env.success("wide.id_i64", #"{"n":2.0}"#)
            #expect(a.result.serialized() == #"{"result":2}"#)
            let b = try await env.success("wide.id_u64", #"{"n":1e19}"#)
            #expect(b.result.serialized() == #"{"result":10000000000000000000}"#)
        }

        @Test func resultsBeyondInt64MaxAndAtInt64MinComeBackAsIntegers() async throws {
            let max = try await env.success("wide.u64_max")
            #expect(max.result == .object(["result": .uint(UInt64.max)]))
            #expect(max.result.serialized() == #"{"result":18446744073709551615}"#)
            let min = try await env.success("wide.i64_min")
            #expect(min.result == .object(["result": .int(Int64.min)]))
            let neg = try await env.success("wide.neg_u64", #"{"n":18446744073709551615}"#)
            #expect(neg.result.serialized() == #"{"result":-9223372036854775807}"#)
        }

        @Test(arguments: [
            ("wide.id_i64", "9223372036854775808",
             "argument 'n' is 9223372036854775808, outside the range of a 64-bit integer (-9223372036854775808 to 9223372036854775807)"),
            ("wide.id_i64", "-9223372036854775809",
             "argument 'n' is -9.223372036854776e+18, outside the range of a 64-bit integer (-9223372036854775808 to 9223372036854775807)"),
            ("wide.id_u64", "18446744073709551616",
             "argument 'n' is 1.8446744073709552e+19, outside the range of an unsigned 64-bit integer (0 to 18446744073709551615)"),
            ("wide.id_u64", "-1",
             "argument 'n' is -1, outside the range of an unsigned 64-bit integer (0 to 18446744073709551615)"),
            ("wide.id_i32", "2147483648",
             "argument 'n' is 2147483648, outside the range of a 32-bit integer (-2147483648 to 2147483647)"),
            ("wide.id_u32", "4294967296",
             "argument 'n' is 4294967296, outside the range of an unsigned 32-bit integer (0 to 4294967295)"),
        ])
        func outOfRangeNamesTheValueAndTheRange(tool: String, number: String, message: String) async throws {
            let f = try await env.failure(tool, #"{"n":\#(number)}"#)
            #expect(f.failureClass == .invalidArgs)
            #expect(f.message == message)
        }

        @Test func aFloatBeyondFloatRangeIsRefused() async throws {
            let f = try await env.failure("wide.id_f32", #"{"x":1e39}"#)
            #expect(f.message == "argument 'x' is 1e+39, outside the range of a 32-bit float (-3.4028235e+38 to 3.4028235e+38)")
            let s = try await env.success("wide.id_f32", #"{"x":0.5}"#)
            #expect(s.result.serialized() == #"{"result":0.5}"#)
        }

        /// Through the CLI, as a user runs it: the argument text and the printed result keep every digit.
        @Test func theCLIKeepsEveryDigit() throws {
            let r = try env.wfhost(["call", "wide.id_u64", "--args", #"{"n":18446744073709551615}"#])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout == "{\n  \"result\": 18446744073709551615\n}\n")
            let i = try env.wfhost(["call", "wide.id_i64", "--args", #"{"n":9007199254740993}"#, "--json"])
            #expect(i.stdout.contains("\"result\": 9007199254740993\n"), "\(i.stdout)")
        }
    }
}
