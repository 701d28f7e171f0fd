import Foundation

/// Runs checks side by side, each on a thread of its own, and waits at most `timeout` seconds
/// for each: one that has not answered by then is reported as timed out (its thread is left to
/// finish on its own). With `failFast` they run one after another and stop at the first error.
public enum PreflightRunner {
    public static func run(_ checks: [PreflightCheck], timeout: Double, failFast: Bool) -> [PreflightResult] {
        if failFast {
            var results: [PreflightResult] = []
            for check in checks {
                let result = run(check, timeout: timeout)
                results.append(result)
                if result.status == .error { break }
            }
            return results
        }
        let results = Results(count: checks.count)
        let group = DispatchGroup()
        for (index, check) in checks.enumerated() {
            group.enter()
            Thread.detachNewThread {
                results.set(index, run(check, timeout: timeout))
                group.leave()
            }
        }
        group.wait()
        return results.all
    }

    static func run(_ check: PreflightCheck, timeout: Double) -> PreflightResult {
        let started = Date()
        let outcome = Results(count: 1)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            outcome.set(0, check.run())
            done.signal()
        }
        let elapsed = { Int((Date().timeIntervalSince(started) * 1000).rounded()) }
        guard done.wait(timeout: .now() + timeout) == .success, var result = outcome.all.first else {
            return PreflightResult(service: check.service, status: check.failureStatus,
                                   message: "\(check.subject): no answer within \(timeout.formatted()) s",
                                   durationMS: elapsed(), remediation: "check that it is up and reachable from here, or raise --timeout")
        }
        result.durationMS = elapsed()
        return result
    }

    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [PreflightResult?]

        init(count: Int) { results = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ result: PreflightResult) {
            lock.lock()
            results[index] = result
            lock.unlock()
        }

        var all: [PreflightResult] {
            lock.lock()
            defer { lock.unlock() }
            return results.compactMap { $0 }
        }
    }
}
