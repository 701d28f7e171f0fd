import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// `floe schedule`: runs the plan on floe.yaml's `schedule:` (a cron expression in a time zone)
/// until stopped. Each slot is one apply under the namespace's lock; a slot whose run finds the
/// lock held by another run is skipped, never queued (no overlapping runs, as a CronJob with
/// `concurrencyPolicy: Forbid`); an engine that cannot be reached is retried with a doubling
/// delay; every slot is recorded in `_floe_schedule`. At start, slots missed since the last
/// recorded one are caught up as the policy says. A cancellation while waiting ends the loop at
/// once; during a run it interrupts that run, which rolls back what was in flight.
public struct ScheduleLoop {
    /// What to do at start about the slots that came while nothing ran.
    public enum CatchUp: String, Sendable, CaseIterable {
        /// Nothing: wait for the next slot.
        case skip
        /// One run now for all of them (a CronJob's behaviour; the default).
        case once
        /// One run per missed slot, oldest first (at most ``ScheduleLoop/catchUpLimit``).
        case all
    }

    public struct Settings: Sendable {
        public var catchUp: CatchUp
        /// Runs after the first when the engine cannot be reached.
        public var retries: Int
        /// Seconds before the first retry; each next one waits twice as long, up to ten minutes.
        public var retryDelay: Double
        /// Where catching up starts when nothing is recorded yet (nil: no catching up then).
        public var since: Date?

        public init(catchUp: CatchUp = .once, retries: Int = 3, retryDelay: Double = 10, since: Date? = nil) {
            self.catchUp = catchUp
            self.retries = retries
            self.retryDelay = retryDelay
            self.since = since
        }
    }

    /// One slot, as it ended.
    public struct Outcome: Sendable {
        public var record: ScheduledSlot
        /// The run's results, when a run ran to its end.
        public var results: RunResults?
        /// Whether the slot was one missed while nothing ran.
        public var caughtUp: Bool
    }

    public static let catchUpLimit = 1000

    let runnable: RunnablePlan
    var plan: CompiledArtifacts { runnable.declared }
    let options: ApplyOptions
    let settings: Settings
    let observer: (any ApplyObserver)?
    let now: @Sendable () -> Date

    public init(plan: RunnablePlan, options: ApplyOptions, settings: Settings, observer: (any ApplyObserver)? = nil,
                now: @escaping @Sendable () -> Date = Date.init) {
        var options = options
        options.command = "schedule"
        runnable = plan
        self.options = options
        self.settings = settings
        self.observer = observer
        self.now = now
    }

    /// The plan's schedule, parsed, with its time zone.
    public static func schedule(of plan: CompiledArtifacts) throws(ExecutorError) -> (cron: CronSchedule, zone: TimeZone) {
        guard let schedule = plan.product.schedule else {
            throw ExecutorError(.usage, "floe schedule runs the plan on floe.yaml's `schedule:` and this plan has none; "
                + "add `schedule: {cron: \"0 * * * *\", timezone: UTC}` to floe.yaml and compile again")
        }
        let cron: CronSchedule
        do {
            cron = try CronSchedule(schedule.cron)
        } catch {
            throw ExecutorError(.invalidPlan, "product.schedule.cron: \(error.description)")
        }
        guard let zone = TimeZone(identifier: schedule.timezone) else {
            throw ExecutorError(.invalidPlan, "product.schedule.timezone: '\(schedule.timezone)' is not a time zone")
        }
        return (cron, zone)
    }

    /// The slots strictly after `start` up to `end`, at most `limit` of them (the newest kept).
    static func slots(_ cron: CronSchedule, zone: TimeZone, after start: Date, through end: Date, limit: Int) -> [Date] {
        var found: [Date] = []
        var cursor = Int64(start.timeIntervalSince1970.rounded(.down))
        while let next = cron.next(after: cursor, in: zone), next <= Int64(end.timeIntervalSince1970) {
            found.append(Date(timeIntervalSince1970: TimeInterval(next)))
            if found.count > limit { found.removeFirst() }
            cursor = next
        }
        return found
    }

    /// Runs slots, telling `report` about each as it ends, until `slots` have ended or `stop` is
    /// cancelled; returns how many ended. `note` hears what the loop decides (catching up, waiting,
    /// retrying).
    public func run(slots limit: Int?, stop: RunCancellation, note: (String) -> Void, report: (Outcome) -> Void) throws(ExecutorError) -> Int {
        let (cron, zone) = try Self.schedule(of: plan)
        let wake = DispatchSemaphore(value: 0)
        let token = stop.register { wake.signal() }
        defer { stop.remove(token) }
        /// Waits until `date` (or `seconds`); false when cancelled first.
        func sleep(until date: Date) -> Bool {
            let seconds = date.timeIntervalSince(now())
            if seconds > 0, wake.wait(timeout: .now() + seconds) == .success { return false }
            return !stop.isCancelled
        }
        var ended = 0
        var last = lastSlot() ?? settings.since
        let missed = last.map { Self.slots(cron, zone: zone, after: $0, through: now(), limit: Self.catchUpLimit) } ?? []
        var due: [(Date, Bool)] = switch settings.catchUp {
        case .skip: []
        case .once: missed.last.map { [($0, true)] } ?? []
        case .all: missed.map { ($0, true) }
        }
        if !missed.isEmpty {
            note("\(missed.count) slot\(missed.count == 1 ? "" : "s") missed since \(Timestamp.string(last ?? now())): "
                 + (settings.catchUp == .skip ? "not caught up (--catch-up skip)"
                    : settings.catchUp == .once ? "one run now" : "one run for each"))
        }
        if let newest = missed.last { last = newest }
        while limit.map({ ended < $0 }) ?? true, !stop.isCancelled {
            let slot: Date
            let caughtUp: Bool
            if due.isEmpty {
                guard let next = cron.next(after: Int64(max(now(), last ?? .distantPast).timeIntervalSince1970), in: zone) else {
                    note("the schedule names no time in the next eight years")
                    break
                }
                slot = Date(timeIntervalSince1970: TimeInterval(next))
                note("next run at \(Timestamp.string(slot))")
                guard sleep(until: slot) else { break }
                caughtUp = false
            } else {
                (slot, caughtUp) = due.removeFirst()
            }
            last = slot
            let outcome = try runSlot(slot, caughtUp: caughtUp, stop: stop, note: note, sleep: sleep)
            ended += 1
            report(outcome)
            if outcome.record.status == .cancelled { break }
        }
        return ended
    }

    /// One slot: its run, retried while the engine cannot be reached, and its record.
    private func runSlot(_ slot: Date, caughtUp: Bool, stop: RunCancellation, note: (String) -> Void,
                         sleep: (Date) -> Bool) throws(ExecutorError) -> Outcome {
        var attempts = 0
        var delay = settings.retryDelay
        var options = self.options
        options.scheduledFor = slot
        while true {
            attempts += 1
            let runner = PlanRunner(plan: runnable, options: options, observer: observer)
            let forward = stop.register { runner.cancellation.cancel(stop.reason ?? .request) }
            defer { stop.remove(forward) }
            do {
                let results = try runner.run()
                let status: ScheduledSlot.Status = results.cancelledBy != nil ? .cancelled : results.success ? .success : .failed
                return finish(slot, caughtUp: caughtUp, status: status, attempts: attempts, runID: results.metadata.invocationID,
                              message: nil, results: results, note: note)
            } catch {
                switch error.kind {
                case .usage, .selection, .invalidPlan:
                    throw error  // every slot would fail the same way
                case .locked:
                    return finish(slot, caughtUp: caughtUp, status: .skipped, attempts: attempts, runID: nil,
                                  message: "another run still holds the namespace: \(error.message)", results: nil, note: note)
                case .unreachable where attempts <= settings.retries && !stop.isCancelled:
                    note("the engine cannot be reached (attempt \(attempts) of \(settings.retries + 1)): \(error.message); "
                         + "retrying in \(Self.seconds(delay))")
                    guard sleep(now().addingTimeInterval(delay)) else {
                        return finish(slot, caughtUp: caughtUp, status: .cancelled, attempts: attempts, runID: nil,
                                      message: "cancelled while waiting to retry", results: nil, note: note)
                    }
                    delay = min(delay * 2, 600)
                case .unreachable:
                    return finish(slot, caughtUp: caughtUp, status: stop.isCancelled ? .cancelled : .unreachable, attempts: attempts,
                                  runID: nil, message: error.message, results: nil, note: note)
                default:
                    return finish(slot, caughtUp: caughtUp, status: .error, attempts: attempts, runID: nil,
                                  message: error.message, results: nil, note: note)
                }
            }
        }
    }

    private func finish(_ slot: Date, caughtUp: Bool, status: ScheduledSlot.Status, attempts: Int, runID: String?,
                        message: String?, results: RunResults?, note: (String) -> Void) -> Outcome {
        let record = ScheduledSlot(slot: Timestamp.string(slot), runID: runID, status: status, attempts: attempts,
                                   recordedAt: Timestamp.string(now()), message: message)
        do throws(ExecutorError) {
            try withState { store, connection in try store.record(record, connection) }
        } catch {
            note("the slot of \(record.slot) is not recorded in _floe_schedule: \(error.message)")
        }
        return Outcome(record: record, results: results, caughtUp: caughtUp)
    }

    /// The newest slot recorded, if any: none when nothing is recorded yet or the state cannot be
    /// read now (the engine down at start: the first run's retries will say so).
    private func lastSlot() -> Date? {
        let newest = try? withState { store, connection in try store.scheduledSlots(connection, limit: 1).first }
        return (newest ?? nil).flatMap { Timestamp.date($0.slot) }
    }

    private func withState<T>(_ body: (StateStore, any EngineConnection) throws -> T) throws(ExecutorError) -> T {
        try ScheduleHistory.withState(plan: plan, options: options, body)
    }

    static func seconds(_ value: Double) -> String {
        value >= 60 ? "\(Int(value / 60))m\(Int(value) % 60 == 0 ? "" : " \(Int(value) % 60)s")"
            : value < 10 ? String(format: "%.1fs", value) : "\(Int(value))s"
    }
}

/// The schedule's record, `_floe_schedule`, read for `floe schedule --status` and `floe ls`.
public enum ScheduleHistory {
    /// The newest `limit` slots, newest first.
    public static func recent(plan: CompiledArtifacts, options: ApplyOptions, limit: Int) throws(ExecutorError) -> [ScheduledSlot] {
        try withState(plan: plan, options: options) { store, connection in try store.scheduledSlots(connection, limit: limit) }
    }

    static func withState<T>(plan: CompiledArtifacts, options: ApplyOptions,
                             _ body: (StateStore, any EngineConnection) throws -> T) throws(ExecutorError) -> T {
        let secrets = SecretResolver(settings: plan.secrets, environment: options.environment)
        let engine = try EngineFactory.engine(for: plan, projectDirectory: options.projectDirectory, secrets: secrets)
        do {
            let connection = try engine.connect()
            return try body(StateStore(namespace: plan.environment.namespace, dialect: engine.dialect), connection)
        } catch {
            throw ExecutorError(error)
        }
    }
}
