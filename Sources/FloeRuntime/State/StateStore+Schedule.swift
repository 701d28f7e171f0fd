import FloeConnect
import FloeEngine

/// One slot of `floe schedule`, as `_floe_schedule` keeps it: a row appended per slot (on every
/// engine, Spark too, since it is never updated).
public struct ScheduledSlot: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// The run ran and every node and error-severity test passed.
        case success
        /// The run ran and something in it failed (see its run in `_floe_runs`).
        case failed
        /// Another run still held the namespace: the slot was left out, as a CronJob with
        /// `concurrencyPolicy: Forbid` leaves it out.
        case skipped
        /// The engine could not be reached, after every retry.
        case unreachable
        /// The run could not start for another reason (a secret that cannot be resolved).
        case error
        /// SIGTERM or SIGINT stopped the run.
        case cancelled
    }

    /// When the slot was due (ISO 8601, UTC).
    public var slot: String
    /// The run's invocation id, when one ran.
    public var runID: String?
    public var status: Status
    /// How many times the run was started (1 without retries).
    public var attempts: Int
    public var recordedAt: String
    public var message: String?

    public init(slot: String, runID: String?, status: Status, attempts: Int, recordedAt: String, message: String?) {
        self.slot = slot
        self.runID = runID
        self.status = status
        self.attempts = attempts
        self.recordedAt = recordedAt
        self.message = message
    }
}

extension StateStore {
    static let scheduleColumns: [(String, ValueKind)] = [
        ("slot", .text), ("run_id", .text), ("status", .text), ("attempts", .integer), ("recorded_at", .text), ("message", .text),
    ]

    func createScheduleTable(_ connection: any EngineConnection) throws {
        try connection.ensureSchema(namespace)
        try Self.createPlainTable(relation("_floe_schedule"), columns: Self.scheduleColumns, connection: connection, dialect: dialect)
    }

    func record(_ slot: ScheduledSlot, _ connection: any EngineConnection) throws {
        try createScheduleTable(connection)
        _ = try connection.insert(into: relation("_floe_schedule"), columns: Self.scheduleColumns.map(\.0), rows: [[
            .text(slot.slot), slot.runID.map(SQLValue.text) ?? .null, .text(slot.status.rawValue), .integer(Int64(slot.attempts)),
            .text(slot.recordedAt), slot.message.map(SQLValue.text) ?? .null,
        ]])
    }

    /// The latest slots, newest first; none when the table is not there yet.
    func scheduledSlots(_ connection: any EngineConnection, limit: Int) throws -> [ScheduledSlot] {
        guard try connection.relationKind(relation("_floe_schedule")) != nil else { return [] }
        let rows = try connection.query(
            "select slot, run_id, status, attempts, recorded_at, message from \(table("_floe_schedule")) order by slot desc, recorded_at desc",
            limit: limit).rows
        return rows.compactMap { row in
            guard let slot = row[0].displayText, let status = row[2].displayText.flatMap(ScheduledSlot.Status.init) else { return nil }
            return ScheduledSlot(slot: slot, runID: row[1].displayText, status: status, attempts: Int(row[3].displayText ?? "") ?? 1,
                                 recordedAt: row[4].displayText ?? "", message: row[5].displayText)
        }
    }
}
