import Schema
import Spec

/// Delays between attempts and the decision to retry.
public enum Backoff {
    /// The delay before attempt `failedAttempt + 1`: `initial_delay` (fixed), times the attempt number (linear),
    /// or times `multiplier^(attempt-1)` (exponential), capped by `max_delay`, then jittered: `full` draws from
    /// [0, d], `equal` from [d/2, d].
    /// - Parameter random: a number in [0, 1); injected so tests control it.
    public static func delay(after failedAttempt: Int, policy: RetryPolicy, random: Double) -> Duration {
        let initial = seconds(policy.initialDelay)
        let n = Double(max(1, failedAttempt))
        var d: Double
        switch policy.backoff {
        case .fixed: d = initial
        case .linear: d = initial * n
        case .exponential: d = initial * pow(policy.multiplier, n - 1)
        }
        // Saturate at the longest delay a file may write: an exponential series overflows to infinity quickly.
        let longest = seconds(Limits.delay.longest)
        if let cap = policy.maxDelay { d = min(d, seconds(cap)) }
        if d.isNaN || d < 0 { d = 0 }
        d = min(d, longest)
        let r = random.isFinite ? min(max(random, 0), 1) : 0
        switch policy.jitter {
        case .none: break
        case .full: d *= r
        case .equal: d = d / 2 + d / 2 * r
        }
        return .nanoseconds(Int64(min(d, longest) * 1e9))
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) / 1e18
    }

    private static func pow(_ base: Double, _ exp: Double) -> Double {
        var result = 1.0
        var i = 0.0
        while i < exp { result *= base; i += 1 }
        return result
    }

    /// Whether `failure` may be retried under `policy`: its `retry_on` list when given (error classes, exit
    /// codes, message patterns), else the failure's own retryable flag.
    public static func shouldRetry(_ failure: StageFailure, policy: RetryPolicy) -> Bool {
        guard !policy.retryOn.isEmpty else { return failure.retryable }
        return policy.retryOn.contains { match in
            switch match {
            case .errorType(let type): return type == failure.errorType || type == failure.toolCode
            case .exitCode(let code): return failure.exitCode.map { Int($0) == code } ?? false
            case .messageMatches(let pattern):
                return (try? Regex(pattern)).map { (try? $0.firstMatch(in: failure.message)) != nil } ?? false // validate checks patterns
            }
        }
    }
}

/// Picks the error route for a failure: the first whose conditions all hold, by priority (the spec's routes are
/// sorted already; routes added through the API come first at equal priority).
public enum ErrorRouter {
    public static func route(for failure: StageFailure, stage: String, attempt: Int, routes: [ErrorRoute]) -> ErrorRoute? {
        routes.first { route in
            route.conditions.allSatisfy { condition in
                let actual: JSONValue? = switch ErrorField(rawValue: condition.key) {
                case .errorType: .string(failure.errorType)
                case .stage: .string(stage)
                case .tool: failure.tool.map(JSONValue.string)
                case .message: .string(failure.message)
                case .exitCode: failure.exitCode.map { .int(Int64($0)) }
                case .signal: failure.signal.map(JSONValue.string)
                case .attempt: .int(Int64(attempt))
                case .code: failure.toolCode.map(JSONValue.string)
                case nil: nil
                }
                let expected = condition.value?.jsonValue
                let holds = ConditionEvaluator.holds(condition.op, actual: actual, expected: expected)
                // error_type is the failure class or the tool's own code: a test holds for either, a negated one
                // (not_equals, not_in, ...) for both.
                guard ErrorField(rawValue: condition.key) == .errorType, let code = failure.toolCode else { return holds }
                let holdsForCode = ConditionEvaluator.holds(condition.op, actual: .string(code), expected: expected)
                switch condition.op {
                case .notEquals, .notContains, .notIn, .notExists: return holds && holdsForCode
                default: return holds || holdsForCode
                }
            }
        }
    }
}
