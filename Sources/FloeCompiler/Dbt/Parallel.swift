import FloeContract
import FloeJinja
import FloeTemplates
import Foundation

/// Spreads `count` jobs over the machine's cores. Each worker calls `makeWorker` once, on its own
/// thread, so it can own state that must not be shared (a Jinja environment), then takes jobs in
/// small batches until none are left, so a worker that started late or drew slow jobs does not
/// hold the others up. Results come back in job order.
enum Parallel {
    static func map<Result: Sendable>(
        count: Int, workers requested: Int = ProcessInfo.processInfo.activeProcessorCount,
        makeWorker: @Sendable () -> (Int) -> Result
    ) -> [Result] {
        guard count > 0 else { return [] }
        let workers = max(1, min(requested, count))
        if workers == 1 {
            let job = makeWorker()
            return (0..<count).map(job)
        }
        // Each index is written by exactly one worker, and read only after all have finished.
        let slots = TakeOnceSlots<Result>(count: count)
        let batches = JobBatches(count: count, size: max(1, min(64, count / (workers * 16))))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let job = makeWorker()
            while let batch = batches.next() {
                for index in batch { slots.put(job(index), at: index) }
            }
        }
        // Moved out, not copied: a copy retains every object in the results, each a cache miss
        // when another core made it.
        return (0..<count).map { slots.take($0)! }
    }
}

/// Hands out consecutive ranges of job indices to whichever worker asks next.
private final class JobBatches: @unchecked Sendable {
    private let lock = NSLock()
    private var taken = 0
    private let count: Int
    private let size: Int

    init(count: Int, size: Int) {
        self.count = count
        self.size = size
    }

    func next() -> Range<Int>? {
        lock.lock()
        defer { lock.unlock() }
        guard taken < count else { return nil }
        let start = taken
        taken = min(count, start + size)
        return start..<taken
    }
}

/// Wraps a value that is immutable after construction but not declared `Sendable` (a parsed
/// template) so workers can read it.
struct Shared<Value>: @unchecked Sendable {
    let value: Value
}

/// Work started on another thread now and collected later with ``wait()``, for a job that only
/// reads what it captured (it gets its own copy of value types).
final class BackgroundWork<Result>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Result?

    init(_ work: @escaping () -> Result) {
        let job = Shared(value: work)
        DispatchQueue.global(qos: .userInitiated).async(group: group) { self.result = job.value() }
    }

    /// Waits for the work and returns what it gave.
    func wait() -> Result {
        group.wait()
        return result.take()!
    }
}
