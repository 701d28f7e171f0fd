import Foundation

/// The served plan, read again when its file changes (checked on each request: a `stat`).
/// A new file that cannot be served, or that was compiled for another environment (`floe compile
/// --env test` beside a dev server), is reported once and the previous plan goes on answering.
final class PlanSource: @unchecked Sendable {
    private let configuration: ServeConfiguration
    private let lock = NSLock()
    private var served: ServedPlan
    private var refusedStamp: ServedPlan.FileStamp?
    private let log: @Sendable (String) -> Void

    /// The environment every plan served must be for.
    let environment: String

    init(configuration: ServeConfiguration, log: @escaping @Sendable (String) -> Void) throws(ServeError) {
        self.configuration = configuration
        self.log = log
        served = try ServedPlan(configuration: configuration)
        environment = configuration.environmentName ?? served.plan.environment.name
        guard served.plan.environment.name == environment else {
            throw ServeError(.plan, "\(configuration.planPath) was compiled for the environment '\(served.plan.environment.name)', "
                + "not '\(environment)'; compile it with --env \(environment), or serve it with --env \(served.plan.environment.name)")
        }
    }

    /// The plan to answer this request from.
    func current() -> ServedPlan {
        lock.lock()
        defer { lock.unlock() }
        guard let stamp = try? ServedPlan.FileStamp(path: configuration.planPath), stamp != served.stamp, stamp != refusedStamp else {
            return served
        }
        do {
            let loaded = try ServedPlan(configuration: configuration)
            guard loaded.plan.environment.name == environment else {
                refusedStamp = stamp
                log("floe serve: kept the plan of the environment '\(environment)'; the new \(configuration.planPath) is for "
                    + "'\(loaded.plan.environment.name)' (floe serve --env \(loaded.plan.environment.name) serves that one)")
                return served
            }
            served = loaded
            log("floe serve: loaded the new plan \(configuration.planPath) (\(served.plan.cubes?.count ?? 0) cubes, environment \(environment))")
        } catch {
            refusedStamp = stamp
            log("floe serve: kept the previous plan; the new \(configuration.planPath) cannot be served: \(error.message)")
        }
        return served
    }
}
