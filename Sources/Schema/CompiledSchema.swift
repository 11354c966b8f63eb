import CSupport
/// A JSON Schema (the draft 2020-12 subset described in the module documentation), checked once and
/// compiled into a tree of checks, ready to validate many values quickly. Immutable and `Sendable`:
/// compile once, share across tasks.
///
/// ```swift
/// let schema = try CompiledSchema.compile(JSONValue.parse(schemaText))
/// for violation in schema.validate(arguments) { print(violation) }  // "/replicas: 0 is less than the minimum of 1"
/// ```
public struct CompiledSchema: Sendable {
    /// The schema document as given.
    public let document: JSONValue
    let nodes: [SchemaNode]

    /// The deepest evaluation nesting ``validate(_:maxErrors:)`` follows before reporting the value as too deep.
    public static let maxEvaluationDepth = Int(WFH_JSON_MAX_DEPTH)

    /// Checks `schema` and compiles it.
    ///
    /// - Parameter schema: the schema document: an object or a boolean.
    /// - Returns: the compiled schema.
    /// - Throws: ``SchemaCompileErrors`` listing every problem found, each with its JSON pointer: keyword
    ///   values of the wrong type, unknown type names, invalid patterns, `$ref`s that point outside the
    ///   document or at nothing, `$ref` cycles that never descend into the value, and keywords of draft
    ///   2020-12 this validator does not implement. Keywords unknown to draft 2020-12 are ignored.
    public static func compile(_ schema: JSONValue) throws(SchemaCompileErrors) -> CompiledSchema {
        var compiler = SchemaCompiler(document: schema)
        _ = compiler.compile(schema, at: "", depth: 0)
        if compiler.errors.isEmpty { compiler.reportCyclesWithoutProgress() }
        guard compiler.errors.isEmpty else { throw SchemaCompileErrors(compiler.errors) }
        return CompiledSchema(document: schema, nodes: compiler.nodes)
    }

    /// The schema `false`: every value is a violation. Compiling `false` cannot fail.
    public static let rejectingEverything: CompiledSchema = {
        var compiler = SchemaCompiler(document: .bool(false))
        _ = compiler.compile(.bool(false), at: "", depth: 0)
        return CompiledSchema(document: .bool(false), nodes: compiler.nodes)
    }()

    /// Parses and compiles a schema from JSON text.
    ///
    /// - Throws: `SchemaLoadError`: `.notJSON` with the parse error's offset, or `.invalid` with every schema problem.
    public static func compile(jsonText bytes: some Collection<UInt8>) throws(SchemaLoadError) -> CompiledSchema {
        let document: JSONValue
        do throws(JSONParseError) {
            document = try JSONValue.parse(bytes)
        } catch {
            throw .notJSON(error)
        }
        do throws(SchemaCompileErrors) {
            return try compile(document)
        } catch {
            throw .invalid(error)
        }
    }

    /// Validates `value`, collecting violations.
    ///
    /// - Parameters:
    ///   - value: the value to check.
    ///   - maxErrors: stop after this many violations.
    /// - Returns: the violations in the order found (empty when `value` is valid). Under `anyOf`, `oneOf` and
    ///   `not`, one violation describes the whole keyword rather than each alternative's failures.
    public func validate(_ value: JSONValue, maxErrors: Int = 100) -> [Violation] {
        var evaluation = Evaluation(nodes: nodes, maxErrors: max(1, maxErrors), maxDepth: Self.maxEvaluationDepth)
        _ = evaluation.evaluate(0, value, collect: true)
        return evaluation.violations
    }

    /// Whether `value` is valid; faster than ``validate(_:maxErrors:)`` because it stops at the first failure.
    public func isValid(_ value: JSONValue) -> Bool {
        var evaluation = Evaluation(nodes: nodes, maxErrors: 1, maxDepth: Self.maxEvaluationDepth)
        return evaluation.evaluate(0, value, collect: false)
    }
}

/// Why schema text could not be used.
public enum SchemaLoadError: Error, Sendable, CustomStringConvertible {
    /// The text is not JSON.
    case notJSON(JSONParseError)
    /// The text is JSON but not a valid schema.
    case invalid(SchemaCompileErrors)

    public var description: String {
        switch self {
        case .notJSON(let error): return "schema text is not JSON: \(error)"
        case .invalid(let errors): return "invalid schema:\n" + errors.errors.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}
