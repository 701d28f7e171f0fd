import FloeConnect
import FloeContract
import FloeCore
import Foundation

/// `floe demo`: live demo mode as floe.yaml's `demo:` section describes it. Each cycle appends a
/// batch to the synthetic tables and builds what changed (the incremental models take the new
/// rows) and runs the tests, one apply with `batch` on; cycles come on the cron schedule, or back
/// to back at the burst rate, until `cycles` have run or `stop` is cancelled. A cancellation
/// while waiting ends the loop at once; during a cycle it interrupts that cycle's apply, which
/// rolls back what was in flight.
public struct DemoLoop {
    public struct Cycle: Sendable {
        public var number: Int
        public var results: RunResults
        /// Rows the cycle's batch added across the synthetic tables.
        public var rowsAdded: Int
    }

    let runnable: RunnablePlan
    var plan: CompiledArtifacts { runnable.declared }
    let options: ApplyOptions
    let observer: (any ApplyObserver)?

    public init(plan: RunnablePlan, options: ApplyOptions, observer: (any ApplyObserver)? = nil) {
        var options = options
        options.batch = true
        runnable = plan
        self.options = options
        self.observer = observer
    }

    /// Runs cycles, telling `report` about each as it ends; returns how many ran.
    public func run(cycles: Int?, stop: RunCancellation, report: (Cycle) -> Void) throws(ExecutorError) -> Int {
        guard let demo = plan.product.demo else {
            throw ExecutorError(.usage, "floe demo needs floe.yaml's `demo:` section (schedule, batch_size); add one and compile again")
        }
        let schedule: CronSchedule
        do {
            schedule = try CronSchedule(demo.cron)
        } catch {
            throw ExecutorError(.usage, "demo.schedule.cron: \(error.description)")
        }
        let wake = DispatchSemaphore(value: 0)
        let token = stop.register { wake.signal() }
        defer { stop.remove(token) }
        var number = 0
        while cycles.map({ number < $0 }) ?? true, !stop.isCancelled {
            if number > 0 {
                // Burst mode: a batch's rows at the configured rate; else the next scheduled minute.
                let seconds = demo.burstRecordsPerSecond.map { Double(demo.batchSize) / Double(max(1, $0)) }
                    ?? Double((schedule.next(after: Int64(Date().timeIntervalSince1970)) ?? 0)) - Date().timeIntervalSince1970
                if seconds > 0, wake.wait(timeout: .now() + seconds) == .success { break }
            }
            if stop.isCancelled { break }
            number += 1
            let runner = PlanRunner(plan: runnable, options: options, observer: observer)
            let forward = stop.register { runner.cancellation.cancel(stop.reason ?? .request) }
            defer { stop.remove(forward) }
            let results = try runner.run()
            let added = results.results.filter { $0.resourceType == .synthetic && $0.status == .success }.compactMap(\.rowsAffected).reduce(0, +)
            report(Cycle(number: number, results: results, rowsAdded: added))
        }
        return number
    }
}
