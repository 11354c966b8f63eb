import Spec

/// What the engine does after an attempt of a stage failed: skip, fail, follow a redirect, or retry after a delay.
/// Decided by one pure function (`AttemptDecision.afterFailure`) from typed inputs, the time given to it and a
/// random draw, so that the tests drive it with a manual clock instead of real sleeps; the engine only carries
/// the decision out (records, notices, the recovery stage, the wait). What a *resume* does is the other pure
/// decision, `ResumePlanner.plan`.
public enum AttemptDecision: Sendable {
    /// Skipped by an error route.
    case skip(reason: String)
    /// It fails: no retries are left, the failure is not retried, or a route says so (`reason` names it).
    case fail(StageFailure, reason: String?)
    /// A route redirects it: run the recovery stage, then one extra attempt.
    case redirect(target: String, route: String)
    /// Retry after `delay`.
    case retry(after: Duration)

    public struct Input: Sendable {
        public var failure: StageFailure
        public var stage: String
        public var attempt: Int
        /// Attempts that do not count against the policy (a fresh budget, interrupted attempts).
        public var budgetBase: Int
        public var policy: RetryPolicy
        /// The run's error routes, highest priority first.
        public var routes: [ErrorRoute]
        /// A redirect already ran for this stage in this run (a stage is redirected at most once).
        public var redirected: Bool
        /// This attempt was the one extra attempt after a redirect: it is the last.
        public var extraAttempt: Bool
        /// Why the engine cannot follow a redirect now (it would wait for itself); nil when it can.
        public var redirectRefused: Bool = false
        /// Time since the stage's first call, and the stage's time limit (all attempts together), if any.
        public var elapsed: Duration
        public var limit: Duration?
        /// A draw in [0, 1) for the backoff's jitter.
        public var random: Double

        public init(failure: StageFailure, stage: String, attempt: Int, budgetBase: Int, policy: RetryPolicy,
                    routes: [ErrorRoute], redirected: Bool, extraAttempt: Bool, elapsed: Duration, limit: Duration?,
                    random: Double) {
            self.failure = failure
            self.stage = stage
            self.attempt = attempt
            self.budgetBase = budgetBase
            self.policy = policy
            self.routes = routes
            self.redirected = redirected
            self.extraAttempt = extraAttempt
            self.elapsed = elapsed
            self.limit = limit
            self.random = random
        }
    }

    public static func afterFailure(_ input: Input) -> AttemptDecision {
        var retryPolicy = input.policy
        let matched = ErrorRouter.route(for: input.failure, stage: input.stage, attempt: input.attempt, routes: input.routes)
        if let route = matched {
            let label = "error route '\(route.id)'"
            switch route.action {
            case .skip:
                return .skip(reason: "\(label) skips it after: \(input.failure)")
            case .fail:
                return .fail(input.failure, reason: "\(label) fails it without retries")
            case .redirect:
                // A refused redirect (or a second one) leaves the decision to the stage's own retry policy, as if
                // no route had matched.
                if !input.redirected && !input.redirectRefused, let target = route.redirectTo {
                    return .redirect(target: target.name, route: label)
                }
            case .retry:
                retryPolicy = route.retryPolicy ?? input.policy
            }
        }
        // A route's `retry` retries whatever the failure; otherwise the policy's retry_on or the failure's flag
        // decides. The one extra attempt after a redirect is the last.
        let mayRetry = !input.extraAttempt
            && (matched?.action == .retry || Backoff.shouldRetry(input.failure, policy: retryPolicy))
        guard mayRetry, input.attempt - input.budgetBase < retryPolicy.maxAttempts else {
            return .fail(input.failure, reason: nil)
        }
        let delay = Backoff.delay(after: input.attempt, policy: retryPolicy, random: input.random)
        if let limit = input.limit, input.elapsed + delay >= limit {
            var f = input.failure
            f.message += " (no time left for attempt \(input.attempt + 1) within the stage's time limit of "
                + "\(DurationText.format(limit)))"
            return .fail(f, reason: nil)
        }
        return .retry(after: delay)
    }
}
