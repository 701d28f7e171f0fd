import Foundation
import NIOCore
import NIOPosix

/// Cube's "Continue wait": a `/load` still running after the continue-wait time is answered
/// `{"error": "Continue wait"}` (status 200) while its query goes on, and Cube's clients ask
/// again until the answer is there. Requests for the same query (the same request, token claims
/// and query type) share one run: a client asking again joins it, or takes its answer once done
/// (kept a minute for it). A run is cancelled when every client waiting for it has gone and
/// none was told to come back.
final class PendingAnswers: @unchecked Sendable {
    struct Key: Hashable {
        var endpoint: String
        var request: String
        var claims: String
    }

    /// One run and who waits for it.
    final class Pending: @unchecked Sendable {
        let query = RunningQuery()
        var reply: CubeAPI.Reply?
        var waiters: [Int: FirstAnswer<CubeAPI.Reply>] = [:]
        /// A client was answered "Continue wait": someone will come back for the answer.
        var told = false
    }

    static let continueWaitReply = CubeAPI.Reply(status: 200, body: .object([("error", .string("Continue wait"))]), note: "continue wait")
    /// How long a finished answer waits for the client that was told to come back.
    static let keptFor: TimeAmount = .seconds(60)

    private let lock = NSLock()
    private var pending: [Key: Pending] = [:]
    private var nextWaiter = 0

    /// The answer to `key`'s request: the run's reply when it comes within `wait` seconds, else
    /// "Continue wait". `run` starts the query when no run of it is pending and gives its reply
    /// to the closure it is passed, from any thread. It is started here, before this task waits,
    /// so a busy task pool delays only the response, never the query behind the timer.
    func answer(
        _ key: Key, client: ClientWatch?, wait: Double,
        run: @escaping @Sendable (RunningQuery, _ done: @escaping @Sendable (CubeAPI.Reply) -> Void) -> Void
    ) async -> CubeAPI.Reply {
        await withCheckedContinuation { continuation in
            let answer = FirstAnswer(continuation)
            lock.lock()
            let entry: Pending
            var start = false
            if let existing = pending[key] {
                if let reply = existing.reply {
                    pending[key] = nil
                    lock.unlock()
                    answer.resume(reply)
                    return
                }
                entry = existing
            } else {
                entry = Pending()
                pending[key] = entry
                start = true
            }
            nextWaiter += 1
            let waiter = nextWaiter
            entry.waiters[waiter] = answer
            lock.unlock()
            if start {
                run(entry.query) { self.finish(key, entry, $0) }
            }
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .nanoseconds(Int64(wait * 1e9))) {
                self.leave(key, entry, waiter, told: true)?.resume(Self.continueWaitReply)
            }
            let token = client?.onGone {
                timer.cancel()
                self.leave(key, entry, waiter, told: false)?.resume(.error(499, "the client went away"))
            }
            // Once this waiter is answered, whichever way, its timer and client watch go.
            answer.onResume {
                timer.cancel()
                if let token { client?.cancel(token) }
            }
        }
    }

    /// Takes waiter `id` off the run; the run is cancelled when nobody waits for it or will come back for it.
    private func leave(_ key: Key, _ entry: Pending, _ id: Int, told: Bool) -> FirstAnswer<CubeAPI.Reply>? {
        lock.lock()
        let waiter = entry.waiters.removeValue(forKey: id)
        if waiter != nil, told { entry.told = true }
        let abandoned = waiter != nil && entry.waiters.isEmpty && !entry.told && entry.reply == nil
        if abandoned, pending[key] === entry { pending[key] = nil }
        lock.unlock()
        if abandoned { SemanticServer.interrupts.async { entry.query.end(.clientGone) } }
        return waiter
    }

    private func finish(_ key: Key, _ entry: Pending, _ reply: CubeAPI.Reply) {
        lock.lock()
        entry.reply = reply
        let waiters = Array(entry.waiters.values)
        entry.waiters = [:]
        let keep = waiters.isEmpty && entry.told
        if !keep, pending[key] === entry { pending[key] = nil }
        lock.unlock()
        for waiter in waiters { waiter.resume(reply) }
        if keep {
            _ = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: Self.keptFor) {
                self.lock.lock()
                if self.pending[key] === entry { self.pending[key] = nil }
                self.lock.unlock()
            }
        }
    }

    /// Runs waiting for an answer or kept for a client to come back.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return pending.count
    }
}
