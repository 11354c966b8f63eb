import Schema
import Testing

/// Every 64-bit integer, signed or unsigned, reads and writes back digit for digit; numbers compare exactly
/// across `.int`, `.uint` and `.double`; schemas apply to integers above `Int64.max` too.
@Suite struct WideIntegerTests {
    @Test(arguments: ["9007199254740993", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                      "18446744073709551615", "0", "-1"])
    func integersRoundTripExactly(text: String) throws {
        let value = try JSONValue.parse(text)
        #expect(value.serialized() == text)
        #expect(value.isInteger)
        #expect(value.typeName == "integer")
    }

    @Test func representation() throws {
        #expect(try JSONValue.parse("9223372036854775807") == .int(.max))
        #expect(try JSONValue.parse("-9223372036854775808") == .int(.min))
        guard case .uint(let u) = try JSONValue.parse("18446744073709551615") else {
            Issue.record("UINT64_MAX is not stored as .uint")
            return
        }
        #expect(u == .max)
        guard case .uint(let first) = try JSONValue.parse("9223372036854775808") else {
            Issue.record("INT64_MAX + 1 is not stored as .uint")
            return
        }
        #expect(first == 9_223_372_036_854_775_808)
        // Beyond UInt64.max (and below Int64.min) an integer is a double, as before.
        guard case .double(let d) = try JSONValue.parse("18446744073709551616") else {
            Issue.record("2^64 is not a double")
            return
        }
        #expect(d == 18_446_744_073_709_551_616.0)
        guard case .double = try JSONValue.parse("-9223372036854775809") else {
            Issue.record("INT64_MIN - 1 is not a double")
            return
        }
        #expect(JSONValue(UInt64.max) == .uint(.max))
        #expect(JSONValue(UInt64(5)) == .int(5))
    }

    @Test func accessorsAreExact() throws {
        let max = try JSONValue.parse("18446744073709551615")
        #expect(max.uint64Value == .max)
        #expect(max.int64Value == nil)
        #expect(max.intValue == nil)
        #expect(max.doubleValue == 18_446_744_073_709_551_616.0)
        #expect(JSONValue.int(-1).uint64Value == nil)
        #expect(JSONValue.int(7).uint64Value == 7)
        #expect(JSONValue.double(1e19).uint64Value == 10_000_000_000_000_000_000)
    }

    @Test func comparisonAndHashingAcrossCases() throws {
        let max = JSONValue.uint(.max)
        #expect(max != .uint(.max - 1))
        #expect(max != .double(18_446_744_073_709_551_616.0))  // 2^64: the double UINT64_MAX rounds to
        #expect(JSONValue.uint(9_223_372_036_854_775_808) == .double(9_223_372_036_854_775_808.0))  // 2^63 exactly
        #expect(JSONValue.uint(5) == .int(5))
        #expect(JSONValue.uint(9_223_372_036_854_775_808) != .int(.max))
        let set: Set<JSONValue> = [.uint(9_223_372_036_854_775_808), .double(9_223_372_036_854_775_808.0), .uint(3), .int(3)]
        #expect(set.count == 2)
    }

    private func messages(_ schema: String, _ instance: String) throws -> [String] {
        let compiled = try CompiledSchema.compile(try JSONValue.parse(schema))
        return compiled.validate(try JSONValue.parse(instance)).map(\.message)
    }

    @Test func schemasApplyExactly() throws {
        #expect(try messages(#"{"type":"integer"}"#, "18446744073709551615") == [])
        #expect(try messages(#"{"maximum":18446744073709551615}"#, "18446744073709551615") == [])
        #expect(try messages(#"{"maximum":18446744073709551614}"#, "18446744073709551615")
                == ["18446744073709551615 is greater than the maximum of 18446744073709551614"])
        #expect(try messages(#"{"minimum":9223372036854775808}"#, "9223372036854775807")
                == ["9223372036854775807 is less than the minimum of 9223372036854775808"])
        #expect(try messages(#"{"multipleOf":5}"#, "18446744073709551615") == [])
        #expect(try messages(#"{"multipleOf":2}"#, "18446744073709551615") == ["18446744073709551615 is not a multiple of 2"])
        #expect(try messages(#"{"const":18446744073709551615}"#, "18446744073709551615") == [])
        #expect(try messages(#"{"enum":[18446744073709551614]}"#, "18446744073709551615").count == 1)
    }
}
