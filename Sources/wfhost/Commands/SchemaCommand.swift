import ArgumentParser
import WorkflowHost
import Foundation

/// `wfhost schema check|validate`: JSON Schema checks from the command line.
///
/// Exit codes: 0 the schema (or value) is valid; 1 it is not, with every problem listed; 2 unusable input
/// (a file that cannot be read, text that is not JSON, or, for `validate`, a schema that is invalid).
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Check JSON Schemas and validate JSON values against them.",
        discussion: """
            The dialect is a subset of JSON Schema draft 2020-12: the keywords tool argument schemas use, \
            same-document $ref, $defs, boolean schemas and default. Pointers are RFC 6901; (root) is the \
            whole document.
            """,
        subcommands: [Check.self, Validate.self]
    )

    struct Output: ParsableArguments {
        @Flag(name: .long, help: "Print only a JSON result document on standard output.")
        var json = false
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check", 
            abstract: "Check that a file holds a valid schema in wfhost's dialect.",
            discussion: "Exits 0 when the schema is valid, 1 when it is not (every problem is listed), 2 when the file cannot be read or is not JSON."
        )

        @Argument(help: "The schema file ('-' for standard input).")
        var schemaFile: String

        @OptionGroup var output: Output

        func run() throws {
            let document = try SchemaCLI.loadJSON(schemaFile, json: output.json)
            do throws(SchemaCompileErrors) {
                _ = try CompiledSchema.compile(document)
                if output.json {
                    SchemaCLI.printJSON(["file": .string(schemaFile), "valid": true, "errors": []])
                } else {
                    print("\(schemaFile): valid schema")
                }
            } catch {
                if output.json {
                    SchemaCLI.printJSON([
                        "file": .string(schemaFile), "valid": false,
                        "errors": .array(error.errors.map(SchemaCLI.errorDocument)),
                    ])
                } else {
                    for problem in error.errors { print("\(schemaFile): error: \(problem)") }
                    print("\(schemaFile): \(SchemaCLI.count(error.errors.count, "problem")) in the schema")
                }
                throw Exit.failed
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "validate", 
            abstract: "Validate a JSON value against a schema.",
            discussion: "Exits 0 when the value is valid, 1 when it is not (every violation is listed, up to --max-errors), 2 when a file cannot be read, is not JSON, or the schema is invalid."
        )

        @Argument(help: "The schema file.")
        var schemaFile: String

        @Argument(help: "The file holding the value to validate ('-' for standard input).")
        var valueFile: String

        @Option(name: .long, help: "Stop after this many violations.")
        var maxErrors = 100

        @OptionGroup var output: Output

        func validate() throws {
            guard maxErrors > 0 else { throw ValidationError("Give --max-errors a positive number.") }
            guard !(schemaFile == "-" && valueFile == "-") else {
                throw ValidationError("Read at most one of the two files from standard input ('-').")
            }
        }

        func run() throws {
            let schemaDocument = try SchemaCLI.loadJSON(schemaFile, json: output.json)
            let schema: CompiledSchema
            do throws(SchemaCompileErrors) {
                schema = try CompiledSchema.compile(schemaDocument)
            } catch {
                let lines = error.errors.map { "\(schemaFile): error: \($0)" }
                throw SchemaCLI.fail(lines, hint: "fix the schema first ('wfhost schema check \(schemaFile)' checks it alone)",
                               json: output.json, errors: error.errors.map(SchemaCLI.errorDocument), file: schemaFile)
            }
            let value = try SchemaCLI.loadJSON(valueFile, json: output.json)
            let violations = schema.validate(value, maxErrors: maxErrors)
            if output.json {
                SchemaCLI.printJSON([
                    "schema": .string(schemaFile), "value": .string(valueFile), "valid": .bool(violations.isEmpty),
                    "violations": .array(violations.map(\.jsonValue)),
                ])
            } else if violations.isEmpty {
                print("\(valueFile): valid against \(schemaFile)")
            } else {
                for violation in violations { print("\(valueFile): error: \(violation)") }
                let capped = violations.count >= maxErrors ? " (stopped at --max-errors \(maxErrors))" : ""
                print("\(valueFile): \(SchemaCLI.count(violations.count, "violation")) of \(schemaFile)\(capped)")
            }
            if !violations.isEmpty { throw Exit.failed }
        }
    }
}

/// File reading and output shared by the schema subcommands.
enum SchemaCLI {
    /// Reads and parses a JSON file, or ends the command with exit code 2 and a located diagnostic.
    static func loadJSON(_ path: String, json: Bool) throws(ExitCode) -> JSONValue {
        let data: Data
        do {
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as? CocoaError)?.code == .fileReadNoSuchFile ? "no such file" : error.localizedDescription
            throw fail(["\(path): error: cannot read the file: \(reason)"], hint: "check the path and its permissions",
                 json: json, errors: [["message": .string("cannot read the file: \(reason)")]], file: path)
        }
        do throws(JSONParseError) {
            return try JSONValue.parse(data)
        } catch {
            throw fail(["\(path):\(error.line):\(error.column): error: not JSON: \(error.code)" + (error.detail.map { ": \($0)" } ?? "")
                  + " (byte offset \(error.offset))"],
                 hint: "the file must hold exactly one JSON document (no comments or trailing commas)",
                 json: json,
                 errors: [["message": .string("not JSON: \(error.code)" + (error.detail.map { ": \($0)" } ?? "")),
                           "offset": JSONValue(error.offset), "line": JSONValue(error.line), "column": JSONValue(error.column)]],
                 file: path)
        }
    }

    /// Reports unusable input: diagnostics on standard error, and with `--json` an error document on standard
    /// output. Returns exit code 2 for the caller to throw.
    static func fail(_ lines: [String], hint: String, json: Bool, errors: [JSONValue], file: String) -> ExitCode {
        let text = lines.joined(separator: "\n") + "\n  hint: \(hint)\n"
        writeStandardError(text)
        if json { printJSON(["file": .string(file), "usable": false, "errors": .array(errors)]) }
        return Exit.invalidInput
    }

    static func errorDocument(_ error: SchemaCompileError) -> JSONValue {
        ["pointer": .string(error.pointer), "message": .string(error.message)]
    }

    static func printJSON(_ value: JSONValue) {
        printDocument(value)
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
