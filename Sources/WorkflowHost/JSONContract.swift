import Foundation
import Schema

/// The one contract of every JSON document wfhost prints (`--json`, `--format json`, the `--events` stream):
///
/// - keys are snake_case; the same thing has the same name everywhere (`session_id`, `error_type` for a failure
///   class, `stage` for a stage named from another object, `name` inside an entry of a `stages` array);
/// - every document is an object whose first member is `format_version` (``formatVersion``); a list is wrapped in
///   an object under its plural name (`{"format_version": 1, "sessions": [...]}`); each line of the event stream
///   is such an object too;
/// - under `--json`, an error is a document on stdout: `{"format_version", "error", "code", "hint", "exit_code"}`
///   (`code` is the `WorkflowHostError.Code`);
/// - every document is written by `JSONValue.serialized` (``text(_:)``), and has a JSON Schema (draft 2020-12)
///   in `share/wfhost/schemas/` (the repository's `share/schemas/`).
///
/// ```swift
/// print(JSONContract.text(JSONContract.list("sessions", sessions.map(\.json))))
/// ```
public enum JSONContract {
    /// The version of the documents' shape. A change that removes or renames a key, or changes a type, bumps it.
    public static let formatVersion: Int64 = 1

    /// `object` with `format_version` as its first member (replacing one it had).
    public static func document(_ object: JSONObject) -> JSONValue {
        var members: [(String, JSONValue)] = [("format_version", .int(formatVersion))]
        for (key, value) in object where key != "format_version" { members.append((key, value)) }
        return .object(JSONObject(members))
    }

    /// `value` as a document: an object gets `format_version`; anything else is wrapped under `key`.
    public static func document(_ value: JSONValue, wrappingUnder key: String = "value") -> JSONValue {
        if let object = value.objectValue { return document(object) }
        return document(JSONObject([(key, value)]))
    }

    /// A list as a document: `{"format_version": 1, key: items, ...extra}`.
    public static func list(_ key: String, _ items: [JSONValue], extra: JSONObject = [:]) -> JSONValue {
        var members: [(String, JSONValue)] = [(key, .array(items))]
        for (k, v) in extra { members.append((k, v)) }
        return document(JSONObject(members))
    }

    /// The error document of a command run with `--json` that ended without its own document:
    /// `{"format_version", "error", "code", "hint", "exit_code"}`.
    /// - Parameters:
    ///   - message: the error's sentence.
    ///   - hint: what to do, or nil.
    ///   - code: the `WorkflowHostError.Code` raw value, `usage` for a usage error, nil for neither.
    ///   - exitCode: the process's exit code.
    /// - Returns: the document.
    public static func error(_ message: String, hint: String?, code: String?, exitCode: Int32) -> JSONValue {
        document(["error": .string(message), "code": code.map(JSONValue.string) ?? .null,
                  "hint": hint.map(JSONValue.string) ?? .null, "exit_code": .int(Int64(exitCode))])
    }

    /// One line of the `--events` stream: the event's object with `format_version` and `at` (seconds since the
    /// epoch, millisecond precision).
    public static func eventLine(_ event: RunEvent, at time: Date = Date()) -> JSONValue {
        var object = event.json.objectValue ?? JSONObject()
        object["at"] = .double((time.timeIntervalSince1970 * 1000).rounded() / 1000)
        return document(object)
    }

    /// The text of a document as every command prints it.
    public static func text(_ document: JSONValue) -> String { document.serialized(.pretty) }

    /// `name` in snake_case: `criticalPath` → `critical_path`, `unknown-tool` → `unknown_tool`.
    public static func snakeCase(_ name: String) -> String {
        var out = ""
        var previousWasLower = false
        for c in name.unicodeScalars {
            if c == "-" || c == " " {
                out += "_"
                previousWasLower = false
            } else if c.properties.isUppercase {
                if previousWasLower { out += "_" }
                out += c.properties.lowercaseMapping
                previousWasLower = false
            } else {
                out.unicodeScalars.append(c)
                previousWasLower = c.properties.isLowercase || ("0"..."9").contains(c)
            }
        }
        return out
    }

    /// An `Encodable` report (the Plan module's Codable documents) as a JSON value with snake_case keys, and
    /// snake_case values under the keys in `snakeCaseValues` (identifiers such as diagnostic codes).
    /// - Throws: `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) when the value cannot be encoded (a number JSON cannot hold).
    static func encoded(_ value: some Encodable, what: String, snakeCaseValues: Set<String> = []) throws(WorkflowHostError)
        -> JSONValue {
        let parsed: JSONValue
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(value)
            parsed = try JSONValue.parse(data)
        } catch {
            throw WorkflowHostError(.internalError, "cannot encode \(what) as JSON: \(error)")
        }
        return snakeCased(parsed, values: snakeCaseValues)
    }

    static func snakeCased(_ value: JSONValue, values: Set<String>) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map { snakeCased($0, values: values) })
        case .object(let object):
            return .object(JSONObject(object.map { key, member -> (String, JSONValue) in
                let k = snakeCase(key)
                if values.contains(k), let s = member.stringValue { return (k, .string(snakeCase(s))) }
                return (k, snakeCased(member, values: values))
            }))
        default: return value
        }
    }
}

/// Writes the `--events` stream: one ``JSONContract/eventLine(_:at:)`` document per line. A closed pipe or a full
/// disk ends the stream, never the run.
public final class EventStreamSink: RunEventSink, @unchecked Sendable {
    // @unchecked: writes are serialized by `lock`.
    private let lock = NSLock()
    private let handle: FileHandle
    private var broken = false

    /// A sink writing to `handle` (a file, or standard output for `--events -`).
    /// - Parameter handle: where the lines go.
    public init(handle: FileHandle) { self.handle = handle }

    /// Writes `event` as one line; after a failed write, nothing more.
    /// - Parameter event: the event, already masked.
    public func emit(_ event: RunEvent) {
        let line = JSONContract.eventLine(event).serialized() + "\n"
        lock.withLock {
            guard !broken else { return }
            do {
                try handle.write(contentsOf: Data(line.utf8))
            } catch {
                broken = true
            }
        }
    }
}

extension DryRunPlan {
    /// The dry run as `wfhost run --dry-run --json` prints it (a document of the JSON contract).
    public var json: JSONValue {
        JSONContract.document([
            "workflow": .string(workflowName), "stage_count": .int(Int64(stageCount)),
            "levels": .array(levels.map { level in
                .array(level.map { stage in
                    .object([
                        "name": .string(stage.name), "depends_on": .array(stage.dependsOn.map(JSONValue.string)),
                        "conditions": .int(Int64(stage.conditionCount)),
                        "calls": .array(stage.calls.map { call in
                            .object(["tool": .string(call.tool), "arguments": call.arguments,
                                     "known_at_run_time": call.knownAtRunTime.map(JSONValue.string) ?? .null])
                        }),
                    ])
                })
            }),
        ])
    }
}

extension ValidationReport {
    /// Where each argument of each call comes from, as `wfhost plan --json` prints it.
    public var bindingsJSON: JSONValue {
        JSONContract.document([
            "file": .string(file), "workflow": workflow.map { .string($0.metadata.name) } ?? .null,
            "calls": .array(bindings.map { call in
                .object([
                    "stage": .string(call.stage), "tool": .string(call.tool),
                    "qualified_name": call.qualifiedName.map(JSONValue.string) ?? .null,
                    "line": .int(Int64(call.location.line)), "column": .int(Int64(call.location.column)),
                    "arguments": .array(call.arguments.map { argument in
                        .object(["name": .string(argument.name), "required": .bool(argument.isRequired),
                                 "source": .string(argument.source.description)])
                    }),
                ])
            }),
        ])
    }
}
