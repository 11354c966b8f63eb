/// Turns a ``YAMLDocument`` into a ``Workflow``, reporting every shape problem (unknown keys, wrong types,
/// values out of range) rather than stopping at the first.
///
/// The result is a best effort: parts that were wrong are left out, so later checks can still run and report
/// their own problems. Trust the workflow only when no error was reported.
struct WorkflowDecoder {
    static let apiVersion = "orchestration/v1"
    static let topKeys = ["apiVersion", "kind", "metadata", "spec"]
    static let metadataKeys = ["name", "description", "version", "labels"]
    static let specKeys = ["stages", "variables", "error_policy", "timeout", "max_concurrency", "checkpoints",
                           "isolation", "sandbox", "tool_servers"]
    static let stageKeys = ["name", "tools", "args", "depends_on", "conditions", "retry_policy", "timeout",
                            "parallel", "on_failure", "variables", "weight", "run_when", "allow_failure",
                            "isolation", "on_interrupt"]
    static let toolKeys = ["name", "args", "timeout", "memory_mb"]
    static let conditionKeys = ["key", "field", "operator", "value"]
    static let retryKeys = ["max_attempts", "backoff_mode", "initial_delay", "max_delay", "multiplier", "jitter",
                            "retry_on"]
    static let errorPolicyKeys = ["mode", "max_failures", "routes"]
    static let routeKeys = ["id", "name", "priority", "conditions", "action", "redirect_to", "retry_policy"]

    var reader: NodeReader
    let document: YAMLDocument

    init(document: YAMLDocument) {
        self.document = document
        self.reader = NodeReader(file: document.file)
    }

    var diagnostics: [Diagnostic] { reader.diagnostics }

    mutating func decode() -> Workflow? {
        let root = document.root
        guard root.mappingPairs != nil else {
            reader.error(.wrongType, root, "the top level of a workflow file must be a mapping, not \(root.kindDescription)",
                         hint: "a workflow starts with `apiVersion: orchestration/v1` and `kind: Workflow`")
            return nil
        }
        guard let top = reader.fields(root, what: "the top level", context: "at the top level",
                                      allowed: Self.topKeys, required: Self.topKeys) else { return nil }
        var apiVersion = Self.apiVersion
        if let node = top["apiVersion"], let text = reader.text(node, what: "`apiVersion`") {
            apiVersion = text
            if text != Self.apiVersion {
                reader.error(.invalidValue, node, "unsupported apiVersion '\(text)'",
                             hint: "this version of wfhost reads `apiVersion: \(Self.apiVersion)`")
            }
        }
        if let node = top["kind"], let text = reader.text(node, what: "`kind`"), text != "Workflow" {
            reader.error(.invalidValue, node, "unsupported kind '\(text)'", hint: "write `kind: Workflow`")
        }
        let metadata = top["metadata"].flatMap { decodeMetadata($0) }
            ?? Metadata(name: "", description: nil, version: nil, labels: [], location: reader.location(root))
        guard let specNode = top["spec"],
              let spec = reader.fields(specNode, what: "`spec`", context: "in `spec`", allowed: Self.specKeys,
                                       required: ["stages"]) else { return nil }
        var stages: [Stage] = []
        if let node = spec["stages"],
           let items = reader.list(node, what: "`stages`", of: "stages") {
            if items.isEmpty {
                reader.error(.invalidValue, node, "`stages` must list at least one stage")
            }
            stages.reserveCapacity(items.count)
            for item in items {
                if let stage = decodeStage(item) { stages.append(stage) }
            }
        }
        let variables = spec["variables"].map { decodeVariables($0, context: "in `spec.variables`") } ?? []
        checkSecretPlacement(variables: variables, stages: stages)
        let errorPolicy = spec["error_policy"].flatMap { decodeErrorPolicy($0) } ?? ErrorPolicy(mode: .failFast, maxFailures: nil, routes: [])
        let timeout = spec["timeout"].flatMap { reader.duration($0, what: "`timeout`", limit: Limits.timeout) }
        let maxConcurrency = spec["max_concurrency"].flatMap { reader.integer($0, what: "`max_concurrency`", limit: Limits.maxConcurrency) }
        let checkpoints = spec["checkpoints"].map { decodeCheckpoints($0) } ?? .disabled
        let isolation = spec["isolation"].flatMap { reader.choice($0, what: "isolation", as: Isolation.self) }
        var workflow = Workflow(file: document.file, apiVersion: apiVersion, metadata: metadata, stages: stages,
                                variables: variables, errorPolicy: errorPolicy, timeout: timeout,
                                maxConcurrency: maxConcurrency, checkpoints: checkpoints, isolation: isolation,
                                location: reader.location(root))
        if let node = spec["tool_servers"] { workflow.toolServers = decodeToolServers(node) }
        if let node = spec["sandbox"] {
            if node.scalarText == "off" {
                reader.error(.invalidValue, node, "a workflow cannot turn the sandbox off",
                             hint: "the sandbox is the caller's to loosen: `wfhost run --sandbox off` (for debugging); "
                                 + "a workflow may ask for `sandbox: strict`")
            } else {
                workflow.sandbox = reader.choice(node, what: "sandbox", as: SandboxLevel.self)
            }
        }
        return workflow
    }

    /// `!secret` marks a string value of `spec.variables`: the engine masks those values everywhere and resume asks
    /// for them again by name. Anywhere else a tag could not be honoured, so it is an error, not a silent leak.
    mutating func checkSecretPlacement(variables: [Variable], stages: [Stage]) {
        let hint = "define the secret under spec.variables (`token: !secret VALUE`) and write ${token} where it is used"
        for v in variables where v.isSecret {
            guard case .string(let text) = v.value.kind else {
                reader.error(.invalidValue, at: v.value.location,
                             "`!secret` marks a string; '\(v.name)' is \(v.value.kindDescription)",
                             hint: "quote the value: `\(v.name): !secret \"...\"`")
                continue
            }
            // `***` is what a masked secret reads as in the text stored with a session; resume supplies the value.
            if text.count < Limits.secretMinimumLength && text != SecretMasking.maskedValue {
                reader.error(.invalidValue, at: v.value.location,
                             "the secret '\(v.name)' is \(text.count) character\(text.count == 1 ? "" : "s") long; "
                             + "secrets shorter than \(Limits.secretMinimumLength) characters are refused",
                             hint: "a secret is masked as *** wherever it appears, so a short one would rewrite ordinary "
                             + "output (masking `e` changes every line); a value that is not secret needs no `!secret`")
            }
        }
        for v in variables { reportNestedSecrets(in: v.value, topLevel: true, hint: hint) }
        for stage in stages {
            for v in stage.variables { reportNestedSecrets(in: v.value, topLevel: false, hint: hint) }
            if let args = stage.args { reportNestedSecrets(in: args, topLevel: false, hint: hint) }
            for tool in stage.tools {
                if let args = tool.args { reportNestedSecrets(in: args, topLevel: false, hint: hint) }
            }
        }
    }

    private mutating func reportNestedSecrets(in value: SpecValue, topLevel: Bool, hint: String) {
        if value.isSecret && !topLevel {
            reader.error(.invalidValue, at: value.location, "`!secret` is only allowed on a value of spec.variables",
                         hint: hint)
        }
        switch value.kind {
        case .list(let items): for item in items { reportNestedSecrets(in: item, topLevel: false, hint: hint) }
        case .map(let entries): for entry in entries { reportNestedSecrets(in: entry.value, topLevel: false, hint: hint) }
        default: break
        }
    }

    mutating func decodeMetadata(_ node: YAMLNode) -> Metadata? {
        guard let fields = reader.fields(node, what: "`metadata`", context: "in `metadata`",
                                         allowed: Self.metadataKeys, required: ["name"]) else { return nil }
        var labels: [(key: String, value: String)] = []
        if let labelNode = fields["labels"] {
            if let pairs = labelNode.mappingPairs {
                for pair in pairs {
                    guard let key = pair.key.scalarText else { continue }
                    if let value = pair.value.scalarText {
                        labels.append((key, value))
                    } else {
                        reader.error(.wrongType, pair.value,
                                     "label '\(key)' must be a single value, not \(pair.value.kindDescription)")
                    }
                }
            } else {
                reader.error(.wrongType, labelNode, "`labels` must be a mapping, not \(labelNode.kindDescription)")
            }
        }
        return Metadata(name: fields["name"].flatMap { reader.text($0, what: "`metadata.name`") } ?? "",
                        description: fields["description"].flatMap { reader.text($0, what: "`description`", allowEmpty: true) },
                        version: fields["version"].flatMap { reader.text($0, what: "`version`") },
                        labels: labels, location: reader.location(node))
    }

    mutating func decodeVariables(_ node: YAMLNode, context: String) -> [Variable] {
        guard let pairs = node.mappingPairs else {
            reader.error(.wrongType, node, "`variables` must be a mapping of names to values, not \(node.kindDescription)")
            return []
        }
        var variables: [Variable] = []
        for pair in pairs {
            guard let name = pair.key.scalarText else { continue }
            if !Template.isName(name) {
                reader.error(.invalidName, pair.key, "variable name '\(name)' is not valid \(context)",
                             hint: "use letters, digits, '_' and '-'")
                continue
            }
            let value = reader.value(pair.value)
            variables.append(Variable(name: name, value: value, isSecret: value.isSecret,
                                      location: reader.location(pair.key)))
        }
        return variables
    }

    mutating func decodeStage(_ node: YAMLNode) -> Stage? {
        let nameNode = node.mappingPairs?.first { $0.key.scalarText == "name" }?.value
        let label = nameNode?.scalarText.map { "in stage '\($0)'" } ?? "in a stage"
        guard let fields = reader.fields(node, what: "a stage", context: label, allowed: Self.stageKeys,
                                         required: ["name", "tools"]) else { return nil }
        guard let nameNode = fields["name"], let name = reader.text(nameNode, what: "a stage name") else { return nil }
        if let bad = name.unicodeScalars.first(where: Self.isForbiddenInStageName) {
            let shown = bad.properties.isWhitespace ? "whitespace" : "'\(bad)'"
            reader.error(.invalidName, nameNode, "stage name '\(name)' contains \(shown)",
                         hint: "stage names cannot contain '.', '$', '{', '}', whitespace or control characters, "
                         + "because they appear in `${stages.NAME.outputs}` references")
        }
        var stage = Stage(name: name, location: reader.location(node), nameLocation: reader.location(nameNode),
                          tools: [], args: nil, dependsOn: [], conditions: [], retryPolicy: nil, timeout: nil,
                          parallel: false, onFailure: nil, variables: [], weight: 1, runWhen: .allSucceeded,
                          allowFailure: false, isolation: nil)
        if let toolsNode = fields["tools"] {
            if toolsNode.scalarText != nil {
                reader.error(.wrongType, toolsNode, "`tools` must be a list of tool names, not a string",
                             hint: "write it as a list: `tools: [\(toolsNode.scalarText ?? "")]`")
            } else if let items = reader.list(toolsNode, what: "`tools`", of: "tool names") {
                if items.isEmpty { reader.error(.invalidValue, toolsNode, "stage '\(name)' has no tools") }
                stage.tools = items.compactMap { decodeTool($0) }
            }
        }
        if let argsNode = fields["args"] {
            if argsNode.mappingPairs != nil { stage.args = reader.value(argsNode) } else {
                reader.error(.wrongType, argsNode, "`args` must be a mapping of argument names to values, "
                             + "not \(argsNode.kindDescription)")
            }
        }
        if let depsNode = fields["depends_on"] {
            if let single = depsNode.scalarText {
                reader.error(.wrongType, depsNode, "`depends_on` must be a list of stage names, not a string",
                             hint: "write it as a list: `depends_on: [\(single)]`")
            } else if let items = reader.list(depsNode, what: "`depends_on`", of: "stage names") {
                stage.dependsOn = items.compactMap { item in
                    reader.text(item, what: "a `depends_on` entry").map { NameReference(name: $0, location: reader.location(item)) }
                }
            }
        }
        if let conditionsNode = fields["conditions"],
           let items = reader.list(conditionsNode, what: "`conditions`", of: "conditions") {
            stage.conditions = items.compactMap { decodeCondition($0, errorFields: false) }
        }
        if let retryNode = fields["retry_policy"] { stage.retryPolicy = decodeRetryPolicy(retryNode) }
        if let timeoutNode = fields["timeout"] { stage.timeout = reader.duration(timeoutNode, what: "`timeout`", limit: Limits.timeout) }
        if let parallelNode = fields["parallel"] { stage.parallel = reader.bool(parallelNode, what: "`parallel`") ?? false }
        if let failureNode = fields["on_failure"], let target = reader.text(failureNode, what: "`on_failure`") {
            stage.onFailure = NameReference(name: target, location: reader.location(failureNode))
        }
        if let variablesNode = fields["variables"] {
            stage.variables = decodeVariables(variablesNode, context: "in stage '\(name)'")
        }
        if let weightNode = fields["weight"] {
            stage.weight = reader.number(weightNode, what: "`weight`", limit: Limits.weight) ?? 1
        }
        if let node = fields["run_when"] { stage.runWhen = reader.choice(node, what: "run_when", as: RunWhen.self) ?? .allSucceeded }
        if let node = fields["allow_failure"] { stage.allowFailure = reader.bool(node, what: "`allow_failure`") ?? false }
        if let node = fields["isolation"] { stage.isolation = reader.choice(node, what: "isolation", as: Isolation.self) }
        if let node = fields["on_interrupt"] { stage.onInterrupt = reader.choice(node, what: "on_interrupt", as: OnInterrupt.self) ?? .fail }
        return stage
    }

    static func isForbiddenInStageName(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return scalar.value <= 0x20 || scalar.value == 0x7F || scalar == "." || scalar == "$" || scalar == "{" || scalar == "}"
        }
        return scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
    }

    mutating func decodeTool(_ node: YAMLNode) -> ToolInvocation? {
        if node.scalarText != nil {
            guard let name = reader.text(node, what: "a tool name") else { return nil }
            guard checkToolName(name, node) else { return nil }
            return ToolInvocation(name: name, resolvedName: nil, args: nil, timeout: nil, location: reader.location(node))
        }
        let label = node.mappingPairs?.first { $0.key.scalarText == "name" }?.value.scalarText
        guard let fields = reader.fields(node, what: "a tool entry", context: label.map { "in tool '\($0)'" } ?? "in a tool entry",
                                         allowed: Self.toolKeys, required: ["name"]),
              let nameNode = fields["name"], let name = reader.text(nameNode, what: "a tool name"),
              checkToolName(name, nameNode) else { return nil }
        var tool = ToolInvocation(name: name, resolvedName: nil, args: nil, timeout: nil, location: reader.location(nameNode))
        if let argsNode = fields["args"] {
            if argsNode.mappingPairs != nil { tool.args = reader.value(argsNode) } else {
                reader.error(.wrongType, argsNode, "`args` must be a mapping of argument names to values, "
                             + "not \(argsNode.kindDescription)")
            }
        }
        if let timeoutNode = fields["timeout"] { tool.timeout = reader.duration(timeoutNode, what: "`timeout`", limit: Limits.timeout) }
        if let memoryNode = fields["memory_mb"] {
            tool.memoryMB = reader.integer(memoryNode, what: "`memory_mb`", limit: Limits.memoryMB)
        }
        return tool
    }

    mutating func checkToolName(_ name: String, _ node: YAMLNode) -> Bool {
        var dots = 0, partLength = 0, valid = true
        for scalar in name.unicodeScalars {
            if scalar == "." {
                dots += 1
                valid = valid && partLength > 0
                partLength = 0
            } else {
                valid = valid && Template.isNameCharacter(scalar)
                partLength += 1
            }
        }
        valid = valid && dots <= 1 && partLength > 0
        if !valid {
            reader.error(.invalidName, node, "'\(name)' is not a valid tool name",
                         hint: "a tool is named `tool` or `plugin.tool`, with letters, digits, '_' and '-'")
        }
        return valid
    }

    mutating func decodeCondition(_ node: YAMLNode, errorFields: Bool) -> Condition? {
        guard let fields = reader.fields(node, what: "a condition", context: "in a condition",
                                         allowed: Self.conditionKeys, required: ["operator"]) else { return nil }
        // `field` is the design's name (`RoutingCondition{Field, Operator, Value}`) for `key`.
        if fields["key"] != nil, let fieldNode = fields["field"] {
            reader.error(.invalidValue, fieldNode, "a condition has either `key` or `field`, not both",
                         hint: "`field` is another name for `key`; keep one")
        }
        guard let keyNode = fields["key"] ?? fields["field"] else {
            reader.error(.missingKey, node, "a condition needs `key` (or `field`)",
                         hint: "name what it tests: `{key: repo_url, operator: required}`")
            return nil
        }
        guard var key = reader.text(keyNode, what: "a condition `key`") else { return nil }
        var keyReference: VariableReference?
        if errorFields {
            if let alias = ErrorField.designAliases[key] { key = alias.rawValue }
            if ErrorField(rawValue: key) == nil {
                let valid = ErrorField.allCases.map(\.rawValue)
                reader.error(.invalidValue, keyNode, "unknown error field '\(key)' in a route condition",
                             hint: Suggestions.hint(for: key, among: valid).map { $0.hasPrefix("did") ? $0 + " valid: " + valid.joined(separator: ", ") : $0 })
            }
        } else {
            do {
                keyReference = try Template.parseBody(key)
            } catch {
                reader.error(.invalidReference, keyNode, "condition key '\(key)' is not a valid name or reference",
                             hint: "write a variable name (`registry`), `env.NAME` or `stages.NAME.outputs.PATH`")
            }
        }
        guard let opNode = fields["operator"], let opText = reader.text(opNode, what: "`operator`") else { return nil }
        guard let op = ConditionOperator(rawValue: opText) else {
            let valid = ConditionOperator.allCases.map(\.rawValue)
            var hint = "valid: " + valid.joined(separator: ", ")
            if let best = Suggestions.closest(to: opText, among: valid) { hint = "did you mean '\(best)'? " + hint }
            reader.error(.unknownOperator, opNode, "unknown operator '\(opText)'", hint: hint)
            return nil
        }
        let valueNode = fields["value"]
        if op.takesValue && valueNode == nil {
            reader.error(.missingKey, node, "operator '\(opText)' needs a `value`",
                         hint: "add `value: ...` to compare against, or use `exists` to test presence")
        } else if !op.takesValue, let valueNode {
            reader.error(.invalidValue, valueNode, "operator '\(opText)' takes no `value`",
                         hint: "remove `value`, or use an operator that compares, such as `equals`")
        }
        let value = valueNode.map { reader.value($0) }
        if let value, let valueNode {
            switch op {
            case .in, .notIn:
                if case .list = value.kind {} else if !isReference(value) {
                    reader.error(.wrongType, valueNode, "operator '\(opText)' needs a list `value`, not \(value.kindDescription)",
                                 hint: "write the choices as a list: `value: [a, b]`")
                }
            case .greaterThan, .lessThan:
                switch value.kind {
                case .int, .double: break
                default:
                    if !isReference(value) {
                        reader.error(.wrongType, valueNode, "operator '\(opText)' needs a number `value`, not \(value.kindDescription)",
                                     hint: "write a number such as `10` or `2.5`, or a `${...}` reference")
                    }
                }
            case .matches:
                if case .string(let pattern) = value.kind, !pattern.contains("${") {
                    checkPattern(pattern, valueNode)
                } else if case .string = value.kind {} else {
                    reader.error(.wrongType, valueNode, "operator 'matches' needs a regular expression string, not \(value.kindDescription)")
                }
            default: break
            }
        }
        return Condition(key: key, keyReference: keyReference, op: op, value: value, location: reader.location(node))
    }

    func isReference(_ value: SpecValue) -> Bool {
        if case .string(let text) = value.kind { return text.contains("${") }
        return false
    }

    mutating func checkPattern(_ pattern: String, _ node: YAMLNode) {
        do {
            _ = try Regex(pattern)
        } catch {
            reader.error(.invalidValue, node, "'\(pattern)' is not a valid regular expression",
                         hint: "check brackets and escapes; a literal '.' or '(' needs a backslash")
        }
    }

    mutating func decodeRetryPolicy(_ node: YAMLNode) -> RetryPolicy? {
        guard let fields = reader.fields(node, what: "`retry_policy`", context: "in `retry_policy`",
                                         allowed: Self.retryKeys) else { return nil }
        var policy = RetryPolicy.defaults(at: reader.location(node))
        if let n = fields["max_attempts"] {
            policy.maxAttempts = reader.integer(n, what: "`max_attempts`", limit: Limits.maxAttempts) ?? 1
        } else {
            policy.maxAttempts = 3
        }
        if let n = fields["backoff_mode"] { policy.backoff = reader.choice(n, what: "backoff_mode", as: BackoffMode.self) ?? .fixed }
        if let n = fields["initial_delay"] { policy.initialDelay = reader.duration(n, what: "`initial_delay`", limit: Limits.delay) ?? .seconds(1) }
        if let n = fields["max_delay"] {
            policy.maxDelay = reader.duration(n, what: "`max_delay`", limit: Limits.delay)
            if let maxDelay = policy.maxDelay, maxDelay < policy.initialDelay {
                reader.error(.outOfRange, n, "`max_delay` (\(DurationText.format(maxDelay))) is shorter than "
                             + "`initial_delay` (\(DurationText.format(policy.initialDelay)))")
            }
        }
        if let n = fields["multiplier"] {
            policy.multiplier = reader.number(n, what: "`multiplier`", limit: Limits.multiplier) ?? 2
        }
        if let n = fields["jitter"] {
            if case .bool(let on) = reader.value(n).kind {
                policy.jitter = on ? .full : .none
            } else {
                policy.jitter = reader.choice(n, what: "jitter", as: Jitter.self) ?? .none
            }
        }
        if let n = fields["retry_on"], let items = reader.list(n, what: "`retry_on`", of: "error types, exit codes or patterns") {
            policy.retryOn = items.compactMap { decodeRetryMatch($0) }
        }
        return policy
    }

    mutating func decodeRetryMatch(_ node: YAMLNode) -> RetryMatch? {
        if let pairs = node.mappingPairs {
            guard let fields = reader.fields(node, what: "a `retry_on` entry", context: "in a `retry_on` entry",
                                             allowed: ["message_matches", "exit_code", "error_type"]) else { return nil }
            if pairs.count != 1 {
                reader.error(.invalidValue, node, "a `retry_on` entry names one thing: `error_type`, `exit_code` or `message_matches`")
                return nil
            }
            if let n = fields["message_matches"], let pattern = reader.text(n, what: "`message_matches`") {
                checkPattern(pattern, n)
                return .messageMatches(pattern)
            }
            if let n = fields["exit_code"], let code = reader.integer(n, what: "`exit_code`", limit: Limits.exitCode) { return .exitCode(code) }
            if let n = fields["error_type"], let type = reader.text(n, what: "`error_type`") { return .errorType(type) }
            return nil
        }
        switch reader.value(node).kind {
        case .int:
            return reader.integer(node, what: "an exit code in `retry_on`", limit: Limits.exitCode).map(RetryMatch.exitCode)
        case .string(let type): return .errorType(type)
        default:
            reader.error(.wrongType, node, "a `retry_on` entry must be an error type, an exit code or "
                         + "`{message_matches: PATTERN}`, not \(node.kindDescription)")
            return nil
        }
    }

    mutating func decodeErrorPolicy(_ node: YAMLNode) -> ErrorPolicy? {
        guard let fields = reader.fields(node, what: "`error_policy`", context: "in `error_policy`",
                                         allowed: Self.errorPolicyKeys) else { return nil }
        var policy = ErrorPolicy(mode: .failFast, maxFailures: nil, routes: [])
        if let n = fields["mode"] { policy.mode = reader.choice(n, what: "error_policy mode", as: ErrorMode.self) ?? .failFast }
        if let n = fields["max_failures"] { policy.maxFailures = reader.integer(n, what: "`max_failures`", limit: Limits.maxFailures) }
        if let n = fields["routes"], let items = reader.list(n, what: "`routes`", of: "error routes") {
            let routes: [(offset: Int, element: ErrorRoute)] = Array(items.compactMap { decodeRoute($0) }.enumerated())
            policy.routes = routes.sorted { (a, b) -> Bool in
                if a.element.priority != b.element.priority { return a.element.priority > b.element.priority }
                return a.offset < b.offset
            }.map { $0.element }
        }
        return policy
    }

    mutating func decodeRoute(_ node: YAMLNode) -> ErrorRoute? {
        let label = node.mappingPairs?.first { $0.key.scalarText == "id" }?.value.scalarText
        guard let fields = reader.fields(node, what: "an error route", context: label.map { "in route '\($0)'" } ?? "in an error route",
                                         allowed: Self.routeKeys, required: ["id", "action"]),
              let idNode = fields["id"], let id = reader.text(idNode, what: "a route `id`"),
              let actionNode = fields["action"],
              let action = reader.choice(actionNode, what: "route action", as: RouteAction.self) else { return nil }
        var route = ErrorRoute(id: id, name: nil, priority: 0, conditions: [], action: action, redirectTo: nil,
                               retryPolicy: nil, location: reader.location(idNode))
        route.name = fields["name"].flatMap { reader.text($0, what: "a route `name`") }
        if let n = fields["priority"] { route.priority = reader.integer(n, what: "`priority`", limit: Limits.routePriority) ?? 0 }
        if let n = fields["conditions"], let items = reader.list(n, what: "`conditions`", of: "conditions") {
            route.conditions = items.compactMap { decodeCondition($0, errorFields: true) }
        }
        if let n = fields["redirect_to"], let target = reader.text(n, what: "`redirect_to`") {
            route.redirectTo = NameReference(name: target, location: reader.location(n))
            if action != .redirect {
                reader.error(.invalidValue, n, "`redirect_to` is only used by the `redirect` action, not `\(action.rawValue)`")
            }
        } else if action == .redirect {
            reader.error(.missingKey, node, "route '\(id)' has action `redirect` but no `redirect_to` stage")
        }
        if let n = fields["retry_policy"] {
            route.retryPolicy = decodeRetryPolicy(n)
            if action != .retry {
                reader.error(.invalidValue, n, "`retry_policy` in a route is only used by the `retry` action, not `\(action.rawValue)`")
            }
        }
        return route
    }

    mutating func decodeCheckpoints(_ node: YAMLNode) -> Checkpoints {
        if case .bool(let on) = reader.value(node).kind { return on ? .everyStage : .disabled }
        guard let items = node.sequenceItems else {
            reader.error(.wrongType, node, "`checkpoints` must be true, false or a list of stage names, not \(node.kindDescription)")
            return .disabled
        }
        return .after(items.compactMap { item in
            reader.text(item, what: "a `checkpoints` entry").map { NameReference(name: $0, location: reader.location(item)) }
        })
    }
}
