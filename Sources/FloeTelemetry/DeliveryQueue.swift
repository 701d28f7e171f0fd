import Foundation

/// Sends payloads to a sink off the caller's thread so that delivery never slows or fails what
/// emits them: `enqueue` returns at once; a bounded queue drops the newest payloads when full;
/// each payload gets a few attempts with a short backoff; once a payload failed every attempt the
/// destination is taken as down and the rest are dropped without trying (a run's events are
/// minutes apart at most: a destination that refused three times in a row will not be back in
/// time to matter, and trying each would keep the queue from draining).
/// `close` waits for the queue to drain only while deliveries keep succeeding, and reports what
/// was dropped, which the caller turns into one warning.
public final class DeliveryQueue: @unchecked Sendable {
    public struct Report: Sendable, Equatable {
        public var delivered = 0
        public var dropped = 0
        /// The last reason a payload was dropped.
        public var lastError: String?

        /// "3 of 25 lineage events were not delivered to URL: reason", or nil when none was dropped.
        public func warning(what: String, destination: String) -> String? {
            guard dropped > 0 else { return nil }
            let total = delivered + dropped
            return "\(dropped) of \(total) \(what)\(total == 1 ? "" : "s") \(dropped == 1 ? "was" : "were") not delivered to \(destination)"
                + (lastError.map { ": \($0)" } ?? "")
        }
    }

    public let sink: any TelemetrySink
    private let capacity: Int
    private let attempts: Int
    private let backoff: Double
    /// Payloads in a row that failed every attempt before the destination is taken as down.
    private let failuresBeforeGivingUp: Int

    private let condition = NSCondition()
    private var pending: [Data] = []
    private var inFlight = 0
    private var closed = false
    private var givenUp = false
    private var failuresInARow = 0
    private var report = Report()
    private var lastProgress = Date()

    public init(sink: any TelemetrySink, capacity: Int = 10_000, attempts: Int = 3, backoff: Double = 0.1,
                failuresBeforeGivingUp: Int = 1, workers: Int = 1) {
        self.sink = sink
        self.capacity = capacity
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.failuresBeforeGivingUp = failuresBeforeGivingUp
        for index in 0..<max(1, workers) {
            let thread = Thread { [self] in work() }
            thread.name = "floe-telemetry-\(index)"
            thread.start()
        }
    }

    /// Queues `payload`; never blocks. Dropped (and counted) when the queue is full, closed, or
    /// the destination was given up on.
    public func enqueue(_ payload: Data) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, !givenUp, pending.count < capacity else {
            report.dropped += 1
            if pending.count >= capacity { report.lastError = "the queue of \(capacity) was full" }
            return
        }
        pending.append(payload)
        condition.signal()
    }

    /// Stops taking payloads and waits while the queue drains: as long as deliveries keep
    /// succeeding, but no more than `stall` seconds without one (a dead or hanging destination
    /// costs the caller at most that), and never past `limit`. What is left counts as dropped.
    public func close(stall: Double = 0.5, limit: Double = 30) -> Report {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        let start = Date()
        lastProgress = max(lastProgress, start)
        while !pending.isEmpty || inFlight > 0 {
            let now = Date()
            let deadline = min(lastProgress.addingTimeInterval(stall), start.addingTimeInterval(limit))
            if now >= deadline { break }
            _ = condition.wait(until: deadline)
        }
        var final = report
        let abandoned = pending.count + inFlight
        if abandoned > 0 {
            final.dropped += abandoned
            final.lastError = final.lastError ?? "no answer within \(stall) s at the end"
        }
        pending.removeAll()
        return final
    }

    /// Closes several at once, so their waits overlap: a run that sends lineage and traces to two
    /// dead destinations waits one stall, not two. The warnings, in order, nil for those with none.
    public static func closeTogether(_ closings: [@Sendable () -> String?]) -> [String?] {
        final class Results: @unchecked Sendable {
            var values: [String?]
            let lock = NSLock()
            init(_ count: Int) { values = Array(repeating: nil, count: count) }
        }
        let results = Results(closings.count)
        let group = DispatchGroup()
        for (index, close) in closings.enumerated() {
            group.enter()
            Thread {
                let warning = close()
                results.lock.withLock { results.values[index] = warning }
                group.leave()
            }.start()
        }
        group.wait()
        return results.values
    }

    private func work() {
        while true {
            condition.lock()
            while pending.isEmpty && !closed { condition.wait() }
            if pending.isEmpty { condition.unlock(); return }
            let payload = pending.removeFirst()
            let skip = givenUp
            if !skip { inFlight += 1 }
            condition.unlock()
            if skip {
                record(delivered: false, error: nil, counted: false)
                continue
            }
            var failure: DeliveryFailure?
            for attempt in 0..<attempts {
                do {
                    try sink.deliver(payload)
                    failure = nil
                    break
                } catch {
                    failure = error
                    guard error.retryable, attempt + 1 < attempts, !isClosing else { break }
                    Thread.sleep(forTimeInterval: backoff * Double(1 << attempt))
                }
            }
            record(delivered: failure == nil, error: failure?.message, counted: true)
        }
    }

    private var isClosing: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    private func record(delivered: Bool, error: String?, counted: Bool) {
        condition.lock()
        defer { condition.unlock() }
        if counted { inFlight -= 1 }
        if delivered {
            report.delivered += 1
            failuresInARow = 0
            lastProgress = Date()
        } else {
            report.dropped += 1
            if let error { report.lastError = error }
            if counted {
                failuresInARow += 1
                if failuresInARow >= failuresBeforeGivingUp { givenUp = true }
            }
        }
        condition.broadcast()
    }
}
