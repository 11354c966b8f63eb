import Engine
import Spec
import Testing

/// The pure decision after a failed attempt (`AttemptDecision.afterFailure`), driven with a manual clock: the
/// time since the stage's first call and its limit are given, so no test sleeps.
@Suite struct AttemptDecisionTests {
    static let here = SourceLocation(file: "t.yaml", line: 1, column: 1)

    static func policy(_ attempts: Int, delay: Duration = .seconds(2)) -> RetryPolicy {
        var p = RetryPolicy.defaults(at: here)
        p.maxAttempts = attempts
        p.initialDelay = delay
        return p
    }

    static func input(attempt: Int = 1, budgetBase: Int = 0, policy: RetryPolicy = policy(3), routes: [ErrorRoute] = [],
                      elapsed: Duration = .zero, limit: Duration? = nil, retryable: Bool = true,
                      redirected: Bool = false, extra: Bool = false) -> AttemptDecision.Input {
        AttemptDecision.Input(failure: StageFailure(errorType: "tool_error", message: "broke", retryable: retryable, tool: "t.x"),
                              stage: "build", attempt: attempt, budgetBase: budgetBase, policy: policy, routes: routes,
                              redirected: redirected, extraAttempt: extra, elapsed: elapsed, limit: limit, random: 0)
    }

    static func route(_ action: RouteAction, to target: String? = nil) -> ErrorRoute {
        ErrorRoute(id: "r", name: nil, priority: 0,
                   conditions: [Condition(key: "error_type", op: .equals, value: SpecValue(.string("tool_error"), at: here), location: here)],
                   action: action, redirectTo: target.map { NameReference(name: $0, location: here) }, retryPolicy: nil,
                   location: here)
    }

    static func describe(_ d: AttemptDecision) -> String {
        switch d {
        case .skip(let reason): return "skip: \(reason)"
        case .fail(let f, let reason): return "fail: \(f.message)" + (reason.map { " [\($0)]" } ?? "")
        case .redirect(let target, let route): return "redirect to \(target) by \(route)"
        case .retry(let delay): return "retry after \(delay)"
        }
    }

    @Test func retriesWithinTheBudgetAndFailsAfterIt() {
        #expect(Self.describe(.afterFailure(Self.input(attempt: 1))) == "retry after 2.0 seconds")
        #expect(Self.describe(.afterFailure(Self.input(attempt: 3))) == "fail: broke")
        // Attempts outside the budget (a reset, an interrupted attempt) do not count.
        #expect(Self.describe(.afterFailure(Self.input(attempt: 3, budgetBase: 1))) == "retry after 2.0 seconds")
        #expect(Self.describe(.afterFailure(Self.input(retryable: false))) == "fail: broke")
    }

    @Test func theStagesTimeLimitEndsRetriesOnTheManualClock() {
        // 7 s into a 10 s limit, a 2 s delay still fits; at 8 s it does not.
        #expect(Self.describe(.afterFailure(Self.input(elapsed: .seconds(7), limit: .seconds(10)))) == "retry after 2.0 seconds")
        #expect(Self.describe(.afterFailure(Self.input(elapsed: .seconds(8), limit: .seconds(10))))
                == "fail: broke (no time left for attempt 2 within the stage's time limit of 10s)")
    }

    @Test func routesSkipFailRedirectOnceAndRetry() {
        #expect(Self.describe(.afterFailure(Self.input(routes: [Self.route(.skip)])))
                == "skip: error route 'r' skips it after: t.x: tool_error: broke")
        #expect(Self.describe(.afterFailure(Self.input(routes: [Self.route(.fail)])))
                == "fail: broke [error route 'r' fails it without retries]")
        #expect(Self.describe(.afterFailure(Self.input(routes: [Self.route(.redirect, to: "fix")])))
                == "redirect to fix by error route 'r'")
        // After its redirect, a stage's own policy decides, and the extra attempt is the last.
        #expect(Self.describe(.afterFailure(Self.input(routes: [Self.route(.redirect, to: "fix")], redirected: true)))
                == "retry after 2.0 seconds")
        #expect(Self.describe(.afterFailure(Self.input(routes: [Self.route(.redirect, to: "fix")], redirected: true, extra: true)))
                == "fail: broke")
        var refused = Self.input(policy: Self.policy(1), routes: [Self.route(.redirect, to: "fix")])
        refused.redirectRefused = true
        #expect(Self.describe(.afterFailure(refused)) == "fail: broke")
        // A route's retry retries even a failure that says it is not retryable.
        #expect(Self.describe(.afterFailure(Self.input(routes: [Self.route(.retry)], retryable: false))) == "retry after 2.0 seconds")
    }
}
