import Spec

/// Where one argument of one tool call comes from, before the run.
public enum ArgumentSource: Sendable, Hashable {
    /// The stage's `args`.
    case stageArgs(SourceLocation)
    /// The tool's own `args`.
    case toolArgs(SourceLocation)
    /// The session context: a variable or an upstream stage's output of the same name.
    case context(ContextSource)
    /// The input schema's `default` (JSON text): the host applies it before the call.
    case schemaDefault(String)
    /// An optional property nothing provides: the tool goes without it.
    case unset

    public var description: String {
        switch self {
        case .stageArgs(let at): return "stage args (\(at))"
        case .toolArgs(let at): return "args (\(at))"
        case .context(let source): return source.description
        case .schemaDefault(let text): return "schema default \(text)"
        case .unset: return "not set (optional)"
        }
    }
}

/// One argument of a call and its source.
public struct ArgumentBinding: Sendable, Hashable {
    public var name: String
    public var isRequired: Bool
    public var source: ArgumentSource
}

/// Every argument of one tool call of a stage, in input-schema order (then arguments the schema does not list).
public struct CallBinding: Sendable, Hashable {
    public var stage: String
    /// As written.
    public var tool: String
    public var qualifiedName: String?
    public var location: SourceLocation
    public var arguments: [ArgumentBinding]
}

/// Binds each input property of each call that `args` does not give: from the stage's session context (its
/// variables, the workflow's and `--var`, then upstream outputs, nearest first), else from the schema's default.
/// The engine binds the same way from the real values (`ContextBinding` in the Engine module).
public enum Bindings {
    /// The bindings of every call whose tool the catalog describes, and a diagnostic for each required property
    /// without a source (an error), each ambiguous one (an error), and each required property that only a tool
    /// without an output schema may yield (a warning).
    public static func resolve(_ workflow: Workflow, catalog: any ToolCatalog,
                               externalVariables: Set<String>) -> (calls: [CallBinding], diagnostics: [Diagnostic]) {
        let context = StaticContext(workflow: workflow, externalVariables: externalVariables, catalog: catalog)
        var calls: [CallBinding] = []
        var diagnostics: [Diagnostic] = []
        for (index, stage) in workflow.stages.enumerated() {
            for (position, tool) in stage.tools.enumerated() {
                guard let interface = StaticContext.interface(of: tool, in: catalog) else { continue }
                var explicit: [(String, ArgumentSource)] = []
                if case .map(let entries) = stage.args?.kind {
                    for e in entries { explicit.append((e.key, .stageArgs(e.keyLocation))) }
                }
                if case .map(let entries) = tool.args?.kind {
                    for e in entries {
                        explicit.removeAll { $0.0 == e.key }
                        explicit.append((e.key, .toolArgs(e.keyLocation)))
                    }
                }
                var arguments: [ArgumentBinding] = []
                for input in interface.inputs {
                    if let given = explicit.first(where: { $0.0 == input.name }) {
                        arguments.append(ArgumentBinding(name: input.name, isRequired: input.isRequired, source: given.1))
                        continue
                    }
                    let found = context.source(of: input.name, inStage: index, beforeTool: position)
                    let source: ArgumentSource
                    switch found {
                    case .none, .runtime:
                        source = input.defaultText.map(ArgumentSource.schemaDefault)
                            ?? (found == .none ? .unset : .context(found))
                    default:
                        source = .context(found)
                    }
                    arguments.append(ArgumentBinding(name: input.name, isRequired: input.isRequired, source: source))
                    if let d = diagnostic(for: input, found: found, tool: tool, stage: stage, index: index,
                                          position: position, context: context) {
                        diagnostics.append(d)
                    }
                    if let d = typeMismatch(input, found: found, tool: tool, stage: stage, position: position,
                                            workflow: workflow, catalog: catalog) {
                        diagnostics.append(d)
                    }
                }
                for (name, source) in explicit where interface.input(named: name) == nil {
                    arguments.append(ArgumentBinding(name: name, isRequired: false, source: source))
                }
                calls.append(CallBinding(stage: stage.name, tool: tool.name, qualifiedName: tool.resolvedName,
                                         location: tool.location, arguments: arguments))
            }
        }
        return (calls, diagnostics)
    }

    static func diagnostic(for input: ToolInterface.Input, found: ContextSource, tool: ToolInvocation, stage: Stage,
                           index: Int, position: Int, context: StaticContext) -> Diagnostic? {
        let call = "tool '\(tool.name)' in stage '\(stage.name)'"
        switch found {
        case .ambiguous(let stages, let distance):
            return .error(.ambiguousContextKey, at: tool.location,
                          "argument '\(input.name)' of \(call) is ambiguous: "
                              + stages.map { "'\($0)'" }.joined(separator: " and ")
                              + " both yield '\(input.name)' at distance \(distance)",
                          hint: "give it in `args`, naming one producer: `\(input.name): \"${stages.\(stages[0]).outputs.\(input.name)}\"`")
        case .none where input.isRequired && input.defaultText == nil:
            let producers = context.producers(of: input.name, except: index)
            let siblings = stage.parallel ? context.earlierTools(yielding: input.name, inStage: index, before: position) : []
            let hint = "pass --var \(input.name)=..., define '\(input.name)' under variables, or give it in `args`"
                + (producers.isEmpty
                    ? "; no stage of this workflow yields '\(input.name)'"
                    : "; or make '\(stage.name)' depend on a stage that yields it: "
                        + producers.map { "'\($0)'" }.joined(separator: ", "))
                + (siblings.isEmpty ? "" : "; " + siblings.map { "'\($0)'" }.joined(separator: ", ")
                    + " before it in this stage \(siblings.count == 1 ? "does" : "do"), but the stage is parallel: remove "
                    + "`parallel: true` to run its tools in order and bind from earlier ones")
            return .error(.missingArgument, at: tool.location,
                          "\(call) needs '\(input.name)', and nothing provides it: it is not in `args`, no variable has "
                              + "that name, no stage that '\(stage.name)' depends on yields it, and the schema has no default",
                          hint: hint)
        case .runtime(let stages) where input.isRequired && input.defaultText == nil:
            return .warning(.runtimeContextKey, at: tool.location,
                            "\(call) needs '\(input.name)', which no variable or declared output provides; "
                                + stages.map { "'\($0)'" }.joined(separator: ", ")
                                + " may yield it at run time (a tool without an output schema)",
                            hint: "pass --var \(input.name)=... or give it in `args` to be sure; a tool's output schema makes its keys known to validate")
        default:
            return nil
        }
    }

    /// A value bound from an output whose declared type the consumer's input schema does not accept: an error at
    /// the consumer, with a note at the producer.
    static func typeMismatch(_ input: ToolInterface.Input, found: ContextSource, tool: ToolInvocation, stage: Stage,
                             position: Int, workflow: Workflow, catalog: any ToolCatalog) -> Diagnostic? {
        guard case .output(let producerStage, let producerName, let distance) = found, let accepted = input.types,
              let s = workflow.stageIndex(named: producerStage) else { return nil }
        let candidates = distance == 0 ? Array(workflow.stages[s].tools.prefix(position)) : workflow.stages[s].tools
        guard let producer = candidates.last(where: { $0.name == producerName }),
              let produced = StaticContext.interface(of: producer, in: catalog)?.outputTypes[input.name],
              !ToolInterface.compatible(produced, accepted) else { return nil }
        let origin = distance == 0 ? "earlier in stage '\(producerStage)'" : "in stage '\(producerStage)'"
        return .error(.contextTypeMismatch, at: tool.location,
                      "argument '\(input.name)' of tool '\(tool.name)' in stage '\(stage.name)' takes "
                          + "\(ToolInterface.describe(accepted)), but what binds to it, output '\(input.name)' of tool "
                          + "'\(producerName)' \(origin), is \(ToolInterface.describe(produced))",
                      hint: "give '\(input.name)' in `args` (`\(input.name): ...`), or pass --var \(input.name)=...",
                      notes: [Diagnostic.Note(location: producer.location,
                                              message: "'\(producerName)' yields '\(input.name)' here (its output schema: "
                                                  + "\(ToolInterface.describe(produced)))")])
    }

    /// The text `wfhost plan` prints: each call, then each argument with its source, aligned.
    public static func render(_ calls: [CallBinding]) -> String {
        var lines: [String] = []
        for call in calls {
            let name = call.qualifiedName.map { $0 == call.tool ? $0 : "\(call.tool) (\($0))" } ?? call.tool
            lines.append("stage '\(call.stage)', tool \(name) at \(call.location):")
            let width = call.arguments.map(\.name.count).max() ?? 0
            if call.arguments.isEmpty { lines.append("  (no arguments)") }
            for argument in call.arguments {
                let padded = argument.name + String(repeating: " ", count: width - argument.name.count)
                lines.append("  \(padded)  \(argument.isRequired ? "*" : " ") \(argument.source.description)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
