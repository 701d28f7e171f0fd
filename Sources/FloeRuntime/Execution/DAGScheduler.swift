import Foundation

/// Runs jobs in dependency order on `threads` worker threads, each with its own connection.
/// A job starts when all its parents have succeeded; when one fails, everything downstream of it
/// is skipped and the rest carries on. Ready jobs start in the order they were given. Once
/// `cancellation` is cancelled no job starts; those running finish (or fail) and `run` returns.
final class DAGScheduler<Connection>: @unchecked Sendable {
    struct Job {
        var parents: [Int]
    }

    private let jobs: [Job]
    private let children: [[Int]]
    private let threads: Int
    private let cancellation: RunCancellation?
    private let condition = NSCondition()
    private var waitingOn: [Int]
    private var ready: [Int] = []
    private var finished = 0
    private var done: [Bool]

    init(jobs: [Job], threads: Int, cancellation: RunCancellation? = nil) {
        self.jobs = jobs
        self.cancellation = cancellation
        self.threads = max(1, min(threads, max(1, jobs.count)))
        var children = Array(repeating: [Int](), count: jobs.count)
        for (index, job) in jobs.enumerated() {
            for parent in job.parents { children[parent].append(index) }
        }
        self.children = children
        waitingOn = jobs.map(\.parents.count)
        done = Array(repeating: false, count: jobs.count)
        ready = jobs.indices.filter { waitingOn[$0] == 0 }
    }

    /// Blocks until every job has run or been skipped. `connect` opens a worker's connection (nil
    /// when it cannot; `execute` then gets nil too); `execute` returns whether the job succeeded;
    /// `skip` is told about each job skipped and the failed job that caused it.
    func run(
        connect: @escaping @Sendable () -> Connection?,
        execute: @escaping @Sendable (Int, Connection?) -> Bool,
        skip: @escaping @Sendable (Int, Int) -> Void
    ) {
        guard !jobs.isEmpty else { return }
        // Wake the workers waiting for a ready job, so they see the cancellation and return.
        let token = cancellation?.register { [condition] in
            condition.lock()
            condition.broadcast()
            condition.unlock()
        }
        defer { if let token { cancellation?.remove(token) } }
        let group = DispatchGroup()
        for number in 1...threads {
            group.enter()
            let thread = Thread { [self] in
                // dbt's thread ids, as run results report them.
                Thread.current.name = "Thread-\(number)"
                worker(connect: connect, execute: execute, skip: skip)
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
    }

    private func worker(
        connect: () -> Connection?, execute: (Int, Connection?) -> Bool, skip: (Int, Int) -> Void
    ) {
        var connection: Connection?
        var connected = false
        while let index = next() {
            if !connected {
                connection = connect()
                connected = true
            }
            let succeeded = execute(index, connection)
            complete(index, succeeded: succeeded, skip: skip)
        }
    }

    private func next() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty || cancellation?.isCancelled == true {
            if finished == jobs.count || cancellation?.isCancelled == true { return nil }
            condition.wait()
        }
        return ready.removeFirst()
    }

    private func complete(_ index: Int, succeeded: Bool, skip: (Int, Int) -> Void) {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        markDone(index)
        if succeeded {
            var released: [Int] = []
            for child in children[index] where !done[child] {
                waitingOn[child] -= 1
                if waitingOn[child] == 0 { released.append(child) }
            }
            ready.append(contentsOf: released)
            ready.sort()
        } else {
            var stack = children[index]
            while let child = stack.popLast() {
                guard !done[child] else { continue }
                markDone(child)
                ready.removeAll { $0 == child }
                skip(child, index)
                stack.append(contentsOf: children[child])
            }
        }
    }

    private func markDone(_ index: Int) {
        done[index] = true
        finished += 1
    }
}
