import FloeContract
import FloeCore
@testable import FloeRuntime
import FloeSemantic
import Foundation
import Testing

/// The demo products, each run end to end at scale 1 on SQLite: every test passes, the sources
/// have the seeds' row counts, and the marts keep their invariants (checked here independently
/// of the product's own SQL).
@Suite struct DemoProductTests {
    static let products = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../demo/data_engineering").standardizedFileURL

    /// A copy of the product, built with its tests on SQLite; every node must succeed or pass.
    func built(_ name: String) throws -> (Workspace, RunResults) {
        let product = try Workspace(copying: Self.products.appendingPathComponent(name), platform: "../../platform/platform.yaml")
        let results = try product.apply(mode: .buildWithTests)
        #expect(results.success, "\(results.results.filter { ![.success, .pass].contains($0.status) })")
        // Every cube's members that are plain SQL (no Cube references) read from its source.
        let cubes = try #require(try product.compile().cubes, "\(name) has cube files")
        for cube in cubes {
            let source = cube.sqlTable ?? "(\(cube.sql ?? ""))"
            let members = (cube.dimensions.compactMap(\.sql) + cube.measures.compactMap(\.sql)).filter { !$0.contains("{") }
            #expect(throws: Never.self, "cube \(cube.name)") {
                _ = try product.rows("select \(members.joined(separator: ", ")) from \(source) as c limit 1")
            }
        }
        // Every cube answers its measures in all, by each of its dimensions, and through its joins.
        let plan = try product.compile()
        let runner = try QueryRunner(plan: plan)
        let connection = try product.connection(plan: plan)
        for cube in cubes {
            let queries = CubeQuery.coverage(of: cube, among: cubes)
            for query in queries {
                #expect(throws: Never.self, "\(query.json.text)") { _ = try runner.load(query, on: connection) }
            }
        }
        return (product, results)
    }

    @Test func iotTelemetryFlagsExactlyTheReadingsBeyondThreeSigma() throws {
        let (product, results) = try built("iot-telemetry")
        #expect(results.results.filter { $0.resourceType == .test }.count == 12)
        // Seed 000's row counts, plus the injected duplicates.
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_sensors""#) == "202")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_readings""#) == "1010")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_maintenance_log""#) == "100")

        // Leave-one-out three sigma, worked out here from the clean readings.
        var bySensor: [String: [(id: String, value: Double)]] = [:]
        for row in try product.rows(#"select sensor_id, reading_id, value from "floe-dev"."stg_readings""#) {
            bySensor[row[0], default: []].append((row[1], Double(row[2]) ?? .nan))
        }
        var expected: Set<String> = []
        for readings in bySensor.values where readings.count >= 3 {
            for reading in readings {
                let others = readings.filter { $0.id != reading.id }.map(\.value)
                let mean = others.reduce(0, +) / Double(others.count)
                let deviation = (others.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(others.count - 1)).squareRoot()
                if deviation > 0, abs(reading.value - mean) > 3 * deviation { expected.insert(reading.id) }
            }
        }
        let flagged = Set(try product.rows(#"select reading_id from "floe-dev"."int_anomaly_detection" where is_anomaly = 1"#).map { $0[0] })
        #expect(!flagged.isEmpty && flagged == expected, "\(flagged.symmetricDifference(expected).sorted().prefix(5))")
        let scores = try product.rows(#"select health_score, anomaly_count from "floe-dev"."mart_equipment_health""#)
        #expect(scores.allSatisfy { (0...100).contains(Double($0[0]) ?? -1) })
        #expect(scores.map { Int($0[1]) ?? 0 }.reduce(0, +) == flagged.count, "every anomaly is counted against its equipment")
    }

    @Test func customer360HasOneRowPerCustomerAndItsTotalsAddUp() throws {
        let (product, _) = try built("customer-360")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_customers""#) == "505")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_transactions""#) == "1010")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_support_tickets""#) == "300")
        #expect(try product.rows(#"select count(*), count(distinct customer_id) from "floe-dev"."mart_customer_360""#) == [["500", "500"]])
        // Spend and orders add up to the completed transactions, computed here.
        var spend: [String: (orders: Int, total: Double)] = [:]
        for row in try product.rows(#"select customer_id, amount from "floe-dev"."raw_transactions" where status = 'completed' and amount > 0 group by txn_id"#) {
            spend[row[0], default: (0, 0)].orders += 1
            spend[row[0], default: (0, 0)].total += Double(row[1]) ?? 0
        }
        for row in try product.rows(#"select customer_id, total_orders, total_spend, avg_order_value from "floe-dev"."mart_customer_360""#) {
            let expected = spend[row[0]] ?? (0, 0)
            #expect(Int(row[1]) == expected.orders, "\(row)")
            #expect(abs((Double(row[2]) ?? -1) - expected.total) < 0.01, "\(row)")
            if expected.orders > 0 { #expect(abs((Double(row[3]) ?? -1) - expected.total / Double(expected.orders)) < 0.01, "\(row)") }
        }
        #expect(try product.scalar(#"select sum(open_tickets) from "floe-dev"."mart_customer_360""#)
            == product.scalar(#"select count(*) from "floe-dev"."raw_support_tickets" where resolved_at is null"#))
    }

    @Test func financialRiskMeasuresAreOrderedAndMatchTheirDefinition() throws {
        let (product, _) = try built("financial-risk")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_positions""#) == "505")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_market_data""#) == "1000")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_counterparties""#) == "100")
        // Historical VaR and expected shortfall, worked out here from each portfolio's P&L.
        var pnl: [String: [Double]] = [:]
        for row in try product.rows(#"select portfolio_id, pnl from "floe-dev"."int_portfolio_pnl""#) {
            pnl[row[0], default: []].append(Double(row[1]) ?? .nan)
        }
        let risk = try product.rows(#"select portfolio_id, var_95, var_99, expected_shortfall_95, expected_shortfall_99 from "floe-dev"."int_portfolio_risk""#)
        #expect(risk.count == pnl.count && !risk.isEmpty)
        for row in risk {
            let sorted = try #require(pnl[row[0]]).sorted()
            func tail(_ share: Double) -> Int { max(1, Int((share * Double(sorted.count)).rounded(.up))) }
            let values = row.dropFirst().map { Double($0) ?? .nan }
            #expect(abs(values[0] - -sorted[tail(0.05) - 1]) < 1e-6 && abs(values[1] - -sorted[tail(0.01) - 1]) < 1e-6, "\(row)")
            let es95 = -sorted.prefix(tail(0.05)).reduce(0, +) / Double(tail(0.05))
            #expect(abs(values[2] - es95) < 1e-6, "\(row)")
            #expect(values[1] >= values[0] && values[2] >= values[0] && values[3] >= values[1], "VaR 99 ≥ VaR 95, ES ≥ VaR: \(row)")
        }
        // Exposure: the gross value of each counterparty's positions, against its limit.
        var exposure: [String: Double] = [:]
        for row in try product.rows(#"select counterparty_id, quantity, entry_price from "floe-dev"."stg_positions""#) {
            exposure[row[0], default: 0] += abs((Double(row[1]) ?? 0) * (Double(row[2]) ?? 0))
        }
        let counterparties = try product.rows(#"select counterparty_id, total_exposure, exposure_limit, utilisation from "floe-dev"."int_counterparty_exposure""#)
        for row in counterparties {
            let total = exposure[row[0]] ?? 0
            #expect(abs((Double(row[1]) ?? -1) - total) < 1e-6 * max(1, total), "\(row)")
            #expect(abs((Double(row[3]) ?? -1) - total / (Double(row[2]) ?? 1)) < 1e-9, "\(row)")
        }
    }

    @Test func ecommerceRevenueAddsUpAndSegmentsAreScored() throws {
        let (product, _) = try built("ecommerce")
        // Seed 002's counts, plus the injected duplicates; 1 to 3 items an order.
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_customers""#) == "1010")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_products""#) == "100")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_orders""#) == "5050")
        let items = Int(try product.scalar(#"select count(*) from "floe-dev"."raw_order_items""#) ?? "") ?? 0
        #expect((9_000...11_000).contains(items))
        #expect(try product.rows(#"select min(n), max(n) from (select order_id, count(distinct order_item_id) as n from "floe-dev"."raw_order_items" group by order_id)"#)
            == [["1", "3"]])
        // The mart's revenue is every revenue-bearing item's subtotal, worked out from the staging tables.
        let expected = Double(try product.scalar("""
            select sum(i.subtotal) from "floe-dev"."stg_order_items" i
            join "floe-dev"."stg_orders" o on o.order_id = i.order_id
            join "floe-dev"."stg_products" p on p.product_id = i.product_id
            join "floe-dev"."stg_customers" c on c.customer_id = o.customer_id
            where o.status in ('processing', 'shipped', 'delivered')
            """) ?? "") ?? 0
        let mart = Double(try product.scalar(#"select sum(revenue_total) from "floe-dev"."mart_revenue""#) ?? "") ?? -1
        #expect(abs(mart - expected) < 0.01 * 20, "mart \(mart), items \(expected)")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."mart_customer_segments" where recency_score not between 1 and 5 or frequency_score not between 1 and 5 or monetary_score not between 1 and 5"#) == "0")
        // Seed 001 §5's cubes reach the plan, each with the models it reads.
        let cubes = try #require(try product.compile().cubes)
        #expect(cubes.map(\.name) == ["Customers", "OrderItems", "Orders", "Products"])
        #expect(cubes.map(\.dependsOn) == [["model.ecommerce.mart_customer_segments", "model.ecommerce.stg_customers"],
                                           ["model.ecommerce.stg_order_items"], ["model.ecommerce.stg_orders"],
                                           ["model.ecommerce.mart_product_analytics"]])
    }

    @Test func dataPlaygroundRegistersEveryEntityAndItsMetricsMatchTheOrders() throws {
        let (product, _) = try built("data-playground")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_fake_user""#) == "505")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_fake_user_shop""#) == "100")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_fake_user_shop_order""#) == "3030")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_fake_user_shop_review""#) == "800")
        #expect(try product.rows(#"select min(n), max(n) from (select shop_id, count(*) as n from "floe-dev"."raw_fake_user_shop_product" group by shop_id)"#)
            == [["2", "8"]])

        // The registry: one row per distinct entity of the raw tables, under its type.
        let distinct = try ["raw_fake_user": "user_id", "raw_fake_user_shop": "shop_id", "raw_fake_user_shop_product": "product_id",
                            "raw_fake_user_shop_order": "order_id", "raw_fake_user_shop_order_item": "order_item_id",
                            "raw_fake_user_shop_review": "review_id", "raw_fake_user_payment_method": "payment_method_id",
                            "raw_fake_user_shop_promotion": "promotion_id", "raw_fake_user_invoice": "invoice_id",
                            "raw_fake_user_shop_inventory_log": "log_id"]
            .map { table, key in Int(try product.scalar(#"select count(distinct \#(key)) from "floe-dev"."\#(table)""#) ?? "") ?? 0 }
            .reduce(0, +)
        #expect(try product.scalar(#"select count(*) from "floe-dev"."global_entity""#) == String(distinct))
        // Seed 003's indexes: three on the registry, one (unique) per metric table.
        #expect(try product.rows(#"select tbl_name, count(*) from "floe-dev".sqlite_master where type = 'index' and name like '%__ix_%' group by tbl_name order by tbl_name"#)
            == [["global_entity", "3"], ["product_metrics_daily", "1"], ["product_metrics_hourly", "1"], ["shop_metrics_daily", "1"],
                ["shop_metrics_hourly", "1"], ["user_metrics_daily", "1"], ["user_metrics_hourly", "1"]])

        // Hourly shop revenue, worked out here from the raw orders (latest version of each) and items.
        var latest: [String: (shop: String, status: String, time: String)] = [:]
        for row in try product.rows(#"select order_id, shop_id, status, event_time from "floe-dev"."raw_fake_user_shop_order""#)
        where latest[row[0]].map({ $0.time < row[3] }) ?? true {
            latest[row[0]] = (row[1], row[2], row[3])
        }
        var revenue: [String: Double] = [:]
        for row in try product.rows(#"select order_id, line_total from "floe-dev"."raw_fake_user_shop_order_item""#) {
            guard let order = latest[row[0]], order.status != "cancelled" else { continue }
            let hour = "\(order.time.prefix(10))T\(order.time.dropFirst(11).prefix(2)):00:00"
            revenue["\(order.shop)|\(hour)", default: 0] += ((Double(row[1]) ?? 0) * 100).rounded() / 100
        }
        let hourly = try product.rows(#"select shop_id, metric_hour, revenue from "floe-dev"."shop_metrics_hourly" where revenue > 0"#)
        #expect(hourly.count == revenue.count)
        for row in hourly {
            #expect(abs((Double(row[2]) ?? -1) - (revenue["\(row[0])|\(row[1])"] ?? 0)) < 0.005, "\(row)")
        }
        // Payment attempts: every invoice counts once against its order's user, by day and by hour.
        let failed = try product.scalar(#"select count(*) from "floe-dev"."raw_fake_user_invoice" where payment_status = 'failed'"#)
        #expect(try product.scalar(#"select sum(payments_failed) from "floe-dev"."user_metrics_daily""#) == failed)
        #expect(try product.scalar(#"select sum(payments_failed) from "floe-dev"."user_metrics_hourly""#) == failed)
        // extra_metrics is JSON that every reader parses.
        for row in try product.rows(#"select extra_metrics from "floe-dev"."shop_metrics_daily" limit 50"#) {
            #expect((try? JSONSerialization.jsonObject(with: Data(row[0].utf8))) is [String: Any], "\(row)")
        }
    }

    @Test func fieldServiceFeaturesMatchTheWorkOrdersAndInvoices() throws {
        let (product, _) = try built("field-service")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_customers""#) == "306")
        #expect(try product.scalar(#"select count(*) from "floe-dev"."raw_work_orders""#) == "2020")
        #expect(try product.rows(#"select min(n), max(n) from (select customer_id, count(*) as n from "floe-dev"."raw_equipment" group by customer_id)"#)
            == [["1", "3"]])
        #expect(try product.scalar(#"select count(*) from "floe-dev"."gold_churn_features""#) == "300")

        // Per technician, worked out here from the raw orders (the latest version of each).
        var latest: [String: (technician: String, status: String, fixed: Bool, opened: String)] = [:]
        for row in try product.rows(#"select work_order_id, technician_id, status, first_time_fix, opened_at from "floe-dev"."raw_work_orders""#)
        where latest[row[0]].map({ $0.opened < row[4] }) ?? true {
            latest[row[0]] = (row[1], row[2], row[3] == "1", row[4])
        }
        var byTechnician: [String: (assigned: Int, completed: Int, fixed: Int)] = [:]
        for order in latest.values {
            byTechnician[order.technician, default: (0, 0, 0)].assigned += 1
            if order.status == "completed" {
                byTechnician[order.technician, default: (0, 0, 0)].completed += 1
                if order.fixed { byTechnician[order.technician, default: (0, 0, 0)].fixed += 1 }
            }
        }
        let routing = try product.rows(#"select technician_id, assigned_orders, completed_orders, first_time_fix_rate from "floe-dev"."gold_technician_routing""#)
        #expect(routing.count == 40)
        for row in routing {
            let expected = byTechnician[row[0]] ?? (0, 0, 0)
            #expect(Int(row[1]) == expected.assigned && Int(row[2]) == expected.completed, "\(row) \(expected)")
            if expected.completed > 0 {
                #expect(abs((Double(row[3]) ?? -1) - Double(expected.fixed) / Double(expected.completed)) < 0.0006, "\(row)")
            }
        }
        // Late payments (beyond 30 days, or unpaid) per customer, from the raw invoices.
        var invoices: [String: (count: Int, late: Int)] = [:]
        for row in try product.rows(#"select customer_id, days_to_pay from "floe-dev"."raw_invoices""#) {
            invoices[row[0], default: (0, 0)].count += 1
            if (Int(row[1]).map { $0 > 30 }) ?? true { invoices[row[0], default: (0, 0)].late += 1 }
        }
        for row in try product.rows(#"select customer_id, late_payment_share, churn_score, risk_level from "floe-dev"."gold_churn_features""#) {
            let expected = invoices[row[0]].map { Double($0.late) / Double($0.count) } ?? 0
            #expect(abs((Double(row[1]) ?? -1) - expected) < 0.0006, "\(row)")
            let score = Double(row[2]) ?? -1
            #expect(row[3] == (score >= 0.4 ? "high" : score >= 0.2 ? "medium" : "low"), "\(row)")
        }
    }
}
