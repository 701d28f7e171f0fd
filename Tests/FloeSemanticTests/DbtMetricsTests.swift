import FloeContract
import FloeEngine
@testable import FloeSemantic
import Foundation
import Testing

/// dbt's semantic layer served as cubes: the metrics fixture (Fixtures/metrics, semantic models,
/// metrics and saved queries as jaffle-shop writes them) built on SQLite, every answer checked
/// against SQL written by hand over its marts.
@Suite struct DbtMetricsTests: WarehouseAnswers {
    let warehouse: DemoWarehouse
    let runner: QueryRunner

    init() throws {
        warehouse = try DemoWarehouse.metrics.get()
        runner = try QueryRunner(plan: warehouse.plan)
    }

    static let month = "strftime('%Y-%m-01T00:00:00.000', o.ordered_at)"

    @Test func simpleMetricsAggregateTheirMeasureUnderTheMetricsFilter() throws {
        let query = #"""
            {"measures": ["orders.orders", "orders.new_customer_orders", "orders.large_returning_orders", "orders.january_orders",
                          "orders.ordering_customers", "orders.food_orders", "orders.average_order_total", "orders.largest_order", "orders.tax_paid"],
             "timeDimensions": [{"dimension": "orders.metric_time", "granularity": "month"}], "order": {"orders.metric_time": "asc"}}
            """#
        let hand = """
            select \(Self.month), count(*),
              sum(case when o.customer_order_number = 1 then 1 end),
              sum(case when o.order_total >= 20 and c.customer_type = 'returning' then 1 end),
              sum(case when o.ordered_at >= '2024-01-01' and o.ordered_at < '2024-02-01' then 1 end),
              count(distinct o.customer_id), sum(case when o.is_food_order then 1 else 0 end), avg(o.order_total), max(o.order_total), sum(o.tax_paid)
            from "floe-dev"."orders" o left join "floe-dev"."customers" c on c.customer_id = o.customer_id
            group by 1 order by 1
            """
        try check(query, hand)
    }

    @Test func ratioAndDerivedMetricsDivideTheirInputsWithinTheSemanticModel() throws {
        try check(#"""
            {"measures": ["orders.first_order_share", "orders.tax_rate"],
             "timeDimensions": [{"dimension": "orders.metric_time", "granularity": "month"}], "order": {"orders.metric_time": "asc"}}
            """#, """
            select \(Self.month), 1.0 * sum(case when o.customer_order_number = 1 then 1 end) / count(*), sum(o.tax_paid) / sum(o.order_total)
            from "floe-dev"."orders" o group by 1 order by 1
            """)
        // The item's own `is_food_item` is read, not the joined product's: the measure's
        // expression is computed from its model's row.
        try check(#"""
            {"measures": ["order_item.revenue", "order_item.food_revenue_pct", "order_item.median_revenue"],
             "dimensions": ["products.product_type"], "order": {"products.product_type": "asc"}}
            """#, """
            select p.product_type, sum(i.product_price),
              1.0 * sum(case when i.is_food_item then i.product_price else 0 end) / sum(i.product_price), median(i.product_price)
            from "floe-dev"."order_items" i left join "floe-dev"."products" p on p.product_id = i.product_id
            group by 1 order by 1
            """)
        try check(#"{"measures": ["customers.average_spend"], "dimensions": ["customers.customer"], "order": {"customers.customer": "asc"}}"#,
                  #"select customer_id, lifetime_spend_pretax / nullif(count_lifetime_orders, 0) from "floe-dev"."customers" order by 1"#)
    }

    @Test func aCumulativeMetricIsARunningTotalOverAllTime() throws {
        try check(#"{"measures": ["order_item.cumulative_revenue"]}"#, #"select sum(product_price) from "floe-dev"."order_items""#)
        #expect(throws: SemanticError.self) {
            try answer(#"{"measures": ["order_item.cumulative_revenue"], "timeDimensions": [{"dimension": "order_item.metric_time", "granularity": "month"}]}"#)
        }
    }

    @Test func aSavedQueryIsAViewNamedAsMetricFlowNamesItsMembers() throws {
        try check(#"""
            {"measures": ["order_metrics.orders", "order_metrics.new_customer_orders", "order_metrics.order_total"],
             "dimensions": ["order_metrics.customer__customer_type"],
             "timeDimensions": [{"dimension": "order_metrics.metric_time", "granularity": "month"}],
             "order": {"order_metrics.customer__customer_type": "asc", "order_metrics.metric_time": "asc"}}
            """#, """
            select c.customer_type, \(Self.month), count(*), sum(case when o.customer_order_number = 1 then 1 end), sum(o.order_total)
            from "floe-dev"."orders" o left join "floe-dev"."customers" c on c.customer_id = o.customer_id
            group by 1, 2 order by 1, 2
            """)
        let view = try #require(warehouse.plan.views?.first { $0.name == "customer_order_metrics" })
        #expect(view.members.map(\.name) == ["count_lifetime_orders", "lifetime_spend_pretax", "average_spend", "customer"])
    }
}
