import ArgumentParser
import FloeConnect
import FloeContract
import FloeCore
import FloeRuntime
import FloeSemantic
import Foundation

extension ScheduleLoop.CatchUp: ExpressibleByArgument {}

/// `floe schedule`: the plan run on floe.yaml's `schedule:`, one line per slot, until stopped.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Run the plan on floe.yaml's schedule (cron, time zone) until stopped; --status shows the schedule and its last slots.",
        discussion: """
            Each slot is one apply under the namespace's lock: a slot that finds another run still going is skipped, \
            never queued. An engine that cannot be reached is retried with a doubling delay. Every slot is recorded \
            in the warehouse's _floe_schedule table. The plan is compiled once, at start: restart after changing the \
            project. Runs until SIGTERM/SIGINT (exit 143/130), which rolls back the run in flight, or until --runs \
            slots have ended (exit 0, or 1 when one failed).
            """)

    @Argument(help: ArgumentHelp("A plan floe compile wrote (default: the project compiled first, into target/artifacts.json).",
                                 valueName: "artifacts.json"))
    var artifacts: String?

    @OptionGroup var project: ProjectOptions
    @OptionGroup var flags: ApplyFlags

    @Option(help: "At start, what to do about the slots missed since the last recorded one: skip them, run once for them all, or run each (oldest first).")
    var catchUp: ScheduleLoop.CatchUp = .once

    @Option(help: ArgumentHelp("Times to retry a run whose engine cannot be reached.", valueName: "n"))
    var retries: Int = 3

    @Option(help: ArgumentHelp("Seconds before the first retry; each next one waits twice as long (at most 10 minutes).", valueName: "seconds"))
    var retryDelay: Double = 10

    @Option(help: ArgumentHelp("When nothing is recorded yet, catch up the slots since this time (ISO 8601, such as 2026-12-01T00:00:00Z).",
                               valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Stop after this many slots (default: until stopped).", valueName: "n"))
    var runs: Int?

    @Flag(help: "Print the schedule, its next slots and the last ones recorded, and exit.")
    var status = false

    func validate() throws {
        if let runs, runs < 1 { throw ValidationError("--runs must be at least 1") }
        if retries < 0 { throw ValidationError("--retries must not be negative") }
        if retryDelay < 0 { throw ValidationError("--retry-delay must not be negative") }
        if let since, Timestamp.date(since) == nil {
            throw ValidationError("--since '\(since)' is not an ISO 8601 time; write it as 2026-12-01T00:00:00Z")
        }
    }

    func run() throws {
        let loaded = try CurrentPlan.load(named: artifacts, project: project, command: "schedule")
        let options = ApplyExecution.options(planPath: loaded.path, flags: flags, mode: .build, fullRefresh: false,
                                             command: "schedule", batch: false)
        if status { return try printStatus(loaded.plan, options: options) }
        let session = try LoopSession(plan: loaded.plan, flags: flags, options: options, stopping: "the schedule")
        defer { session.finish() }
        let log = session.log
        let settings = ScheduleLoop.Settings(catchUp: catchUp, retries: retries, retryDelay: retryDelay,
                                             since: since.flatMap(Timestamp.date))
        if let schedule = loaded.plan.product.schedule {
            Console.standardOutput.line("floe schedule: \(loaded.plan.product.name), \(schedule.cron) (\(schedule.timezone)); "
                                        + "SIGTERM or Ctrl-C stops")
        }
        var failed = false
        do {
            let loop = ScheduleLoop(plan: session.runnable, options: session.options, settings: settings, observer: session.observer)
            _ = try loop.run(slots: runs, stop: session.stop, note: { note in
                Console.standardOutput.line("  \(note)")
                log.write("info", "schedule", [("note", note)], message: "floe schedule: \(note)")
            }) { outcome in
                if let results = outcome.results { log.finishedRun(results) }
                failed = failed || outcome.record.status != .success
                Console.standardOutput.line(Self.line(outcome))
                ScheduleStatusFile.write(outcome.record, beside: loaded.path)
            }
        } catch {
            Console.standardError.line("error: \(error.description)")
            throw FloeExit(FloeExitCode(error))
        }
        try session.exit(failed: failed)
    }

    /// `slot 2026-12-07T10:10:00.000Z  success  13 built, 2 up to date; tests 21 pass …`.
    static func line(_ outcome: ScheduleLoop.Outcome) -> String {
        let record = outcome.record
        var line = "slot \(record.slot)  \(record.status.rawValue)"
        if outcome.caughtUp { line += " (caught up)" }
        if let results = outcome.results { line += "  " + LoopSession.summary(results) }
        if record.attempts > 1 { line += "; \(record.attempts) attempts" }
        if let message = record.message { line += ": \(message)" }
        return line
    }

    private func printStatus(_ plan: CompiledArtifacts, options: ApplyOptions) throws {
        let (cron, zone): (CronSchedule, TimeZone)
        do {
            (cron, zone) = try ScheduleLoop.schedule(of: plan)
        } catch {
            Console.standardError.line("error: \(error.description)")
            throw FloeExit(FloeExitCode(error))
        }
        let schedule = plan.product.schedule!
        Console.standardOutput.line("schedule: \(schedule.cron) (\(schedule.timezone))")
        var cursor = Int64(Date().timeIntervalSince1970)
        var next: [String] = []
        for _ in 0..<3 {
            guard let slot = cron.next(after: cursor, in: zone) else { break }
            next.append(Timestamp.string(Date(timeIntervalSince1970: TimeInterval(slot))))
            cursor = slot
        }
        Console.standardOutput.line("next: \(next.isEmpty ? "none in the next eight years" : next.joined(separator: ", "))")
        do {
            let recent = try ScheduleHistory.recent(plan: plan, options: options, limit: 10)
            if recent.isEmpty { Console.standardOutput.line("no slot recorded yet") }
            for record in recent {
                var line = "slot \(record.slot)  \(record.status.rawValue)"
                if let run = record.runID { line += "  run \(run)" }
                if record.attempts > 1 { line += "; \(record.attempts) attempts" }
                if let message = record.message { line += ": \(message)" }
                Console.standardOutput.line(line)
            }
        } catch {
            Console.standardOutput.line("last slots: unknown (\(error.message))")
        }
    }
}

/// `target/floe_schedule.json`: the last slot `floe schedule` ended here, for `floe ls` to show
/// without opening the warehouse (the full record is `_floe_schedule` in the warehouse).
enum ScheduleStatusFile {
    static func path(beside plan: String) -> String {
        URL(fileURLWithPath: plan).deletingLastPathComponent().appendingPathComponent("floe_schedule.json").path
    }

    static func write(_ record: ScheduledSlot, beside plan: String) {
        var fields: [String: JSONDocument] = ["slot": .string(record.slot), "status": .string(record.status.rawValue),
                                              "attempts": .integer(record.attempts), "recorded_at": .string(record.recordedAt)]
        if let run = record.runID { fields["run_id"] = .string(run) }
        if let message = record.message { fields["message"] = .string(message) }
        try? JSONDocument.object(fields).prettyData().write(to: URL(fileURLWithPath: path(beside: plan)), options: .atomic)
    }

    /// `slot 2026-…Z: success`, from the file beside `plan`, if there is one.
    static func lastSlot(beside plan: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path(beside: plan)),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let slot = object["slot"] as? String, let status = object["status"] as? String else { return nil }
        return "last slot \(slot): \(status)" + ((object["message"] as? String).map { " (\($0))" } ?? "")
    }
}
