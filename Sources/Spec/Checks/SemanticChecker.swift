/// Checks of meaning that need the whole file: unique stage names, targets that exist, variable references,
/// tool names and arguments (with a catalog), and skips that would propagate unexpectedly.
///
/// Stage names compare by Unicode canonical equivalence (Swift's `==`): `café` written with U+00E9 or with
/// `e` + U+0301 is one name, both for duplicates and for `depends_on`.
struct SemanticChecker {
    let workflow: Workflow
    let externalVariables: Set<String>
    let catalog: (any ToolCatalog)?
    var diagnostics: [Diagnostic] = []
    /// The session context of each stage (variables, then upstream outputs), and the stage being checked.
    let context: StaticContext
    var currentStage: Int?

    init(workflow: Workflow, externalVariables: Set<String>, catalog: (any ToolCatalog)?) {
        self.workflow = workflow
        self.externalVariables = externalVariables
        self.catalog = catalog
        self.context = StaticContext(workflow: workflow, externalVariables: externalVariables, catalog: catalog)
    }

    mutating func run() -> Workflow {
        var workflow = self.workflow
        checkDuplicateNames()
        let workflowVariables = Set(workflow.variables.map(\.name)).union(externalVariables)
        for variable in workflow.variables {
            checkTemplates(in: variable.value, defined: workflowVariables, stage: nil)
        }
        for (index, stage) in workflow.stages.enumerated() {
            currentStage = index
            for dependency in stage.dependsOn { checkStageExists(dependency, what: "depends on") }
            if let target = stage.onFailure {
                checkStageExists(target, what: "names in `on_failure`")
                if target.name == stage.name {
                    diagnostics.append(.error(.invalidValue, at: target.location,
                                              "stage '\(stage.name)' names itself in `on_failure`",
                                              hint: "name a separate recovery stage"))
                }
            }
            var defined = workflowVariables
            for variable in stage.variables { defined.insert(variable.name) }
            for variable in stage.variables { checkTemplates(in: variable.value, defined: defined, stage: stage) }
            if let args = stage.args { checkTemplates(in: args, defined: defined, stage: stage) }
            for tool in stage.tools {
                if let args = tool.args { checkTemplates(in: args, defined: defined, stage: stage) }
            }
            for condition in stage.conditions {
                if let value = condition.value { checkTemplates(in: value, defined: defined, stage: stage) }
                if case .stageOutput(let name, _) = condition.keyReference {
                    checkStageExists(NameReference(name: name, location: condition.location), what: "reads the outputs of")
                }
                if case .variable(let name, _) = condition.keyReference, !defined.contains(name),
                   case .ambiguous = context.source(of: name, inStage: index) {
                    checkContextKey(name, at: condition.location, what: "condition key '\(condition.key)'")
                }
            }
            if let catalog {
                workflow.stages[index].tools = stage.tools.map { resolve($0, in: stage, catalog: catalog) }
            }
        }
        currentStage = nil
        diagnostics += RouteChecks.check(workflow, routes: workflow.errorPolicy.routes)
        checkDuplicateRouteIDs()
        if case .after(let names) = workflow.checkpoints {
            for name in names { checkStageExists(name, what: "checkpoints after") }
        }
        return workflow
    }

    mutating func checkDuplicateNames() {
        // The workflow's name index keeps the first stage of each name.
        for i in workflow.stages.indices {
            guard let first = workflow.stageIndex(named: workflow.stages[i].name), first != i else { continue }
            let stage = workflow.stages[i]
            let earlier = workflow.stages[first]
            let sameSpelling = earlier.name.unicodeScalars.elementsEqual(stage.name.unicodeScalars)
            let how = sameSpelling ? "" : " (written with different Unicode code points: stage names are "
                + "compared by canonical equivalence, so names that differ only in normalization are one name)"
            diagnostics.append(.error(
                .duplicateName, at: stage.nameLocation,
                "duplicate stage name '\(stage.name)', first used at line \(earlier.nameLocation.line), "
                + "column \(earlier.nameLocation.column)\(how)",
                hint: "stage names must be unique; rename one of the stages"))
        }
    }

    mutating func checkDuplicateRouteIDs() {
        var seen: [String: ErrorRoute] = [:]
        for route in workflow.errorPolicy.routes.sorted(by: { $0.location < $1.location }) {
            if let earlier = seen[route.id] {
                diagnostics.append(.error(.duplicateName, at: route.location,
                                          "duplicate route id '\(route.id)', first used at line \(earlier.location.line)",
                                          hint: "route ids must be unique"))
            } else {
                seen[route.id] = route
            }
        }
    }

    mutating func checkStageExists(_ reference: NameReference, what: String) {
        guard workflow.stageIndex(named: reference.name) == nil else { return }
        let names = workflow.stages.lazy.map(\.name)
        let hint = Suggestions.closest(to: reference.name, among: names).map { "did you mean '\($0)'?" }
            ?? "no stage has this name; check `name:` of each stage"
        diagnostics.append(.error(.unknownStage, at: reference.location,
                                  "unknown stage '\(reference.name)'", hint: hint))
    }

    /// Parses every string of `value` as a template and checks that what it references exists.
    mutating func checkTemplates(in value: SpecValue, defined: Set<String>, stage: Stage?) {
        value.forEachStringValue { text, holder in
            guard text.utf8.contains(UInt8(ascii: "$")) else { return }
            do throws(Template.ParseError) {
                let template = try Template.parse(text)
                for case .reference(let reference, let offset) in template.segments {
                    check(reference, at: holder.location(ofScalarAt: offset), defined: defined)
                }
            } catch {
                diagnostics.append(.error(.invalidReference, at: holder.location(ofScalarAt: error.offset),
                                          error.message, hint: error.hint))
            }
        }
    }

    mutating func check(_ reference: VariableReference, at location: SourceLocation, defined: Set<String>) {
        switch reference {
        case .environment:
            break
        case .variable(let name, _):
            guard !defined.contains(name) else { return }
            if let stage = currentStage, context.source(of: name, inStage: stage) != .none {
                checkContextKey(name, at: location, what: "'\(reference)'")
                return
            }
            var hint = "define it under `variables` or pass `--var \(name)=VALUE`"
            if let best = Suggestions.closest(to: name, among: defined) { hint = "did you mean '\(best)'? " + hint }
            diagnostics.append(.error(.undefinedVariable, at: location,
                                      "undefined variable '\(name)' in '\(reference)'", hint: hint))
        case .stageOutput(let name, _):
            checkStageExists(NameReference(name: name, location: location), what: "reads the outputs of")
        }
    }

    /// Reports a context key of the current stage that is ambiguous (an error) or known only at run time (a
    /// warning); a key from a variable or one declared output says nothing.
    mutating func checkContextKey(_ name: String, at location: SourceLocation, what: String) {
        guard let stage = currentStage else { return }
        switch context.source(of: name, inStage: stage) {
        case .ambiguous(let stages, let distance):
            diagnostics.append(.error(
                .ambiguousContextKey, at: location,
                "\(what) is ambiguous in stage '\(workflow.stages[stage].name)': "
                    + stages.map { "'\($0)'" }.joined(separator: " and ")
                    + " both yield '\(name)' at distance \(distance)",
                hint: "name the producer: `${stages.\(stages[0]).outputs.\(name)}`"))
        case .runtime(let stages):
            diagnostics.append(.warning(
                .runtimeContextKey, at: location,
                "\(what) in stage '\(workflow.stages[stage].name)' is no variable, so it must come from the outputs of "
                    + stages.map { "'\($0)'" }.joined(separator: ", ")
                    + ", whose keys are known only at run time (a tool without an output schema, or --no-registry)",
                hint: "define '\(name)' under variables or pass --var \(name)=VALUE to be sure"))
        default:
            break
        }
    }

    mutating func resolve(_ tool: ToolInvocation, in stage: Stage, catalog: any ToolCatalog) -> ToolInvocation {
        var tool = tool
        switch catalog.resolve(tool.name) {
        case .found(let qualified):
            tool.resolvedName = qualified
            checkArguments(of: tool, in: stage, qualified: qualified, catalog: catalog)
        case .ambiguous(let candidates):
            diagnostics.append(.error(.ambiguousTool, at: tool.location,
                                      "tool name '\(tool.name)' is ambiguous: offered by \(candidates.joined(separator: ", "))",
                                      hint: "write the qualified name, such as '\(candidates.first ?? tool.name)'"))
        case .unknown(let suggestions):
            if let explained = catalog.explainUnknown(tool.name) {
                diagnostics.append(.error(.unknownTool, at: tool.location, explained.message, hint: explained.hint))
                break
            }
            let hint = suggestions.first.map { "did you mean '\($0)'?" }
                ?? "run `wfhost plugins list` to see the tools on the plugin path, or pass --no-registry"
            diagnostics.append(.error(.unknownTool, at: tool.location, "unknown tool '\(tool.name)'", hint: hint))
        }
        return tool
    }

    mutating func checkArguments(of tool: ToolInvocation, in stage: Stage, qualified: String, catalog: any ToolCatalog) {
        var entries: [SpecValue.Entry] = []
        if case .map(let defaults) = stage.args?.kind { entries = defaults }
        if case .map(let own) = tool.args?.kind {
            for entry in own {
                if let i = entries.firstIndex(where: { $0.key == entry.key }) { entries[i] = entry } else { entries.append(entry) }
            }
        }
        let arguments = SpecValue(.map(entries), at: tool.args?.location ?? stage.args?.location ?? tool.location)
        var seen = Set<String>()
        for problem in catalog.checkArguments(tool: qualified, arguments: arguments) {
            var node = arguments
            var reachedEnd = true
            for component in problem.path {
                switch (component, node.kind) {
                case (.key(let key), .map(let items)):
                    if let next = items.first(where: { $0.key == key }) { node = next.value } else { reachedEnd = false }
                case (.index(let i), .list(let items)) where items.indices.contains(i):
                    node = items[i]
                default:
                    reachedEnd = false
                }
                if !reachedEnd { break }
            }
            // A missing top-level property is the bindings' to report: the context or a default may provide it.
            if !reachedEnd, problem.path.count == 1, case .key(let key)? = problem.path.first,
               StaticContext.interface(of: tool, in: catalog)?.input(named: key) != nil { continue }
            // A value that is a reference is only known during the run: its problems are the engine's to report.
            if reachedEnd, case .string(let text) = node.kind, text.contains("${") { continue }
            let path = problem.path.isEmpty ? "" : " at '" + problem.path.map(\.description).joined(separator: ".") + "'"
            let message = "invalid arguments for tool '\(tool.name)'\(path): \(problem.message)"
            guard seen.insert("\(node.location)|\(message)").inserted else { continue }
            diagnostics.append(.error(.invalidArgument, at: node.location, message, hint: problem.hint))
        }
    }
}
