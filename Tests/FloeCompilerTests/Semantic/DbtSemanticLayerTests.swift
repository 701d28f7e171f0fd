@testable import FloeCompiler
import FloeContract
import FloeCore
import Foundation
import Testing

/// dbt's semantic models, metrics and saved queries compile into the plan's cubes and views;
/// what floe cannot answer as MetricFlow would is a located warning, never a silent drop.
@Suite struct DbtSemanticLayerTests {
    static let models = [
        "models/orders.sql": "select 1 as order_id, 2 as customer_id, '2024-01-01' as ordered_at, 10.0 as amount, 1 as is_first",
        "models/customers.sql": "select 2 as customer_id, 'north' as region",
    ]

    static func project(_ semantic: String) throws -> TestProject {
        var files = models
        files["models/semantic.yml"] = semantic
        return try TestProject.dbt(files)
    }

    static let orders = """
        semantic_models:
          - name: orders
            model: ref('orders')
            defaults: { agg_time_dimension: ordered_at }
            entities:
              - { name: order_id, type: primary }
              - { name: customer, type: foreign, expr: customer_id }
            dimensions:
              - { name: ordered_at, type: time }
              - { name: is_first, type: categorical }
            measures:
              - { name: amount, agg: sum }
              - { name: order_count, agg: sum, expr: "1" }
              - { name: big_amount, agg: sum, expr: "case when amount > 5 then amount end" }
          - name: customers
            model: ref('customers')
            entities: [{ name: customer, type: primary, expr: customer_id }]
            dimensions: [{ name: region, type: categorical }]
            measures: [{ name: customer_count, agg: count_distinct, expr: customer_id }]

        """

    @Test func semanticModelsBecomeCubesAndMetricsTheirMeasures() throws {
        let project = try Self.project(Self.orders + """
            metrics:
              - { name: revenue, label: Revenue, type: simple, type_params: { measure: amount } }
              - name: first_orders
                type: simple
                type_params: { measure: order_count }
                filter: "{{ Dimension('order_id__is_first') }} = 1 and {{ Dimension('customer__region') }} = 'north'"
              - { name: big_revenue, type: simple, type_params: { measure: big_amount } }
              - { name: share, type: ratio, type_params: { numerator: big_revenue, denominator: revenue } }
            saved_queries:
              - name: by_region
                query_params:
                  metrics: [revenue]
                  group_by: ["TimeDimension('metric_time', 'month')", "Dimension('customer__region')"]

            """)
        let output = project.compile()
        #expect(output.diagnostics.isEmpty)
        let cubes = try #require(output.artifacts?.cubes)
        #expect(cubes.map(\.name) == ["customers", "orders"])
        let orders = cubes[1]
        #expect(orders.sqlTable == nil)
        #expect(orders.sql == "select *,\n  (case when amount > 5 then amount end) as floe__big_amount\nfrom \"floe-dev\".\"orders\"")
        #expect(orders.dependsOn == ["model.shop.orders"])
        #expect(orders.dimensions.map { "\($0.name):\($0.type):\($0.sql ?? ""):\($0.primaryKey)" } == [
            "order_id:string:order_id:true", "customer:string:customer_id:false", "ordered_at:time:ordered_at:false",
            "is_first:string:is_first:false", "metric_time:time:ordered_at:false",
        ])
        #expect(orders.joins == [CubeJoin(name: "customers", relationship: "many_to_one", sql: "{customer} = {customers.customer}")])
        #expect(orders.measures == [
            CubeMeasure(name: "revenue", type: "sum", sql: "amount", title: "Revenue"),
            CubeMeasure(name: "first_orders", type: "sum", sql: "1", filters: ["{is_first} = 1 and {customers.region} = 'north'"]),
            CubeMeasure(name: "big_revenue", type: "sum", sql: "floe__big_amount"),
            CubeMeasure(name: "share", type: "number", sql: "1.0 * {big_revenue} / nullif({revenue}, 0)"),
        ])
        #expect(cubes[0].measures.isEmpty, "a measure no metric uses is not a member")
        let view = try #require(output.artifacts?.views?.first)
        #expect(view.members == [
            ViewMember(name: "revenue", member: "orders.revenue", joinPath: ["orders"]),
            ViewMember(name: "metric_time", member: "orders.metric_time", joinPath: ["orders"]),
            ViewMember(name: "customer__region", member: "customers.region", joinPath: ["orders", "customers"]),
        ])
    }

    @Test func whatFloeCannotAnswerIsAWarningAtTheMetric() throws {
        let project = try Self.project(Self.orders + """
            metrics:
              - { name: revenue, type: simple, type_params: { measure: amount } }
              - { name: customers, type: simple, type_params: { measure: customer_count } }
              - name: growth
                type: derived
                type_params:
                  expr: revenue - last_month
                  metrics: [revenue, { name: revenue, offset_window: 1 month, alias: last_month }]
              - name: per_customer
                type: derived
                type_params: { expr: revenue / customers, metrics: [revenue, customers] }
              - { name: weekly, type: cumulative, type_params: { measure: amount, cumulative_type_params: { window: 7 days } } }
              - { name: converted, type: conversion, type_params: {} }
              - { name: odd, type: simple, type_params: { measure: amount }, filter: "{{ Metric('revenue', group_by=['customer']) }} > 1" }
            saved_queries:
              - name: growth_by_month
                query_params: { metrics: [growth, revenue], where: ["{{ Dimension('customer__region') }} = 'north'"] }

            """)
        #expect(project.messages() == [
            "dbt/models/semantic.yml:23:11: warning: metrics[2]: metric 'growth' is not served: floe does not answer offset_window and offset_to_grain yet\n"
                + "  hint: see docs/dbt-compatibility.md for what floe serves of dbt's semantic layer",
            "dbt/models/semantic.yml:28:11: warning: metrics[3]: metric 'per_customer' is not served: floe does not answer metrics over measures of two semantic models yet\n"
                + "  hint: see docs/dbt-compatibility.md for what floe serves of dbt's semantic layer",
            "dbt/models/semantic.yml:31:13: warning: metrics[4]: metric 'weekly' is not served: floe does not answer a cumulative metric with a window or grain_to_date ('7 days') yet\n"
                + "  hint: see docs/dbt-compatibility.md for what floe serves of dbt's semantic layer",
            "dbt/models/semantic.yml:32:13: warning: metrics[5]: metric 'converted' is not served: floe does not answer conversion metrics yet\n"
                + "  hint: see docs/dbt-compatibility.md for what floe serves of dbt's semantic layer",
            "dbt/models/semantic.yml:33:13: warning: metrics[6]: metric 'odd' is not served: floe does not answer the filter's Jinja other than Dimension(), TimeDimension() and Entity() yet\n"
                + "  hint: see docs/dbt-compatibility.md for what floe serves of dbt's semantic layer",
            "dbt/models/semantic.yml:36:31: warning: saved_queries[0].query_params.metrics: saved query 'growth_by_month' leaves out metric 'growth', which floe does not serve",
            "dbt/models/semantic.yml:36:56: warning: saved_queries[0].query_params.where: saved query 'growth_by_month': its view does not apply `where`\n"
                + "  hint: give the condition as a filter of the query that reads the view",
        ])
    }

    /// Shape mistakes are reported together; references are checked once the shapes are right.
    @Test func mistakesAreLocatedErrorsWithAHint() throws {
        let shapes = try Self.project("""
            semantic_models:
              - name: sales
                model: ref('orders')
                entities: [{ name: order_id, type: key }]
                measures: [{ name: amount, agg: summ }]
            metrics:
              - { name: other, type: simpel, type_params: { measure: amount } }
              - { name: ratio_without_denominator, type: ratio, type_params: { numerator: revenue } }

            """)
        #expect(shapes.messages() == [
            "dbt/models/semantic.yml:4:40: error: semantic_models[0].entities[0].type: entity 'order_id' has type 'key'\n  hint: an entity's type is one of primary, unique, natural, foreign",
            "dbt/models/semantic.yml:5:37: error: semantic_models[0].measures[0].agg: measure 'amount' has agg 'summ'\n  hint: did you mean 'sum'?",
            "dbt/models/semantic.yml:7:26: error: metrics[0].type: metric 'other' has type 'simpel'\n  hint: did you mean 'simple'?",
            "dbt/models/semantic.yml:8:13: error: metrics[1].type_params.denominator: ratio metric 'ratio_without_denominator' needs type_params.denominator",
        ])
        let references = try Self.project("""
            semantic_models:
              - name: orders
                model: ref('order')
                entities: [{ name: order_id, type: primary }]
              - name: sales
                model: ref('orders')
                defaults: { agg_time_dimension: sold_at }
                entities: [{ name: order_id, type: primary }]
                dimensions: [{ name: ordered_at, type: time }, { name: colour, type: categorical }]
                measures: [{ name: total, agg: sum, expr: amount }]
            metrics:
              - { name: revenue, type: simple, type_params: { measure: totl } }
            saved_queries:
              - name: by_colour
                query_params: { metrics: [revenue, profit], group_by: ["Dimension('order_id__color')"] }

            """)
        #expect(references.messages() == [
            "dbt/models/semantic.yml:3:12: error: semantic_models[0].model: semantic model 'orders' reads ref('order'), which names no model\n  hint: did you mean 'orders'?",
            "dbt/models/semantic.yml:7:37: error: semantic_models[1].defaults.agg_time_dimension: agg_time_dimension 'sold_at' is no time dimension of semantic model 'sales'\n"
                + "  hint: its time dimensions: ordered_at",
            "dbt/models/semantic.yml:9:60: warning: semantic_models[1].dimensions[1]: 'colour' reads column 'colour', which model 'orders' does not give: "
                + "queries and rollups that use it fail until the two agree\n"
                + "  hint: fix the column in dbt/models/orders.sql, or this member's sql; the model's columns: order_id, customer_id, ordered_at, amount, is_first",
            "dbt/models/semantic.yml:12:60: error: metrics[0].type_params.measure: metric 'revenue' uses measure 'totl', which no semantic model defines\n  hint: did you mean 'total'?",
            "dbt/models/semantic.yml:15:31: warning: saved_queries[0].query_params.metrics: saved query 'by_colour' leaves out metric 'revenue', which floe does not serve",
            "dbt/models/semantic.yml:15:40: error: saved_queries[0].query_params.metrics: saved query 'by_colour' names metric 'profit', which is not defined",
        ])
    }
}
