extension CompiledSchema {
    /// `value` with the `default` of each missing property filled in, where the schema says unambiguously
    /// which subschema describes the object.
    ///
    /// For an object value, the subschemas considered are the root's and those reached from it through
    /// `$ref` and `allOf` (which always apply). Their `properties` entries that have a `default` fill
    /// missing members, appended in schema order; the first subschema to name a property wins. Then each
    /// member (given or filled) that is an object is treated the same way with the subschemas its
    /// `properties` entries name. `anyOf`, `oneOf`, `if`/`then`/`else`, `patternProperties` and
    /// `additionalProperties` are not followed: which of them applies depends on the value.
    /// Non-objects are returned unchanged. The result is not validated; call ``validate(_:maxErrors:)``.
    public func applyDefaults(_ value: JSONValue) -> JSONValue {
        applyDefaults(value, nodes: [0], depth: 0)
    }

    private func applyDefaults(_ value: JSONValue, nodes start: [Int], depth: Int) -> JSONValue {
        guard case .object(var object) = value, depth < Self.maxEvaluationDepth else { return value }
        // Every node that applies unconditionally at this location, each once.
        var applying: [Int] = []
        var seen = Set<Int>()
        var pending = start
        while let index = pending.popLast() {
            guard seen.insert(index).inserted else { continue }
            applying.append(index)
            for check in nodes[index].checks {
                switch check {
                case .ref(let target): pending.append(target)
                case .allOf(let list): pending.append(contentsOf: list.reversed())
                default: break
                }
            }
        }
        // Property name → the nodes that describe it, in the order found.
        var memberNodes: [String: [Int]] = [:]
        var order: [String] = []
        for index in applying {
            for check in nodes[index].checks {
                guard case .properties(let properties) = check else { continue }
                for name in properties.namedOrder {
                    guard let node = properties.named[ExactKey(name)] else { continue }
                    if memberNodes[name] == nil { order.append(name) }
                    memberNodes[name, default: []].append(node)
                }
            }
        }
        for name in order where !object.contains(name) {
            guard let nodesForName = memberNodes[name],
                  let fallback = nodesForName.lazy.compactMap({ self.defaultValue(of: $0) }).first
            else { continue }
            object[name] = fallback
        }
        for name in order {
            guard let member = object[name], case .object = member, let nodesForName = memberNodes[name] else { continue }
            object[name] = applyDefaults(member, nodes: nodesForName, depth: depth + 1)
        }
        return .object(object)
    }

    /// The `default` of a node, looking through a `$ref` chain when the node itself has none.
    private func defaultValue(of index: Int) -> JSONValue? {
        var current = index
        var visited = Set<Int>()
        while visited.insert(current).inserted {
            if let value = nodes[current].defaultValue { return value }
            guard let next = nodes[current].checks.lazy.compactMap({ check -> Int? in
                if case .ref(let target) = check { return target } else { return nil }
            }).first else { return nil }
            current = next
        }
        return nil
    }
}
