import FloeEngine
import Foundation

/// Asks a running apply to stop: no new node starts, the statements in flight are interrupted
/// (their transactions roll back, so no half-built table is left), and the run ends with what
/// ran, marked cancelled. Safe to call from any thread, a signal handler's queue included.
public final class RunCancellation: @unchecked Sendable {
    public enum Reason: String, Sendable {
        /// SIGINT (Ctrl-C): exit 130.
        case interrupt = "SIGINT"
        /// SIGTERM (a scheduler stopping the job): exit 143.
        case terminate = "SIGTERM"
        /// Asked for by code (tests, an embedding program).
        case request = "request"
        /// `--fail-fast`: the first error or failing test stops the run (exit 1).
        case failFast = "fail-fast"
    }

    private let lock = NSLock()
    private var cancelledBy: Reason?
    private var handlers: [Int: @Sendable () -> Void] = [:]
    private var nextToken = 0

    public init() {}

    /// Cancels the run (the first reason given is kept) and tells everything registered.
    public func cancel(_ reason: Reason = .request) {
        lock.lock()
        guard cancelledBy == nil else {
            lock.unlock()
            return
        }
        cancelledBy = reason
        let toTell = Array(handlers.values)
        lock.unlock()
        for handler in toTell { handler() }
    }

    public var reason: Reason? {
        lock.lock()
        defer { lock.unlock() }
        return cancelledBy
    }

    public var isCancelled: Bool { reason != nil }

    /// Runs `handler` on cancellation (at once if already cancelled) until the token is removed.
    func register(_ handler: @escaping @Sendable () -> Void) -> Int {
        lock.lock()
        let token = nextToken
        nextToken += 1
        handlers[token] = handler
        let already = cancelledBy != nil
        lock.unlock()
        if already { handler() }
        return token
    }

    func remove(_ token: Int) {
        lock.lock()
        defer { lock.unlock() }
        handlers[token] = nil
    }
}

/// The worker connections of one phase, registered so that a cancellation interrupts what they
/// run; released when the phase ends.
final class InterruptibleConnections: @unchecked Sendable {
    /// Holds a connection for the one call that is safe from another thread (``EngineConnection/interrupt()``).
    private struct Interrupter: @unchecked Sendable {
        let connection: any EngineConnection
    }

    private let cancellation: RunCancellation
    private let lock = NSLock()
    private var tokens: [Int] = []

    init(_ cancellation: RunCancellation) {
        self.cancellation = cancellation
    }

    /// Opens a connection with `engine` whose statements a cancellation interrupts.
    func connect(_ engine: any WarehouseEngine) -> Result<any EngineConnection, any Error> {
        Result {
            let connection = try engine.connect()
            register(connection)
            return connection
        }
    }

    /// Makes a cancellation interrupt what `connection` runs, until ``release()``.
    func register(_ connection: any EngineConnection) {
        let interrupter = Interrupter(connection: connection)
        let token = cancellation.register { interrupter.connection.interrupt() }
        lock.lock()
        tokens.append(token)
        lock.unlock()
    }

    /// Stops interrupting (and holding) the phase's connections.
    func release() {
        lock.lock()
        let all = tokens
        tokens = []
        lock.unlock()
        for token in all { cancellation.remove(token) }
    }
}
