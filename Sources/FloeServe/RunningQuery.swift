import FloeEngine
import Foundation

/// One request's work on the warehouse, which something other than the work may end: its
/// deadline, its client going away, or the server stopping. Ending it interrupts the engine
/// connection the work is using (a socket closed, `sqlite3_interrupt`, a cancelled operation), so
/// the thread running it comes back, and marks that connection as not to be used again.
final class RunningQuery: @unchecked Sendable {
    enum Stop: Sendable, Equatable {
        case deadline
        case clientGone
        case serverStopping
    }

    private let lock = NSLock()
    private var connection: (any EngineConnection)?
    private var stop: Stop?

    /// Why it was ended, or nil while it may run.
    var stopped: Stop? {
        lock.lock()
        defer { lock.unlock() }
        return stop
    }

    /// The work runs on `connection` from now on; false when it was already ended (the work must
    /// not start).
    func attach(_ connection: any EngineConnection) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard stop == nil else { return false }
        self.connection = connection
        return true
    }

    /// The work is done with its connection: nothing can interrupt it any more.
    func detach() {
        lock.lock()
        connection = nil
        lock.unlock()
    }

    /// Ends the work for `reason` (the first reason wins) and interrupts its connection.
    func end(_ reason: Stop) {
        lock.lock()
        guard stop == nil else {
            lock.unlock()
            return
        }
        stop = reason
        let running = connection
        lock.unlock()
        running?.interrupt()
    }
}

/// The queries running now, so a stopping server can end them all.
final class RunningQueries: @unchecked Sendable {
    private let lock = NSLock()
    private var running: [ObjectIdentifier: RunningQuery] = [:]
    private var stopping = false

    /// Registers `query`; false when the server is stopping (it is ended at once).
    func insert(_ query: RunningQuery) -> Bool {
        lock.lock()
        let accepted = !stopping
        if accepted { running[ObjectIdentifier(query)] = query }
        lock.unlock()
        if !accepted { query.end(.serverStopping) }
        return accepted
    }

    func remove(_ query: RunningQuery) {
        lock.lock()
        running[ObjectIdentifier(query)] = nil
        lock.unlock()
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return running.count
    }

    /// Ends every running query, and every one started from now on.
    func endAll() {
        lock.lock()
        stopping = true
        let all = Array(running.values)
        lock.unlock()
        for query in all { query.end(.serverStopping) }
    }
}

/// An answer given by whichever of several racers comes first; the others are ignored. The
/// racers (a worker thread, an event-loop timer, a client watch) give it on their own threads, so
/// which one wins never depends on when a Swift task gets a thread.
final class FirstAnswer<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var deliver: (@Sendable (Value) -> Void)?
    private var cleanUps: [@Sendable () -> Void] = []

    init(_ deliver: @escaping @Sendable (Value) -> Void) {
        self.deliver = deliver
    }

    convenience init(_ continuation: CheckedContinuation<Value, Never>) {
        self.init { continuation.resume(returning: $0) }
    }

    func resume(_ value: Value) {
        lock.lock()
        let waiting = deliver
        deliver = nil
        let actions = waiting == nil ? [] : cleanUps
        cleanUps = []
        lock.unlock()
        waiting?(value)
        for action in actions { action() }
    }

    /// Runs `action` once the answer is given (at once if it was).
    func onResume(_ action: @escaping @Sendable () -> Void) {
        lock.lock()
        guard deliver != nil else {
            lock.unlock()
            action()
            return
        }
        cleanUps.append(action)
        lock.unlock()
    }
}
