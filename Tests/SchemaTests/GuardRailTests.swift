import Benchmarks
import Schema
import Testing

/// Hostile schemas and values end with an error, never a hang or a stack overflow.
@Suite struct GuardRailTests {
    func compileErrors(_ text: String) throws -> [String] {
        let document = try JSONValue.parse(text)
        do throws(SchemaCompileErrors) {
            _ = try CompiledSchema.compile(document)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func referenceCyclesWithoutProgressAreSchemaErrors() throws {
        #expect(try compileErrors(##"{"$ref": "#"}"##) == [
            "/$ref: \"$ref\" makes a cycle that never descends into the value, so validation would not end: # -> #",
        ])
        let indirect = try compileErrors(#"""
            {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"anyOf": [{"type": "null"}, {"allOf": [{"$ref": "#/$defs/a"}]}]}},
             "properties": {"x": {"$ref": "#/$defs/a"}}}
            """#)
        #expect(indirect.count == 1)
        #expect(indirect.first?.hasPrefix("/$defs/a/$ref: \"$ref\" makes a cycle") == true)
        // Recursion that descends into the value is fine.
        #expect(try compileErrors(##"{"properties": {"next": {"$ref": "#"}}, "items": {"$ref": "#"}}"##).isEmpty)
    }

    @Test func deeplyNestedValuesAreRejectedNotOverflowed() throws {
        let schema = try CompiledSchema.compile(JSONValue.parse(##"{"properties": {"next": {"$ref": "#"}}}"##))
        var value: JSONValue = [:]
        for _ in 0..<2_000 { value = ["next": value] }
        let violations = schema.validate(value)
        #expect(violations.count == 1)
        #expect(violations.first?.message.hasPrefix("the value is nested too deeply to check") == true)
        #expect(!schema.isValid(value))
        var shallow: JSONValue = [:]
        for _ in 0..<100 { shallow = ["next": shallow] }
        #expect(schema.isValid(shallow))
    }

    @Test func deeplyNestedSchemasAreSchemaErrors() throws {
        func nested(_ levels: Int) -> String {
            String(repeating: #"{"items": "#, count: levels) + "true" + String(repeating: "}", count: levels)
        }
        let errors = try compileErrors(nested(400))
        #expect(errors.count == 1)
        #expect(errors.first?.hasSuffix("the schema is nested too deeply (more than 256 levels)") == true)
        let schema = try CompiledSchema.compile(JSONValue.parse(nested(250)))
        var value: JSONValue = 1
        for _ in 0..<250 { value = [value] }
        #expect(schema.isValid(value))
    }

    @Test func deeplyNestedTextIsAParseError() {
        let text = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        do throws(JSONParseError) {
            _ = try JSONValue.parse(text)
        } catch {
            #expect(error.code == .tooDeep)
            #expect(error.offset == JSONValue.defaultMaxDepth)
        }
        #expect((try? JSONValue.parse(String(repeating: "[", count: 500) + String(repeating: "]", count: 500))) != nil)
    }

    @Test func catastrophicBacktrackingEndsWithAViolation() throws {
        let schema = try CompiledSchema.compile(["pattern": "^(a+)+$"])
        let hostile = JSONValue.string(String(repeating: "a", count: 40) + "!")
        let violations = schema.validate(hostile)
        #expect(violations.map(\.message) == [
            "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\" could not be checked against the pattern \"^(a+)+$\": matching took too many steps",
        ])
        #expect(schema.isValid("aaaa"))
        let names = try CompiledSchema.compile(["patternProperties": ["^(a+)+$": ["type": "string"]]])
        #expect(!names.isValid(.object(JSONObject([(String(repeating: "a", count: 40) + "!", 1)]))))
    }

    @Test func ecmaPatternSemantics() throws {
        func matches(_ pattern: String, _ text: String) throws -> Bool {
            try CompiledSchema.compile(["pattern": .string(pattern)]).isValid(.string(text))
        }
        #expect(try matches("^\\d+$", "123"))
        #expect(try !matches("^\\d+$", "١٢٣"))  // Arabic-Indic digits: not \d in ECMA-262
        #expect(try !matches("^\\w$", "é"))
        #expect(try !matches("a$", "a\n"))  // ICU's $ would match before the final newline
        #expect(try matches("^[^]$", "\n"))
        #expect(try !matches("[]", "anything"))
        #expect(try matches("^[[]$", "["))
        #expect(try matches("\\bfoo\\b", "a foo b"))
        #expect(try matches("\\bfoo\\b", "éfooé"))  // é is not a word character in ECMA-262
        #expect(try !matches("^.$", "\r"))
        #expect(try matches("^.$", "\u{85}"))
        #expect(try matches("^\\u{1F600}$", "😀"))
        #expect(try matches("^a\\0$", "a\u{0}"))
        #expect(try compileErrors(#"{"pattern": "\\A"}"#).count == 1)
        #expect(try compileErrors(#"{"pattern": "(unclosed"}"#) == [
            "/pattern: \"(unclosed\" in \"pattern\" is not a regular expression this platform supports",
        ])
    }
}

/// A compiled schema is shared across tasks, as the host does when many calls use one tool.
@Suite struct ConcurrencyTests {
    @Test func oneCompiledSchemaServesManyTasks() async throws {
        let schema = try CompiledSchema.compile(SchemaBenchmark.sampleSchema)
        let invalid = SchemaBenchmark.sampleValue.objectValue.map { object -> JSONValue in
            var copy = object
            copy["image"] = "UPPER CASE"
            copy["replicas"] = 0
            return .object(copy)
        } ?? .null
        let counts = await withTaskGroup(of: (Int, Int).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var valid = 0, violations = 0
                    for _ in 0..<200 {
                        if schema.isValid(SchemaBenchmark.sampleValue) { valid += 1 }
                        violations += schema.validate(invalid).count
                    }
                    return (valid, violations)
                }
            }
            var total = (0, 0)
            for await (valid, violations) in group { total.0 += valid; total.1 += violations }
            return total
        }
        #expect(counts.0 == 8 * 200)
        #expect(counts.1 == 8 * 200 * 2)
    }
}
