import Foundation
import Schema
import Testing

/// Runs the official JSON Schema Test Suite (its draft 2020-12 files, vendored in
/// `Tests/SchemaTests/Fixtures/json-schema-test-suite`, see the README there) against the validator and requires
/// every case not listed in ``excluded`` to pass.
@Suite struct ConformanceTests {
    /// The suite's files for the keywords wfhost claims (`format.json` too: `format` is an annotation).
    static let files = [
        "additionalProperties", "allOf", "anyOf", "boolean_schema", "const", "default", "defs", "dependentRequired",
        "enum", "exclusiveMaximum", "exclusiveMinimum", "format", "if-then-else", "items", "maxItems", "maxLength",
        "maxProperties", "maximum", "minItems", "minLength", "minProperties", "minimum", "multipleOf", "not", "oneOf",
        "pattern", "patternProperties", "prefixItems", "properties", "propertyNames", "ref", "required", "type",
        "uniqueItems",
    ]

    /// Groups skipped, by file and group description, with the reason. Each uses a feature outside the
    /// dialect; the test checks that each still exists in the suite and that the schema is rejected at
    /// compile time (so an exclusion never hides a wrong answer).
    static let excluded: [String: [String: String]] = [
        "additionalProperties.json": [
            "dependentSchemas with additionalProperties": "uses dependentSchemas (not in the dialect)",
        ],
        "not.json": [
            "collect annotations inside a 'not', even if collection is disabled": "uses unevaluatedProperties (not in the dialect)",
        ],
        "defs.json": [
            "validate definition against metaschema": "refers to the 2020-12 meta-schema by URL (remote references are not supported)",
        ],
    ]

    /// The vendored copy inside the repository, found from this source file (nothing outside the repository
    /// is read, so a fresh clone passes on its own).
    static let suiteDirectory: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/json-schema-test-suite/tests/draft2020-12")

    struct Tally { var passed = 0, failed = 0, excluded = 0 }

    @Test func officialSuitePasses() throws {
        var tallies: [(String, Tally)] = []
        var failures: [String] = []
        var unusedExclusions = Self.excluded.mapValues { Set($0.keys) }
        for name in Self.files {
            let fileName = name + ".json"
            let url = Self.suiteDirectory.appendingPathComponent(fileName)
            let data = try Data(contentsOf: url)
            let groups = try JSONValue.parse(data)
            var tally = Tally()
            for group in groups.arrayValue ?? [] {
                let description = group["description"]?.stringValue ?? "?"
                let tests = group["tests"]?.arrayValue ?? []
                let schemaDocument = group["schema"] ?? .null
                let exclusion = Self.excluded[fileName]?[description] ?? Self.refExclusion(fileName, schemaDocument)
                if let reason = exclusion {
                    unusedExclusions[fileName]?.remove(description)
                    do throws(SchemaCompileErrors) {
                        _ = try CompiledSchema.compile(schemaDocument)
                        failures.append("\(fileName) / \(description): excluded (\(reason)) but its schema compiles")
                    } catch {
                        tally.excluded += tests.count
                    }
                    continue
                }
                let schema: CompiledSchema
                do throws(SchemaCompileErrors) {
                    schema = try CompiledSchema.compile(schemaDocument)
                } catch {
                    tally.failed += tests.count
                    failures.append("\(fileName) / \(description): schema rejected: \(error)")
                    continue
                }
                for test in tests {
                    let expected = test["valid"]?.boolValue ?? false
                    let data = test["data"] ?? .null
                    let violations = schema.validate(data)
                    let fast = schema.isValid(data)
                    if violations.isEmpty == expected && fast == expected {
                        tally.passed += 1
                    } else {
                        tally.failed += 1
                        let got = violations.map(\.description).joined(separator: "; ")
                        failures.append("\(fileName) / \(description) / \(test["description"]?.stringValue ?? "?"): expected \(expected ? "valid" : "invalid"), validate gave [\(got)], isValid gave \(fast)")
                    }
                }
            }
            tallies.append((name, tally))
        }
        var report = "JSON Schema Test Suite, draft 2020-12 (passed/run, excluded):\n"
        var total = Tally()
        for (name, tally) in tallies {
            report += "  \(name): \(tally.passed)/\(tally.passed + tally.failed)" + (tally.excluded > 0 ? ", \(tally.excluded) excluded" : "") + "\n"
            total.passed += tally.passed
            total.failed += tally.failed
            total.excluded += tally.excluded
        }
        report += "  total: \(total.passed)/\(total.passed + total.failed), \(total.excluded) excluded"
        print(report)
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
        for (file, names) in unusedExclusions where !names.isEmpty {
            Issue.record("exclusions that match no group in \(file): \(names.sorted())")
        }
        #expect(total.failed == 0)
        #expect(total.passed > 700, "too few cases ran; is the suite at \(Self.suiteDirectory.path)?")
    }

    /// `ref.json` groups that need `$id`-based resolution, anchors, remote references or unsupported keywords.
    /// Decided from the schema so that the reason is precise; the caller still checks the schema is rejected.
    static func refExclusion(_ fileName: String, _ schema: JSONValue) -> String? {
        guard fileName == "ref.json" else { return nil }
        let text = schema.serialized()
        if text.contains("\"unevaluatedProperties\"") || text.contains("\"unevaluatedItems\"") {
            return "uses unevaluatedProperties/unevaluatedItems (not in the dialect)"
        }
        if text.contains("\"$anchor\"") { return "uses $anchor (anchors are not supported)" }
        if Self.hasNestedID(schema, isRoot: true) { return "uses $id in a subschema (embedded resources are not supported)" }
        if Self.hasNonFragmentRef(schema, rootID: schema["$id"]?.stringValue) { return "uses a $ref to another document or a relative URI (only same-document references are supported)" }
        return nil
    }

    static func hasNestedID(_ value: JSONValue, isRoot: Bool) -> Bool {
        switch value {
        case .object(let object):
            if !isRoot, object["$id"]?.stringValue != nil { return true }
            return object.contains { hasNestedID($0.value, isRoot: false) }
        case .array(let array): return array.contains { hasNestedID($0, isRoot: false) }
        default: return false
        }
    }

    /// Whether a `$ref` names another document (anything but `#...`, or the root's own `$id` followed by `#...`).
    static func hasNonFragmentRef(_ value: JSONValue, rootID: String?) -> Bool {
        switch value {
        case .object(let object):
            if let ref = object["$ref"]?.stringValue, !ref.hasPrefix("#"),
               !(rootID.map { ref == $0 || ref.hasPrefix($0 + "#") } ?? false) {
                return true
            }
            return object.contains { hasNonFragmentRef($0.value, rootID: rootID) }
        case .array(let array): return array.contains { hasNonFragmentRef($0, rootID: rootID) }
        default: return false
        }
    }
}
