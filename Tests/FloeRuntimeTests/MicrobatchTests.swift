import FloeContract
import FloeRuntime
import Foundation
import Testing

/// dbt's `microbatch` strategy on SQLite: the model is built a window of `event_time` at a time,
/// its inputs with an `event_time` read in that window only; a later run redoes the current
/// window and `lookback` before it.
@Suite struct MicrobatchTests {
    /// The first of this month and of the one before, as the run's clock sees them (UTC).
    static let months: (current: String, previous: String) = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let now = calendar.dateComponents([.year, .month], from: Date())
        let current = calendar.date(from: now)!
        let previous = calendar.date(byAdding: .month, value: -1, to: current)!
        let format = DateFormatter()
        format.timeZone = calendar.timeZone
        format.dateFormat = "yyyy-MM-dd"
        return (format.string(from: current), format.string(from: previous))
    }()

    func workspace(events: String) throws -> Workspace {
        let workspace = try Workspace(empty: ())
        try workspace.write("floe.yaml", "name: batches\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n")
        try workspace.write("platform.yaml", "version: \"1\"\ncompute: { default: { type: sqlite, path: \".floe/{environment}.db\" } }\n")
        try workspace.write("dbt/dbt_project.yml", "name: batches\nseeds:\n  batches:\n    events:\n      +event_time: occurred_at\n")
        try workspace.write("dbt/seeds/events.csv", events)
        try workspace.write("dbt/seeds/kinds.csv", "kind,label\na,Alpha\nb,Beta\n")
        try workspace.write("dbt/models/daily.sql", """
            {{ config(materialized='incremental', incremental_strategy='microbatch', event_time='day',
                      batch_size='month', begin='2025-11-01', lookback=1) }}
            select date(e.occurred_at) as day, k.label, count(*) as events
            from {{ ref('events') }} e join {{ ref('kinds') }} k on k.kind = e.kind
            group by 1, 2
            """)
        return workspace
    }

    @Test func batchesReadTheirWindowAndALaterRunRedoesTheLookback() throws {
        let (current, previous) = Self.months
        let workspace = try workspace(events: """
            occurred_at,kind
            2025-10-31 23:00:00,a
            2025-11-01 00:00:00,a
            2025-11-15 12:00:00,b
            \(previous) 08:00:00,a
            \(current) 09:00:00,b

            """)
        let plan = try workspace.compile()
        let model = try #require(plan.models.first { $0.name == "daily" })
        #expect(model.microbatch == MicrobatchConfig(eventTime: "day", batchSize: "month", begin: "2025-11-01", lookback: 1))
        // The input with an event_time is read in the window; the one without, whole.
        #expect(model.sql.contains(#"(select * from "dev"."events" where strftime('%Y-%m-%dT%H:%M:%f', "occurred_at") >= '__floe_batch_start__'"#))
        #expect(model.sql.contains(#"join "dev"."kinds" k"#))

        let first = try workspace.apply()
        #expect(first.result("daily")?.message?.hasPrefix("incremental microbatch, first build") == true)
        // Nothing before `begin`.
        #expect(try workspace.rows("select day, label, events from daily order by day") == [
            ["2025-11-01", "Alpha", "1"], ["2025-11-15", "Beta", "1"], [previous, "Alpha", "1"], [current, "Beta", "1"],
        ].sorted { $0[0] < $1[0] })

        // An old row changes and new ones arrive: only the current month and the one before are redone.
        try workspace.write("dbt/seeds/events.csv", """
            occurred_at,kind
            2025-11-01 00:00:00,b
            2025-11-15 12:00:00,b
            \(previous) 08:00:00,a
            \(previous) 10:00:00,a
            \(current) 09:00:00,b
            \(current) 11:00:00,a

            """)
        let second = try workspace.apply()
        #expect(second.result("daily")?.message == "incremental microbatch, 2 batches, 3 rows")
        #expect(try workspace.rows("select day, label, events from daily order by day, label") == [
            ["2025-11-01", "Alpha", "1"], ["2025-11-15", "Beta", "1"], [previous, "Alpha", "2"], [current, "Alpha", "1"], [current, "Beta", "1"],
        ].sorted { ($0[0], $0[1]) < ($1[0], $1[1]) })

        // A full refresh builds every batch again from `begin`.
        try workspace.apply(fullRefresh: true)
        #expect(try workspace.scalar("select events from daily where day = '2025-11-01'") == "1")
        #expect(try workspace.scalar("select label from daily where day = '2025-11-01'") == "Beta")
    }
}
