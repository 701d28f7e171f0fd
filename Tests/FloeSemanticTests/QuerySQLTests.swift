import FloeContract
import FloeEngine
@testable import FloeSemantic
import Foundation
import Testing

/// The SQL generated for the demo's cubes, pinned per dialect, and what user input can and
/// cannot reach it.
@Suite struct QuerySQLTests {
    let catalog: SemanticCatalog

    init() throws {
        catalog = SemanticCatalog(cubes: try DemoWarehouse.compiled.get().plan.cubes ?? [])
    }

    func generate(_ json: String, dialect: any SQLDialect = SQLiteDialect()) throws -> GeneratedQuery {
        try QueryCompiler(catalog: catalog, dialect: dialect).generate(try CubeQuery(json: try JSONValue.parse(json)))
    }

    func failure(_ json: String) -> String? {
        do {
            _ = try generate(json)
            return nil
        } catch let error as SemanticError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    static let grouped = #"""
        {"measures": ["Orders.count", "Orders.total_revenue"], "dimensions": ["Orders.region"],
         "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "month", "dateRange": ["2024-01-01", "2024-03-31"]}],
         "filters": [{"member": "Orders.status", "operator": "equals", "values": ["delivered", "shipped"]}],
         "order": {"Orders.total_revenue": "desc"}, "limit": 100}
        """#

    @Test func sqliteSQLIsPinned() throws {
        let generated = try generate(Self.grouped)
        #expect(generated.sql == #"""
            select ("Customers".region) as "Orders__region",
              datetime("Orders".order_date, 'start of month') as "Orders__order_date_month",
              count("Orders".order_id) as "Orders__count",
              sum("Orders".total_amount) as "Orders__total_revenue"
            from "floe-dev"."stg_orders" as "Orders"
            left join (
            select c.customer_id, c.region, c.created_at, s.segment, s.order_count, s.total_revenue from "floe-dev"."stg_customers" as c left join "floe-dev"."mart_customer_segments" as s on s.customer_id = c.customer_id
            ) as "Customers" on "Orders".customer_id = ("Customers".customer_id)
            where (strftime('%Y-%m-%dT%H:%M:%f', "Orders".order_date) >= ?1)
              and (strftime('%Y-%m-%dT%H:%M:%f', "Orders".order_date) <= ?2)
              and ("Orders".status in (?3, ?4))
            group by 1, 2
            order by "Orders__total_revenue" desc
            limit ?5
            """#)
        #expect(generated.parameters == [.text("2024-01-01T00:00:00.000"), .text("2024-03-31T23:59:59.999"), .text("delivered"), .text("shipped"), .integer(100)])
    }

    @Test func postgresSQLIsPinned() throws {
        let generated = try generate(Self.grouped, dialect: PostgresDialect())
        #expect(generated.sql == #"""
            select ("Customers".region) as "Orders__region",
              date_trunc('month', cast("Orders".order_date as timestamp)) as "Orders__order_date_month",
              count("Orders".order_id) as "Orders__count",
              sum("Orders".total_amount) as "Orders__total_revenue"
            from "floe-dev"."stg_orders" as "Orders"
            left join (
            select c.customer_id, c.region, c.created_at, s.segment, s.order_count, s.total_revenue from "floe-dev"."stg_customers" as c left join "floe-dev"."mart_customer_segments" as s on s.customer_id = c.customer_id
            ) as "Customers" on "Orders".customer_id = ("Customers".customer_id)
            where (cast("Orders".order_date as timestamp) >= cast($1 as timestamp))
              and (cast("Orders".order_date as timestamp) <= cast($2 as timestamp))
              and ("Orders".status in ($3, $4))
            group by 1, 2
            order by "Orders__total_revenue" desc
            limit $5
            """#)
    }

    @Test func aRepeatedCubesMeasuresAreAggregatedOverItsKeys() throws {
        let generated = try generate(#"{"measures": ["Orders.total_revenue", "OrderItems.quantity"], "dimensions": ["Products.category"]}"#)
        #expect(generated.sql == #"""
            select "q_0"."Products__category" as "Products__category",
              "q_1"."Orders__total_revenue" as "Orders__total_revenue",
              "q_0"."OrderItems__quantity" as "OrderItems__quantity"
            from (
            select "Products".category as "Products__category",
              sum("OrderItems".quantity) as "OrderItems__quantity"
            from "floe-dev"."stg_orders" as "Orders"
            left join "floe-dev"."stg_order_items" as "OrderItems" on "Orders".order_id = ("OrderItems".order_id)
            left join "floe-dev"."mart_product_analytics" as "Products" on "OrderItems".product_id = ("Products".product_id)
            group by 1
            ) as "q_0"
            join (
            select "floe_keys"."Products__category",
              sum("Orders".total_amount) as "Orders__total_revenue"
            from (
              select distinct "Products".category as "Products__category",
                "Orders".order_id as "__pk_0"
              from "floe-dev"."stg_orders" as "Orders"
              left join "floe-dev"."stg_order_items" as "OrderItems" on "Orders".order_id = ("OrderItems".order_id)
              left join "floe-dev"."mart_product_analytics" as "Products" on "OrderItems".product_id = ("Products".product_id)
            ) as "floe_keys"
            left join "floe-dev"."stg_orders" as "Orders" on "floe_keys"."__pk_0" = "Orders".order_id
            group by "floe_keys"."Products__category"
            ) as "q_1" on "q_0"."Products__category" is "q_1"."Products__category"
            order by "Orders__total_revenue" desc
            limit ?1
            """#)
    }

    @Test func postgresFanOutSQLIsPinned() throws {
        let generated = try generate(#"{"measures": ["Orders.total_revenue"], "dimensions": ["Products.category"], "timezone": "Europe/Paris", "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "week", "dateRange": ["2024-01-01", "2024-01-31"]}]}"#, dialect: PostgresDialect())
        #expect(generated.sql == #"""
            select "q_1"."Products__category" as "Products__category",
              "q_1"."Orders__order_date_week" as "Orders__order_date_week",
              "q_1"."Orders__total_revenue" as "Orders__total_revenue"
            from (
            select "floe_keys"."Products__category",
              "floe_keys"."Orders__order_date_week",
              sum("Orders".total_amount) as "Orders__total_revenue"
            from (
              select distinct "Products".category as "Products__category",
                date_trunc('week', cast((cast("Orders".order_date as timestamp) at time zone 'UTC' at time zone $1) as timestamp)) as "Orders__order_date_week",
                "Orders".order_id as "__pk_0"
              from "floe-dev"."stg_orders" as "Orders"
              left join "floe-dev"."stg_order_items" as "OrderItems" on "Orders".order_id = ("OrderItems".order_id)
              left join "floe-dev"."mart_product_analytics" as "Products" on "OrderItems".product_id = ("Products".product_id)
              where (cast((cast("Orders".order_date as timestamp) at time zone 'UTC' at time zone $1) as timestamp) >= cast($2 as timestamp))
                and (cast((cast("Orders".order_date as timestamp) at time zone 'UTC' at time zone $1) as timestamp) <= cast($3 as timestamp))
            ) as "floe_keys"
            left join "floe-dev"."stg_orders" as "Orders" on "floe_keys"."__pk_0" = "Orders".order_id
            group by "floe_keys"."Products__category", "floe_keys"."Orders__order_date_week"
            ) as "q_1"
            order by "Orders__order_date_week" asc
            limit $4
            """#)
        #expect(generated.parameters == [.text("Europe/Paris"), .text("2024-01-01T00:00:00.000"), .text("2024-01-31T23:59:59.999"), .integer(10000)])
    }

    @Test func userValuesAreBoundNeverSpliced() throws {
        let hostile = #"x'); drop table \"floe-dev\".stg_orders; --"#
        let generated = try generate(#"""
            {"measures": ["Orders.count"], "dimensions": ["Orders.status"],
             "filters": [{"member": "Orders.status", "operator": "equals", "values": ["\#(hostile)"]},
                         {"member": "Orders.status", "operator": "contains", "values": ["50%_\\"]},
                         {"member": "Orders.order_date", "operator": "beforeDate", "values": ["2024-01-01"]}]}
            """#)
        #expect(!generated.sql.contains("drop table") && !generated.sql.contains("50%"))
        #expect(generated.parameters.contains(.text(#"x'); drop table "floe-dev".stg_orders; --"#)))
        #expect(generated.parameters.contains(.text(#"%50\%\_\\%"#)), "LIKE wildcards in a value match themselves")
    }

    @Test func hostileNamesAndOptionsAreRefusedWithTheReason() {
        #expect(failure(#"{"measures": ["Orders.count\"; drop table x; --"]}"#)
            == #"measures[0]: cube 'Orders' has no measure 'count"; drop table x; --'; its measures: Orders.count, Orders.total_revenue, Orders.average_order_value"#)
        #expect(failure(#"{"measures": ["Orders.count"], "order": {"Orders.count; drop table x": "asc"}}"#)?
            .hasPrefix("order[0]: 'Orders.count; drop table x' is not in the query") == true)
        #expect(failure(#"{"measures": ["Orders.count"], "order": {"Orders.count": "asc; drop table x"}}"#) == "order.Orders.count: expected asc or desc")
        #expect(failure(#"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "month'); drop table x; --"}]}"#)
            == "timeDimensions[0].granularity: expected one of second, minute, hour, day, week, month, quarter, year")
        #expect(failure(#"{"measures": ["Orders.count"], "timezone": "UTC'); drop table x; --"}"#)?
            .hasPrefix("timezone: 'UTC'); drop table x; --' is not an IANA time zone") == true)
        #expect(failure(#"{"measures": ["Orders.count"], "filters": [{"member": "Orders.total_revenue", "operator": "gt", "values": ["1; drop table x"]}]}"#)
            == "filters[0]: '1; drop table x' is not a number, and the member is a number")
    }

    @Test func unknownMembersGetDidYouMean() {
        #expect(failure(#"{"measures": ["Order.count"]}"#) == "measures[0]: no cube or view named 'Order'; did you mean 'Orders'?")
        #expect(failure(#"{"measures": ["Orders.status"]}"#)
            == "measures[0]: 'Orders.status' is not a measure; its measures: Orders.count, Orders.total_revenue, Orders.average_order_value")
        #expect(failure(#"{"dimensions": ["Orders.stauts"]}"#) == "dimensions[0]: cube 'Orders' has no dimension 'stauts'; did you mean 'Orders.status'?")
        #expect(failure(#"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.status", "granularity": "day"}]}"#)
            == "timeDimensions[0].dimension: 'Orders.status' is a string dimension, not a time dimension")
        #expect(failure(#"{"measures": ["Orders.count"], "filters": [{"member": "Orders.status", "operator": "inDateRange", "values": ["2024-01-01", "2024-02-01"]}]}"#)
            == "filters[0]: inDateRange applies to time dimensions; this member is a string")
        #expect(failure(#"{"filters": []}"#) == "the query asks for nothing: give measures, dimensions or a time dimension with a granularity")
    }

    @Test func cubesWithoutAJoinPathAreRefused() throws {
        var cubes = catalog.cubes
        cubes.append(CompiledCube(name: "Lonely", path: "cubes/lonely.yml", sqlTable: "t", measures: [CubeMeasure(name: "count", type: "count")]))
        let compiler = QueryCompiler(catalog: SemanticCatalog(cubes: cubes), dialect: SQLiteDialect())
        #expect(throws: SemanticError.self) {
            try compiler.generate(try CubeQuery(json: try JSONValue.parse(#"{"measures": ["Lonely.count", "Orders.count"]}"#)))
        }
    }
}
