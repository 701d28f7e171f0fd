import Foundation
import Testing

/// `floe schedule` on a copy of the e-commerce demo (`schedule: */10 * * * *`, UTC).
@Suite struct ScheduleCommandTests {
    static func sqlite(_ demo: URL, _ sql: String) throws -> String {
        try FloeBinary.run(program: URL(fileURLWithPath: "/usr/bin/sqlite3"), [demo.appendingPathComponent(".floe/dev.db").path, sql]).stdout
    }

    static func minutesAgo(_ minutes: Double) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date().addingTimeInterval(-minutes * 60))
    }

    /// Slots missed since `--since`: one run each, oldest first, each recorded in _floe_schedule;
    /// `--status` and `floe ls` show them.
    @Test func catchesUpMissedSlotsAndRecordsThem() throws {
        let demo = try ApplyCommandTests.demoCopy()
        // A 25-minute window holds two or three slots of */10: the oldest two run.
        let run = try FloeBinary.run(["schedule", "--since", Self.minutesAgo(25), "--catch-up", "all", "--runs", "2"], in: demo)
        #expect(run.status == 0, "\(run.all)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "floe schedule: ecommerce-analytics, */10 * * * * (UTC); SIGTERM or Ctrl-C stops", "\(run.stdout)")
        #expect(lines.contains { $0.hasPrefix("  2 slots missed since") || $0.hasPrefix("  3 slots missed since") }, "\(run.stdout)")
        let slots = lines.filter { $0.hasPrefix("slot ") }
        #expect(slots.count == 2, "\(run.stdout)")
        #expect(slots.first?.contains("success (caught up)  13 built, 0 up to date; tests 22 pass, 0 warn, 0 fail") == true, "\(run.stdout)")
        #expect(slots.last?.contains("success (caught up)  0 built, 13 up to date") == true, "\(run.stdout)")
        // Slots are ten-minute marks, recorded with the runs they started.
        let recorded = try Self.sqlite(demo, "select slot, status, attempts, run_id is not null from _floe_schedule order by slot")
        let rows = recorded.split(separator: "\n")
        #expect(rows.count == 2, "\(recorded)")
        #expect(rows.allSatisfy { $0.hasSuffix(":00.000Z|success|1|1") }, "\(recorded)")
        for row in rows {
            let minute = row.dropFirst(14).prefix(2)
            #expect(Int(minute).map { $0 % 10 == 0 } == true, "a */10 slot: \(row)")
        }
        #expect(try Self.sqlite(demo, "select count(*) from _floe_runs where command = 'schedule' and status = 'success'") == "2\n")

        let status = try FloeBinary.run(["schedule", "--status"], in: demo)
        #expect(status.status == 0, "\(status.all)")
        #expect(status.stdout.hasPrefix("schedule: */10 * * * * (UTC)\nnext: "), "\(status.stdout)")
        #expect(status.stdout.split(separator: "\n").filter { $0.hasPrefix("slot ") && $0.contains("  success  run ") }.count == 2)
        let listed = try FloeBinary.run(["ls"], in: demo)
        let last = try #require(rows.last.map { String($0.prefix(24)) })
        #expect(listed.stdout.contains("\nschedule: */10 * * * * (UTC); next "), "\(listed.stdout)")
        #expect(listed.stdout.hasSuffix("; last slot \(last): success\n"), "\(listed.stdout)")

        // Started again, the default (--catch-up once) finds nothing missed since the last slot
        // recorded, or runs once for what came since: never the slots already run.
        let again = try FloeBinary.run(["schedule", "--runs", "1", "--catch-up", "once"], in: demo, environment: [:])
            .stdout.split(separator: "\n").filter { $0.hasPrefix("slot ") }
        for line in again { #expect(!line.contains(last), "\(line)") }
    }

    /// No overlapping runs: a slot whose run finds the namespace held is skipped, not queued.
    @Test func aSlotWhileAnotherRunHoldsTheNamespaceIsSkipped() throws {
        let demo = try ApplyCommandTests.demoCopy()
        #expect(try FloeBinary.run(["build"], in: demo).status == 0)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--exclusive", demo.appendingPathComponent(".floe/dev.db.lock").path, "sleep", "60"]
        try holder.run()
        defer { holder.terminate() }
        Thread.sleep(forTimeInterval: 0.5)
        let run = try FloeBinary.run(["schedule", "--since", Self.minutesAgo(15), "--runs", "1"], in: demo)
        #expect(run.status == 1, "\(run.all)")
        #expect(run.stdout.contains("skipped (caught up): another run still holds the namespace"), "\(run.stdout)")
        #expect(try Self.sqlite(demo, "select status, run_id is null from _floe_schedule") == "skipped|1\n")
    }

    /// An engine that cannot be reached is retried with a doubling delay, then the slot says so.
    @Test func anUnreachableEngineIsRetriedThenReported() throws {
        let demo = try ApplyCommandTests.demoCopy()
        // prod runs on PostgreSQL at the demo's host, which does not exist here.
        let run = try FloeBinary.run(["schedule", "--env", "prod", "--since", Self.minutesAgo(15), "--runs", "1", "--retries", "2", "--retry-delay", "0.2"],
                                     in: demo, environment: ["FLOE_SECRET_WAREHOUSE_DB_PASSWORD": "pw-never-shown"])
        #expect(run.status == 1, "\(run.all)")
        #expect(run.stdout.contains("the engine cannot be reached (attempt 1 of 3)"), "\(run.stdout)")
        #expect(run.stdout.contains("the engine cannot be reached (attempt 2 of 3)"), "\(run.stdout)")
        #expect(run.stdout.contains("unreachable (caught up); 3 attempts: "), "\(run.stdout)")
        #expect(!run.all.contains("pw-never-shown"))
    }

    /// SIGTERM while waiting for the next slot ends the loop at once, with the documented code.
    @Test func sigtermWhileWaitingStopsAtOnce() throws {
        let demo = try ApplyCommandTests.demoCopy()
        let output = demo.appendingPathComponent("schedule.out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = FloeBinary.executable
        process.arguments = ["schedule", "--catch-up", "skip"]
        process.currentDirectoryURL = demo
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !((try? String(contentsOf: output, encoding: .utf8)) ?? "").contains("next run at"), Date() < deadline, process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(text.contains("  next run at "), "\(text)")
        let sent = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        #expect(Date().timeIntervalSince(sent) < 5)
    }

    @Test func aScheduleNeedsAKnownTimeZoneAndAPlanWithASchedule() throws {
        let demo = try ApplyCommandTests.demoCopy()
        let spec = demo.appendingPathComponent("floe.yaml")
        let text = try String(contentsOf: spec, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "timezone: UTC", with: "timezone: Europe/Berln").utf8).write(to: spec)
        let compiled = try FloeBinary.run(["compile"], in: demo)
        #expect(compiled.status == 4)
        #expect(compiled.stderr.contains("error: schedule.timezone: 'Europe/Berln' is not a time zone; did you mean 'Europe/Berlin'?"),
                "\(compiled.stderr)")
        let unscheduled = text.replacingOccurrences(of: "schedule:\n  cron: \"*/10 * * * *\"\n  timezone: UTC\n", with: "")
        #expect(unscheduled != text)
        try Data(unscheduled.utf8).write(to: spec)
        let refused = try FloeBinary.run(["schedule"], in: demo)
        #expect(refused.status == 2, "\(refused.all)")
        #expect(refused.stderr.contains("error: floe schedule runs the plan on floe.yaml's `schedule:` and this plan has none"), "\(refused.stderr)")
    }
}
