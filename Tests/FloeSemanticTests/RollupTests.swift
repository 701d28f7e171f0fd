import FloeCompiler
import FloeConnect
import FloeContract
import FloeEngine
import FloeRuntime
@testable import FloeSemantic
import Foundation
import Testing

/// The e-commerce Orders cube's rollup (count and revenue by status and month): built by apply,
/// used for the queries it can answer with the same numbers as the models, never when stale.
@Suite struct RollupTests {
    func query(_ json: String) throws -> CubeQuery { try CubeQuery(json: try JSONValue.parse(json)) }

    /// The answer's rows with sums rounded to cents: a rollup adds partial sums in another order.
    func rows(_ result: LoadResult) -> [[String]] {
        result.data.map { $0.map { _, value in
            if case .string(let text) = value, let number = Double(text) { return String(format: "%.2f", number) }
            return value.text
        } }
    }

    static let answerable = [
        #"{"measures": ["Orders.count", "Orders.total_revenue"], "dimensions": ["Orders.status"]}"#,
        #"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "month"}]}"#,
        #"{"measures": ["Orders.average_order_value"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "quarter", "dateRange": ["2024-01-01", "2024-06-30"]}], "dimensions": ["Orders.status"]}"#,
        #"{"measures": ["Orders.count", "Orders.total_revenue"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "year"}], "filters": [{"member": "Orders.status", "operator": "notEquals", "values": ["cancelled"]}, {"member": "Orders.count", "operator": "gt", "values": ["10"]}], "total": true}"#,
        #"{"measures": ["Orders.total_revenue"], "timeDimensions": [{"dimension": "Orders.order_date", "dateRange": ["2024-03-01", "2024-05-31"]}]}"#,
    ]

    static let notAnswerable = [
        // A finer granularity than the rollup's month.
        #"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "day"}]}"#,
        // Weeks are not made of months.
        #"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "week"}]}"#,
        // A dimension the rollup does not keep, directly or in a filter.
        #"{"measures": ["Orders.count"], "dimensions": ["Orders.region"]}"#,
        #"{"measures": ["Orders.count"], "filters": [{"member": "Customers.region", "operator": "equals", "values": ["EMEA"]}]}"#,
        // A date range that cuts a month.
        #"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "dateRange": ["2024-03-15", "2024-05-31"]}]}"#,
        // Another time zone, a segment, rows.
        #"{"measures": ["Orders.count"], "dimensions": ["Orders.status"], "timezone": "Asia/Tokyo"}"#,
        #"{"measures": ["Orders.count"], "segments": ["Orders.delivered"]}"#,
        #"{"measures": ["Orders.total_revenue"], "dimensions": ["Orders.status"], "ungrouped": true}"#,
    ]

    @Test func applyBuildsTheRollupAndItAnswersWithTheModelsNumbers() throws {
        let warehouse = try DemoWarehouse.built.get()
        let connection = try warehouse.connection()
        let runner = try QueryRunner(plan: warehouse.plan)
        let rollups = PreAggregationState.current(warehouse.plan, connection: connection)
        #expect(rollups.map(\.key) == ["Orders.by_status_and_month"])
        for json in Self.answerable {
            let fromRollup = try runner.load(try query(json), on: connection, rollups: rollups)
            let fromModels = try runner.load(try query(json), on: connection)
            #expect(fromRollup.generated.preAggregation == "Orders.by_status_and_month", "\(json)")
            #expect(fromRollup.json["usedPreAggregations"]?["Orders.by_status_and_month"]?["targetTableName"]
                == .string("floe-dev.orders__by_status_and_month"))
            #expect(fromModels.generated.preAggregation == nil && fromModels.json["usedPreAggregations"] == .object([]))
            #expect(!fromModels.rows.rows.isEmpty && rows(fromRollup) == rows(fromModels), "\(json)")
            #expect(fromRollup.total == fromModels.total)
        }
        for json in Self.notAnswerable {
            #expect(try runner.generate(try query(json), rollups: rollups).preAggregation == nil, "\(json)")
        }
    }

    @Test func aStaleRollupIsNotUsedUntilApplyRebuildsIt() throws {
        let warehouse = try DemoWarehouse(build: true)
        let runner = try QueryRunner(plan: warehouse.plan)
        let byStatus = try query(#"{"measures": ["Orders.total_revenue"], "dimensions": ["Orders.status"], "order": {"Orders.status": "asc"}}"#)
        let before = try warehouse.connection()
        let first = try runner.load(byStatus, on: before, rollups: PreAggregationState.current(warehouse.plan, connection: before))
        #expect(first.generated.preAggregation != nil)

        // The orders model changes (amounts rounded to 10 cents) and is rebuilt alone: the rollup over it is now stale.
        let model = warehouse.directory.appendingPathComponent("dbt/models/staging/stg_orders.sql")
        let sql = try String(contentsOf: model, encoding: .utf8)
        try Data(sql.replacingOccurrences(of: "as numeric), 2)", with: "as numeric), 1)").utf8).write(to: model)
        let changed = try warehouse.recompiled()
        let partial = try PlanRunner(plan: RunnablePlan(withRollupsOf: changed), options: ApplyOptions(select: ["stg_orders"], threads: 1, projectDirectory: warehouse.directory.path, environment: [:])).run()
        #expect(partial.success, "\(partial.results.filter { ![.success, .pass].contains($0.status) })")
        #expect(partial.result(named: "orders__by_status_and_month") == nil)
        let connection = try changed.connection(in: warehouse.directory)
        #expect(PreAggregationState.current(changed, connection: connection).isEmpty)
        let answer = try runner.load(byStatus, on: connection, rollups: PreAggregationState.current(changed, connection: connection))
        #expect(answer.generated.preAggregation == nil)
        #expect(rows(answer) != rows(first), "the answer reflects the rebuilt model")
        #expect(rows(answer) == rows(try runner.load(byStatus, on: connection)))

        // A full apply rebuilds the rollup, which answers again, with the new numbers.
        let full = try PlanRunner(plan: RunnablePlan(withRollupsOf: changed), options: ApplyOptions(threads: 1, projectDirectory: warehouse.directory.path, environment: [:])).run()
        #expect(full.success && full.result(named: "orders__by_status_and_month")?.status == .success, "\(full.results.map { ($0.name, $0.status) })")
        let rollups = PreAggregationState.current(changed, connection: connection)
        let again = try runner.load(byStatus, on: connection, rollups: rollups)
        #expect(again.generated.preAggregation == "Orders.by_status_and_month")
        #expect(rows(again) == rows(answer))
    }
}

extension RollupTests {
    @Test func aPartitionedRollupRebuildsOnlyTheMonthsWhoseOrdersChanged() throws {
        let warehouse = try DemoWarehouse(build: true)
        let rollup = try #require(try RollupDefinition.all(in: warehouse.plan).first)
        #expect(rollup.partitioning?.granularity == .month)
        let connection = try warehouse.connection()
        let partitions = try connection.query(#"select count(*) from "floe-dev"."orders__by_status_and_month__floe_partitions""#).rows
        #expect(partitions == [[.integer(13)]])

        // A live-demo batch adds orders to some months: only those are rebuilt.
        let batch = try PlanRunner(plan: RunnablePlan(withRollupsOf: warehouse.plan), options: ApplyOptions(threads: 1, projectDirectory: warehouse.directory.path,
                                                                              environment: [:], batch: true)).run()
        let message = try #require(batch.result(named: "orders__by_status_and_month")?.message)
        let counts = message.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(message.hasPrefix("rollup, ") && message.contains(" partitions rebuilt") && counts.count >= 2 && counts[0] < counts[1], "\(message)")

        // The rollup equals one built from scratch from the same rows.
        func sorted(_ sql: String) throws -> [[String]] {
            try connection.query(sql).rows.map { $0.map { $0.displayText.map { Double($0).map { String(format: "%.4f", $0) } ?? $0 } ?? "null" } }.sorted { $0.lexicographicallyPrecedes($1) }
        }
        let kept = try sorted(#"select * from "floe-dev"."orders__by_status_and_month""#)
        let scratch = try sorted("select * from (\n\(rollup.select)\n) as scratch")
        #expect(!kept.isEmpty && kept == scratch)
    }
}

extension DemoWarehouse {
    func recompiled() throws -> CompiledArtifacts {
        let output = ProjectCompiler.compile(CompileOptions(
            specPath: directory.appendingPathComponent("floe.yaml").path,
            platformPath: directory.appendingPathComponent("platform.yaml").path,
            environment: "dev", compiledAt: Date(timeIntervalSince1970: 1_700_000_000), processEnvironment: [:]))
        return try #require(output.artifacts, "\(output.diagnostics)")
    }
}

extension CompiledArtifacts {
    func connection(in directory: URL) throws -> any EngineConnection {
        try PlanConnection.open(self, projectDirectory: directory.path, environment: [:]).connection
    }
}

extension RunResults {
    func result(named name: String) -> NodeResult? { results.first { $0.name == name } }
}
