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

        public init(name: String, isRequired: Bool, defaultText: String?) {
            self.name = name
            self.isRequired = isRequired
            self.defaultText = defaultText
        }
    }

    /// In schema order.
    public var inputs: [Input]
    /// The top-level keys the output schema declares under `properties`: the keys the tool's result adds to the
    /// context. Nil when the tool has no output schema: then every top-level key of its result is a context key,
    /// known only at run time.
    public var outputs: [String]?

    public init(inputs: [Input], outputs: [String]?) {
        self.inputs = inputs
        self.outputs = outputs
    }

    public func input(named name: String) -> Input? { inputs.first { $0.name == name } }
}

extension ToolCatalog {
    public func interface(ofTool qualifiedName: String) -> ToolInterface? { nil }
}
