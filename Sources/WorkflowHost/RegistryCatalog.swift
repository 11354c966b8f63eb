import Engine
import Registry
import Schema
import Spec

/// The plugin registry as the workflow checks see it: tool names resolve, known arguments are checked against
/// the tools' input schemas.
public struct RegistryCatalog: ToolCatalog {
    public let snapshot: RegistrySnapshot

    public init(snapshot: RegistrySnapshot) { self.snapshot = snapshot }

    public func resolve(_ name: String) -> Spec.ToolResolution {
        switch snapshot.resolve(name) {
        case .found(let tool): return .found(qualifiedName: tool.qualifiedName)
        case .ambiguous(let tools): return .ambiguous(candidates: tools.map(\.qualifiedName))
        case .unknown(let suggestions): return .unknown(suggestions: suggestions)
        }
    }

    public func checkArguments(tool qualifiedName: String, arguments: SpecValue) -> [ArgumentProblem] {
        guard case .found(let tool) = snapshot.resolve(qualifiedName) else { return [] }
        let json = arguments.jsonValue
        return tool.inputSchema.validate(json).map { violation in
            ArgumentProblem(path: Self.path(violation.instancePath, in: json), message: violation.message,
                            hint: "`wfhost plugins show \(qualifiedName)` prints the tool's schema")
        }
    }

    public func traits(ofTool qualifiedName: String) -> ToolTraits? {
        guard case .found(let tool) = snapshot.resolve(qualifiedName) else { return nil }
        return ToolTraits(hasSideEffects: tool.descriptor.hasSideEffects)
    }

    public func interface(ofTool qualifiedName: String) -> ToolInterface? {
        guard case .found(let tool) = snapshot.resolve(qualifiedName) else { return nil }
        return tool.contextInterface
    }

    /// A JSON pointer as argument path components: a token is an index where the value there is an array.
    static func path(_ pointer: String, in value: JSONValue) -> [ArgumentPathComponent] {
        var components: [ArgumentPathComponent] = []
        var current: JSONValue? = value
        for token in JSONPointer.tokens(pointer) ?? [] {
            if case .array(let items)? = current, let index = Int(token) {
                components.append(.index(index))
                current = items.indices.contains(index) ? items[index] : nil
            } else {
                components.append(.key(token))
                current = current?[token]
            }
        }
        return components
    }
}
