/// A validated workflow file, typed, every part with its place in the file.
public struct Workflow: Sendable {
    public var file: String
    public var apiVersion: String
    public var metadata: Metadata
    public var stages: [Stage]
    public var variables: [Variable]
    public var errorPolicy: ErrorPolicy
    /// The whole run's time limit.
    public var timeout: Duration?
    public var maxConcurrency: Int?
    public var checkpoints: Checkpoints
    /// How tool calls are isolated unless a stage says otherwise; nil: the engine's default.
    public var isolation: Isolation?
    /// `sandbox: strict`: refuse to run a call without every sandbox layer; nil or `on`: the layers there are.
    public var sandbox: SandboxLevel? = nil
    /// `spec.tool_servers`: MCP servers whose tools the stages call as `SERVER.tool`.
    public var toolServers: [ToolServer] = []
    public var location: SourceLocation

    /// The index of the stage called `name` (names compare by Unicode canonical equivalence).
    public func stageIndex(named name: String) -> Int? { stageIndexByName[name] }

    var stageIndexByName: [String: Int]

    public init(file: String, apiVersion: String, metadata: Metadata, stages: [Stage], variables: [Variable],
                errorPolicy: ErrorPolicy, timeout: Duration?, maxConcurrency: Int?, checkpoints: Checkpoints,
                isolation: Isolation?, location: SourceLocation) {
        self.file = file
        self.apiVersion = apiVersion
        self.metadata = metadata
        self.stages = stages
        self.variables = variables
        self.errorPolicy = errorPolicy
        self.timeout = timeout
        self.maxConcurrency = maxConcurrency
        self.checkpoints = checkpoints
        self.isolation = isolation
        self.location = location
        var index: [String: Int] = [:]
        index.reserveCapacity(stages.count)
        for (i, stage) in stages.enumerated() where index[stage.name] == nil { index[stage.name] = i }
        self.stageIndexByName = index
    }
}

public struct Metadata: Sendable {
    public var name: String
    public var description: String?
    public var version: String?
    public var labels: [(key: String, value: String)]
    public var location: SourceLocation
}

/// A named value. Marked secret with the `!secret` tag (`token: !secret abc`): the engine masks it everywhere.
public struct Variable: Sendable {
    public var name: String
    public var value: SpecValue
    public var isSecret: Bool
    public var location: SourceLocation
}

/// A name written in the file, with where it was written (a `depends_on` entry, a `redirect_to`).
public struct NameReference: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

public struct Stage: Sendable {
    public var name: String
    public var location: SourceLocation
    public var nameLocation: SourceLocation
    public var tools: [ToolInvocation]
    /// Default arguments for every tool of the stage; a tool's own `args` win key by key.
    public var args: SpecValue?
    public var dependsOn: [NameReference]
    public var conditions: [Condition]
    public var retryPolicy: RetryPolicy?
    /// Limit on the stage, all attempts together.
    public var timeout: Duration?
    /// When true the stage's tools run concurrently; otherwise in order.
    public var parallel: Bool
    /// A stage to run when this one fails.
    public var onFailure: NameReference?
    public var variables: [Variable]
    /// Share of the run's progress; default 1.
    public var weight: Double
    public var runWhen: RunWhen
    public var allowFailure: Bool
    public var isolation: Isolation?
    /// What a resume does with a call of this stage that the host's death interrupted, when the tool declares
    /// side effects and is not idempotent (a call of any other tool simply runs again).
    public var onInterrupt: OnInterrupt = .fail
}

/// `on_interrupt`: whether a side-effecting, non-idempotent call cut short by the host's death may run again.
public enum OnInterrupt: String, Sendable, CaseIterable, Codable {
    /// It runs again on resume (the tool's effects tolerate a repeat).
    case retry
    /// The stage fails on resume, naming the call, so that an operator checks what it did (the default).
    case fail
}

/// One call of a tool: `tools: [name]` or `tools: [{name, args, timeout}]`.
public struct ToolInvocation: Sendable {
    /// The name as written: bare (`resize`) or qualified (`images.resize`).
    public var name: String
    /// The registry's qualified name, when a catalog resolved it.
    public var resolvedName: String?
    public var args: SpecValue?
    public var timeout: Duration?
    /// The call's memory limit in MiB, overriding the run's (default 1 GiB).
    public var memoryMB: Int? = nil
    public var location: SourceLocation
}

/// When a stage runs, given how its dependencies ended.
public enum RunWhen: String, Sendable, CaseIterable, Codable {
    /// Every dependency succeeded (the default). A skipped or failed dependency skips this stage.
    case allSucceeded = "all_succeeded"
    /// No dependency failed; skipped dependencies are fine.
    case noFailures = "no_failures"
    /// Whatever happened to the dependencies, once they are finished.
    case always
}

/// `spec.sandbox`: a workflow may ask for more confinement, never for less (`--sandbox off` is the caller's).
public enum SandboxLevel: String, Sendable, CaseIterable, Codable {
    case on, strict
}

public enum Isolation: String, Sendable, CaseIterable, Codable {
    case perCall = "per_call"
    case pooled
    case forked
}

public enum Checkpoints: Sendable, Hashable {
    case disabled
    /// After every stage.
    case everyStage
    /// After the named stages.
    case after([NameReference])
}

/// `{key, operator, value}`. For a stage: false skips the stage, except `required`, which fails it with a clear
/// message when the key has no value. For an error route: matched against the error's fields.
public struct Condition: Sendable {
    public var key: String
    /// The key parsed as a reference (`registry`, `env.HOME`, `stages.build.outputs.digest`); nil in error routes.
    public var keyReference: VariableReference?
    public var op: ConditionOperator
    public var value: SpecValue?
    public var location: SourceLocation

    public init(key: String, keyReference: VariableReference? = nil, op: ConditionOperator, value: SpecValue?,
                location: SourceLocation) {
        self.key = key
        self.keyReference = keyReference
        self.op = op
        self.value = value
        self.location = location
    }
}

public enum ConditionOperator: String, Sendable, CaseIterable, Codable {
    case required, exists
    case notExists = "not_exists"
    case equals
    case notEquals = "not_equals"
    case contains
    case notContains = "not_contains"
    case `in`
    case notIn = "not_in"
    case matches
    case greaterThan = "greater_than"
    case lessThan = "less_than"

    /// Operators that compare against `value`.
    public var takesValue: Bool {
        switch self {
        case .required, .exists, .notExists: return false
        default: return true
        }
    }
}

public enum BackoffMode: String, Sendable, CaseIterable, Codable {
    case fixed, linear, exponential
}

public enum Jitter: String, Sendable, CaseIterable, Codable {
    case none, full, equal
}

/// One `retry_on` entry: an error class, an exit code or a message pattern.
public enum RetryMatch: Sendable, Hashable {
    case errorType(String)
    case exitCode(Int)
    case messageMatches(String)
}

public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var backoff: BackoffMode
    public var initialDelay: Duration
    public var maxDelay: Duration?
    public var multiplier: Double
    public var jitter: Jitter
    /// Empty: the engine's retryable error classes.
    public var retryOn: [RetryMatch]
    public var location: SourceLocation

    public static func defaults(at location: SourceLocation) -> RetryPolicy {
        RetryPolicy(maxAttempts: 1, backoff: .fixed, initialDelay: .seconds(1), maxDelay: nil, multiplier: 2,
                    jitter: .none, retryOn: [], location: location)
    }
}

public enum ErrorMode: String, Sendable, CaseIterable, Codable {
    case failFast = "fail_fast"
    case `continue`
}

public struct ErrorPolicy: Sendable {
    public var mode: ErrorMode
    public var maxFailures: Int?
    /// Sorted by descending priority, then file order: the first match wins.
    public var routes: [ErrorRoute]
}

public enum RouteAction: String, Sendable, CaseIterable, Codable {
    case retry, redirect, skip, fail
}

/// Error fields a route condition may test.
public enum ErrorField: String, Sendable, CaseIterable, Codable {
    case errorType = "error_type"
    case stage, tool, message
    case exitCode = "exit_code"
    case signal, attempt
    /// The tool's own error code (`not_found`, `build_error`), for a `tool_error`.
    case code
}

public struct ErrorRoute: Sendable {
    public var id: String
    public var name: String?
    public var priority: Int
    public var conditions: [Condition]
    public var action: RouteAction
    public var redirectTo: NameReference?
    /// For `retry`: the policy of the extra attempts.
    public var retryPolicy: RetryPolicy?
    public var location: SourceLocation

    public init(id: String, name: String?, priority: Int, conditions: [Condition], action: RouteAction,
                redirectTo: NameReference?, retryPolicy: RetryPolicy?, location: SourceLocation) {
        self.id = id
        self.name = name
        self.priority = priority
        self.conditions = conditions
        self.action = action
        self.redirectTo = redirectTo
        self.retryPolicy = retryPolicy
        self.location = location
    }
}
