import FloeConnect
import FloeContract
import FloeCore
@testable import FloeRuntime
import FloeSemantic
import Foundation
import Testing

/// A long live demo under a short retention, replayed in seconds with the run's clock: every
/// cycle appends a batch and expires what aged out, and the product's own tests (relationships
/// among them) pass in every cycle while the tables stay within the window.
@Suite struct LiveRetentionTests {
    /// `cycles` demo cycles `every` seconds apart, ending now, on a copy of the demo `product`
    /// whose retention is cut to `maxAge`; returns the copy and each cycle's results.
    func replay(_ product: String, maxAge: String, cycles: Int, every: TimeInterval) throws -> (Workspace, [RunResults]) {
        let workspace = try Workspace(copying: DemoProductTests.products.appendingPathComponent(product),
                                      platform: "../../platform/platform.yaml")
        let spec = try String(contentsOf: workspace.directory.appendingPathComponent("floe.yaml"), encoding: .utf8)
        // floe.yaml without its `retention:` block, then the short one (and a demo section if it has none).
        var lines: [Substring] = []
        var inRetention = false
        for line in spec.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("retention:") { inRetention = true; continue }
            if inRetention, line.hasPrefix(" ") { continue }
            inRetention = false
            lines.append(line)
        }
        let demo = spec.contains("\ndemo:") ? "" : "demo: {batch_size: 100}\n"
        try workspace.write("floe.yaml", lines.joined(separator: "\n") + "\nretention: {max_age: \(maxAge), column: _loaded_at}\n" + demo)
        let plan = try workspace.compile()
        let start = Date().addingTimeInterval(-every * Double(cycles))
        var all: [RunResults] = []
        for cycle in 0..<cycles {
            let options = ApplyOptions(mode: .buildWithTests, threads: 2, projectDirectory: workspace.directory.path,
                                       environment: [:], batch: true, now: start.addingTimeInterval(every * Double(cycle)))
            all.append(try PlanRunner(plan: RunnablePlan(withRollupsOf: plan), options: options).run())
        }
        return (workspace, all)
    }

    /// Rows of `child` whose `column` names no row of `parent`.
    func orphans(in workspace: Workspace, _ child: String, _ column: String, _ parent: String, _ key: String) throws -> String? {
        try workspace.scalar("""
            select count(*) from "floe-dev"."\(child)" c where c."\(column)" is not null
            and not exists (select 1 from "floe-dev"."\(parent)" p where p."\(key)" = c."\(column)")
            """)
    }

    func failures(_ results: RunResults) -> [String] {
        results.results.filter { ![.success, .pass, .upToDate].contains($0.status) }.map { "\($0.name): \($0.status) \($0.message ?? "")" }
    }

    /// Readings reference sensors, maintenance references sensors' equipment: an hour of 5-minute
    /// batches under a 15-minute retention keeps both relationships whole.
    @Test func iotTelemetryStaysGreenUnderAShortRetention() throws {
        let (workspace, runs) = try replay("iot-telemetry", maxAge: "15m", cycles: 14, every: 300)
        for (cycle, results) in runs.enumerated() {
            #expect(failures(results).isEmpty, "cycle \(cycle): \(failures(results))")
        }
        #expect(runs.dropFirst(4).contains { $0.result("raw_readings")?.message?.contains("retention deleted") == true })
        for (child, column, parent, key) in [("raw_readings", "sensor_id", "raw_sensors", "sensor_id"),
                                             ("raw_maintenance_log", "equipment_id", "raw_sensors", "equipment_id")] {
            #expect(try orphans(in: workspace, child, column, parent, key) == "0", "\(child).\(column) → \(parent).\(key)")
        }
        #expect(Int(try workspace.scalar(#"select count(*) from "floe-dev"."raw_readings""#) ?? "") ?? .max < 600,
                "an hour of 100-reading batches under a 15-minute window, not the 2,400 made")
    }

    /// Orders reference customers (skewed towards the first ones), items belong to orders, and
    /// duplicates repeat rows of any earlier batch: still no orphan in any cycle.
    @Test func ecommerceStaysGreenUnderAShortRetention() throws {
        let (workspace, runs) = try replay("ecommerce", maxAge: "15m", cycles: 14, every: 300)
        for (cycle, results) in runs.enumerated() {
            #expect(failures(results).isEmpty, "cycle \(cycle): \(failures(results))")
        }
        for (child, column, parent, key) in [("raw_orders", "customer_id", "raw_customers", "customer_id"),
                                             ("raw_order_items", "order_id", "raw_orders", "order_id"),
                                             ("raw_order_items", "product_id", "raw_products", "product_id")] {
            #expect(try orphans(in: workspace, child, column, parent, key) == "0", "\(child).\(column) → \(parent).\(key)")
        }
        // The window holds: a quarter of an hour of 50-order batches, not the 5,000 loaded first.
        #expect(Int(try workspace.scalar(#"select count(*) from "floe-dev"."raw_orders""#) ?? "") ?? .max < 400)
        let messages = runs.compactMap { $0.result("raw_customers")?.message }
        #expect(messages.contains { $0.contains("expired rows made again: newer rows point at them") },
                "orders drawn from customers retention had deleted bring them back: \(messages)")
    }
}

extension LiveRetentionTests {
    /// The other four demo products, given a demo section where they have none, stay green too.
    @Test(arguments: ["customer-360", "data-playground", "field-service", "financial-risk"])
    func otherDemosStayGreen(product: String) throws {
        let (_, runs) = try replay(product, maxAge: "15m", cycles: 14, every: 300)
        for (cycle, results) in runs.enumerated() {
            #expect(failures(results).isEmpty, "cycle \(cycle): \(failures(results))")
        }
    }
}
