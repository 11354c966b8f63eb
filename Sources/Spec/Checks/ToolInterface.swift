/// What a tool takes and yields, as the session context sees it: the top-level properties of its input schema
/// and the keys its output schema declares. The registry derives it from the schemas; `validate` binds the
/// properties a workflow does not give in `args` from the context (see ``StaticContext``).
public struct ToolInterface: Sendable, Hashable {
    /// One top-level property of the input schema.
    public struct Input: Sendable, Hashable {
        public var name: String
        /// Listed in the schema's `required`.
        public var isRequired: Bool
        /// The schema's `default`, as compact JSON text; nil when it has none.
        public var defaultText: String?
        /// The JSON types the property accepts (see ``ToolInterface/outputTypes``); nil when its schema does not say.
        public var types: Set<String>?

        public init(name: String, isRequired: Bool, defaultText: String?, types: Set<String>? = nil) {
            self.name = name
            self.isRequired = isRequired
            self.defaultText = defaultText
            self.types = types
        }
    }

    /// In schema order.
    public var inputs: [Input]
    /// The top-level keys the output schema declares under `properties`: the keys the tool's result adds to the
    /// context. Nil when the tool has no output schema: then every top-level key of its result is a context key,
    /// known only at run time.
    public var outputs: [String]?
    /// The JSON types (`string`, `integer`, `number`, `boolean`, `object`, `array`, `null`) of each declared output
    /// key whose schema says: its `type`, the kinds of its `enum` or `const`, or the union of its `anyOf`/`oneOf`.
    public var outputTypes: [String: Set<String>]

    public init(inputs: [Input], outputs: [String]?, outputTypes: [String: Set<String>] = [:]) {
        self.inputs = inputs
        self.outputs = outputs
        self.outputTypes = outputTypes
    }

    public func input(named name: String) -> Input? { inputs.first { $0.name == name } }

    /// Whether a value of one of the `produced` types may be one of the `accepted` types (an integer is a number);
    /// true when either side does not say.
    public static func compatible(_ produced: Set<String>?, _ accepted: Set<String>?) -> Bool {
        guard let produced, let accepted else { return true }
        return produced.contains { accepted.contains($0) || ($0 == "integer" && accepted.contains("number")) }
    }

    /// Types as a message names them: `integer`, `string or null`.
    public static func describe(_ types: Set<String>) -> String { types.sorted().joined(separator: " or ") }
}

extension ToolCatalog {
    public func interface(ofTool qualifiedName: String) -> ToolInterface? { nil }
}
