/// Checks of error routes that need the whole workflow: redirect targets exist, `error_type` values name a failure
/// class, and no route or `on_failure` can send a failing recovery stage back to itself or around a loop (the
/// engine would otherwise wait for a stage that waits for it).
///
/// Used by the validator for the routes of a file and by the Swift API for routes added in code.
public enum RouteChecks {
    /// The failure classes a route's `error_type` can see: a call's (`FailureClass` in Isolation) and the engine's
    /// own. `error_type` also matches a tool's own error code (`not_found`, `build_error`), which the `code` field
    /// tests alone; a value one typo away from a failure class is reported as that typo.
    public static let errorTypes = ["invalid_args", "tool_error", "timeout", "crash", "exit", "out_of_memory",
                                    "protocol", "cancelled", "sandbox_denied", "unknown_tool", "undefined_variable",
                                    "condition_failed", "interrupted"]

    /// Every problem of `routes` (sorted by priority, the first match wins) within `workflow`.
    public static func check(_ workflow: Workflow, routes: [ErrorRoute]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for route in routes {
            if let target = route.redirectTo, workflow.stageIndex(named: target.name) == nil {
                let hint = Suggestions.closest(to: target.name, among: workflow.stages.lazy.map(\.name))
                    .map { "did you mean '\($0)'?" } ?? "no stage has this name; check `name:` of each stage"
                diagnostics.append(.error(.unknownStage, at: target.location, "unknown stage '\(target.name)'", hint: hint))
            }
            for condition in route.conditions where condition.key == ErrorField.errorType.rawValue {
                diagnostics += checkErrorType(condition, route: route)
            }
            for condition in route.conditions where condition.key == ErrorField.stage.rawValue {
                diagnostics += checkStageNames(condition, route: route, workflow: workflow)
            }
        }
        diagnostics += loops(workflow, routes: routes)
        return diagnostics
    }

    // MARK: - error_type values

    static func checkErrorType(_ condition: Condition, route: ErrorRoute) -> [Diagnostic] {
        guard let value = condition.value else { return [] }
        var texts: [(String, SourceLocation)] = []
        switch (condition.op, value.kind) {
        case (.equals, .string(let s)), (.notEquals, .string(let s)), (.contains, .string(let s)),
             (.notContains, .string(let s)):
            texts = [(s, value.location)]
        case (.in, .list(let items)), (.notIn, .list(let items)):
            texts = items.compactMap { if case .string(let s) = $0.kind { (s, $0.location) } else { nil } }
        default:
            return [] // `matches` takes a pattern; other shapes are the decoder's to report
        }
        let partial = condition.op == .contains || condition.op == .notContains
        return texts.compactMap { text, location in
            let known = partial ? errorTypes.contains { $0.contains(text) } : errorTypes.contains(text)
            guard !known else { return nil }
            // Not a class: a tool's own code (build_error), unless it is a typo of a class.
            guard let closest = Suggestions.closest(to: text, among: errorTypes) else { return nil }
            let suggestion = "did you mean '\(closest)'? "
            return .error(.invalidValue, at: location,
                          "'\(text)' is not a failure class, so `error_type \(condition.op.rawValue) \(text)` in route "
                              + "'\(route.id)' can never \(condition.op == .notEquals || condition.op == .notIn || condition.op == .notContains ? "fail" : "match")",
                          hint: suggestion + "error_type is one of " + errorTypes.joined(separator: ", ")
                              + ", or a tool's own error code")
        }
    }

    // MARK: - stage values

    /// A `stage` condition (`equals`, `not_equals`, `in`, `not_in`) naming a stage the workflow lacks: a route
    /// meant for one stage that would never match it (or, negated, would match every stage).
    static func checkStageNames(_ condition: Condition, route: ErrorRoute, workflow: Workflow) -> [Diagnostic] {
        guard let value = condition.value else { return [] }
        var names: [(String, SourceLocation)] = []
        switch (condition.op, value.kind) {
        case (.equals, .string(let s)), (.notEquals, .string(let s)):
            names = [(s, value.location)]
        case (.in, .list(let items)), (.notIn, .list(let items)):
            names = items.compactMap { if case .string(let s) = $0.kind { (s, $0.location) } else { nil } }
        default:
            return [] // contains and matches take parts of names; other shapes are the decoder's to report
        }
        return names.compactMap { name, location in
            guard workflow.stageIndex(named: name) == nil else { return nil }
            let hint = Suggestions.closest(to: name, among: workflow.stages.lazy.map(\.name)).map { "did you mean '\($0)'?" }
                ?? "the stages are " + workflow.stages.map { "'\($0.name)'" }.joined(separator: ", ")
            return .error(.unknownStage, at: location,
                          "error route '\(route.id)' is for stage '\(name)', and the workflow has no stage of that name",
                          hint: hint)
        }
    }

    // MARK: - Loops

    /// One way a failure of stage `from` runs stage `to` and waits for it.
    struct Edge {
        var from: Int
        var to: Int
        var via: String
        var location: SourceLocation
    }

    /// Redirects and `on_failure` as edges from a failing stage to the recovery stage it waits for; a cycle means
    /// a recovery stage could end up waiting for itself.
    static func loops(_ workflow: Workflow, routes: [ErrorRoute]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var edges: [Edge] = []
        for (i, stage) in workflow.stages.enumerated() {
            if let t = stage.onFailure, let target = workflow.stageIndex(named: t.name), target != i {
                edges.append(Edge(from: i, to: target, via: "its on_failure", location: t.location))
            }
            for route in redirects(for: stage, routes: routes) {
            guard let t = route.redirectTo, let target = workflow.stageIndex(named: t.name) else { continue }
            if target == i {
                diagnostics.append(.error(
                    .invalidValue, at: t.location,
                    "error route '\(route.id)' redirects to '\(stage.name)', and its conditions also match failures of "
                        + "'\(stage.name)' itself: a failing '\(stage.name)' would be redirected to itself",
                    hint: "add the condition `{key: stage, operator: not_equals, value: \(stage.name)}` to the route, "
                        + "or name the stages it is for with `{key: stage, operator: in, value: [...]}`"))
            } else {
                edges.append(Edge(from: i, to: target, via: "error route '\(route.id)'", location: t.location))
            }
            }
        }
        // Each cycle once, reported from its first stage in file order.
        var reported = Set<Set<Int>>()
        for start in workflow.stages.indices {
            guard let cycle = cycle(from: start, edges: edges), reported.insert(Set(cycle.map(\.from))).inserted,
                  cycle.map(\.from).min() == start else { continue }
            let path = ([workflow.stages[start].name] + cycle.map { "(\($0.via)) \(workflow.stages[$0.to].name)" })
                .joined(separator: " → ")
            diagnostics.append(.error(
                .invalidValue, at: cycle[0].location,
                "error routes and on_failure form a loop: \(path); a failing recovery stage would wait for itself",
                hint: "give the recovery stages conditions that exclude each other (`{key: stage, operator: not_in, "
                    + "value: [...]}`), or break the on_failure chain",
                notes: cycle.dropFirst().map { Diagnostic.Note(location: $0.location, message: "\($0.via) of '\(workflow.stages[$0.from].name)'") }))
        }
        return diagnostics
    }

    /// The edges of a cycle through `start`, if there is one (depth first, edges in order).
    static func cycle(from start: Int, edges: [Edge]) -> [Edge]? {
        var visited = Set<Int>()
        func walk(_ node: Int, _ path: [Edge]) -> [Edge]? {
            for edge in edges where edge.from == node {
                if edge.to == start { return path + [edge] }
                if visited.insert(edge.to).inserted, let found = walk(edge.to, path + [edge]) { return found }
            }
            return nil
        }
        return walk(start, [])
    }

    /// The redirect routes that may handle a failure of `stage`: those (by priority) whose `stage` and `tool`
    /// conditions do not exclude it, up to the first route that surely matches it (only `stage` conditions, all
    /// holding), since no route after that one sees the failure. Other conditions (the message, the error type)
    /// are only known during the run, so they may match.
    static func redirects(for stage: Stage, routes: [ErrorRoute]) -> [ErrorRoute] {
        var found: [ErrorRoute] = []
        for route in routes {
            if route.conditions.contains(where: { $0.key == ErrorField.tool.rawValue && excludes($0, tools: stage.tools) }) {
                continue
            }
            let stageConditions = route.conditions.filter { $0.key == ErrorField.stage.rawValue }
            let verdicts = stageConditions.map { holds($0, stage.name) }
            if verdicts.contains(false) { continue }
            if route.action == .redirect { found.append(route) }
            if stageConditions.count == route.conditions.count && verdicts.allSatisfy({ $0 == true }) { break }
        }
        return found
    }

    /// Whether a `tool` condition is false for every call of a stage, under every name the failure may give the
    /// tool (`core.echo` or `echo`).
    static func excludes(_ condition: Condition, tools: [ToolInvocation]) -> Bool {
        tools.allSatisfy { tool in
            var names = [tool.name, tool.resolvedName].compactMap { $0 }
            names += names.map { $0.split(separator: ".").last.map(String.init) ?? $0 }
            return names.allSatisfy { name in
                var candidates = [name]
                if !name.contains("."), case .string(let v)? = condition.value?.kind, v.hasSuffix("." + name) {
                    candidates.append(v) // `tool equals core.echo` can match the short name `echo`
                }
                return candidates.allSatisfy { holds(condition, $0) == false }
            }
        }
    }

    /// Whether a `stage` (or `tool`) condition holds for `name`: true, false, or nil when it cannot be known before the run.
    static func holds(_ condition: Condition, _ name: String) -> Bool? {
        func text(_ v: SpecValue?) -> String? { if case .string(let s)? = v?.kind { s } else { nil } }
        func list(_ v: SpecValue?) -> [String]? {
            guard case .list(let items)? = v?.kind else { return nil }
            let texts = items.compactMap { text($0) }
            return texts.count == items.count ? texts : nil
        }
        switch condition.op {
        case .required, .exists: return true
        case .notExists: return false
        case .equals: return text(condition.value).map { $0 == name }
        case .notEquals: return text(condition.value).map { $0 != name }
        case .contains: return text(condition.value).map { name.contains($0) }
        case .notContains: return text(condition.value).map { !name.contains($0) }
        case .in: return list(condition.value).map { $0.contains(name) }
        case .notIn: return list(condition.value).map { !$0.contains(name) }
        case .matches:
            guard let pattern = text(condition.value), let regex = try? Regex(pattern) else { return nil } // the decoder reports bad patterns
            do { return try regex.firstMatch(in: name) != nil } catch { return nil } // cannot know: may match
        case .greaterThan, .lessThan: return nil
        }
    }
}
