import Schema
import Testing

/// Exact texts and pointers of schema errors and violations.
@Suite struct SchemaMessageTests {
    func compileErrors(_ schema: JSONValue) -> [String] {
        do throws(SchemaCompileErrors) {
            _ = try CompiledSchema.compile(schema)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    func schema(_ text: String) throws -> CompiledSchema {
        try CompiledSchema.compile(JSONValue.parse(text))
    }

    @Test func wrongKeywordTypesAreReportedWithPointers() {
        let errors = compileErrors([
            "properties": ["port": ["type": "integer", "minimum": "3"]],
            "required": "x",
            "type": ["object", "strng"],
            "maxLength": -1,
        ])
        #expect(errors.sorted() == [
            "/maxLength: \"maxLength\" must be a non-negative integer, not the number -1",
            "/properties/port/minimum: \"minimum\" must be a number, not a string (\"3\")",
            "/required: \"required\" must be an array of strings, not a string (\"x\")",
            "/type/1: \"type\" has an unknown type name \"strng\"; expected one of null, boolean, object, array, number, integer, string",
        ])
    }

    @Test func unsupportedAndUnknownKeywords() {
        #expect(compileErrors(["x-ui-widget": ["anything": 1], "format": "email", "title": "T"]).isEmpty)
        #expect(compileErrors(["contains": ["type": "string"]]) == [
            "/contains: \"contains\" is not supported by this validator (it implements a subset of draft 2020-12)",
        ])
        #expect(compileErrors(["items": [["type": "string"]]]) == [
            "/items: \"items\" must be a schema (an object or a boolean); in draft 2020-12, use \"prefixItems\" for a tuple",
        ])
        #expect(compileErrors(["$schema": "http://json-schema.org/draft-07/schema#"]).count == 1)
    }

    @Test func referenceProblems() {
        #expect(compileErrors(["$ref": "#/$defs/missing"]) == [
            "/$ref: \"$ref\" target \"#/$defs/missing\" does not exist in this schema",
        ])
        #expect(compileErrors(["$ref": "other.json#/a"]) == [
            "/$ref: \"$ref\" must point inside this schema (\"#\" or \"#/...\"); \"other.json#/a\" refers to another document, which is not supported",
        ])
        #expect(compileErrors(["$ref": "#node"]).count == 1)
        #expect(compileErrors(["$defs": ["a": ["$id": "http://x/a"]]]).count == 1)
        // References into unknown keywords (draft-07 style "definitions") and escaped pointers work.
        #expect(compileErrors(["definitions": ["a/b": ["type": "string"]], "$ref": "#/definitions/a~1b"]).isEmpty)
        #expect(compileErrors(["$defs": ["a b": ["type": "string"]], "$ref": "#/$defs/a%20b"]).isEmpty)
    }

    @Test func violationsNameTheValueAndTheKeyword() throws {
        let schema = try schema("""
            {"type": "object", "required": ["image", "replicas"], "additionalProperties": false,
             "properties": {"image": {"type": "string"}, "replicas": {"type": "integer", "minimum": 1},
                            "a/b": {"maxLength": 2}, "tags": {"items": {"enum": ["x", "y"]}}}}
            """)
        let violations = schema.validate(["replicas": 0, "extra": true, "a/b": "abc", "tags": ["x", "z"]])
        #expect(violations.map(\.description) == [
            "/image: required property is missing",
            "/replicas: 0 is less than the minimum of 1",
            "/extra: property is not allowed (additionalProperties is false)",
            "/a~1b: \"abc\" is longer than the maximum length of 2 characters",
            "/tags/1: \"z\" is not one of the allowed values: \"x\", \"y\"",
        ])
        #expect(violations.map(\.schemaPath) == [
            "/required", "/properties/replicas/minimum", "/additionalProperties", "/properties/a~1b/maxLength",
            "/properties/tags/items/enum",
        ])
        #expect(violations.map(\.instancePath) == ["/image", "/replicas", "/extra", "/a~1b", "/tags/1"])
        #expect(schema.validate("text").map(\.description) == ["(root): \"text\" is not of type object"])
        #expect(!schema.isValid(["image": "x"]))
        #expect(schema.isValid(["image": "x", "replicas": 2.0]))
    }

    @Test func messagesForOtherKeywords() throws {
        let schema = try schema("""
            {"properties": {
              "n": {"exclusiveMaximum": 10, "multipleOf": 4},
              "s": {"minLength": 3, "pattern": "^a"},
              "u": {"uniqueItems": true, "minItems": 4},
              "o": {"type": ["object", "null"], "minProperties": 2},
              "c": {"const": "on"},
              "one": {"oneOf": [{"type": "integer"}, {"minimum": 0}]},
              "any": {"anyOf": [{"type": "string"}, {"type": "boolean"}]},
              "not": {"not": {"type": "null"}},
              "f": false
            },
            "dependentRequired": {"s": ["missing"]},
            "propertyNames": {"maxLength": 3}}
            """)
        let violations = schema.validate([
            "n": 10, "s": "bé", "u": [1, 1.0], "o": ["k": 1], "c": "off", "one": 5, "any": 1, "not": nil, "f": 0,
            "long": 1,
        ]).map(\.description)
        #expect(violations == [
            "/missing: required property is missing (it is required when \"s\" is present)",
            "/long: the property name \"long\" does not match the propertyNames schema",
            "/n: 10 is greater than or equal to the exclusive maximum of 10",
            "/n: 10 is not a multiple of 4",
            "/s: \"bé\" is shorter than the minimum length of 3 characters",
            "/s: \"bé\" does not match the pattern \"^a\"",
            "/u: the array has 2 items, fewer than the minimum of 4",
            "/u: items 0 and 1 are equal; items must be unique",
            "/o: the object has 1 property, fewer than the minimum of 2",
            "/c: \"off\" is not the required value \"on\"",
            "/one: 5 matches alternatives 0, 1 of oneOf, but must match exactly one",
            "/any: 1 does not match any of the 2 alternatives in anyOf",
            "/not: null must not match the schema in \"not\"",
            "/f: no value is allowed here (the schema is false)",
        ])
    }

    @Test func violationsAreCappedAtMaxErrors() throws {
        let schema = try schema(#"{"items": {"type": "string"}}"#)
        let value = JSONValue.array((0..<50).map { JSONValue($0) })
        #expect(schema.validate(value).count == 50)
        #expect(schema.validate(value, maxErrors: 5).count == 5)
        #expect(schema.validate(value, maxErrors: 5).last?.description == "/4: 4 is not of type string")
    }

    @Test func codePointLengthsAndExactNumbers() throws {
        let schema = try schema(#"{"maxLength": 2, "minimum": 9007199254740993}"#)
        #expect(schema.isValid("💩💩"))  // 2 code points, 4 UTF-16 units
        #expect(!schema.isValid("e\u{301}e\u{301}"))  // 4 code points, 2 characters
        #expect(!schema.isValid(9_007_199_254_740_992))  // would be equal if converted to Double
        #expect(schema.isValid(9_007_199_254_740_993))
    }

    @Test func defaultsFillMissingMembers() throws {
        let schema = try schema("""
            {"$defs": {"port": {"type": "integer", "default": 80}},
             "allOf": [{"properties": {"debug": {"default": false}}}],
             "properties": {
               "replicas": {"default": 1},
               "port": {"$ref": "#/$defs/port"},
               "image": {"type": "string"},
               "limits": {"default": {}, "properties": {"cpu": {"default": 2}, "mem": {"default": "1G"}}}
             }}
            """)
        let filled = schema.applyDefaults(["replicas": 3, "limits": ["mem": "4G"]])
        #expect(filled.serialized() == #"{"replicas":3,"limits":{"mem":"4G","cpu":2},"port":80,"debug":false}"#)
        let fromEmpty = schema.applyDefaults([:])
        #expect(fromEmpty.serialized() == #"{"replicas":1,"port":80,"limits":{"cpu":2,"mem":"1G"},"debug":false}"#)
        #expect(schema.applyDefaults("scalar") == "scalar")
    }
}
