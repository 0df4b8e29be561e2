import Foundation
import XCTest
@testable import Transport

final class RetryPolicyTests: XCTestCase {
    func testDefaultBackoffDoublesFromOneSecondAndIsCappedAtFiveMinutes() {
        let policy = RetryPolicy()
        XCTAssertEqual((1...4).map { policy.baseDelay(afterFailures: $0) }, [1, 2, 4, 8])
        XCTAssertEqual(policy.baseDelay(afterFailures: 12), 300)
    }

    func testJitterStaysWithinTenPercent() {
        let policy = RetryPolicy()
        XCTAssertEqual(policy.delay(afterFailures: 3, spread: 1), 4.4, accuracy: 1e-9)
        XCTAssertEqual(policy.delay(afterFailures: 3, spread: -1), 3.6, accuracy: 1e-9)
        XCTAssertEqual(policy.delay(afterFailures: 3, spread: 7), 4.4, accuracy: 1e-9, "spread is clamped")
    }

    func testFiveFailuresDeadLetterThenThreeLateRetriesThenAPerson() {
        let policy = RetryPolicy()
        var now = Date(timeIntervalSince1970: 1_000_000)
        var state = RetryState(now: now)
        XCTAssertTrue(state.isDue(at: now))
        for expected in [1.0, 2, 4, 8] {
            state.recordFailure("refused", at: now, policy: policy, spread: 0)
            XCTAssertEqual(state.phase, .retrying)
            XCTAssertEqual(state.nextAttempt, now + expected)
            now += expected
        }
        state.recordFailure("refused 5", at: now, policy: policy, spread: 0)
        XCTAssertEqual(state.phase, .deadLettered)
        XCTAssertEqual(state.lastError, "refused 5")
        XCTAssertFalse(state.isDue(at: now + 899))
        XCTAssertTrue(state.isDue(at: now + 900))
        for round in 1...3 {
            now += 900
            state.recordFailure("late \(round)", at: now, policy: policy, spread: 0)
        }
        XCTAssertEqual(state.phase, .waitingForPerson)
        XCTAssertNil(state.nextAttempt)
        XCTAssertFalse(state.isDue(at: now + 100_000))

        state.retryByPerson(at: now)
        XCTAssertEqual(state.phase, .retrying)
        XCTAssertTrue(state.isDue(at: now))
        state.recordSuccess()
        XCTAssertEqual(state.phase, .succeeded)
        XCTAssertFalse(state.isDue(at: now))
    }

    func testAFailureAfterASuccessStartsAFreshRound() {
        let policy = RetryPolicy()
        var now = Date(timeIntervalSince1970: 0)
        var state = RetryState(now: now)
        state.recordSuccess()
        now += 60
        state.recordFailure("down again", at: now, policy: policy, spread: 0)
        XCTAssertEqual(state.phase, .retrying)
        XCTAssertEqual(state.failures, 1)
        XCTAssertEqual(state.lastError, "down again")
        XCTAssertEqual(state.nextAttempt, now + policy.delay(afterFailures: 1, spread: 0))
        for _ in 2...policy.maxAttempts { state.recordFailure("x", at: now, policy: policy, spread: 0) }
        XCTAssertEqual(state.phase, .deadLettered)
    }

    func testADeadLetterThatSucceedsIsDone() {
        let policy = RetryPolicy()
        let now = Date(timeIntervalSince1970: 0)
        var state = RetryState(now: now)
        for _ in 1...5 { state.recordFailure("x", at: now, policy: policy, spread: 0) }
        XCTAssertEqual(state.phase, .deadLettered)
        state.recordSuccess()
        XCTAssertEqual(state.phase, .succeeded)
        XCTAssertNil(state.lastError)
    }
}

final class CircuitBreakerTests: XCTestCase {
    struct Down: Error {}

    func testOpensAfterFiveFailuresHalfOpensAfterThirtySecondsClosesAfterTwoSuccesses() {
        let start = Date(timeIntervalSince1970: 5_000)
        var breaker = CircuitBreaker()
        for failure in 1...4 {
            XCTAssertTrue(breaker.allowsCall(at: start))
            breaker.recordFailure(at: start)
            XCTAssertEqual(breaker.state, .closed(consecutiveFailures: failure))
        }
        breaker.recordFailure(at: start)
        XCTAssertEqual(breaker.state, .open(since: start))
        XCTAssertFalse(breaker.allowsCall(at: start + 29.9))
        XCTAssertTrue(breaker.allowsCall(at: start + 30))
        XCTAssertEqual(breaker.state, .halfOpen(successes: 0))
        breaker.recordSuccess()
        XCTAssertEqual(breaker.state, .halfOpen(successes: 1))
        breaker.recordSuccess()
        XCTAssertEqual(breaker.state, .closed(consecutiveFailures: 0))
    }

    func testAFailedTrialReopensAndASuccessResetsTheCount() {
        let start = Date(timeIntervalSince1970: 0)
        var breaker = CircuitBreaker()
        for _ in 1...4 { breaker.recordFailure(at: start) }
        breaker.recordSuccess()
        XCTAssertEqual(breaker.state, .closed(consecutiveFailures: 0), "failures must be consecutive")
        for _ in 1...5 { breaker.recordFailure(at: start) }
        XCTAssertTrue(breaker.allowsCall(at: start + 30))
        breaker.recordFailure(at: start + 31)
        XCTAssertEqual(breaker.state, .open(since: start + 31))
        XCTAssertFalse(breaker.allowsCall(at: start + 60))
    }

    func testBoardKeepsOneBreakerPerEndpoint() {
        let clock = ManualTime()
        let board = CircuitBreakerBoard(clock: clock)
        for _ in 1...5 { XCTAssertThrowsError(try board.run("bank") { throw Down() }) }
        XCTAssertThrowsError(try board.run("bank") { XCTFail("must not be called"); return 1 }) { error in
            XCTAssertTrue(error is CircuitBreakerBoard.OpenCircuit)
        }
        XCTAssertEqual(try board.run("partner") { 7 }, 7)
        XCTAssertEqual(board.summaries.map(\.endpoint), ["bank", "partner"])
        XCTAssertEqual(board.summaries.last?.state, "closed")
    }
}
