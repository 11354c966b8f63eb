import Schema
import Testing

@Suite struct JSONValueTests {
    func parseError(_ text: String) -> JSONParseError? {
        do throws(JSONParseError) {
            _ = try JSONValue.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func parseErrorsCarryOffsetLineAndColumn() {
        #expect(parseError("{\"a\": [1, 2,]}")?.description == "1:13: unexpected character: ']' (byte offset 12)")
        #expect(parseError("{\n  \"a\": 1,\n  \"a\": 2\n}")?.description == "3:3: duplicate object key: \"a\" (byte offset 14)")
        #expect(parseError("[1] x")?.code == .trailingContent)
        #expect(parseError("")?.code == .unexpectedEnd)
        #expect(parseError("01")?.code == .invalidNumber)
        #expect(parseError("1e999")?.code == .invalidNumber)
        #expect(parseError("\"\\ud800\"")?.code == .loneSurrogate)
        #expect(parseError("\"a\u{1}\"")?.code == .controlCharacterInString)
        #expect(parseError("[1,]")?.offset == 3)
        #expect(parseError("{\"a\" 1}")?.description == "1:6: unexpected character: '1', expected ':' (byte offset 5)")
        do throws(JSONParseError) {
            _ = try JSONValue.parse([0x22, 0x61, 0xFF, 0x22])
            Issue.record("invalid UTF-8 accepted")
        } catch {
            #expect(error.code == .invalidUTF8)
            #expect(error.offset == 2)
        }
    }

    @Test func numbersStayExact() throws {
        #expect(try JSONValue.parse("9007199254740993") == .int(9_007_199_254_740_993))
        #expect(try JSONValue.parse("1.0") == .int(1))
        #expect(try JSONValue.parse("-0") == .int(0))
        #expect(try JSONValue.parse("1e2") == 100)
        #expect(try JSONValue.parse("18446744073709551616") == .double(18_446_744_073_709_551_616))
        #expect(JSONValue.int(1) != .bool(true))
        #expect(JSONValue.int(0) != .bool(false))
        #expect(Set<JSONValue>([1, 1.0, 2]).count == 2)
        #expect(JSONValue.double(1.5).isInteger == false)
        #expect(JSONValue.double(2.0).intValue == 2)
        #expect(JSONValue.int(Int64.max) != .double(9_223_372_036_854_775_807.0))
    }

    @Test func objectsKeepOrderAndCompareUnordered() throws {
        let a = try JSONValue.parse(#"{"b": 1, "a": [true, null], "c": {"x": "y"}}"#)
        let b = try JSONValue.parse(#"{"c": {"x": "y"}, "a": [true, null], "b": 1.0}"#)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.objectValue?.keys == ["b", "a", "c"])
        #expect(a["a"]?[1] == .null)
        #expect(a["c"]?["x"]?.stringValue == "y")
        #expect(a["missing"] == nil)
        // Keys are compared by code points: "é" and "e\u{301}" are two different keys.
        let keys = try JSONValue.parse("{\"\u{e9}\": 1, \"e\u{301}\": 2}")
        #expect(keys.objectValue?.count == 2)
        #expect(JSONValue.string("\u{e9}") != .string("e\u{301}"))
    }

    @Test func serializationRoundTrips() throws {
        let text = #"{"b":1,"a":[true,null,1.5,-2,"q\"\\\n\u0001é"],"c":{}}"#
        let value = try JSONValue.parse(text)
        #expect(value.serialized() == text)
        #expect(value.serialized(.canonical) == #"{"a":[true,null,1.5,-2,"q\"\\\n\u0001é"],"b":1,"c":{}}"#)
        #expect((["k": [1, 2]] as JSONValue).serialized(.pretty) == "{\n  \"k\": [\n    1,\n    2\n  ]\n}")
        #expect(try JSONValue.parse(value.serialized(.pretty)) == value)
        #expect(JSONValue.double(1e300).serialized() == "1e+300")
        #expect(try JSONValue.parse(JSONValue.double(0.1).serialized()) == .double(0.1))
    }

    @Test func literalsAndAccessors() {
        var object: JSONObject = ["x": 1]
        object["y"] = "two"
        object["x"] = nil
        #expect(object.keys == ["y"])
        let value: JSONValue = ["list": [1, "a", nil, false, 2.5]]
        #expect(value["list"]?.arrayValue?.count == 5)
        #expect(value["list"]?[4]?.doubleValue == 2.5)
        #expect(value.typeName == "object")
        #expect(JSONValue(3.0) == .int(3))
    }
}
