/// The bounds of every number a user can give: in a workflow file, on the command line, through the Swift API.
///
/// **Each number is checked against its bound when it is read**, so no later arithmetic on it can overflow:
/// `memory_mb` becomes bytes (`* 1024 * 1024`), durations become nanoseconds added to clock readings, attempts and
/// failures are counted, priorities compared. The bounds are generous for real work and listed in the README; a
/// value outside one is a diagnostic (`FILE:LINE:COL`) or a usage error whose hint names the allowed range.
public enum Limits {
    /// The shortest secret value: a secret is masked as `***` wherever it appears, so a shorter one (`e`) would
    /// rewrite ordinary output.
    public static let secretMinimumLength = 4

    /// A tool's `memory_mb` and `wfhost call --memory-mb`: 16 MiB to 1 TiB (in bytes, 2^40: far from overflow).
    public static let memoryMB = IntegerLimit(16...1_048_576, unit: "MiB", note: "1 TiB")
    /// `max_concurrency` and `--max-concurrency`.
    public static let maxConcurrency = IntegerLimit(1...4096)
    /// `retry_policy.max_attempts`.
    public static let maxAttempts = IntegerLimit(1...1000)
    /// `error_policy.max_failures`.
    public static let maxFailures = IntegerLimit(1...1_000_000)
    /// An exit code in `retry_on`.
    public static let exitCode = IntegerLimit(0...255)
    /// An error route's `priority`.
    public static let routePriority = IntegerLimit(-1_000_000...1_000_000)
    /// `wfhost call --cpu-seconds` (0: no limit).
    public static let cpuSeconds = IntegerLimit(0...2_592_000, unit: "seconds", note: "30 days")
    /// `wfhost call --max-result-bytes`.
    public static let resultBytes = IntegerLimit(1...(1 << 30), unit: "bytes", note: "1 GiB")

    /// `retry_policy.multiplier`.
    public static let multiplier = NumberLimit(1...1000)
    /// A stage's `weight` (greater than 0).
    public static let weight = NumberLimit(0...1_000_000_000, excludingLowerBound: true)

    /// `timeout` of the spec, a stage or a tool, and `wfhost call --timeout`.
    public static let timeout = DurationLimit(longest: .seconds(30 * 86_400), note: "30 days")
    /// `retry_policy.initial_delay` and `max_delay`.
    public static let delay = DurationLimit(longest: .seconds(86_400), note: "1 day")
    /// `wfhost call --grace` (between SIGTERM and SIGKILL).
    public static let grace = DurationLimit(longest: .seconds(3600), note: "1 hour")
}

/// An allowed range of whole numbers, with the words that name it.
public struct IntegerLimit: Sendable, Hashable {
    public let range: ClosedRange<Int>
    public let unit: String?
    public let note: String?

    public init(_ range: ClosedRange<Int>, unit: String? = nil, note: String? = nil) {
        self.range = range
        self.unit = unit
        self.note = note
    }

    public func contains(_ value: Int) -> Bool { range.contains(value) }

    /// "allowed: 16 to 1048576 MiB (1 TiB)".
    public var allowed: String {
        "allowed: \(range.lowerBound) to \(range.upperBound)" + (unit.map { " \($0)" } ?? "") + (note.map { " (\($0))" } ?? "")
    }

    /// "`what` must be at most 1048576, not 36028797018964992" (or at least), for a value outside the range.
    public func problem(_ what: String, _ value: Int) -> String? {
        if value < range.lowerBound { return "\(what) must be at least \(range.lowerBound), not \(value)" }
        if value > range.upperBound { return "\(what) must be at most \(range.upperBound), not \(value)" }
        return nil
    }
}

/// An allowed range of numbers (whole or not).
public struct NumberLimit: Sendable, Hashable {
    public let range: ClosedRange<Double>
    public let excludingLowerBound: Bool

    public init(_ range: ClosedRange<Double>, excludingLowerBound: Bool = false) {
        self.range = range
        self.excludingLowerBound = excludingLowerBound
    }

    static func text(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }

    /// "allowed: more than 0, at most 1000000000" or "allowed: 1 to 1000".
    public var allowed: String {
        excludingLowerBound ? "allowed: more than \(Self.text(range.lowerBound)), at most \(Self.text(range.upperBound))"
            : "allowed: \(Self.text(range.lowerBound)) to \(Self.text(range.upperBound))"
    }

    /// The problem with a finite `value` outside the range; `written` is the value as the file has it.
    public func problem(_ what: String, _ value: Double, written: String) -> String? {
        if excludingLowerBound ? value <= range.lowerBound : value < range.lowerBound {
            return "\(what) must be \(excludingLowerBound ? "greater than" : "at least") \(Self.text(range.lowerBound)), not \(written)"
        }
        if value > range.upperBound { return "\(what) must be at most \(Self.text(range.upperBound)), not \(written)" }
        return nil
    }
}

/// The longest allowed duration (every duration must also be longer than zero).
public struct DurationLimit: Sendable, Hashable {
    public let longest: Duration
    public let note: String?

    public init(longest: Duration, note: String? = nil) {
        self.longest = longest
        self.note = note
    }

    /// "allowed: more than 0s, at most 720h (30 days)".
    public var allowed: String {
        "allowed: more than 0s, at most \(DurationText.format(longest))" + (note.map { " (\($0))" } ?? "")
    }

    /// The problem with `value`, or nil when it is in range.
    public func problem(_ what: String, _ value: Duration) -> String? {
        if value <= .zero { return "\(what) must be longer than zero" }
        if value > longest { return "\(what) must be at most \(DurationText.format(longest)), not \(DurationText.format(value))" }
        return nil
    }
}
