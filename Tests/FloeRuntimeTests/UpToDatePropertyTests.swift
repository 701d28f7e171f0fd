import FloeConnect
import FloeContract
import FloeCore
@testable import FloeRuntime
import FloeSemantic
import Foundation
import Testing

/// "Up to date" must be true, whatever happened before. A project with synthetic tables (one
/// drawing foreign keys from the other), seeds read through `ref()` and through `source()`,
/// views, an ephemeral model, tables and an incremental model goes through random steps: edits
/// (synthetic row counts, a seed's content, appended rows, a model's SQL, a materialization),
/// a recompile, and an apply with a random selection that is sometimes cancelled half-way.
/// After every step a copy of the warehouse gets a full apply, and every table and view of it
/// must equal a from-scratch build of the same files: a node wrongly skipped as up to date
/// would keep stale rows there.
///
/// `FLOE_PROPERTY_STEPS` (default 30) and `FLOE_PROPERTY_SEED` (default 1) set the run.
@Suite struct UpToDatePropertyTests {
    static let files: [String: String] = [
        "platform.yaml": """
            version: "1"
            compute: { default: { type: sqlite, path: ".floe/{environment}.db" } }
            storage: { default: { type: local, path: .floe/storage } }
            catalogs: { default: { type: none } }
            environments: { dev: { namespace: prop } }
            """,
        "floe.yaml": """
            name: prop
            version: "1.0.0"
            transforms: [{type: dbt, path: dbt}]
            synthetic:
              raw_users:
                rows: USERS
                seed: USEED
                columns: {user_id: sequence, country: {type: choice, values: [DE, FR, US]}}
              raw_events:
                rows: EVENTS
                seed: 9
                columns:
                  event_id: sequence
                  user_id: {type: reference, table: raw_users, column: user_id}
                  amount: {type: integer, min: 1, max: 50}
            """,
        "dbt/dbt_project.yml": """
            name: prop
            models:
              prop:
                staging: {+materialized: view, +tags: [staging]}
                marts: {+materialized: table}
            """,
        "dbt/models/staging/_sources.yml": """
            version: 2
            sources:
              - name: raw
                tables: [{name: raw_users}, {name: raw_events}]
              - name: loaded
                tables: [{name: orders}]
            """,
        "dbt/models/staging/stg_users.sql": "{{ config(materialized='USERS_MATERIALIZED') }}\nselect user_id, country from {{ source('raw', 'raw_users') }}",
        "dbt/models/staging/stg_events.sql": "select event_id, user_id, amount from {{ source('raw', 'raw_events') }}",
        "dbt/models/staging/stg_orders.sql": "select order_id, country, amount, ordered_at from {{ source('loaded', 'orders') }}",
        "dbt/models/marts/int_events.sql": """
            {{ config(materialized='ephemeral') }}
            select e.event_id, e.amount, u.country from {{ ref('stg_events') }} e join {{ ref('stg_users') }} u using (user_id)
            """,
        "dbt/models/marts/events_by_country.sql": """
            select c.name, sum(i.amount) * FACTOR as total, count(*) as events
            from {{ ref('int_events') }} i join {{ ref('countries') }} c on c.code = i.country group by c.name
            """,
        "dbt/models/marts/user_summary.sql": """
            {{ config(materialized='SUMMARY_MATERIALIZED') }}
            select c.name, count(*) as users from {{ ref('stg_users') }} u join {{ ref('countries') }} c on c.code = u.country group by c.name
            """,
        "dbt/models/marts/fct_orders.sql": """
            {{ config(materialized='incremental', unique_key='order_id') }}
            select order_id, country, amount, ordered_at from {{ ref('stg_orders') }}
            {% if is_incremental() %} where ordered_at >= (select max(ordered_at) from {{ this }}) {% endif %}
            """,
        "dbt/models/marts/order_totals.sql": """
            select c.name, sum(f.amount) as amount from {{ ref('fct_orders') }} f join {{ ref('countries') }} c on c.code = f.country group by c.name
            """,
        "dbt/seeds/countries.csv": "code,name\nDE,Germany\nFR,France\nUS,NAME_US\n",
        "dbt/seeds/orders.csv": "order_id,country,amount,ordered_at\n1,DE,10,2024-01-01 00:00:00\n",
    ]

    /// The knobs the edits turn, and their current values.
    struct Knobs {
        var users = 20, usersSeed = 5, events = 60, factor = 1, usersMaterialized = "view", summaryMaterialized = "table"
        var usName = "United States", orders = 1

        func text(_ template: String) -> String {
            template.replacingOccurrences(of: "USERS_MATERIALIZED", with: usersMaterialized)
                .replacingOccurrences(of: "SUMMARY_MATERIALIZED", with: summaryMaterialized)
                .replacingOccurrences(of: "USERS", with: String(users)).replacingOccurrences(of: "USEED", with: String(usersSeed)).replacingOccurrences(of: "EVENTS", with: String(events))
                .replacingOccurrences(of: "FACTOR", with: String(factor)).replacingOccurrences(of: "NAME_US", with: usName)
        }

        var ordersCSV: String {
            "order_id,country,amount,ordered_at\n" + (1...orders).map { id in
                "\(id),\(["DE", "FR", "US"][id % 3]),\(id * 7),2024-01-\(String(format: "%02d", min(28, id))) \(String(format: "%02d", id % 24)):00:00"
            }.joined(separator: "\n") + "\n"
        }
    }

    func write(_ knobs: Knobs, to workspace: Workspace) throws {
        for (path, text) in Self.files { try workspace.write(path, knobs.text(text)) }
        try workspace.write("dbt/seeds/orders.csv", knobs.ordersCSV)
    }

    @Test func everyStepLeavesWhatAFullApplyMakesEqualToAFreshBuild() throws {
        let environment = ProcessInfo.processInfo.environment
        let steps = environment["FLOE_PROPERTY_STEPS"].flatMap(Int.init) ?? 30
        var random = RandomSource(seed: environment["FLOE_PROPERTY_SEED"].flatMap(Int.init) ?? 1, stream: "up-to-date")
        let project = try Workspace(empty: ())
        var knobs = Knobs()
        try write(knobs, to: project)
        let first = try project.apply()
        #expect(first.results.allSatisfy { $0.status != .error && $0.status != .skipped },
                "a model reading a seed through source() runs after the seed: \(first.results.filter { $0.status == .error })")

        for step in 0..<steps {
            var edits: [String] = []
            switch random.index(below: 7) {
            case 0:
                knobs.users = [15, 20, 25][random.index(below: 3)]
                knobs.usersSeed = [5, 6, 7][random.index(below: 3)]
                edits.append("raw_users rows \(knobs.users) seed \(knobs.usersSeed)")
            case 1:
                knobs.events = [40, 60, 80][random.index(below: 3)]
                edits.append("raw_events rows \(knobs.events)")
            case 2:
                knobs.usName = knobs.usName == "United States" ? "USA" : "United States"
                edits.append("countries.csv US name \(knobs.usName)")
            case 3:
                knobs.orders += 1 + random.index(below: 2)
                edits.append("orders.csv has \(knobs.orders) rows")
            case 4:
                knobs.factor = knobs.factor == 1 ? 2 : 1
                edits.append("events_by_country factor \(knobs.factor)")
            case 5:
                knobs.usersMaterialized = knobs.usersMaterialized == "view" ? "table" : "view"
                knobs.summaryMaterialized = random.chance(0.5) ? "view" : "table"
                edits.append("stg_users \(knobs.usersMaterialized), user_summary \(knobs.summaryMaterialized)")
            default:
                edits.append("no edit")
            }
            try write(knobs, to: project)
            let plan = try project.compile()
            // A full apply now and then; otherwise one to three nodes, some with graph operators.
            let names = plan.synthetic.map(\.uniqueID) + plan.seeds.map(\.name) + plan.models.map(\.name) + ["tag:staging"]
            let selector = random.chance(0.25) ? "" : (0...random.index(below: 3)).map { _ in
                let name = names[random.index(below: names.count)]
                return ["", "+", ""][random.index(below: 3)] + name + ["", "", "+"][random.index(below: 3)]
            }.joined(separator: " ")
            let cancelAfter = random.chance(0.3) ? random.index(below: 4) : nil
            let canceller = CancelAfter(count: cancelAfter)
            let options = ApplyOptions(select: selector.isEmpty ? [] : [selector], threads: 2,
                                       projectDirectory: project.directory.path, environment: [:])
            let runner = PlanRunner(plan: RunnablePlan(withRollupsOf: plan), options: options, observer: canceller)
            canceller.cancellation = runner.cancellation
            let results = try runner.run()
            let what = "step \(step): \(edits.joined(separator: ", ")); apply -s '\(selector)'"
                + (cancelAfter.map { ", cancelled after \($0)" } ?? "")
            #expect(!results.results.contains { $0.status == .error }, "\(what): \(results.results.filter { $0.status == .error })")

            // Every node this step called up to date is: rebuilding it now, on a copy, from its inputs
            // as they are, gives the rows it has.
            let claimed = results.results.filter { $0.status == .upToDate }
            if !claimed.isEmpty {
                let rebuilt = try Workspace(cloning: project, withWarehouse: true)
                try rebuilt.apply(select: claimed.map(\.uniqueID), fullRefresh: true, plan: plan)
                for node in claimed {
                    guard let relation = node.relation.map(Self.quoted) else { continue }
                    let sql = "select * from \(relation)"
                    let kept = try project.rows(sql, plan: plan).map { $0.joined(separator: "|") }.sorted()
                    let now = try rebuilt.rows(sql, plan: plan).map { $0.joined(separator: "|") }.sorted()
                    #expect(kept == now, "\(what): \(node.name) was called up to date but a rebuild gives other rows")
                }
                try? FileManager.default.removeItem(at: rebuilt.directory)
            }

            // What a full apply leaves, on a copy, against a from-scratch build of the same files.
            let continued = try Workspace(cloning: project, withWarehouse: true)
            let full = try continued.apply(plan: plan)
            let fresh = try Workspace(cloning: project, withWarehouse: false)
            try fresh.apply(plan: plan)
            for relation in Self.relations(of: plan) {
                let sql = "select * from \(relation)"
                let got = try continued.rows(sql, plan: plan).map { $0.joined(separator: "|") }.sorted()
                let expected = try fresh.rows(sql, plan: plan).map { $0.joined(separator: "|") }.sorted()
                let said = full.results.map { "\($0.name) \($0.status.rawValue)" }.joined(separator: ", ")
                #expect(got == expected, "\(what): \(relation) differs from a fresh build; the full apply said \(said)")
            }
            try? FileManager.default.removeItem(at: continued.directory)
            try? FileManager.default.removeItem(at: fresh.directory)
        }
        try? FileManager.default.removeItem(at: project.directory)
    }

    /// A view shows its inputs' rows as they are now: a table read through it is rebuilt when
    /// what the view reads changed, even when the view itself was not selected to run.
    @Test func aChangeReachesReadersThroughAViewThatWasNotRebuilt() throws {
        let project = try Workspace(empty: ())
        var knobs = Knobs()
        try write(knobs, to: project)
        try project.apply()
        knobs.usersSeed = 6
        try write(knobs, to: project)
        let reloaded = try project.apply(select: ["synthetic.raw_users"])
        #expect(reloaded.results.map(\.name) == ["raw_users"])
        #expect(reloaded.status("raw_users") == .success)
        let reader = try project.apply(select: ["events_by_country", "user_summary"])
        #expect(reader.status("events_by_country") == .success)
        #expect(reader.status("user_summary") == .success)
    }

    /// `schema.name` as SQL names it.
    static func quoted(_ relation: String) -> String {
        let parts = relation.split(separator: ".", maxSplits: 1).map(String.init)
        return parts.map { "\"\($0)\"" }.joined(separator: ".")
    }

    /// Every relation the plan builds or loads, quoted.
    static func relations(of plan: CompiledArtifacts) -> [String] {
        let namespace = plan.environment.namespace
        return plan.synthetic.map { "\"\(namespace)\".\"\($0.name)\"" }
            + plan.seeds.map { "\"\($0.relation.schema)\".\"\($0.relation.name)\"" }
            + plan.models.filter { $0.materialized != .ephemeral }.map { "\"\($0.relation.schema)\".\"\($0.relation.name)\"" }
    }
}

/// Cancels the run once `count` nodes have finished (never when nil), as Ctrl-C would.
final class CancelAfter: ApplyObserver, @unchecked Sendable {
    let count: Int?
    var cancellation: RunCancellation?

    init(count: Int?) {
        self.count = count
    }

    func began(_ description: String) {
        if count == 0 { cancellation?.cancel() }
    }

    func started(_ name: String, id: String, type: NodeResult.ResourceType, index: Int, total: Int) {}

    func finished(_ result: NodeResult, index: Int, total: Int) {
        if let count, index >= count { cancellation?.cancel() }
    }
}

/// The reproductions from issue [D], on the e-commerce demo: each now rebuilds what changed and
/// only that.
@Suite struct StaleTableReproductionTests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../demo/data_engineering/ecommerce").standardizedFileURL

    func built(_ results: RunResults) -> Set<String> {
        Set(results.results.filter { $0.status == .success }.map(\.name))
    }

    @Test func aSyntheticTableReloadedByAnEarlierPartialRunReachesItsReaders() throws {
        let shop = try Workspace(copying: Self.demo, platform: "../../platform/platform.yaml")
        try shop.apply()
        let floe = try String(contentsOf: shop.directory.appendingPathComponent("floe.yaml"), encoding: .utf8)
        try shop.write("floe.yaml", floe.replacingOccurrences(of: "rows: 1000", with: "rows: 900"))
        let partial = try shop.apply(select: ["stg_products"])
        #expect(built(partial).isEmpty, "stg_products reads raw_products, which did not change")
        let full = try shop.apply()
        // raw_customers changed; raw_orders draws its customer ids from it, and raw_order_items
        // are the orders' children.
        // The Orders cube's rollup reads stg_orders too.
        let marts: Set<String> = ["mart_revenue", "mart_customer_segments", "mart_product_analytics", "orders__by_status_and_month"]
        #expect(built(full) == Set(["raw_customers", "raw_orders", "raw_order_items", "stg_customers", "stg_orders", "stg_order_items"])
            .union(marts), "\(built(full))")
        #expect(full.status("stg_products") == .upToDate && full.status("raw_products") == .upToDate)
        #expect(try shop.scalar(#"select count(*) from "floe-dev"."stg_customers""#) == "900")

        // A partial run that does reload a synthetic table: what reads it is rebuilt later.
        try shop.write("floe.yaml", floe.replacingOccurrences(of: "rows: 1000", with: "rows: 860"))
        let reload = try shop.apply(select: ["stg_customers"])
        #expect(built(reload) == ["raw_customers", "stg_customers"], "\(built(reload))")
        let after = try shop.apply()
        #expect(built(after) == Set(["raw_orders", "raw_order_items", "stg_orders", "stg_order_items"]).union(marts), "\(built(after))")
        #expect(try shop.scalar(#"select count(distinct customer_id) from "floe-dev"."mart_customer_segments""#)
            == shop.scalar(#"select count(distinct customer_id) from "floe-dev"."stg_orders" where status <> 'pending' and status <> 'cancelled'"#))
    }

    @Test func anApplyCancelledRightAfterTheSyntheticLoadLeavesNothingStale() throws {
        let shop = try Workspace(copying: Self.demo, platform: "../../platform/platform.yaml")
        try shop.apply()
        let floe = try String(contentsOf: shop.directory.appendingPathComponent("floe.yaml"), encoding: .utf8)
        try shop.write("floe.yaml", floe.replacingOccurrences(of: "rows: 1000", with: "rows: 840"))
        let plan = try shop.compile()
        // Cancelled once the four synthetic tables are done, as a Ctrl-C would.
        let canceller = CancelAfter(count: 4)
        let runner = PlanRunner(plan: RunnablePlan(withRollupsOf: plan), options: ApplyOptions(threads: 2, projectDirectory: shop.directory.path, environment: [:]),
                                observer: canceller)
        canceller.cancellation = runner.cancellation
        let cancelled = try runner.run()
        #expect(cancelled.cancelledBy == "request")
        #expect(cancelled.status("raw_customers") == .success)
        #expect(cancelled.result("mart_customer_segments") == nil, "nothing after the synthetic load ran")
        let next = try shop.apply(plan: plan)
        #expect(next.status("mart_customer_segments") == .success)
        #expect(try shop.scalar(#"select count(*) from "floe-dev"."stg_customers""#) == "840")
    }
}

/// `floe apply --batch`: each synthetic table gets a batch of new rows, made as its next rows;
/// what reads it is rebuilt, and the incremental mart takes the new orders.
@Suite struct SyntheticBatchTests {
    @Test func batchesAppendNewRowsThatCarryOnAndReachTheMarts() throws {
        let shop = try Workspace(copying: StaleTableReproductionTests.demo, platform: "../../platform/platform.yaml")
        let plan = try shop.compile()
        let batch = ApplyOptions(threads: 2, projectDirectory: shop.directory.path, environment: [:], batch: true)
        // The first batch finds nothing loaded: it loads the tables whole.
        let first = try PlanRunner(plan: RunnablePlan(withRollupsOf: plan), options: batch).run()
        #expect(first.result("raw_orders")?.message?.hasPrefix("synthetic, 5050 rows") == true, "\(first.result("raw_orders")?.message ?? "")")
        let before = try shop.rows(#"select count(*), max(order_date) from "floe-dev"."raw_orders""#)[0]
        let unitsBefore = try shop.scalar(#"select sum(units_sold) from "floe-dev"."mart_revenue""#)
        let second = try PlanRunner(plan: RunnablePlan(withRollupsOf: plan), options: batch).run()
        #expect(second.result("raw_orders")?.message?.hasPrefix("batch, 51 new rows (5050 made in all)") == true,
                "\(second.result("raw_orders")?.message ?? "")")
        #expect(second.result("raw_order_items")?.message?.hasPrefix("batch, ") == true, "the new orders' items come too")
        #expect(second.status("mart_revenue") == .success && second.status("stg_products") == .success)
        #expect(second.success, "\(second.results.filter { $0.status == .fail || $0.status == .error })")
        let after = try shop.rows(#"select count(*), max(order_date) from "floe-dev"."raw_orders""#)[0]
        #expect(Int(after[0])! == Int(before[0])! + 51)
        #expect(after[1] > before[1], "event times carry on where the last batch stopped")
        #expect(Int(try shop.scalar(#"select sum(units_sold) from "floe-dev"."mart_revenue""#)!)! > Int(unitsBefore!)!,
                "the incremental mart follows")
        // A plain apply afterwards keeps the batches: the tables are up to date.
        let plain = try shop.apply(plan: plan)
        #expect(plain.status("raw_orders") == .upToDate && plain.status("mart_revenue") == .upToDate)
        #expect(try shop.rows(#"select count(*) from "floe-dev"."raw_orders""#)[0][0] == after[0])
    }

    @Test func aPlanWithoutADemoSectionRefusesBatches() throws {
        let shop = try Workspace(fixture: "shop")
        let options = ApplyOptions(projectDirectory: shop.directory.path, environment: [:], batch: true)
        #expect { try PlanRunner(plan: RunnablePlan(withRollupsOf: try shop.compile()), options: options).run() } throws: { ($0 as? ExecutorError)?.kind == .usage }
    }
}
