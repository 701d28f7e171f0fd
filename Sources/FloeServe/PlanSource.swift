import Foundation

/// The served plan, read again when its file changes (checked on each request: a `stat`).
/// A new file that cannot be served is reported once and the previous plan goes on answering.
final class PlanSource: @unchecked Sendable {
    private let configuration: ServeConfiguration
    private let lock = NSLock()
    private var served: ServedPlan
    private var refusedStamp: ServedPlan.FileStamp?
    private let log: @Sendable (String) -> Void

    init(configuration: ServeConfiguration, log: @escaping @Sendable (String) -> Void) throws(ServeError) {
        self.configuration = configuration
        self.log = log
        served = try ServedPlan(configuration: configuration)
    }

    /// The plan to answer this request from.
    func current() -> ServedPlan {
        lock.lock()
        defer { lock.unlock() }
        guard let stamp = try? ServedPlan.FileStamp(path: configuration.planPath), stamp != served.stamp, stamp != refusedStamp else {
            return served
        }
        do {
            served = try ServedPlan(configuration: configuration)
            log("floe serve: loaded the new plan \(configuration.planPath) (\(served.plan.cubes?.count ?? 0) cubes)")
        } catch {
            refusedStamp = stamp
            log("floe serve: kept the previous plan; the new \(configuration.planPath) cannot be served: \(error.message)")
        }
        return served
    }
}
