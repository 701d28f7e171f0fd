import FloeEngine
import Foundation

/// The driver call a session's thread is waiting for, so that another thread can end the wait.
/// PostgresNIO leaves a query sent on a connection that has just closed waiting forever (its
/// promise is never completed), and a server that stopped answering leaves it waiting too:
/// `interrupt()` finishes the wait with an error, whatever the driver does.
final class CallGate: @unchecked Sendable {
    private let lock = NSLock()
    private var waiting: (@Sendable (any Error) -> Void)?

    /// Waits for `outcome` on this thread until it is finished or the gate is interrupted.
    func wait<T: Sendable>(_ outcome: Outcome<T>) throws -> T {
        lock.lock()
        waiting = { outcome.finish(.failure($0)) }
        lock.unlock()
        defer {
            lock.lock()
            waiting = nil
            lock.unlock()
        }
        return try outcome.wait().get()
    }

    /// Ends the wait in progress, if any, with `error`.
    func interrupt(_ error: any Error) {
        lock.lock()
        let current = waiting
        lock.unlock()
        current?(error)
    }
}
