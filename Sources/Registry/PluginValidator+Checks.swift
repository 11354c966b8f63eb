import Schema
import Isolation

/// The checks of a tool that look inside its schemas: the input schema accepts objects, a typed signature agrees
/// with it, capability paths are expandable, and misspelt keywords and type names get a did-you-mean.
extension PluginValidator {
    typealias Report = (_ severity: Finding.Severity, _ code: String, _ message: String, _ hint: String) -> Void

    /// The JSON Schema 2020-12 keywords (the vocabularies wfhost compiles, and the annotations it ignores).
    static let schemaKeywords: Set<String> = [
        "$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$defs", "$comment", "$vocabulary",
        "definitions", "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
        "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
        "maxContains", "minContains", "maxProperties", "minProperties", "required", "dependentRequired",
        "properties", "patternProperties", "additionalProperties", "propertyNames", "items", "prefixItems",
        "contains", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas",
        "unevaluatedItems", "unevaluatedProperties", "title", "description", "default", "deprecated", "readOnly",
        "writeOnly", "examples", "format", "contentEncoding", "contentMediaType", "contentSchema",
    ]
    static let schemaTypes = ["null", "boolean", "object", "array", "number", "integer", "string"]

    /// A did-you-mean for an `invalid_schema` error at `pointer` of `schema`: a misspelt type name.
    static func typeSuggestion(at pointer: String, in schema: JSONValue) -> String? {
        guard let tokens = JSONPointer.tokens(pointer), tokens.contains("type"),
              let name = JSONPointer.resolve(pointer, in: schema)?.stringValue,
              let best = Suggest.closest(to: name.lowercased(), among: schemaTypes, limit: 1).first
        else { return nil }
        return "did you mean \"\(best)\"?"
    }

    /// Keywords of `schema` (and of its subschemas) that JSON Schema does not know but that are close to one it
    /// does: a misspelling the validator would silently ignore.
    static func misspeltKeywords(_ schema: JSONValue, pointer: String = "") -> [(pointer: String, keyword: String,
                                                                                 suggestion: String)] {
        guard case .object(let object) = schema else { return [] }
        var found: [(String, String, String)] = []
        for key in object.keys where !schemaKeywords.contains(key) {
            if let best = Suggest.closest(to: key, among: Array(schemaKeywords), limit: 1).first {
                found.append((JSONPointer.appending(pointer, key), key, best))
            }
        }
        let single = ["additionalProperties", "items", "contains", "propertyNames", "not", "if", "then", "else",
                      "unevaluatedItems", "unevaluatedProperties", "contentSchema"]
        for key in single {
            if let sub = object[key] { found += misspeltKeywords(sub, pointer: JSONPointer.appending(pointer, key)) }
        }
        for key in ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"] {
            guard case .object(let members)? = object[key] else { continue }
            let base = JSONPointer.appending(pointer, key)
            for name in members.keys {
                if let sub = members[name] {
                    found += misspeltKeywords(sub, pointer: JSONPointer.appending(base, name))
                }
            }
        }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
            guard case .array(let items)? = object[key] else { continue }
            let base = JSONPointer.appending(pointer, key)
            for (i, sub) in items.enumerated() {
                found += misspeltKeywords(sub, pointer: JSONPointer.appending(base, String(i)))
            }
        }
        return found
    }

    /// The `type` keyword of a schema as a list of names (nil when absent or malformed).
    static func declaredTypes(_ schema: JSONValue) -> [String]? {
        switch schema["type"] {
        case .string(let s)?: return [s]
        case .array(let a)?: return a.compactMap(\.stringValue)
        default: return nil
        }
    }

    /// The input schema must accept a JSON object: `false`, or a `type` without "object", accepts none.
    static func checkAcceptsObjects(_ schema: JSONValue, report: Report) {
        let hint = "a tool's arguments are always a JSON object: write {\"type\":\"object\",\"properties\":{...}}, "
            + "or {\"type\":\"object\",\"additionalProperties\":false} for a tool without arguments"
        if schema == .bool(false) {
            report(.error, "schema_not_object", "the input schema is false, which rejects every argument object", hint)
        } else if let types = declaredTypes(schema), !types.contains("object") {
            report(.error, "schema_not_object",
                   "the input schema accepts no object: its \"type\" is \(describeTypes(schema["type"]))", hint)
        }
    }

    static func describeTypes(_ value: JSONValue?) -> String {
        value.map { $0.serialized() } ?? "absent"
    }

    /// What the input schema says about the top-level properties: their schemas, which are required or have
    /// a default, and whether properties may also come from keywords this check does not follow.
    struct ObjectShape {
        var properties: [String: JSONValue] = [:]
        var required: Set<String> = []
        /// `$ref`, `anyOf`, `oneOf`, `if`, `patternProperties`, ...: a parameter missing from `properties` may
        /// still be described elsewhere, so only contradictions are reported.
        var open = false

        init(_ schema: JSONValue, root: JSONValue, depth: Int = 0) {
            guard case .object(let o) = schema, depth < 8 else { return }
            if case .object(let props)? = o["properties"] {
                for name in props.keys { if let p = props[name] { properties[name] = p } }
            }
            if case .array(let names)? = o["required"] { required.formUnion(names.compactMap(\.stringValue)) }
            for key in ["$ref", "$dynamicRef", "anyOf", "oneOf", "if", "patternProperties", "dependentSchemas"]
            where o[key] != nil { open = true }
            if case .array(let parts)? = o["allOf"] {
                for part in parts {
                    let inner = ObjectShape(part, root: root, depth: depth + 1)
                    properties.merge(inner.properties) { first, _ in first }
                    required.formUnion(inner.required)
                    open = open || inner.open
                }
            }
        }

        /// The property's schema, following one local `$ref` ("#/$defs/x").
        func property(_ name: String, root: JSONValue) -> JSONValue? {
            guard let p = properties[name] else { return nil }
            if let ref = p["$ref"]?.stringValue, ref.hasPrefix("#"),
               let target = JSONPointer.resolve(String(ref.dropFirst()), in: root) {
                return target
            }
            return p
        }
    }

    /// The JSON types an argument for a C parameter type may have, and the one to suggest.
    static func jsonTypes(for type: CSignature.CType) -> (accepted: Set<String>, suggested: String) {
        switch type {
        case .bool: return (["boolean"], "boolean")
        case .i32, .i64, .u32, .u64: return (["integer", "number"], "integer")
        case .f32, .f64: return (["number", "integer"], "number")
        case .str: return (["string"], "string")
        case .void: return ([], "null")
        }
    }

    /// Each parameter of a typed signature must be a property of the input schema, of a compatible type, and
    /// required (or defaulted): otherwise no call, or not every valid call, can reach the function.
    static func checkSignature(_ text: String, _ signature: CSignature, against schema: JSONValue, report: Report) {
        let shape = ObjectShape(schema, root: schema)
        for (type, name) in signature.parameters {
            let json = jsonTypes(for: type)
            let subject = "typed signature \"\(text)\": parameter '\(name)'"
            guard let property = shape.property(name, root: schema) else {
                if !shape.open {
                    report(.error, "signature_schema_mismatch", "\(subject) is not a property of the input schema",
                           "add \"\(name)\": {\"type\":\"\(json.suggested)\"} to the input schema's \"properties\" and "
                               + "\"\(name)\" to its \"required\"; each parameter is read from the argument of its name")
                }
                continue
            }
            if property == .bool(false) {
                report(.error, "signature_schema_mismatch",
                       "\(subject) is \(type.rawValue), but the input schema forbids property '\(name)' (false)",
                       "give '\(name)' the schema {\"type\":\"\(json.suggested)\"}")
                continue
            }
            if let types = declaredTypes(property), json.accepted.isDisjoint(with: types) {
                report(.error, "signature_schema_mismatch",
                       "\(subject) is \(type.rawValue), but the input schema gives property '\(name)' the type "
                           + describeTypes(property["type"]),
                       "make it {\"type\":\"\(json.suggested)\"}, or change the parameter's type: no call can pass "
                           + "such an argument to a \(type.rawValue)")
                continue
            }
            if !shape.required.contains(name), property["default"] == nil, !shape.open {
                report(.error, "signature_schema_mismatch",
                       "\(subject) is not required by the input schema, but the function needs it on every call",
                       "add \"\(name)\" to the input schema's \"required\" (or give the property a \"default\")")
            }
        }
    }

    /// Capability paths are absolute, `~`, `${work_dir}`, or `${arg:NAME}` for a string property NAME.
    static func checkCapabilityPaths(_ caps: Capabilities, schema: JSONValue?, report: Report) {
        let forms = "an absolute path, ~ or ~/..., ${work_dir} or ${work_dir}/..., or ${arg:NAME} (the path in the "
            + "string argument NAME of each call)"
        let shape = schema.map { ObjectShape($0, root: $0) }
        let strings = (shape?.properties.keys.sorted() ?? []).filter { name in
            guard let p = shape?.property(name, root: schema ?? .null) else { return false }
            return declaredTypes(p)?.contains("string") == true
        }
        for (kind, paths) in [("read", caps.readPaths), ("write", caps.writePaths)] {
            if paths.count > WorkerProtocol.maxSandboxPaths {
                report(.error, "too_many_capability_paths",
                       "the tool declares more than \(WorkerProtocol.maxSandboxPaths) \(kind) paths, the most that reach "
                           + "its sandbox (WFH_SANDBOX_MAX_PATHS)",
                       "declare a common parent directory instead of many paths under it")
            }
            for p in paths {
                let subject = "\(kind) path \(JSONValue.string(p).serialized())"
                if p.hasPrefix("/") || p == "~" || p.hasPrefix("~/") || p == "${work_dir}" || p.hasPrefix("${work_dir}/") {
                    continue
                }
                if p.hasPrefix("${arg:") {
                    guard let close = p.firstIndex(of: "}") else {
                        report(.error, "invalid_capability_path", "\(subject) does not close ${arg:NAME} with '}'",
                               "write it as ${arg:NAME}, NAME a string property of the input schema")
                        continue
                    }
                    let name = String(p[p.index(p.startIndex, offsetBy: 6)..<close])
                    if p.index(after: close) != p.endIndex {
                        report(.error, "invalid_capability_path",
                               "\(subject) has text after ${arg:\(name)}, which must be the whole path",
                               "write \"${arg:\(name)}\" alone: the argument's value is the path")
                        continue
                    }
                    let known = strings.isEmpty ? "the schema has no string properties"
                        : "its string properties: " + strings.joined(separator: ", ")
                    guard let shape, let property = shape.property(name, root: schema ?? .null) else {
                        let suggestion = Suggest.closest(to: name, among: strings, limit: 1).first
                            .map { "did you mean '\($0)'? " } ?? ""
                        report(.error, "invalid_capability_path",
                               "\(subject) names argument '\(name)', which is not a property of the input schema",
                               suggestion + "declare \"\(name)\": {\"type\":\"string\"} in the input schema's "
                                   + "\"properties\" (\(known))")
                        continue
                    }
                    if declaredTypes(property)?.contains("string") != true {
                        report(.error, "invalid_capability_path",
                               "\(subject) names argument '\(name)', which the input schema does not declare as a "
                                   + "string (its type is \(describeTypes(property["type"])))",
                               "the argument holds a path: give '\(name)' {\"type\":\"string\"}, or name a string "
                                   + "property (\(known))")
                    }
                    continue
                }
                if p.isEmpty {
                    report(.error, "invalid_capability_path", "\(subject) is empty", "write \(forms)")
                } else if p.hasPrefix("${") {
                    report(.error, "invalid_capability_path",
                           "\(subject) uses a variable wfhost does not expand; only ${work_dir} and ${arg:NAME} are",
                           "write \(forms)")
                } else {
                    report(.error, "invalid_capability_path", "\(subject) is not absolute",
                           "write \(forms); a relative path would depend on the worker's directory")
                }
            }
        }
    }
}
