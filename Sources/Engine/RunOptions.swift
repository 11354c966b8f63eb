import Isolation
import Schema

/// How a workflow run is carried out: `wfhost run`'s options, or the Swift API's.
public struct RunOptions: Sendable {
    /// Values given with `--var` / `--var-file`; they override the workflow's variables.
    public var variables: [String: JSONValue] = [:]
    /// `--secret k=v`: variables whose values are masked everywhere.
    public var secrets: [String: String] = [:]
    /// Calls running at once across the whole run; nil: the spec's `max_concurrency`, else the number of cores.
    public var maxConcurrency: Int?
    /// nil: the stage's or the spec's `isolation`, else `defaultIsolation`.
    public var isolation: IsolationMode?
    public var defaultIsolation: IsolationMode = .pooled
    /// Time limit of a call that declares none.
    public var defaultCallTimeout: Duration = .seconds(3600)
    /// Resource limits of each call (the timeout is set per call).
    public var limits = CallLimits()
    /// Confine every call with the sandbox (namespaces, Landlock, seccomp, as the machine offers them).
    public var sandbox = true
    /// Refuse to run a call unless every sandbox layer is in force (`--sandbox strict`, `sandbox: strict`).
    public var strictSandbox = false
    /// The host's environment, for `${env.NAME}`.
    public var environment: [String: String] = [:]
    /// Checkpoint after every finished stage (`--checkpoints`), besides what the spec asks.
    public var checkpointEveryStage = false

    public init() {}
}
