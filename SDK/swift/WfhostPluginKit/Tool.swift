import FoundationEssentials
import WfhostPluginSDK

/// What a tool needs from the sandbox (`wfh_capabilities`). With none declared, a tool sees the system
/// directories and its call's work directory only, writes only the work directory and uses no network.
public struct Capabilities: Sendable {
    public var network: Bool
    /// Absolute paths the tool reads; `["/"]` for everything the sandbox does not hide. `${work_dir}`, `~` and
    /// `${arg:NAME}` (the path given in the string argument NAME of each call) are expanded by the host.
    public var readPaths: [String]
    /// Absolute paths the tool writes beneath.
    public var writePaths: [String]

    public init(network: Bool = false, readPaths: [String] = ["/"], writePaths: [String] = []) {
        self.network = network
        self.readPaths = readPaths
        self.writePaths = writePaths
    }
}

/// An example of a tool's use (ABI 1.2, `wfh_example`): JSON text of the arguments and of what the result must
/// contain; `wfhost plugins test` runs it.
public struct Example: Sendable {
    public var description: String?
    public var arguments: String
    public var expected: String?
    public init(_ description: String? = nil, arguments: String, expected: String? = nil) {
        self.description = description
        self.arguments = arguments
        self.expected = expected
    }
}

/// One tool: its declaration and a function from a `Decodable` argument type to an `Encodable` result.
public struct Tool: Sendable {
    public let name: String
    public let title: String?
    public let description: String
    /// JSON Schema text for the arguments (the host validates and applies defaults before the call).
    public let inputSchema: String
    /// JSON Schema text for the result, or nil.
    public let outputSchema: String?
    public let idempotent: Bool
    public let sideEffects: Bool
    public let capabilities: Capabilities?
    public let examples: [Example]
    let body: @Sendable (ToolContext, [UInt8]) throws(ToolError) -> [UInt8]

    /// Declares a tool.
    /// - Parameters:
    ///   - name: `[a-z][a-z0-9_]*`, unique in the plugin.
    ///   - inputSchema: JSON Schema text; property names are the JSON keys `Arguments` decodes.
    ///   - run: the tool. Throw ``ToolError`` to fail; any other error fails the call with code `internal`.
    public init<Arguments: Decodable & SendableMetatype, Result: Encodable & SendableMetatype>(
        name: String, title: String? = nil, description: String, inputSchema: String, outputSchema: String? = nil,
        idempotent: Bool = false, sideEffects: Bool = false, capabilities: Capabilities? = nil,
        examples: [Example] = [], arguments: Arguments.Type = Arguments.self,
        run: @escaping @Sendable (Arguments, ToolContext) throws -> Result
    ) {
        self.name = name
        self.title = title
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.idempotent = idempotent
        self.sideEffects = sideEffects
        self.capabilities = capabilities
        self.examples = examples
        self.body = { (context, bytes) throws(ToolError) -> [UInt8] in
            let arguments: Arguments
            do {
                arguments = try JSONDecoder().decode(Arguments.self, from: Data(bytes))
            } catch {
                throw ToolError.invalidArguments("the arguments cannot be read: \(DecodingMessages.describe(error))")
            }
            let result: Result
            do {
                result = try run(arguments, context)
            } catch let error as ToolError {
                throw error
            } catch {
                throw ToolError(code: "internal", message: "\(error)")
            }
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                return Array(try encoder.encode(result))
            } catch {
                throw ToolError(code: "internal", message: "the result cannot be encoded as JSON: \(error)")
            }
        }
    }
}

/// Turns decoding errors into one line naming the argument.
enum DecodingMessages {
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ c: [any CodingKey]) -> String {
            c.isEmpty ? "the arguments" : "'" + c.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + "'"
        }
        switch error {
        case .keyNotFound(let key, let ctx): return "\(path(ctx.codingPath + [key])) is required"
        case .typeMismatch(let type, let ctx): return "\(path(ctx.codingPath)) must be \(type)"
        case .valueNotFound(let type, let ctx): return "\(path(ctx.codingPath)) must be \(type), not null"
        case .dataCorrupted(let ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
