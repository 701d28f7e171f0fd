import Foundation

/// Spreads `count` jobs over the machine's cores. Each worker calls `makeWorker` once, on its own
/// thread, so it can own state that must not be shared (a Jinja environment), then runs every
/// `workers`-th job with it. Results come back in job order.
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
        let results = UnsafeMutableBufferPointer<Result?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        // Each index is written by exactly one worker, and read only after all have finished.
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let job = makeWorker()
            for index in stride(from: worker, to: count, by: workers) {
                slots[index] = job(index)
            }
        }
        return results.map { $0! }
    }
}

/// Wraps a value that is immutable after construction but not declared `Sendable` (a parsed
/// template) so workers can read it.
struct Shared<Value>: @unchecked Sendable {
    let value: Value
}
