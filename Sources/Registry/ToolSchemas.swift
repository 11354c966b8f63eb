import Foundation
import Schema

/// A tool's input and output schemas, compiled on first use and then shared.
///
/// Schemas come either compiled (a fresh validation compiled them) or as text from the registry's cache of a
/// file that validated before; compiling that text again cannot fail for the same wfhost. Should it fail anyway
/// (a corrupt cache row), the schema becomes `false`, which rejects every value with a message, rather than
/// letting unchecked arguments through.
final class ToolSchemas: @unchecked Sendable {
    // @unchecked: the compiled values are guarded by `lock`.
    private let lock = NSLock()
    private let inputText: String?
    private let outputText: String?
    private var compiledInput: CompiledSchema?
    private var compiledOutput: CompiledSchema??

    init(input: CompiledSchema, output: CompiledSchema?) {
        inputText = nil
        outputText = nil
        compiledInput = input
        compiledOutput = .some(output)
    }

    init(inputText: String, outputText: String?) {
        self.inputText = inputText
        self.outputText = outputText
    }

    var input: CompiledSchema {
        lock.withLock {
            if let compiledInput { return compiledInput }
            let schema = Self.compile(inputText ?? "{}")
            compiledInput = schema
            return schema
        }
    }

    var output: CompiledSchema? {
        lock.withLock {
            if let compiledOutput { return compiledOutput }
            let schema = outputText.map(Self.compile)
            compiledOutput = .some(schema)
            return schema
        }
    }

    private static func compile(_ text: String) -> CompiledSchema {
        if let json = try? JSONValue.parse(text), let schema = try? CompiledSchema.compile(json) { return schema } // validated when scanned
        return CompiledSchema.rejectingEverything
    }
}
