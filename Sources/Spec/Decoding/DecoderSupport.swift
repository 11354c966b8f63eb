/// The mapping fields of one node, after unknown keys were reported.
struct Fields {
    let node: YAMLNode
    /// Known keys in file order; mappings are small, so a scan beats hashing.
    private var values: [(key: String, pair: YAMLNode.Pair)]

    init(node: YAMLNode, values: [(key: String, pair: YAMLNode.Pair)]) {
        self.node = node
        self.values = values
    }

    subscript(key: String) -> YAMLNode? { values.first { $0.key == key }?.pair.value }
    func keyNode(_ key: String) -> YAMLNode? { values.first { $0.key == key }?.pair.key }
}

/// Shared checks for decoding: each reports a diagnostic in words and returns nil on a wrong value.
struct NodeReader {
    let file: String
    var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func location(_ node: YAMLNode) -> SourceLocation { node.location(in: file) }

    mutating func error(_ code: Diagnostic.Code, _ node: YAMLNode, _ message: String, hint: String? = nil) {
        diagnostics.append(.error(code, at: location(node), message, hint: hint))
    }

    mutating func error(_ code: Diagnostic.Code, at location: SourceLocation, _ message: String, hint: String? = nil) {
        diagnostics.append(.error(code, at: location, message, hint: hint))
    }

    mutating func warning(_ code: Diagnostic.Code, _ node: YAMLNode, _ message: String, hint: String? = nil) {
        diagnostics.append(.warning(code, at: location(node), message, hint: hint))
    }

    /// The node's fields when it is a mapping; reports unknown keys (with a suggestion) and missing required ones.
    mutating func fields(_ node: YAMLNode, what: String, context: String, allowed: [String],
                         required: [String] = []) -> Fields? {
        guard let pairs = node.mappingPairs else {
            error(.wrongType, node, "\(what) must be a mapping, not \(node.kindDescription)")
            return nil
        }
        var values: [(key: String, pair: YAMLNode.Pair)] = []
        values.reserveCapacity(pairs.count)
        for pair in pairs {
            guard let key = pair.key.scalarText else { continue }
            if allowed.contains(key) {
                values.append((key, pair))
            } else {
                error(.unknownKey, pair.key, "unknown key '\(key)' \(context)",
                      hint: Suggestions.hint(for: key, among: allowed))
            }
        }
        for key in required where !values.contains(where: { $0.key == key }) {
            error(.missingKey, node, "missing required key '\(key)' \(context)")
        }
        return Fields(node: node, values: values)
    }

    func value(_ node: YAMLNode) -> SpecValue { SpecValue.from(node, file: file) }

    /// A text value: strings and numbers are taken as written; null, booleans and collections are refused.
    mutating func text(_ node: YAMLNode, what: String, allowEmpty: Bool = false) -> String? {
        guard case .scalar(let raw, let style) = node.content else {
            error(.wrongType, node, "\(what) must be a string, not \(node.kindDescription)")
            return nil
        }
        if style == .plain && node.tag == nil {
            switch SpecValue.resolvePlain(raw) {
            case .null where !(allowEmpty && raw.isEmpty):
                error(.wrongType, node, "\(what) must be a string, not null",
                      hint: raw.isEmpty ? "write a value after the colon" : "quote it if you mean the text '\(raw)'")
                return nil
            case .bool:
                error(.wrongType, node, "\(what) must be a string, not a boolean",
                      hint: "quote it if you mean the text '\(raw)'")
                return nil
            default: break
            }
        }
        if raw.isEmpty && !allowEmpty {
            error(.invalidValue, node, "\(what) must not be empty")
            return nil
        }
        return raw
    }

    mutating func bool(_ node: YAMLNode, what: String) -> Bool? {
        if case .bool(let b) = value(node).kind { return b }
        error(.wrongType, node, "\(what) must be true or false, not \(node.kindDescription)")
        return nil
    }

    /// A whole number within `limit`; out of range is an `out-of-range` error whose hint names the range.
    mutating func integer(_ node: YAMLNode, what: String, limit: IntegerLimit) -> Int? {
        guard case .int(let n) = value(node).kind else {
            if case .scalar(let raw, .plain) = node.content, isWholeNumberText(raw) {
                // Digits that do not fit in 64 bits are still a number, only far out of range.
                let bound = raw.hasPrefix("-") ? "at least \(limit.range.lowerBound)" : "at most \(limit.range.upperBound)"
                error(.outOfRange, node, "\(what) must be \(bound), not \(raw)", hint: limit.allowed)
                return nil
            }
            error(.wrongType, node, "\(what) must be a whole number, not \(describe(node))")
            return nil
        }
        if let problem = limit.problem(what, n) {
            error(.outOfRange, node, problem, hint: limit.allowed)
            return nil
        }
        return n
    }

    /// Plain digits with an optional sign, too long for `Int`: `36893488147419103232`.
    private func isWholeNumberText(_ raw: String) -> Bool {
        let digits = raw.hasPrefix("-") || raw.hasPrefix("+") ? raw.dropFirst() : raw[...]
        return digits.count > 18 && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A finite number within `limit`.
    mutating func number(_ node: YAMLNode, what: String, limit: NumberLimit) -> Double? {
        let number: Double
        switch value(node).kind {
        case .int(let n): number = Double(n)
        case .double(let d) where d.isFinite: number = d
        default:
            error(.wrongType, node, "\(what) must be a number, not \(describe(node))")
            return nil
        }
        if let problem = limit.problem(what, number, written: node.scalarText ?? "") {
            error(.outOfRange, node, problem, hint: limit.allowed)
            return nil
        }
        return number
    }

    /// A duration longer than zero and at most `limit.longest`.
    mutating func duration(_ node: YAMLNode, what: String, limit: DurationLimit) -> Duration? {
        guard case .scalar(let raw, _) = node.content else {
            error(.wrongType, node, "\(what) must be a duration, not \(node.kindDescription)",
                  hint: "write a number of seconds or a duration such as 30s, 5m, 1h30m or 250ms")
            return nil
        }
        guard let duration = DurationText.parse(raw) else {
            if DurationText.isTooLong(raw) {
                error(.outOfRange, node, "\(what) must be at most \(DurationText.format(limit.longest)), not '\(raw)'",
                      hint: limit.allowed)
                return nil
            }
            error(.invalidDuration, node, "\(what) is not a duration: '\(raw)'",
                  hint: "write a number of seconds or a duration such as 30s, 5m, 1h30m or 250ms")
            return nil
        }
        if let problem = limit.problem(what, duration) {
            error(.outOfRange, node, problem, hint: limit.allowed)
            return nil
        }
        return duration
    }

    mutating func choice<E: RawRepresentable & CaseIterable>(_ node: YAMLNode, what: String, as: E.Type) -> E?
    where E.RawValue == String {
        guard let raw = text(node, what: what) else { return nil }
        if let value = E(rawValue: raw) { return value }
        let valid = E.allCases.map(\.rawValue)
        var hint = "valid: " + valid.joined(separator: ", ")
        if let best = Suggestions.closest(to: raw, among: valid) { hint = "did you mean '\(best)'? " + hint }
        error(.invalidValue, node, "unknown \(what) '\(raw)'", hint: hint)
        return nil
    }

    /// The items when the node is a list; otherwise reports "`what` must be a list of `items`, not ...".
    mutating func list(_ node: YAMLNode, what: String, of items: String, example: String? = nil) -> [YAMLNode]? {
        if let entries = node.sequenceItems { return entries }
        let hint = example.map { node.scalarText != nil ? "write it as a list: `\($0)`" : nil } ?? nil
        error(.wrongType, node, "\(what) must be a list of \(items), not \(node.kindDescription)", hint: hint)
        return nil
    }

    /// "a string 'abc'" or "a list": the kind, with the text for short scalars.
    func describe(_ node: YAMLNode) -> String {
        if let raw = node.scalarText, raw.count <= 40, !raw.isEmpty {
            return "\(node.kindDescription) '\(raw)'"
        }
        return node.kindDescription
    }
}
