import FloeCore
import Foundation

/// Node results as workers report them. Shared by the worker threads behind one lock.
final class ResultCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [String: NodeResult] = [:]
    private var finishedCount = 0
    private let total: Int
    private let observer: (any ApplyObserver)?

    init(total: Int, observer: (any ApplyObserver)?) {
        self.total = total
        self.observer = observer
    }

    func started(_ name: String, id: String, type: NodeResult.ResourceType) {
        lock.lock()
        defer { lock.unlock() }
        observer?.started(name, id: id, type: type, index: finishedCount + 1, total: total)
    }

    func record(_ result: NodeResult) {
        lock.lock()
        defer { lock.unlock() }
        results[result.uniqueID] = result
        finishedCount += 1
        observer?.finished(result, index: finishedCount, total: total)
    }

    func status(of id: String) -> NodeResult.Status? {
        lock.lock()
        defer { lock.unlock() }
        return results[id]?.status
    }

    /// The results in `order`, the plan's order.
    func ordered(_ order: [String]) -> [NodeResult] {
        lock.lock()
        defer { lock.unlock() }
        return order.compactMap { results[$0] }
    }
}

/// Timestamps for results and state: FloeCore's ``Timestamp`` (ISO 8601 UTC with milliseconds).
enum Clock {
    static func timestamp(_ date: Date = Date()) -> String { Timestamp.string(date) }

    static func date(_ timestamp: String) -> Date? { Timestamp.date(timestamp) }
}
