/// Where a session stands.
public enum SessionStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case pending, running, paused, succeeded, failed, cancelled
    /// The host died while it ran; `wfhost resume` continues it.
    case interrupted

    public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// Where a stage stands within a session.
public enum StageStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case pending, running, succeeded, failed, skipped, cancelled
    /// It failed, but `allow_failure: true` keeps the run going; never shown as success.
    case allowedFailure = "allowed_failure"

    /// No further transition happens in this run.
    public var isTerminal: Bool { self != .pending && self != .running }
}

/// A stage's stored row.
public struct StageRecord: Sendable, Hashable, Codable {
    public var stage: String
    public var position: Int
    public var status: StageStatus
    public var attempts: Int
    public var startedAt: Double?
    public var finishedAt: Double?
    /// The stage's output as JSON text (masked: secret values are `***`), for display.
    public var output: String?
    /// The stage's output with each secret value replaced by a marker naming the secret (see `SecretMarker`),
    /// so that a resume given the secret again restores the value for downstream stages. Nil when the output
    /// holds no secret (`output` is then the whole output).
    public var markedOutput: String?
    public var errorClass: String?
    public var errorMessage: String?
    /// Why it was skipped or cancelled.
    public var reason: String?
    /// Skipped only because the run stopped (or a dependency never finished) before it could start: a resume
    /// runs it.
    public var notStarted: Bool {
        get { notStartedFlag ?? false }
        set { notStartedFlag = newValue }
    }
    /// Optional so that checkpoints stored before the flag existed still decode.
    private var notStartedFlag: Bool?

    /// Seconds the stage's attempts waited for a concurrency slot (`max_concurrency`), all attempts together;
    /// not part of its duration or time limit.
    public var queuedSeconds: Double {
        get { queuedSecondsStored ?? 0 }
        set { queuedSecondsStored = newValue }
    }
    private var queuedSecondsStored: Double?

    /// A stage that a stopped run left unstarted (resume runs it).
    public var skippedBecauseStopped: Bool { status == .skipped && notStarted }
    /// How many of the stage's attempts do not count against its retry policy: the attempts made before a reset
    /// to a fresh budget (`wfhost retry`, resuming a failed session, checkpoint restore), plus each attempt that
    /// the host's death or a cancel interrupted (not the tool's failure). Attempt numbers continue, so that
    /// earlier attempts stay recorded. Stored with the stage, so that a host killed during it leaves the budget
    /// for resume. Nil: every attempt counts.
    public var attemptBudgetStart: Int?

    /// The reason shown for a pending stage reset to run again with fresh attempts (display only; the budget is
    /// `attemptBudgetStart`).
    public static let freshAttemptsReason = "reset: runs again with fresh attempts"

    /// Attempts that count against the retry policy: those since the budget started.
    public var attemptsInBudget: Int { attempts - (attemptBudgetStart ?? 0) }

    /// For a `running` stage whose current attempt has not started a call yet (it waits for a slot under
    /// `max_concurrency`): since when (Unix time). Nil once a call started.
    public var queuedAt: Double?

    /// Ready, but waiting for a concurrency slot: no call of its current attempt has started.
    public var isQueued: Bool { status == .running && queuedAt != nil }

    /// The status as shown to operators: `queued` for a queued stage, else its status.
    public var shownStatus: String { isQueued ? "queued" : status.rawValue }

    public init(stage: String, position: Int, status: StageStatus = .pending, attempts: Int = 0) {
        self.stage = stage
        self.position = position
        self.status = status
        self.attempts = attempts
    }
}

/// Where an attempt of one call stands: the values of `AttemptRecord.status`.
public enum AttemptStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case running, succeeded, failed
    /// The host running the call stopped (it was killed); set when the session is resumed.
    case interrupted
}

/// An attempt of one tool call within a stage.
public struct AttemptRecord: Sendable, Hashable {
    public var stage: String
    public var attempt: Int
    public var tool: String
    public var status: String
    public var startedAt: Double
    public var finishedAt: Double?
    public var errorClass: String?
    public var errorMessage: String?
    public var retryable: Bool?
    public var stdoutTail: String?
    public var stderrTail: String?
    /// Which call of the stage this is (the tool's place in `tools`, from 0); nil in rows stored before calls
    /// were the durable unit.
    public var callIndex: Int?
    /// SHA-256 of the call's resolved arguments in canonical JSON, secret values as markers.
    public var argumentsHash: String?
    /// A succeeded call's result as JSON text, secret values as markers: what a resume reuses.
    public var result: String?
    /// For a call whose result was reused rather than run again: the attempt that ran it.
    public var reusedFrom: Int?

    public init(stage: String, attempt: Int, tool: String, status: String, startedAt: Double, finishedAt: Double? = nil,
                errorClass: String? = nil, errorMessage: String? = nil, retryable: Bool? = nil,
                stdoutTail: String? = nil, stderrTail: String? = nil) {
        self.stage = stage
        self.attempt = attempt
        self.tool = tool
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.errorClass = errorClass
        self.errorMessage = errorMessage
        self.retryable = retryable
        self.stdoutTail = stdoutTail
        self.stderrTail = stderrTail
    }
}

/// A session's stored row.
public struct SessionRecord: Sendable, Hashable {
    public var id: String
    public var workflowName: String
    public var workflowFile: String
    /// The workflow text as it was run, so that resume runs the same workflow.
    public var workflowText: String
    public var status: SessionStatus
    /// Variables as JSON text (secrets masked).
    public var variables: String
    /// Run options as JSON text.
    public var options: String
    public var createdAt: Double
    public var startedAt: Double?
    public var finishedAt: Double?
    public var error: String?
    public var ownerPID: Int?
    public var ownerHost: String?
    public var heartbeatAt: Double?
    /// The session's work directory, the same for its whole life (nil for sessions stored before it was kept).
    public var workDirectory: String?
    /// How long hosts ran the session, in seconds: time paused, or between a host's death and the resume, is not
    /// counted (a killed host's share counts up to its last heartbeat).
    public var activeSeconds: Double = 0

    public init(id: String, workflowName: String, workflowFile: String, workflowText: String, status: SessionStatus,
                variables: String, options: String, createdAt: Double, startedAt: Double? = nil,
                finishedAt: Double? = nil, error: String? = nil, ownerPID: Int? = nil, ownerHost: String? = nil,
                heartbeatAt: Double? = nil, workDirectory: String? = nil, activeSeconds: Double = 0) {
        self.id = id
        self.workflowName = workflowName
        self.workflowFile = workflowFile
        self.workflowText = workflowText
        self.status = status
        self.variables = variables
        self.options = options
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.ownerPID = ownerPID
        self.ownerHost = ownerHost
        self.heartbeatAt = heartbeatAt
        self.workDirectory = workDirectory
        self.activeSeconds = activeSeconds
    }
}

/// One stored event.
public struct EventRecord: Sendable, Hashable {
    public var id: Int64
    public var at: Double
    public var kind: String
    public var stage: String?
    /// JSON text (masked).
    public var data: String
}

/// What an operator asked of a running session from another process.
public enum SessionRequest: String, Sendable, Hashable, Codable {
    case pause, cancel
}

/// A saved state of a session's stages.
public struct CheckpointRecord: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var description: String?
    public var automatic: Bool
    public var createdAt: Double
    /// The stage rows at that moment.
    public var stages: [StageRecord]

    public init(id: Int, name: String, description: String?, automatic: Bool, createdAt: Double, stages: [StageRecord]) {
        self.id = id
        self.name = name
        self.description = description
        self.automatic = automatic
        self.createdAt = createdAt
        self.stages = stages
    }
}

/// A value in the state database that this version of wfhost does not know (a stage or session status, a
/// checkpoint it cannot read): an error, never a guess, since a guess would re-run or drop work.
public struct StoredValueError: Error, Sendable, CustomStringConvertible {
    /// What the value is, e.g. "stage status".
    public var what: String
    public var value: String
    /// Where it was, e.g. "stage 'build' of session 2026...".
    public var place: String

    public init(what: String, value: String, place: String) {
        self.what = what
        self.value = value
        self.place = place
    }

    public var description: String {
        "the state database holds \(what) '\(value)' for \(place), which this version of wfhost does not know: "
            + "a newer wfhost wrote it, or the file is damaged; run that session with the wfhost that wrote it (`wfhost --version` says which this "
            + "one is), or remove it with `wfhost cleanup`"
    }
}
