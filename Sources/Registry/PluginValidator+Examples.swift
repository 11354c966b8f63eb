import Schema

/// The checks of a tool's declared examples (ABI 1.2): the table is readable, each example's arguments are a JSON
/// object the input schema accepts, and its expectation is JSON.
extension PluginValidator {
    /// The most examples the scanner reads per tool (MAX_EXAMPLES in Sources/wfhost-worker/scan.c).
    static let maxExamples = 64

    static func checkExamples(_ tool: ToolDescriptor, input: CompiledSchema?, report: Report) {
        let hint = "build examples with WFH_EXAMPLE entries in an array passed to WFH_TOOL_WITH_EXAMPLES (or "
            + "WFH_EXAMPLES), all from the same <wfhost/plugin.h>"
        if tool.declaredExampleCount > maxExamples {
            report(.error, "too_many_examples",
                   "the tool declares \(tool.declaredExampleCount) examples; at most \(maxExamples) are read",
                   "keep the examples that show distinct uses; \(maxExamples) at most")
        } else if tool.declaredExampleCount > tool.examples.count {
            report(.error, "bad_examples",
                   "the tool declares \(tool.declaredExampleCount) examples, but its examples table is NULL or its "
                       + "example_size (\(tool.exampleSize ?? 0)) is smaller than a wfh_example", hint)
            return
        }
        for (i, example) in tool.examples.enumerated() {
            let label = "example \(i + 1)" + (example.description.map { " (\($0))" } ?? "")
            if let size = example.structSize, let stride = tool.exampleSize, size != stride {
                report(.error, "bad_examples",
                       "\(label): its struct_size is \(size) bytes, but the tool's example_size (the table's stride) "
                           + "is \(stride)", hint)
                continue
            }
            guard let text = example.arguments else {
                report(.error, "example_no_args", "\(label) has no arguments (args_json is NULL)",
                       "give the arguments as a JSON object, \"{}\" for none")
                continue
            }
            let jsonHint = "check the string literal's quoting and escapes; `wfhost schema validate` checks a value"
            do {
                let args = try JSONValue.parse(text)
                guard case .object = args else {
                    report(.error, "example_args_invalid", "\(label): the arguments must be a JSON object, not "
                               + args.typeName, "write them as an object, \"{}\" for none")
                    continue
                }
                if let input {
                    let violations = input.validate(args)
                    if !violations.isEmpty {
                        report(.error, "example_args_invalid",
                               "\(label): the arguments do not match the input schema: "
                                   + violations.map(\.description).joined(separator: "; "),
                               "fix the example or the schema; `wfhost plugins show TOOL` prints the schema")
                    }
                }
            } catch {
                report(.error, "example_not_json", "\(label): the arguments are not JSON: \(error.code) at byte "
                           + "offset \(error.offset)", jsonHint)
            }
            if let expected = example.expected {
                do {
                    _ = try JSONValue.parse(expected)
                } catch {
                    report(.error, "example_not_json", "\(label): the expected result is not JSON: \(error.code) at "
                               + "byte offset \(error.offset)", jsonHint)
                }
            }
        }
    }
}

/// Whether a result contains what an example expects (the subset match of `wfh_example`).
public enum ExampleMatch {
    /// The first place where `result` does not contain `expected`, as a JSON pointer and a sentence; nil when it
    /// does. Objects: every expected member is in the result and matches; arrays: the same length, element by
    /// element; other values: equal.
    public static func mismatch(expected: JSONValue, result: JSONValue, at pointer: String = "") -> String? {
        let place = pointer.isEmpty ? "the result" : pointer
        switch (expected, result) {
        case (.object(let want), .object(let have)):
            for (key, value) in want {
                let path = JSONPointer.appending(pointer, key)
                guard let got = have[key] else { return "\(path) is missing" }
                if let problem = mismatch(expected: value, result: got, at: path) { return problem }
            }
            return nil
        case (.array(let want), .array(let have)):
            guard want.count == have.count else {
                return "\(place) has \(have.count) element\(have.count == 1 ? "" : "s"), expected \(want.count)"
            }
            for (i, (w, h)) in zip(want, have).enumerated() {
                if let problem = mismatch(expected: w, result: h, at: JSONPointer.appending(pointer, String(i))) {
                    return problem
                }
            }
            return nil
        default:
            return expected == result ? nil
                : "\(place) is \(result.serialized()), expected \(expected.serialized())"
        }
    }
}
