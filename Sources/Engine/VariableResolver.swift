import Schema
import Spec

/// Resolves `${...}` references against the run's context and substitutes them into arguments.
/// A string that is exactly one reference takes the referenced value with its JSON type; references inside
/// longer text are rendered as text (strings as they are, other values as compact JSON).
public struct VariableResolver: Sendable {
    /// Workflow variables overridden by `--var`, overridden in turn by the stage's variables.
    public var variables: [String: JSONValue]
    /// Finished stages' outputs by stage name.
    public var outputs: [String: JSONValue]
    public var environment: [String: String]
    /// The stage's upstream outputs as context keys: `${name}` and condition keys that no variable has (or whose
    /// variable is null) read the nearest upstream stage's output key `name`. Nil: variables only.
    public var context: ContextLookup?

    public init(variables: [String: JSONValue], outputs: [String: JSONValue], environment: [String: String],
                context: ContextLookup? = nil) {
        self.variables = variables
        self.outputs = outputs
        self.environment = environment
        self.context = context
    }

    /// The value of `reference`, or nil when it is not defined.
    public func value(of reference: VariableReference) -> JSONValue? {
        switch reference {
        case .variable(let name, let path):
            if let value = variables[name], value != .null { return Self.walk(value, path) }
            if case .value(let value, _)? = context?.find(name, in: outputs) { return Self.walk(value, path) }
            return variables[name].flatMap { Self.walk($0, path) }
        case .stageOutput(let stage, let path):
            return outputs[stage].flatMap { Self.walk($0, path) }
        case .environment(let name):
            return environment[name].map(JSONValue.string)
        }
    }

    /// Follows `path` (object keys, or array indexes) into `value`.
    static func walk(_ value: JSONValue, _ path: [String]) -> JSONValue? {
        var current = value
        for key in path {
            if let next = current[key] {
                current = next
            } else if let index = Int(key), let next = current[index] {
                current = next
            } else {
                return nil
            }
        }
        return current
    }

    /// Substitutes every reference in `value`.
    /// - Throws: `StageFailure` (`undefined_variable`) naming the first reference without a value.
    public func substitute(_ value: SpecValue) throws(StageFailure) -> JSONValue {
        switch value.kind {
        case .string(let text): return try substitute(text)
        case .list(let items):
            var out: [JSONValue] = []
            for item in items { out.append(try substitute(item)) }
            return .array(out)
        case .map(let entries):
            var out = JSONObject()
            for entry in entries { out[entry.key] = try substitute(entry.value) }
            return .object(out)
        default:
            return value.jsonValue
        }
    }

    /// Substitutes the references in one string.
    public func substitute(_ text: String) throws(StageFailure) -> JSONValue {
        let template: Template
        do {
            template = try Template.parse(text)
        } catch {
            throw StageFailure(errorType: "undefined_variable", message: "\(error.message) in '\(text)'", retryable: false,
                               hint: error.hint)
        }
        if let whole = template.wholeReference {
            guard let value = value(of: whole) else { throw undefined(whole) }
            return value
        }
        let rendered = try template.render { (reference) throws(StageFailure) -> String in
            guard let value = value(of: reference) else { throw undefined(reference) }
            if case .string(let s) = value { return s }
            return value.serialized()
        }
        return .string(rendered)
    }

    private func undefined(_ reference: VariableReference) -> StageFailure {
        switch reference {
        case .stageOutput(let stage, let path):
            let has = outputs[stage] != nil
            return StageFailure(errorType: "undefined_variable",
                                message: has ? "\(reference) is not in stage '\(stage)''s output"
                                    : "\(reference): stage '\(stage)' has no output (it did not succeed)",
                                retryable: false,
                                hint: has ? "the output has: " + (outputs[stage]?.objectValue?.keys.joined(separator: ", ") ?? "no members")
                                          + " (looked for \(path.joined(separator: ".")))"
                                          : "make the stage depend on '\(stage)' with run_when: all_succeeded")
        case .environment(let name):
            return StageFailure(errorType: "undefined_variable", message: "\(reference): the environment variable \(name) is not set",
                                retryable: false, hint: "set \(name) in the environment that runs wfhost")
        case .variable(let name, _):
            if case .ambiguous(let stages)? = context?.find(name, in: outputs) {
                return StageFailure(errorType: "undefined_variable",
                                    message: "\(reference) is ambiguous: " + stages.map { "'\($0)'" }.joined(separator: " and ")
                                        + " both yielded '\(name)' at the same distance",
                                    retryable: false, hint: "name one: ${stages.\(stages[0]).outputs.\(name)}")
            }
            return StageFailure(errorType: "undefined_variable", message: "\(reference) is not defined", retryable: false,
                                hint: variables[name] == nil ? "define '\(name)' under variables or pass --var \(name)=VALUE"
                                                             : "'\(name)' has no member at that path")
        }
    }
}

/// Evaluates stage conditions and error-route conditions.
public enum ConditionEvaluator {
    /// The outcome of a stage's conditions: run, skip (a condition is false) or fail (`required` without a value).
    public enum Verdict: Sendable, Equatable {
        case run
        case skip(String)
        case fail(String)
    }

    /// Evaluates every condition of a stage; the first false one decides.
    public static func evaluate(_ conditions: [Condition], with resolver: VariableResolver) -> Verdict {
        for condition in conditions {
            let reference = condition.keyReference ?? .variable(name: condition.key, path: [])
            let actual = resolver.value(of: reference)
            if condition.op == .required {
                if actual == nil || actual == .null || actual == .string("") {
                    return .fail("required value '\(condition.key)' is missing")
                }
                continue
            }
            var expected: JSONValue? = nil
            if let value = condition.value {
                do {
                    expected = try resolver.substitute(value)
                } catch {
                    return .fail("condition on '\(condition.key)': \(error.message)")
                }
            }
            if !holds(condition.op, actual: actual, expected: expected) {
                return .skip("condition '\(condition.key) \(condition.op.rawValue)"
                             + (expected.map { " \(display($0))" } ?? "") + "' is false"
                             + (actual.map { " (the value is \(display($0)))" } ?? " (it has no value)"))
            }
        }
        return .run
    }

    static func display(_ v: JSONValue) -> String {
        if case .string(let s) = v { return "'\(s)'" }
        return v.serialized()
    }

    /// Whether `actual op expected` holds. Values of different JSON types compare by their text, so the boolean
    /// `true` equals the string `"true"` (the seed design's conditions never fired because of this).
    public static func holds(_ op: ConditionOperator, actual: JSONValue?, expected: JSONValue?) -> Bool {
        switch op {
        case .required, .exists: return actual != nil && actual != .null
        case .notExists: return actual == nil || actual == .null
        case .equals: return actual.map { looselyEqual($0, expected ?? .null) } ?? false
        case .notEquals: return !(actual.map { looselyEqual($0, expected ?? .null) } ?? false)
        case .contains: return actual.map { contains($0, expected ?? .null) } ?? false
        case .notContains: return !(actual.map { contains($0, expected ?? .null) } ?? false)
        case .in: return actual.map { contains(expected ?? .null, $0) } ?? false
        case .notIn: return !(actual.map { contains(expected ?? .null, $0) } ?? false)
        case .matches:
            guard let text = actual.map(Self.text), let pattern = expected.map(Self.text) else { return false }
            return (try? Regex(pattern))
                .map { (try? $0.firstMatch(in: text)) != nil } ?? false // a bad pattern never matches (validate reports it)
        case .greaterThan, .lessThan:
            guard let a = actual.flatMap(number), let b = expected.flatMap(number) else { return false }
            return op == .greaterThan ? a > b : a < b
        }
    }

    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        default: return v.serialized()
        }
    }

    static func number(_ v: JSONValue) -> Double? {
        if let d = v.doubleValue { return d }
        if case .string(let s) = v { return Double(s) }
        return nil
    }

    static func looselyEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if a == b { return true }
        switch (a, b) {
        case (.string, .bool), (.bool, .string), (.string, .int), (.int, .string), (.string, .double), (.double, .string):
            return text(a) == text(b) || (number(a) != nil && number(a) == number(b))
        default: return false
        }
    }

    /// A string containing a substring, an array containing an element, an object containing a key.
    static func contains(_ container: JSONValue, _ element: JSONValue) -> Bool {
        switch container {
        case .string(let s): return s.contains(text(element))
        case .array(let items): return items.contains { looselyEqual($0, element) }
        case .object(let o): return o.contains(text(element))
        default: return false
        }
    }
}
