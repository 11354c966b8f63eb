/// One validation run: the compiled nodes, where in the value we are, and what has failed so far.
///
/// Evaluation works in two modes. Collecting (`collect == true`) records every violation up to the cap;
/// checking (`collect == false`, used inside `anyOf`, `oneOf`, `not`, `if` and `propertyNames`) stops at the
/// first failure and records nothing.
struct Evaluation {
    let nodes: [SchemaNode]
    let maxErrors: Int
    let maxDepth: Int
    var violations: [Violation] = []
    /// Reference tokens of the current instance location; rendered only when a violation is recorded.
    var path: [PathToken] = []
    var depth = 0

    enum PathToken {
        case key(String)
        case index(Int)
    }

    var isFull: Bool { violations.count >= maxErrors }

    func pointer(appending extra: String? = nil) -> String {
        var result = ""
        for token in path {
            switch token {
            case .key(let key): result += "/" + JSONPointer.escape(key)
            case .index(let index): result += "/" + String(index)
            }
        }
        if let extra { result += "/" + JSONPointer.escape(extra) }
        return result
    }

    mutating func report(_ collect: Bool, at schemaPath: String, property: String? = nil, _ message: @autoclosure () -> String) {
        guard collect, !isFull else { return }
        let text = message()
        let instancePath = pointer(appending: property)
        violations.append(Violation(instancePath: instancePath, schemaPath: schemaPath, message: text))
    }

    /// Evaluates `value` against node `index`. Returns whether it is valid.
    mutating func evaluate(_ index: Int, _ value: JSONValue, collect: Bool) -> Bool {
        depth += 1
        defer { depth -= 1 }
        if depth > maxDepth {
            let limit = maxDepth
            report(collect, at: nodes[index].pointer,
                   "the value is nested too deeply to check (more than \(limit) levels of schema evaluation)")
            return false
        }
        var valid = true
        for check in nodes[index].checks {
            if !evaluate(check, value, collect: collect) {
                valid = false
                if !collect || isFull { return false }
            }
        }
        return valid
    }

    /// Evaluates `value` as the member `key` of the current object.
    mutating func evaluate(_ index: Int, member value: JSONValue, key: String, collect: Bool) -> Bool {
        path.append(.key(key))
        defer { path.removeLast() }
        return evaluate(index, value, collect: collect)
    }

    /// Evaluates `value` as element `position` of the current array.
    mutating func evaluate(_ index: Int, element value: JSONValue, position: Int, collect: Bool) -> Bool {
        path.append(.index(position))
        defer { path.removeLast() }
        return evaluate(index, value, collect: collect)
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    mutating func evaluate(_ check: Check, _ value: JSONValue, collect: Bool) -> Bool {
        switch check {
        case .never(let at):
            report(collect, at: at, "no value is allowed here (the schema is false)")
            return false

        case .type(let types, let at):
            if types.contains(typeOf: value) { return true }
            report(collect, at: at, "\(Self.show(value)) is not of type \(types.phrase)")
            return false

        case .const(let expected, let at):
            if value == expected { return true }
            report(collect, at: at, "\(Self.show(value)) is not the required value \(Self.show(expected))")
            return false

        case .enumeration(let set, let list, let at):
            if set.contains(value) { return true }
            report(collect, at: at, "\(Self.show(value)) is not one of the allowed values: \(Self.showList(list))")
            return false

        case .minimum(let bound, let exclusive, let at):
            guard value.isNumber else { return true }
            let order = NumberComparison.compare(value, bound)
            if order == .greater || (order == .equal && !exclusive) { return true }
            report(collect, at: at, exclusive
                ? "\(value) is less than or equal to the exclusive minimum of \(bound)"
                : "\(value) is less than the minimum of \(bound)")
            return false

        case .maximum(let bound, let exclusive, let at):
            guard value.isNumber else { return true }
            let order = NumberComparison.compare(value, bound)
            if order == .less || (order == .equal && !exclusive) { return true }
            report(collect, at: at, exclusive
                ? "\(value) is greater than or equal to the exclusive maximum of \(bound)"
                : "\(value) is greater than the maximum of \(bound)")
            return false

        case .multipleOf(let divisor, let at):
            guard value.isNumber, !Self.isMultiple(value, of: divisor) else { return true }
            report(collect, at: at, "\(value) is not a multiple of \(divisor)")
            return false

        case .minLength(let limit, let at):
            guard case .string(let s) = value else { return true }
            if s.unicodeScalars.count >= limit { return true }
            report(collect, at: at, "\(Self.show(value)) is shorter than the minimum length of \(Self.count(limit, "character"))")
            return false

        case .maxLength(let limit, let at):
            guard case .string(let s) = value else { return true }
            if s.utf8.count <= limit || s.unicodeScalars.count <= limit { return true }
            report(collect, at: at, "\(Self.show(value)) is longer than the maximum length of \(Self.count(limit, "character"))")
            return false

        case .pattern(let pattern, let at):
            guard case .string(let s) = value else { return true }
            switch pattern.match(s) {
            case .matched: return true
            case .notMatched:
                report(collect, at: at, "\(Self.show(value)) does not match the pattern \(JSONSerializer.quoted(pattern.source))")
            case .budgetExceeded:
                report(collect, at: at, "\(Self.show(value)) could not be checked against the pattern \(JSONSerializer.quoted(pattern.source)): matching took too many steps")
            }
            return false

        case .minItems(let limit, let at):
            guard case .array(let a) = value, a.count < limit else { return true }
            report(collect, at: at, "the array has \(Self.count(a.count, "item")), fewer than the minimum of \(limit)")
            return false

        case .maxItems(let limit, let at):
            guard case .array(let a) = value, a.count > limit else { return true }
            report(collect, at: at, "the array has \(Self.count(a.count, "item")), more than the maximum of \(limit)")
            return false

        case .uniqueItems(let at):
            guard case .array(let a) = value, a.count > 1 else { return true }
            var seen: [JSONValue: Int] = [:]
            seen.reserveCapacity(a.count)
            for (position, element) in a.enumerated() {
                if let first = seen.updateValue(position, forKey: element) {
                    report(collect, at: at, "items \(first) and \(position) are equal; items must be unique")
                    return false
                }
            }
            return true

        case .items(let prefix, let rest):
            guard case .array(let a) = value else { return true }
            var valid = true
            for (position, element) in a.enumerated() {
                let node: Int
                if position < prefix.count { node = prefix[position] } else if let rest { node = rest } else { break }
                if !evaluate(node, element: element, position: position, collect: collect) {
                    valid = false
                    if !collect || isFull { return false }
                }
            }
            return valid

        case .minProperties(let limit, let at):
            guard case .object(let o) = value, o.count < limit else { return true }
            report(collect, at: at, "the object has \(Self.count(o.count, "property", "properties")), fewer than the minimum of \(limit)")
            return false

        case .maxProperties(let limit, let at):
            guard case .object(let o) = value, o.count > limit else { return true }
            report(collect, at: at, "the object has \(Self.count(o.count, "property", "properties")), more than the maximum of \(limit)")
            return false

        case .required(let names, let at):
            guard case .object(let o) = value else { return true }
            var valid = true
            for name in names where !o.contains(name) {
                valid = false
                guard collect else { return false }
                report(collect, at: at, property: name, "required property is missing")
            }
            return valid

        case .dependentRequired(let dependencies, let at):
            guard case .object(let o) = value else { return true }
            var valid = true
            for (trigger, names) in dependencies where o.contains(trigger) {
                for name in names where !o.contains(name) {
                    valid = false
                    guard collect else { return false }
                    report(collect, at: JSONPointer.appending(at, trigger), property: name,
                           "required property is missing (it is required when \(JSONSerializer.quoted(trigger)) is present)")
                }
            }
            return valid

        case .propertyNames(let node, let at):
            guard case .object(let o) = value else { return true }
            var valid = true
            for key in o.keys where !evaluate(node, .string(key), collect: false) {
                valid = false
                guard collect else { return false }
                report(collect, at: at, property: key, "the property name \(JSONSerializer.quoted(key)) does not match the propertyNames schema")
            }
            return valid

        case .properties(let check):
            guard case .object(let o) = value else { return true }
            return evaluateProperties(check, o, collect: collect)

        case .ref(let node):
            return evaluate(node, value, collect: collect)

        case .allOf(let nodes):
            var valid = true
            for node in nodes where !evaluate(node, value, collect: collect) {
                valid = false
                if !collect || isFull { return false }
            }
            return valid

        case .anyOf(let nodes, let at):
            for node in nodes where evaluate(node, value, collect: false) { return true }
            report(collect, at: at, "\(Self.show(value)) does not match any of the \(nodes.count) alternatives in anyOf")
            return false

        case .oneOf(let nodes, let at):
            var matching: [Int] = []
            for (position, node) in nodes.enumerated() where evaluate(node, value, collect: false) {
                matching.append(position)
                if matching.count > 1 && !collect { return false }
            }
            if matching.count == 1 { return true }
            if matching.isEmpty {
                report(collect, at: at, "\(Self.show(value)) does not match any of the \(nodes.count) alternatives in oneOf")
            } else {
                report(collect, at: at, "\(Self.show(value)) matches alternatives \(matching.map(String.init).joined(separator: ", ")) of oneOf, but must match exactly one")
            }
            return false

        case .not(let node, let at):
            if !evaluate(node, value, collect: false) { return true }
            report(collect, at: at, "\(Self.show(value)) must not match the schema in \"not\"")
            return false

        case .conditional(let condition, let then, let otherwise):
            let branch = evaluate(condition, value, collect: false) ? then : otherwise
            guard let branch else { return true }
            return evaluate(branch, value, collect: collect)
        }
    }

    mutating func evaluateProperties(_ check: PropertiesCheck, _ object: JSONObject, collect: Bool) -> Bool {
        var valid = true
        for (key, member) in object {
            var matched = false
            if let node = check.named[ExactKey(key)] {
                matched = true
                if !evaluate(node, member: member, key: key, collect: collect) {
                    valid = false
                    if !collect || isFull { return false }
                }
            }
            for (pattern, node, patternAt) in check.patterns {
                switch pattern.match(key) {
                case .notMatched: continue
                case .matched: matched = true
                case .budgetExceeded:
                    valid = false
                    guard collect else { return false }
                    report(collect, at: patternAt, property: key,
                           "the property name could not be checked against the pattern \(JSONSerializer.quoted(pattern.source)): matching took too many steps")
                    continue
                }
                if !evaluate(node, member: member, key: key, collect: collect) {
                    valid = false
                    if !collect || isFull { return false }
                }
            }
            if !matched, let additional = check.additional {
                if check.additionalIsFalse {
                    valid = false
                    guard collect else { return false }
                    report(collect, at: check.additionalAt, property: key, "property is not allowed (additionalProperties is false)")
                } else if !evaluate(additional, member: member, key: key, collect: collect) {
                    valid = false
                    if !collect || isFull { return false }
                }
            }
        }
        return valid
    }

    // MARK: Numbers

    static func isMultiple(_ value: JSONValue, of divisor: JSONValue) -> Bool {
        if case .int(let v) = value, case .int(let d) = divisor {
            return v % d == 0  // d > 0 is checked when compiling, so no overflow
        }
        // Exact for 64-bit integers above Int64.max on either side too; d > 0 as above.
        switch (value, divisor) {
        case (.uint, .int), (.int, .uint), (.uint, .uint):
            if let v = value.exactInteger, let d = divisor.exactInteger, d.magnitude > 0 {
                return v.magnitude % d.magnitude == 0
            }
        default: break
        }
        guard let v = value.doubleValue, let d = divisor.doubleValue else { return true }
        let quotient = v / d
        guard quotient.isFinite else { return false }
        let rounded = quotient.rounded()
        if quotient == rounded { return true }
        // Allow for binary rounding of decimal fractions (0.0075 / 0.0001 = 74.99999999999999).
        return abs(quotient - rounded) <= 4 * rounded.ulp
    }

    // MARK: Message helpers

    /// A value for a message: compact JSON, shortened past 60 characters.
    static func show(_ value: JSONValue) -> String {
        let text = value.serialized()
        guard text.count > 60 else { return text }
        return String(text.prefix(57)) + "..."
    }

    static func showList(_ values: [JSONValue]) -> String {
        let shown = values.prefix(10).map(show).joined(separator: ", ")
        return values.count > 10 ? shown + ", ... (\(values.count) in all)" : shown
    }

    static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? singular : (plural ?? singular + "s"))
    }
}
