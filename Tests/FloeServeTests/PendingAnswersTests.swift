@testable import FloeServe
import FloeSemantic
import Foundation
import Testing

/// Cube's "Continue wait" decided by clocks and threads of its own, never by Swift's task pool.
@Suite struct PendingAnswersTests {
    /// Every thread of the task pool busy for two seconds, from the moment the request waits: a
    /// query answered in 0.2 s still gets its answer, not "Continue wait" at 0.5 s. (A run
    /// started in a task of the pool sat behind the busy threads past the continue-wait time, as
    /// it did in a loaded test process.)
    @Test func aBusyTaskPoolDelaysTheAnswerButDoesNotChangeIt() async {
        let pending = PendingAnswers()
        let answer = CubeAPI.Reply(status: 200, body: .object([("data", .array([]))]), note: "ok")
        for _ in 0..<ProcessInfo.processInfo.activeProcessorCount {
            Task.detached { Self.block(seconds: 2) }
        }
        let started = ContinuousClock.now
        let reply = await pending.answer(.init(endpoint: "load", request: "{}", claims: "-"), client: nil, wait: 0.5) { _, done in
            // A thread of its own, as the server's workers are (GCD's global queues share the pool's threads on Linux).
            Thread {
                Self.block(seconds: 0.2)
                done(answer)
            }.start()
        }
        #expect(reply.body == answer.body, "\(reply.body)")
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        #expect(pending.count == 0)
    }

    /// Holds the calling thread, as an engine call does.
    static func block(seconds: Double) {
        Thread.sleep(forTimeInterval: seconds)
    }
}
