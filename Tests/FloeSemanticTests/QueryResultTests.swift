import FloeContract
import FloeEngine
@testable import FloeSemantic
import Foundation
import Testing

/// Answers over the built e-commerce demo, each checked against SQL written by hand over the
/// marts (never against SQL the engine generated).
@Suite struct QueryResultTests: WarehouseAnswers {
    let warehouse: DemoWarehouse
    let runner: QueryRunner

    init() throws {
        warehouse = try DemoWarehouse.built.get()
        runner = try QueryRunner(plan: warehouse.plan)
    }

    @Test func countAndRevenueByStatus() throws {
        try check(#"{"measures": ["Orders.count", "Orders.total_revenue"], "dimensions": ["Orders.status"], "order": {"Orders.status": "asc"}}"#, #"select status, count(*), sum(total_amount) from "floe-dev"."stg_orders" group by status order by status"#)
    }

    @Test func countAndRevenueByRegionThroughTheJoin() throws {
        let hand = #"""
            select c.region, count(*), sum(o.total_amount), sum(o.total_amount) / count(*)
            from "floe-dev"."stg_orders" o left join "floe-dev"."stg_customers" c on o.customer_id = c.customer_id
            group by c.region order by count(*) desc
            """#
        try check(#"{"measures": ["Orders.count", "Orders.total_revenue", "Orders.average_order_value"], "dimensions": ["Orders.region"]}"#, hand)
        try check(#"{"measures": ["Orders.count", "Orders.total_revenue", "Orders.average_order_value"], "dimensions": ["Customers.region"]}"#, hand)
    }

    @Test func byMonthForADateRangeWithFiltersAndOrder() throws {
        let query = #"""
            {"measures": ["Orders.count", "Orders.total_revenue"],
             "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "month", "dateRange": ["2024-02-01", "2024-06-30"]}],
             "filters": [{"member": "Orders.status", "operator": "notEquals", "values": ["cancelled"]},
                         {"member": "Customers.region", "operator": "equals", "values": ["EMEA", "NA"]}],
             "order": [["Orders.order_date", "desc"]]}
            """#
        let hand = #"""
            select strftime('%Y-%m-01T00:00:00.000', o.order_date), count(*), sum(o.total_amount)
            from "floe-dev"."stg_orders" o join "floe-dev"."stg_customers" c on o.customer_id = c.customer_id
            where o.order_date >= '2024-02-01' and o.order_date < '2024-07-01' and o.status <> 'cancelled' and c.region in ('EMEA', 'NA')
            group by 1 order by 1 desc
            """#
        let rows = try answer(query)
        #expect(rows.count == 5)
        try check(query, hand)
    }

    @Test func anOrdersMeasureThroughOneToManyItemsIsNotMultiplied() throws {
        // Each order counts once per category it has an item in, never once per item.
        let hand = #"""
            select p.category, count(*), sum(o.total_amount) from "floe-dev"."stg_orders" o
            join (select distinct i.order_id, p.category from "floe-dev"."stg_order_items" i
                  left join "floe-dev"."mart_product_analytics" p on p.product_id = i.product_id) p on p.order_id = o.order_id
            group by p.category order by p.category
            """#
        let orphans = try warehouse.rows(#"select count(*) from "floe-dev"."stg_orders" where order_id not in (select order_id from "floe-dev"."stg_order_items")"#)
        var expectedRows = try expected(hand)
        if orphans != [["0"]] {
            let extra = try expected(#"select null, count(*), sum(total_amount) from "floe-dev"."stg_orders" where order_id not in (select order_id from "floe-dev"."stg_order_items")"#)
            expectedRows = extra + expectedRows
        }
        let answered = try answer(#"{"measures": ["Orders.count", "Orders.total_revenue"], "dimensions": ["Products.category"], "order": {"Products.category": "asc"}}"#)
        #expect(answered == expectedRows)
        // Without dimensions, the totals equal the orders table's, whatever is joined.
        try check(#"{"measures": ["Orders.count", "Orders.total_revenue", "OrderItems.quantity"]}"#, #"select (select count(*) from "floe-dev"."stg_orders"), (select sum(total_amount) from "floe-dev"."stg_orders"), (select sum(quantity) from "floe-dev"."stg_order_items")"#)
    }

    @Test func segmentsMeasureFiltersTotalsAndOffsets() throws {
        try check(#"{"measures": ["Orders.count"], "segments": ["Orders.delivered"]}"#, #"select count(*) from "floe-dev"."stg_orders" where status = 'delivered'"#)
        try check(#"{"measures": ["Orders.count"], "dimensions": ["Orders.status"], "filters": [{"member": "Orders.count", "operator": "gte", "values": ["460"]}], "order": {"Orders.status": "asc"}}"#, #"select status, count(*) from "floe-dev"."stg_orders" group by status having count(*) >= 460 order by status"#)
        let query = try CubeQuery(json: try JSONValue.parse(#"{"dimensions": ["Orders.status"], "total": true, "limit": 2, "offset": 1, "order": {"Orders.status": "asc"}}"#))
        let result = try runner.load(query, on: try warehouse.connection())
        #expect(result.total == 5 && result.rows.rows.count == 2)
        #expect(result.data.map { Self.text($0[0].1) } == (try expected(#"select distinct status from "floe-dev"."stg_orders" order by status limit 2 offset 1"#)).map { $0[0] })
    }

    @Test func stringOperatorsIgnoreCaseAndNegationsKeepNulls() throws {
        try check(#"{"measures": ["Customers.count"], "filters": [{"member": "Customers.region", "operator": "contains", "values": ["me"]}]}"#, #"select count(*) from "floe-dev"."stg_customers" where lower(region) like '%me%'"#)
        try check(#"{"measures": ["Customers.count"], "filters": [{"member": "Customers.segment", "operator": "notEquals", "values": ["champions"]}]}"#, #"select count(*) from "floe-dev"."stg_customers" c left join "floe-dev"."mart_customer_segments" s using (customer_id) where s.segment is null or s.segment <> 'champions'"#)
        try check(#"{"measures": ["Customers.count"], "filters": [{"member": "Customers.segment", "operator": "notSet"}]}"#, #"select count(*) from "floe-dev"."stg_customers" c left join "floe-dev"."mart_customer_segments" s using (customer_id) where s.segment is null"#)
    }

    @Test func timeValuesAreWrittenAsCubeWritesThem() throws {
        let query = try CubeQuery(json: try JSONValue.parse(#"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "quarter"}], "limit": 1}"#))
        let result = try runner.load(query, on: try warehouse.connection())
        let row = try #require(result.data.first)
        #expect(row.map(\.0) == ["Orders.order_date.quarter", "Orders.order_date", "Orders.count"])
        #expect(row[0].1 == .string("2023-10-01T00:00:00.000") && row[1].1 == row[0].1)
        #expect(result.json["annotation"]?["timeDimensions"]?["Orders.order_date.quarter"]?["granularity"]?["name"] == .string("quarter"))
        #expect(result.json["annotation"]?["measures"]?["Orders.count"]?["title"] == .string("Orders Count"))
    }

    @Test func aTimeZoneMovesRowsAcrossDays() throws {
        // 04:30 UTC on 10 March is still 9 March in New York.
        let utc = try answer(#"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "day", "dateRange": ["2024-03-09", "2024-03-09"]}]}"#)
        let newYork = try answer(#"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "day", "dateRange": ["2024-03-09", "2024-03-09"]}], "timezone": "America/New_York"}"#)
        #expect(utc == (try expected(#"select '2024-03-09T00:00:00.000', count(*) from "floe-dev"."stg_orders" where order_date >= '2024-03-09' and order_date < '2024-03-10'"#)))
        #expect(newYork == (try expected(#"select '2024-03-09T00:00:00.000', count(*) from "floe-dev"."stg_orders" where order_date >= '2024-03-09 05:00:00' and order_date < '2024-03-10 05:00:00'"#)))
        #expect(utc != newYork)
    }

    @Test func ungroupedQueriesReturnRows() throws {
        try check(#"{"dimensions": ["Orders.order_id"], "measures": ["Orders.total_revenue"], "ungrouped": true, "order": {"Orders.order_id": "asc"}, "limit": 3}"#, #"select order_id, total_amount from "floe-dev"."stg_orders" order by order_id limit 3"#)
    }

    @Test func aViewAnswersWithItsOwnNamesAndItsCubesNumbers() throws {
        let query = try CubeQuery(json: try JSONValue.parse(#"""
            {"measures": ["OrdersOverview.count", "OrdersOverview.total_revenue"], "dimensions": ["OrdersOverview.Customers_region"],
             "filters": [{"member": "OrdersOverview.status", "operator": "equals", "values": ["delivered"]}],
             "order": {"OrdersOverview.Customers_region": "asc"}}
            """#))
        let result = try runner.load(query, on: try warehouse.connection())
        #expect(result.data.first?.map(\.0) == ["OrdersOverview.Customers_region", "OrdersOverview.count", "OrdersOverview.total_revenue"])
        try check(#"{"measures": ["OrdersOverview.count", "OrdersOverview.total_revenue"], "dimensions": ["OrdersOverview.Customers_region"], "filters": [{"member": "OrdersOverview.status", "operator": "equals", "values": ["delivered"]}], "order": {"OrdersOverview.Customers_region": "asc"}}"#,
                  #"select c.region, count(*), sum(o.total_amount) from "floe-dev"."stg_orders" o left join "floe-dev"."stg_customers" c using (customer_id) where o.status = 'delivered' group by c.region order by c.region"#)
        // The view's rows are its orders: a customer member counts the customers that have orders.
        try check(#"{"dimensions": ["OrdersOverview.Customers_segment"], "measures": ["OrdersOverview.count"], "order": {"OrdersOverview.Customers_segment": "asc"}}"#,
                  #"select s.segment, count(*) from "floe-dev"."stg_orders" o left join "floe-dev"."stg_customers" c using (customer_id) left join "floe-dev"."mart_customer_segments" s on s.customer_id = c.customer_id group by s.segment order by s.segment"#)
        let meta = runner.meta()
        let view = try #require(meta["cubes"]?.arrayValue?.first { $0["name"] == .string("OrdersOverview") })
        #expect(view["type"] == .string("view"))
        #expect(view["dimensions"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            == ["OrdersOverview.status", "OrdersOverview.order_date", "OrdersOverview.Customers_region", "OrdersOverview.Customers_segment"])
    }
}
