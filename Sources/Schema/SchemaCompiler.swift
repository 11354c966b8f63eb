/// Turns a schema document into ``SchemaNode``s, collecting every problem with its pointer.
///
/// Each subschema is compiled once, keyed by its canonical pointer, so a `$ref` and the ordinary walk
/// share the node, reference cycles terminate, and each problem is reported once.
struct SchemaCompiler {
    let document: JSONValue
    var nodes: [SchemaNode] = []
    var nodeAt: [String: Int] = [:]
    var errors: [SchemaCompileError] = []
    var patterns: [String: ECMAPattern] = [:]

    /// Deepest nesting of subschemas (including `$ref` hops while compiling) accepted.
    static let maxDepth = 256

    static let dialects: Set<String> = [
        "https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#",
    ]

    /// Keywords of draft 2020-12 that change validation and that this validator does not implement.
    /// Ignoring them would accept values the author meant to reject, so they are errors instead.
    static let unsupported: [String] = [
        "contains", "minContains", "maxContains", "dependentSchemas", "unevaluatedItems",
        "unevaluatedProperties", "$dynamicRef", "$recursiveRef",
    ]

    init(document: JSONValue) { self.document = document }

    mutating func fail(_ pointer: String, _ message: String) {
        errors.append(SchemaCompileError(pointer: pointer, message: message))
    }

    /// Compiles the subschema `value` found at `pointer`, returning its node index.
    mutating func compile(_ value: JSONValue, at pointer: String, depth: Int) -> Int {
        if let existing = nodeAt[pointer] { return existing }
        let index = nodes.count
        nodes.append(SchemaNode(pointer: pointer))
        nodeAt[pointer] = index
        guard depth <= Self.maxDepth else {
            fail(pointer, "the schema is nested too deeply (more than \(Self.maxDepth) levels)")
            return index
        }
        switch value {
        case .bool(true):
            break
        case .bool(false):
            nodes[index].checks = [.never(at: pointer)]
        case .object(let object):
            var keywords = KeywordReader(object: object, pointer: pointer)
            let checks = compileKeywords(&keywords, index: index, depth: depth)
            nodes[index].checks = checks
            nodes[index].defaultValue = object["default"]
            errors.append(contentsOf: keywords.errors)
        default:
            fail(pointer, "a schema must be an object or a boolean, not \(KeywordReader.describe(value))")
        }
        return index
    }

    // swiftlint:disable:next function_body_length cyclomatic_complexity
    mutating func compileKeywords(_ k: inout KeywordReader, index: Int, depth: Int) -> [Check] {
        let pointer = k.pointer
        var first: [Check] = []  // type, const, enum: cheap and decisive
        var values: [Check] = []  // numbers, strings, arrays, objects
        var applicators: [Check] = []  // same-location subschemas

        func sub(_ key: String) -> String { JSONPointer.appending(pointer, key) }

        // Core
        if let dialect = k.string("$schema"), !Self.dialects.contains(dialect) {
            fail(sub("$schema"), "only draft 2020-12 (\"https://json-schema.org/draft/2020-12/schema\") is supported, not \(JSONSerializer.quoted(dialect))")
        }
        if k.string("$id") != nil, !pointer.isEmpty {
            fail(sub("$id"), "\"$id\" in a subschema (an embedded schema resource) is not supported; only the root may have one")
        }
        _ = k.string("$anchor")
        _ = k.string("$comment")
        for keyword in Self.unsupported where k.object[keyword] != nil {
            fail(sub(keyword), "\"\(keyword)\" is not supported by this validator (it implements a subset of draft 2020-12)")
        }
        if let defs = k.objectValue("$defs") {
            for (name, schema) in defs {
                _ = compile(schema, at: JSONPointer.appending(sub("$defs"), name), depth: depth + 1)
            }
        }

        // Type, const, enum
        if let type = k.object["type"] {
            if let set = compileType(type, at: sub("type")) { first.append(.type(set, at: sub("type"))) }
        }
        if let constant = k.object["const"] { first.append(.const(constant, at: sub("const"))) }
        if let list = k.arrayValue("enum") { first.append(.enumeration(Set(list), list, at: sub("enum"))) }

        // Numbers
        if let n = k.number("minimum") { values.append(.minimum(n, exclusive: false, at: sub("minimum"))) }
        if let n = k.number("exclusiveMinimum") { values.append(.minimum(n, exclusive: true, at: sub("exclusiveMinimum"))) }
        if let n = k.number("maximum") { values.append(.maximum(n, exclusive: false, at: sub("maximum"))) }
        if let n = k.number("exclusiveMaximum") { values.append(.maximum(n, exclusive: true, at: sub("exclusiveMaximum"))) }
        if let n = k.number("multipleOf") {
            if NumberComparison.compare(n, .int(0)) == .greater {
                values.append(.multipleOf(n, at: sub("multipleOf")))
            } else {
                fail(sub("multipleOf"), "\"multipleOf\" must be greater than 0, not \(n)")
            }
        }

        // Strings
        if let n = k.count("minLength") { values.append(.minLength(n, at: sub("minLength"))) }
        if let n = k.count("maxLength") { values.append(.maxLength(n, at: sub("maxLength"))) }
        if let source = k.string("pattern"), let pattern = compilePattern(source, at: sub("pattern"), keyword: "pattern") {
            values.append(.pattern(pattern, at: sub("pattern")))
        }

        // Arrays
        if let n = k.count("minItems") { values.append(.minItems(n, at: sub("minItems"))) }
        if let n = k.count("maxItems") { values.append(.maxItems(n, at: sub("maxItems"))) }
        if k.bool("uniqueItems") == true { values.append(.uniqueItems(at: sub("uniqueItems"))) }
        var prefix: [Int] = []
        if let list = k.schemaArray("prefixItems") {
            prefix = list.enumerated().map { compile($1, at: JSONPointer.appending(sub("prefixItems"), String($0)), depth: depth + 1) }
        }
        var rest: Int?
        if let items = k.object["items"] {
            if case .array = items {
                fail(sub("items"), "\"items\" must be a schema (an object or a boolean); in draft 2020-12, use \"prefixItems\" for a tuple")
            } else {
                rest = compile(items, at: sub("items"), depth: depth + 1)
            }
        }
        if !prefix.isEmpty || rest != nil { values.append(.items(prefix: prefix, rest: rest)) }

        // Objects
        if let n = k.count("minProperties") { values.append(.minProperties(n, at: sub("minProperties"))) }
        if let n = k.count("maxProperties") { values.append(.maxProperties(n, at: sub("maxProperties"))) }
        if let names = k.uniqueStrings("required") { if !names.isEmpty { values.append(.required(names, at: sub("required"))) } }
        if let dependencies = k.objectValue("dependentRequired") {
            var list: [(String, [String])] = []
            for (trigger, value) in dependencies {
                let at = JSONPointer.appending(sub("dependentRequired"), trigger)
                if let names = KeywordReader.uniqueStrings(value, keyword: "dependentRequired", at: at, errors: &k.errors) {
                    list.append((trigger, names))
                }
            }
            if !list.isEmpty { values.append(.dependentRequired(list, at: sub("dependentRequired"))) }
        }
        if let names = k.object["propertyNames"] {
            values.append(.propertyNames(compile(names, at: sub("propertyNames"), depth: depth + 1), at: sub("propertyNames")))
        }
        var properties = PropertiesCheck()
        var hasProperties = false
        if let named = k.objectValue("properties") {
            hasProperties = true
            for (name, schema) in named {
                properties.named[ExactKey(name)] = compile(schema, at: JSONPointer.appending(sub("properties"), name), depth: depth + 1)
                properties.namedOrder.append(name)
            }
        }
        if let patterned = k.objectValue("patternProperties") {
            hasProperties = true
            for (source, schema) in patterned {
                let at = JSONPointer.appending(sub("patternProperties"), source)
                let node = compile(schema, at: at, depth: depth + 1)
                if let pattern = compilePattern(source, at: at, keyword: "patternProperties") {
                    properties.patterns.append((pattern, node, at))
                }
            }
        }
        if let additional = k.object["additionalProperties"] {
            hasProperties = true
            properties.additional = compile(additional, at: sub("additionalProperties"), depth: depth + 1)
            properties.additionalAt = sub("additionalProperties")
            properties.additionalIsFalse = additional == .bool(false)
        }
        if hasProperties { values.append(.properties(properties)) }

        // Applicators at the same instance location
        if let reference = k.string("$ref"), let target = resolveReference(reference, at: sub("$ref"), depth: depth) {
            applicators.append(.ref(target))
        }
        if let list = k.schemaArray("allOf") {
            applicators.append(.allOf(list.enumerated().map { compile($1, at: JSONPointer.appending(sub("allOf"), String($0)), depth: depth + 1) }))
        }
        if let list = k.schemaArray("anyOf") {
            applicators.append(.anyOf(list.enumerated().map { compile($1, at: JSONPointer.appending(sub("anyOf"), String($0)), depth: depth + 1) }, at: sub("anyOf")))
        }
        if let list = k.schemaArray("oneOf") {
            applicators.append(.oneOf(list.enumerated().map { compile($1, at: JSONPointer.appending(sub("oneOf"), String($0)), depth: depth + 1) }, at: sub("oneOf")))
        }
        if let negated = k.object["not"] {
            applicators.append(.not(compile(negated, at: sub("not"), depth: depth + 1), at: sub("not")))
        }
        // `then` and `else` are compiled (and checked) even without `if`, but only `if` makes them apply.
        let then = k.object["then"].map { compile($0, at: sub("then"), depth: depth + 1) }
        let otherwise = k.object["else"].map { compile($0, at: sub("else"), depth: depth + 1) }
        if let condition = k.object["if"] {
            let conditionNode = compile(condition, at: sub("if"), depth: depth + 1)
            if then != nil || otherwise != nil {
                applicators.append(.conditional(if: conditionNode, then: then, else: otherwise))
            }
        }
        return first + values + applicators
    }

    mutating func compileType(_ value: JSONValue, at pointer: String) -> TypeSet? {
        func one(_ name: JSONValue, at pointer: String) -> TypeSet? {
            guard case .string(let text) = name else {
                fail(pointer, "\"type\" must be a type name or an array of type names, not \(KeywordReader.describe(name))")
                return nil
            }
            guard let match = TypeSet.byName.first(where: { $0.0 == text }) else {
                fail(pointer, "\"type\" has an unknown type name \(JSONSerializer.quoted(text)); expected one of null, boolean, object, array, number, integer, string")
                return nil
            }
            return match.1
        }
        switch value {
        case .string:
            return one(value, at: pointer)
        case .array(let names):
            var set: TypeSet = []
            var ok = true
            for (position, name) in names.enumerated() {
                guard let bit = one(name, at: JSONPointer.appending(pointer, String(position))) else { ok = false; continue }
                if set.contains(bit) {
                    fail(JSONPointer.appending(pointer, String(position)), "\"type\" lists \(name) more than once")
                    ok = false
                }
                set.insert(bit)
            }
            if names.isEmpty {
                fail(pointer, "\"type\" must list at least one type name")
                return nil
            }
            return ok ? set : nil
        default:
            fail(pointer, "\"type\" must be a type name or an array of type names, not \(KeywordReader.describe(value))")
            return nil
        }
    }

    mutating func compilePattern(_ source: String, at pointer: String, keyword: String) -> ECMAPattern? {
        if let cached = patterns[source] { return cached }
        do throws(ECMAPattern.Invalid) {
            let pattern = try ECMAPattern(source)
            patterns[source] = pattern
            return pattern
        } catch {
            fail(pointer, "\(JSONSerializer.quoted(source)) in \"\(keyword)\" \(error.message)")
            return nil
        }
    }

    /// Resolves a same-document reference (`#`, `#/json/pointer`, percent-encoded or not) to a node.
    mutating func resolveReference(_ reference: String, at pointer: String, depth: Int) -> Int? {
        var reference = reference
        // The root's own `$id`, written out in full, names this document too.
        if case .string(let rootID)? = document["$id"], !rootID.isEmpty, reference.hasPrefix(rootID) {
            let rest = reference.dropFirst(rootID.count)
            if rest.isEmpty || rest.hasPrefix("#") { reference = rest.isEmpty ? "#" : String(rest) }
        }
        guard reference.hasPrefix("#") else {
            fail(pointer, "\"$ref\" must point inside this schema (\"#\" or \"#/...\"); \(JSONSerializer.quoted(reference)) refers to another document, which is not supported")
            return nil
        }
        guard let fragment = JSONPointer.percentDecoded(String(reference.dropFirst())) else {
            fail(pointer, "\"$ref\" \(JSONSerializer.quoted(reference)) has invalid percent-encoding")
            return nil
        }
        guard fragment.isEmpty || fragment.hasPrefix("/") else {
            fail(pointer, "\"$ref\" \(JSONSerializer.quoted(reference)) names an anchor, which is not supported; use a JSON pointer such as \"#/$defs/name\"")
            return nil
        }
        guard let tokens = JSONPointer.tokens(fragment) else {
            fail(pointer, "\"$ref\" \(JSONSerializer.quoted(reference)) is not a valid JSON pointer (\"~\" must be followed by 0 or 1)")
            return nil
        }
        guard let target = JSONPointer.resolve(tokens: tokens, in: document) else {
            fail(pointer, "\"$ref\" target \(JSONSerializer.quoted(reference)) does not exist in this schema")
            return nil
        }
        return compile(target, at: JSONPointer.make(tokens), depth: depth + 1)
    }

    /// Finds cycles of subschemas applied at the same instance location (through `$ref`, `allOf`, `anyOf`,
    /// `oneOf`, `not`, `if`/`then`/`else`), which would recurse forever, and reports each once.
    mutating func reportCyclesWithoutProgress() {
        let edges: [[Int]] = nodes.map { node in
            node.checks.flatMap { check -> [Int] in
                switch check {
                case .ref(let target): return [target]
                case .allOf(let list), .anyOf(let list, _), .oneOf(let list, _): return list
                case .not(let target, _): return [target]
                case .conditional(let condition, let then, let otherwise): return [condition] + [then, otherwise].compactMap { $0 }
                default: return []
                }
            }
        }
        enum Mark { case unvisited, active, done }
        var marks = [Mark](repeating: .unvisited, count: nodes.count)
        var reported = Set<Int>()
        for start in nodes.indices where marks[start] == .unvisited {
            // Iterative depth-first search; `stack` holds (node, next edge position).
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            marks[start] = .active
            while let top = stack.last {
                let (node, next) = top
                if next < edges[node].count {
                    stack[stack.count - 1].next += 1
                    let target = edges[node][next]
                    switch marks[target] {
                    case .unvisited:
                        marks[target] = .active
                        stack.append((target, 0))
                    case .active:
                        guard let from = stack.firstIndex(where: { $0.node == target }) else { continue }
                        let cycle = stack[from...].map(\.node)
                        guard reported.isDisjoint(with: cycle) else { continue }
                        reported.formUnion(cycle)
                        let refNode = cycle.first { n in nodes[n].checks.contains { if case .ref = $0 { true } else { false } } } ?? target
                        let route = (cycle + [target]).map { "#" + nodes[$0].pointer }.joined(separator: " -> ")
                        fail(JSONPointer.appending(nodes[refNode].pointer, "$ref"),
                             "\"$ref\" makes a cycle that never descends into the value, so validation would not end: \(route)")
                    case .done:
                        break
                    }
                } else {
                    marks[node] = .done
                    stack.removeLast()
                }
            }
        }
    }
}
