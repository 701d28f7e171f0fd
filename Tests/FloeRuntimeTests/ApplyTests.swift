import FloeConnect
import FloeContract
@testable import FloeRuntime
import FloeSemantic
import Foundation
import Testing

/// `floe apply` end to end on the shop fixture: a real dbt-style project on a real SQLite file.
@Suite struct ApplyTests {
    @Test func buildsEveryNodeAndReportsTheFailingTest() throws {
        let shop = try Workspace(fixture: "shop")
        let results = try shop.apply()
        #expect(results.status("customers") == .success)
        #expect(results.status("stg_orders") == .success)
        #expect(results.status("fct_orders") == .success)
        #expect(results.status("revenue_by_country") == .success)
        #expect(results.result("int_orders") == nil, "ephemeral models are inlined, not built")
        let failing = try #require(results.results.first { $0.name.hasPrefix("accepted_values_fct_orders_status") })
        #expect(failing.status == .fail)
        #expect(failing.failures == 1)
        #expect(results.status("no_negative_amounts") == .pass)
        #expect(results.status("unique_fct_orders_order_id") == .pass)
        #expect(!results.success, "an error-severity test failed")

        #expect(try shop.scalar(#"select count(*) from "shop-dev"."fct_orders""#) == "6")
        #expect(try shop.scalar(#"select type from "shop-dev".sqlite_master where name = 'stg_orders'"#) == "view")
        // The var list from floe.yaml overrides dbt_project.yml's: three status columns.
        #expect(try shop.rows(#"select country, placed_amount, shipped_amount, returned_amount, order_count from "shop-dev"."revenue_by_country" order by country"#)
            == [["DE", "12.5", "9.9", "0", "2"], ["FI", "0", "0", "3.0", "1"], ["US", "120.0", "45.0", "0", "3"]])
        // Seeds keep their inferred types.
        #expect(try shop.rows(#"select typeof(customer_id), typeof(signup_date) from "shop-dev"."customers" limit 1"#)
            == [["integer", "text"]])
    }

    @Test func aSecondApplyFindsEverythingUpToDate() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.apply()
        let again = try shop.apply()
        for name in ["customers", "orders", "stg_orders", "stg_customers", "fct_orders", "revenue_by_country"] {
            #expect(again.status(name) == .upToDate, "\(name)")
        }
        #expect(again.status("no_negative_amounts") == .pass, "tests run every time")
        let refreshed = try shop.apply(fullRefresh: true)
        #expect(refreshed.status("fct_orders") == .success)
        #expect(refreshed.result("fct_orders")?.message?.contains("full refresh") == true)
    }

    @Test func appendedSeedRowsUpdateTheIncrementalModelAsDbtWould() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.apply()
        // Order 5 changes status (same timestamp as the current maximum, so the incremental
        // filter picks it up again) and two orders arrive.
        let orders = try String(contentsOf: shop.directory.appendingPathComponent("dbt/seeds/orders.csv"), encoding: .utf8)
        try shop.write("dbt/seeds/orders.csv", orders.replacingOccurrences(of: "6,2,700,lost,2024-03-05 08:00:00",
                                                                           with: "6,2,700,shipped,2024-03-05 08:00:00")
            + "7,4,2500,placed,2024-03-06 09:00:00\n8,1,100,returned,2024-03-07 10:00:00\n")
        let second = try shop.apply()
        #expect(second.status("orders") == .success)
        #expect(second.status("customers") == .upToDate)
        let incremental = try #require(second.result("fct_orders"))
        #expect(incremental.status == .success)
        #expect(incremental.message == "incremental delete+insert, 3 new rows")
        let afterIncremental = try shop.rows(#"select * from "shop-dev"."fct_orders" order by order_id"#)
        #expect(afterIncremental.count == 8)
        #expect(afterIncremental.first { $0[0] == "6" }?[4] == "shipped", "the re-selected row was replaced, not duplicated")
        // What a full rebuild of the same data gives: the incremental result must equal it.
        try shop.apply(select: ["fct_orders"], fullRefresh: true)
        #expect(try shop.rows(#"select * from "shop-dev"."fct_orders" order by order_id"#) == afterIncremental)
        // The accepted_values failure is fixed now that 'lost' is gone.
        #expect(second.results.first { $0.name.hasPrefix("accepted_values") }?.status == .pass)
    }

    @Test func aFailingModelSkipsItsDownstreamAndKeepsItsPreviousTable() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.apply()
        let before = try shop.rows(#"select * from "shop-dev"."revenue_by_country" order by country"#)
        try shop.write("dbt/models/marts/revenue_by_country.sql", "select no_such_column from {{ ref('stg_orders') }}")
        try shop.write("dbt/models/marts/country_report.sql", "select * from {{ ref('revenue_by_country') }}")
        let results = try shop.apply()
        let failed = try #require(results.result("revenue_by_country"))
        #expect(failed.status == .error)
        #expect(failed.message?.contains("no_such_column") == true)
        #expect(results.status("country_report") == .skipped)
        #expect(results.result("country_report")?.message == "skipped: upstream revenue_by_country failed")
        #expect(results.status("fct_orders") == .upToDate, "independent models carry on")
        #expect(!results.success)
        #expect(try shop.rows(#"select * from "shop-dev"."revenue_by_country" order by country"#) == before,
                "a failed build leaves the previous table")
        #expect(try shop.scalar(#"select count(*) from "shop-dev".sqlite_master where type = 'table' and instr(name, '__floe_tmp') > 0"#) == "0")
    }

    /// SQLite binds a view's columns only when it is read; floe reads it as it builds it.
    @Test func aViewOverAMissingColumnFailsWhenBuiltAndKeepsTheOldView() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.apply()
        try shop.write("dbt/models/staging/stg_customers.sql", "select customer_id, no_such_column from {{ ref('customers') }}")
        let results = try shop.apply()
        let failed = try #require(results.result("stg_customers"))
        #expect(failed.status == .error)
        #expect(failed.message?.contains("no such column: no_such_column") == true, "\(failed.message ?? "")")
        #expect(try shop.rows(#"select count(*), min(name) from "shop-dev"."stg_customers""#) == [["4", "Ada"]],
                "the previous view stays")
    }

    @Test func selectionBuildsOnlyWhatItNames() throws {
        let shop = try Workspace(fixture: "shop")
        let results = try shop.apply(select: ["+stg_orders"])
        #expect(Set(results.results.filter { $0.resourceType != .test }.map(\.name)) == ["orders", "stg_orders"])
        #expect(results.results.filter { $0.resourceType == .test }.isEmpty, "no test is attached to these")
        let marts = try shop.apply(select: ["tag:marts"], exclude: ["revenue_by_country"])
        #expect(marts.results.filter { $0.resourceType == .model }.map(\.name) == ["fct_orders"])
        #expect(marts.results.contains { $0.name == "unique_fct_orders_order_id" }, "tests of selected models run")
        #expect { try shop.apply(select: ["colour:blue"]) } throws: { ($0 as? ExecutorError)?.kind == .selection }
    }

    /// `--exclude` reaches tests: by their name, by a method, or through a node they test.
    @Test func excludedNodesTakeTheirTestsWithThem() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.apply()
        let tests = { (results: RunResults) in Set(results.results.filter { $0.resourceType == .test }.map(\.name)) }
        let all = try shop.apply(mode: .test)
        #expect(tests(all).count == 5)
        let byName = try shop.apply(mode: .test, exclude: ["unique_fct_orders_order_id"])
        #expect(tests(byName) == tests(all).subtracting(["unique_fct_orders_order_id"]))
        let byType = try shop.apply(mode: .test, exclude: ["test_type:singular"])
        #expect(tests(byType) == tests(all).subtracting(["no_negative_amounts"]))
        // Excluding stg_customers leaves out the relationships test that reads it too.
        let byModel = try shop.apply(select: ["fct_orders", "stg_customers"], exclude: ["stg_customers"])
        #expect(!tests(byModel).contains { $0.hasPrefix("relationships_") }, "\(tests(byModel))")
        #expect(tests(byModel).contains("unique_fct_orders_order_id"))
        let onlyTests = try shop.apply(exclude: ["resource_type:test"])
        #expect(tests(onlyTests).isEmpty)
    }

    @Test func failFastStopsAtTheFirstFailure() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.write("dbt/models/staging/stg_customers.sql", "select nope from {{ ref('customers') }}")
        let plan = try shop.compile()
        let options = ApplyOptions(threads: 1, projectDirectory: shop.directory.path, environment: [:], failFast: true)
        let results = try PlanRunner(plan: RunnablePlan(withRollupsOf: plan), options: options).run()
        #expect(results.status("stg_customers") == .error)
        #expect(results.cancelledBy == "fail-fast")
        #expect(results.results.filter { $0.resourceType == .test }.isEmpty, "no test runs after the first failure")
        #expect(!results.success)
    }

    /// A synthetic table loads only when a selected node reads it (here through a source).
    @Test func syntheticTablesLoadOnlyForSelectedReaders() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.append("floe.yaml", "synthetic:\n  raw_events: {rows: 5, columns: {id: sequence}}\n  raw_other: {rows: 5, columns: {id: sequence}}\n")
        try shop.write("dbt/models/staging/_sources.yml", "version: 2\nsources:\n  - name: raw\n    tables: [{name: raw_events}, {name: raw_other}]\n")
        try shop.write("dbt/models/staging/stg_events.sql", "select id from {{ source('raw', 'raw_events') }}")
        let one = try shop.apply(select: ["stg_events"])
        #expect(one.results.map(\.name) == ["raw_events", "stg_events"])
        #expect(one.status("stg_events") == .success)
        let none = try shop.apply(select: ["stg_orders"])
        #expect(!none.results.contains { $0.resourceType == .synthetic })
    }

    /// A failing test keeps its failing rows in the audit schema, `floe show --failures` reads
    /// them, and once it passes they are gone (they would be read as today's).
    @Test func failingRowsAreStoredAndClearedWhenTheTestPasses() throws {
        let shop = try Workspace(fixture: "shop")
        let first = try shop.apply()
        let failing = try #require(first.results.first { $0.name.hasPrefix("accepted_values_fct_orders_status") })
        #expect(failing.status == .fail)
        #expect(failing.message == "1 failing row; see them with `floe show --failures \(failing.name)` (shop-dev_dbt_test__audit.\(failing.name))")
        let plan = try shop.compile()
        let rows = try RelationPreview.rows(of: failing.name, failures: true, in: RunnablePlan(withRollupsOf: plan), limit: nil,
                                            projectDirectory: shop.directory.path, environment: [:])
        #expect(rows.rows.map { $0.map { $0.displayText ?? "null" } } == [["lost", "1"]])
        #expect(first.results.first { $0.name == "unique_fct_orders_order_id" }?.message == "pass")

        let orders = try String(contentsOf: shop.directory.appendingPathComponent("dbt/seeds/orders.csv"), encoding: .utf8)
        try shop.write("dbt/seeds/orders.csv", orders.replacingOccurrences(of: ",lost,", with: ",shipped,"))
        let fixed = try shop.apply(fullRefresh: true)
        #expect(fixed.results.first { $0.name == failing.name }?.status == .pass)
        #expect {
            try RelationPreview.rows(of: failing.name, failures: true, in: RunnablePlan(withRollupsOf: try shop.compile()), limit: nil,
                                     projectDirectory: shop.directory.path, environment: [:])
        } throws: { ($0 as? ExecutorError)?.kind == .notFound }
    }

    /// dbt's test configs reach the plan and decide the status: `warn_if`, `error_if`, `limit`,
    /// `where`, `severity`, `store_failures`.
    @Test func testThresholdsLimitsAndStoreFailuresAreHonoured() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.write("dbt/models/marts/_thresholds.yml", """
            version: 2
            models:
              - name: revenue_by_country
                columns:
                  - name: order_count
                    data_tests:
                      - accepted_values:
                          name: counts_warn_above_two
                          arguments: {values: [1], quote: false}
                          config: {warn_if: ">2", error_if: ">5"}
                      - accepted_values:
                          name: counts_fail_at_two
                          arguments: {values: [1], quote: false}
                          config: {error_if: ">=2"}
                      - accepted_values:
                          name: counts_limited
                          arguments: {values: [1], quote: false}
                          config: {limit: 1, severity: warn}
                      - accepted_values:
                          name: counts_where
                          arguments: {values: [1], quote: false}
                          config: {where: "country = 'FI'", store_failures: true}
            """)
        let plan = try shop.compile()
        let test = { (name: String) in try #require(plan.tests.first { $0.name == name }) }
        #expect(try test("counts_warn_above_two").warnIf == ">2")
        #expect(try test("counts_warn_above_two").errorIf == ">5")
        #expect(try test("counts_limited").limit == 1)
        #expect(try test("counts_where").storeFailures == true)
        let results = try shop.apply(select: ["+revenue_by_country"])
        // Two countries have other counts than 1 (US 3, DE 2): two failing rows.
        #expect(results.result("counts_warn_above_two")?.status == .pass, "2 rows meet neither >2 nor >5")
        #expect(results.result("counts_fail_at_two")?.status == .fail, "\(results.result("counts_fail_at_two")?.message ?? "")")
        #expect(results.result("counts_limited")?.status == .warn, "\(results.result("counts_limited")?.message ?? "")")
        #expect(results.result("counts_limited")?.failures == 1, "limit 1 counts at most one row")
        #expect(results.result("counts_where")?.status == .pass, "only FI, whose count is 1")
        let stored = try RelationPreview.rows(of: "counts_where", failures: true, in: RunnablePlan(withRollupsOf: plan), limit: nil,
                                              projectDirectory: shop.directory.path, environment: [:])
        #expect(stored.rows.isEmpty, "store_failures: true keeps the (empty) result every run")
    }

    /// dbt build: a test runs right after what it tests, and a failing one skips what reads it.
    @Test func buildRunsTestsInTheGraphAndAFailingOneSkipsDownstream() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.write("dbt/models/marts/order_report.sql", "select status, count(*) as n from {{ ref('fct_orders') }} group by status")
        let results = try shop.apply(mode: .buildWithTests)
        let failing = try #require(results.results.first { $0.name.hasPrefix("accepted_values_fct_orders_status") })
        #expect(failing.status == .fail)
        #expect(results.status("order_report") == .skipped)
        #expect(results.result("order_report")?.message == "skipped: test \(failing.name) failed")
        #expect(results.status("revenue_by_country") == .success, "it does not read fct_orders")
        // The relationships test between fct_orders and stg_customers runs after fct_orders, and
        // does not hold back fct_orders itself.
        #expect(results.results.first { $0.name.hasPrefix("relationships_") }?.status == .pass)
        let built = try #require(results.result("fct_orders")?.timing.first?.completedAt)
        #expect(try #require(failing.startedAt) >= built, "the test ran after the model it tests")
        let skippedAt = try #require(results.result("order_report")?.startedAt)
        #expect(skippedAt >= (failing.timing.first?.completedAt ?? ""), "the reader waited for the test")
    }

    /// floe.yaml's retention deletes rows older than max_age from every table that has the column:
    /// while building it, and from a table otherwise up to date, which then counts as changed.
    @Test func retentionDeletesExpiredRowsAndDownstreamFollows() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.append("floe.yaml", "retention: {max_age: 1h, column: _loaded_at}\n")
        try shop.write("dbt/models/marts/events.sql", """
            select 1 as id, '2000-01-01 00:00:00' as _loaded_at
            union all select 2, '2999-01-01 00:00:00'
            """)
        try shop.write("dbt/models/marts/event_count.sql", "select count(*) as n from {{ ref('events') }}")
        let first = try shop.apply(select: ["events+"])
        #expect(first.result("events")?.message == "table, 2 rows; retention deleted 1 row older than 1h")
        #expect(try shop.scalar(#"select n from "shop-dev"."event_count""#) == "1")
        let quiet = try shop.apply(select: ["events+"])
        #expect(quiet.status("events") == .upToDate && quiet.status("event_count") == .upToDate)
        // A row that is already old appears (as rows age while a table is up to date).
        try shop.connection().execute(#"insert into "shop-dev"."events" values (3, '2001-01-01 00:00:00')"#)
        let aged = try shop.apply(select: ["events+"])
        #expect(aged.status("events") == .success && aged.result("events")?.message == "retention deleted 1 row older than 1h")
        #expect(aged.status("event_count") == .success, "what reads it is rebuilt")
        #expect(RetentionStep.seconds("30m") == 1800 && RetentionStep.seconds("4w") == 2_419_200 && RetentionStep.seconds("7x") == nil)
        #expect(SyntheticPhase.rowsMade(version: "abc@2050~run", fingerprint: "abc", initial: 2000) == 2050)
        #expect(SyntheticPhase.rowsMade(version: "abc~run", fingerprint: "abc", initial: 2000) == 2000)
        #expect(SyntheticPhase.rowsMade(version: "abd@5", fingerprint: "abc", initial: 2000) == nil)
    }

    /// `snapshots: {keep: 2}`: each rebuild keeps the version it replaces, two at most;
    /// `show --snapshot` reads one and `restore` swaps one back, undoably.
    @Test func snapshotsKeepEarlierVersionsAndRestoreSwapsOneBack() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.append("floe.yaml", "snapshots: {keep: 2}\n")
        let table = #"select country, order_count from "shop-dev"."revenue_by_country" order by country"#
        try shop.apply()
        let first = try shop.rows(table)
        for extra in ["7,4,2500,placed,2024-03-06 09:00:00\n", "8,1,100,returned,2024-03-07 10:00:00\n", "9,2,300,placed,2024-03-08 10:00:00\n"] {
            try shop.append("dbt/seeds/orders.csv", extra)
            #expect(try shop.apply().status("revenue_by_country") == .success)
        }
        let current = try shop.rows(table)
        let plan = try shop.compile()
        func snapshot(_ number: Int, of name: String = "revenue_by_country") throws -> [[String]] {
            try RelationPreview.rows(of: name, snapshot: number, in: RunnablePlan(withRollupsOf: plan), limit: nil, projectDirectory: shop.directory.path,
                                     environment: [:]).rows.map { $0.map { $0.displayText ?? "null" } }.sorted { $0[0] < $1[0] }
                .map { [$0[0], $0.last!] }
        }
        #expect(try snapshot(1) != current && snapshot(2) != snapshot(1))
        #expect { try snapshot(3) } throws: { ($0 as? ExecutorError)?.kind == .notFound }
        #expect(try snapshot(2) != first, "only two are kept: the first version is gone")
        #expect(try shop.scalar(#"select count(*) from "shop-dev".sqlite_master where name like 'revenue_by_country__floe_snapshot_%'"#) == "2")
        // The incremental model's table was copied before it changed: its snapshot has one order fewer.
        #expect(try snapshot(1, of: "fct_orders").count == 8)

        let before = try snapshot(1)
        _ = try SnapshotRestore.restore("revenue_by_country", snapshot: 1, in: plan, projectDirectory: shop.directory.path, environment: [:])
        #expect(try shop.rows(table).map { [$0[0], $0[1]] } == before)
        #expect(try snapshot(1) == current.map { [$0[0], $0[1]] }, "the replaced version is snapshot 1: undoable")
        // Its inputs have moved on since that version: the next apply rebuilds it.
        #expect(try shop.apply().status("revenue_by_country") == .success)
        #expect(try shop.rows(table) == current)
    }

    /// dbt's `indexes` config: created after each build, there again after a rebuild that keeps a
    /// snapshot (whose table held an index of the same name) and after a restore, enforced when
    /// unique, and added to an incremental model by its next incremental run.
    @Test func indexesAreCreatedAfterEachBuildAndSurviveSnapshots() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.append("floe.yaml", "snapshots: {keep: 2}\n")
        let model = try String(contentsOf: shop.directory.appendingPathComponent("dbt/models/marts/revenue_by_country.sql"), encoding: .utf8)
        try shop.write("dbt/models/marts/revenue_by_country.sql", "{{ config(indexes=[{'columns': ['country'], 'unique': true}]) }}\n" + model)
        func indexes(_ table: String) throws -> [[String]] {
            try shop.rows(#"select name, sql from "shop-dev".sqlite_master where type = 'index' and tbl_name = '\#(table)' and name like '%__ix_%'"#)
        }
        try shop.apply()
        let created = try indexes("revenue_by_country")
        #expect(created.count == 1 && created[0][1].hasPrefix("CREATE UNIQUE INDEX") && created[0][1].hasSuffix(#"("country")"#), "\(created)")

        try shop.append("dbt/seeds/orders.csv", "7,4,2500,placed,2024-03-06 09:00:00\n")
        #expect(try shop.apply().status("revenue_by_country") == .success)
        #expect(try indexes("revenue_by_country") == created, "the rebuilt table has its index again")
        #expect(try shop.scalar(#"select count(*) from "shop-dev".sqlite_master where name like 'revenue_by_country__floe_snapshot_%' and type = 'table'"#) == "1")
        let connection = try shop.connection()
        #expect(throws: (any Error).self, "the unique index holds") {
            try connection.execute(#"insert into "shop-dev"."revenue_by_country" select * from "shop-dev"."revenue_by_country" limit 1"#)
        }
        _ = try SnapshotRestore.restore("revenue_by_country", snapshot: 1, in: shop.compile(), projectDirectory: shop.directory.path, environment: [:])
        #expect(try indexes("revenue_by_country") == created, "a restored version has the model's indexes too")

        let incremental = try String(contentsOf: shop.directory.appendingPathComponent("dbt/models/marts/fct_orders.sql"), encoding: .utf8)
        try shop.write("dbt/models/marts/fct_orders.sql", incremental.replacingOccurrences(
            of: "unique_key='order_id')", with: "unique_key='order_id', indexes=[{'columns': ['customer_id', 'ordered_at']}])"))
        let run = try shop.apply()
        #expect(run.result("fct_orders")?.message?.hasPrefix("incremental") == true, "\(String(describing: run.result("fct_orders")?.message))")
        #expect(try indexes("fct_orders").map { $0[1].hasSuffix(#"("customer_id", "ordered_at")"#) } == [true])

        // A unique index the rows break fails the build, which rolls back: the table stays as it was.
        let rows = try shop.rows(#"select * from "shop-dev"."fct_orders" order by order_id"#)
        try shop.write("dbt/models/marts/fct_orders.sql", incremental.replacingOccurrences(
            of: "unique_key='order_id')", with: "unique_key='order_id', indexes=[{'columns': ['customer_id'], 'unique': true}])"))
        #expect(try shop.apply().status("fct_orders") == .error)
        #expect(try shop.rows(#"select * from "shop-dev"."fct_orders" order by order_id"#) == rows)
        #expect(try indexes("fct_orders").count == 1, "the earlier index is still there; the failed one is not")
    }

    @Test func testModeRunsOnlyTests() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.apply()
        let tests = try shop.apply(mode: .test, select: ["fct_orders"])
        #expect(tests.results.allSatisfy { $0.resourceType == .test })
        #expect(tests.results.count == 5)
    }

    @Test func incrementalStrategiesAndSchemaChanges() throws {
        let shop = try Workspace(fixture: "shop")
        let model = """
            {{ config(materialized='incremental', unique_key='customer_id', incremental_strategy='STRATEGY', on_schema_change='CHANGE') }}
            select customer_id, count(*) as orders EXTRA from {{ ref('stg_orders') }} group by customer_id
            """
        func configure(_ strategy: String, _ change: String = "ignore", extra: String = "") throws {
            try shop.write("dbt/models/marts/customer_orders.sql", model.replacingOccurrences(of: "STRATEGY", with: strategy)
                .replacingOccurrences(of: "CHANGE", with: change).replacingOccurrences(of: "EXTRA", with: extra))
        }
        try configure("merge")
        try shop.apply(select: ["+customer_orders"])
        try shop.append("dbt/seeds/orders.csv", "7,4,2500,placed,2024-03-06 09:00:00\n")
        let merged = try shop.apply(select: ["+customer_orders"])
        #expect(merged.result("customer_orders")?.message == "incremental merge, 4 new rows")
        #expect(try shop.rows(#"select customer_id, orders from "shop-dev"."customer_orders" order by 1"#)
            == [["1", "2"], ["2", "2"], ["3", "1"], ["4", "2"]])

        try configure("append")
        try shop.apply(select: ["customer_orders"])
        #expect(try shop.scalar(#"select count(*) from "shop-dev"."customer_orders""#) == "8", "append keeps both copies")

        try configure("merge", "fail", extra: ", max(status) as last_status")
        let failed = try shop.apply(select: ["customer_orders"])
        #expect(failed.status("customer_orders") == .error)
        #expect(failed.result("customer_orders")?.message?.contains("on_schema_change is 'fail'") == true)

        try configure("merge", "append_new_columns", extra: ", max(status) as last_status")
        let appended = try shop.apply(select: ["customer_orders"])
        #expect(appended.status("customer_orders") == .success)
        #expect(try shop.connection().columns(of: Relation(schema: "shop-dev", name: "customer_orders")).map(\.name)
            == ["customer_id", "orders", "last_status"])
    }

    @Test func hooksRunAroundTheModelInItsTransaction() throws {
        let shop = try Workspace(fixture: "shop")
        try shop.write("dbt/models/marts/audited.sql", """
            {{ config(materialized='table',
                      pre_hook='create table if not exists "{{ this.schema }}".audit_log (event text)',
                      post_hook=["insert into {{ this }} (order_id) values (-1)",
                                 "insert into \\"{{ this.schema }}\\".audit_log values (\'built {{ this.name }}\')"]) }}
            select order_id from {{ ref('stg_orders') }}
            """)
        let results = try shop.apply(select: ["+audited"])
        #expect(results.status("audited") == .success, "\(results.result("audited")?.message ?? "")")
        #expect(try shop.scalar(#"select count(*) from "shop-dev"."audited" where order_id = -1"#) == "1")
        #expect(try shop.rows(#"select event from "shop-dev".audit_log"#) == [["built audited"]])
    }
}
