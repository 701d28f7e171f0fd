import Foundation
import NIOCore

/// Where the driver's async calls run (COPY, and queries with bound values): a thread of its
/// own, not Swift concurrency's shared pool. Their callers block until they finish, and a caller
/// may itself be on that pool (a test, a request of `floe serve`): with every pool thread so
/// blocked, a task queued there would never run. The work is waiting on sockets, so one thread
/// serves every connection in the process.
final class DriverThread: TaskExecutor, @unchecked Sendable {
    static let shared = DriverThread()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init() {
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "floe-postgres-driver"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Runs `body` on the driver's thread; its result arrives in the outcome.
    static func start<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Outcome<T> {
        let outcome = Outcome<T>()
        Task.detached(executorPreference: shared) {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.finish(result)
        }
        return outcome
    }

    /// Runs `body` on the driver's thread and waits for it on the calling thread.
    static func wait<T: Sendable>(for body: @escaping @Sendable () async throws -> T) throws -> T {
        try start(body).wait().get()
    }
}

/// A result handed from the thread that produces it to the one waiting for it. The first result
/// given is the one kept: an interrupted wait can be finished with an error before the driver answers.
final class Outcome<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<T, any Error>?

    init() {}

    /// An outcome finished by `future`.
    init(_ future: EventLoopFuture<T>) {
        future.whenComplete { self.finish($0) }
    }

    func finish(_ result: Result<T, any Error>) {
        condition.lock()
        if self.result == nil { self.result = result }
        condition.signal()
        condition.unlock()
    }

    func wait() -> Result<T, any Error> {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result { return result }
            condition.wait()
        }
    }
}
