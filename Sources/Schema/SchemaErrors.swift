/// One problem in a schema: where it is (a JSON pointer into the schema document) and what is wrong.
public struct SchemaCompileError: Sendable, Hashable, CustomStringConvertible {
    /// RFC 6901 pointer to the offending keyword or subschema; `""` for the whole schema.
    public let pointer: String
    /// A sentence about the value at `pointer`, such as `"minimum" must be a number, not a string`.
    public let message: String

    public init(pointer: String, message: String) {
        self.pointer = pointer
        self.message = message
    }

    /// `/properties/port/minimum: "minimum" must be a number, not a string`; the root shows as `(root)`.
    public var description: String { "\(JSONPointer.display(pointer)): \(message)" }
}

/// Every problem found in a schema, in document order. Thrown by ``CompiledSchema/compile(_:)``.
public struct SchemaCompileErrors: Error, Sendable, Hashable, CustomStringConvertible {
    public let errors: [SchemaCompileError]

    public init(_ errors: [SchemaCompileError]) { self.errors = errors }

    /// One problem per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// One way in which a value fails a schema.
public struct Violation: Sendable, Hashable, CustomStringConvertible {
    /// RFC 6901 pointer to the offending value; for a missing property, the pointer the property would have.
    /// `""` is the whole value.
    public let instancePath: String
    /// RFC 6901 pointer to the keyword in the schema document that failed, such as `/properties/replicas/minimum`.
    /// This is the keyword's own place in the document (after following any `$ref`), not the path of
    /// keywords walked to get there.
    public let schemaPath: String
    /// A sentence about the value, such as `0 is less than the minimum of 1`.
    public let message: String

    public init(instancePath: String, schemaPath: String, message: String) {
        self.instancePath = instancePath
        self.schemaPath = schemaPath
        self.message = message
    }

    /// `/replicas: 0 is less than the minimum of 1`; the root shows as `(root)`.
    public var description: String { "\(JSONPointer.display(instancePath)): \(message)" }

    /// The violation as a JSON object with `instancePath`, `schemaPath` and `message` members.
    public var jsonValue: JSONValue {
        ["instancePath": .string(instancePath), "schemaPath": .string(schemaPath), "message": .string(message)]
    }
}
