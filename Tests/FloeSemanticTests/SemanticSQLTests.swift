import FloeContract
@testable import FloeSemantic
import FloeSQL
import Foundation
import Testing

/// Cube's SQL semantics on the demo's cubes: which Cube query a SELECT becomes, and the errors
/// for what it cannot become, pinned.
@Suite struct SemanticSQLTests {
    let tables: SemanticTables

    init() throws {
        let plan = try DemoWarehouse.compiled.get().plan
        tables = SemanticTables(catalog: SemanticCatalog(cubes: plan.cubes ?? [], views: plan.views ?? []), security: nil)
    }

    func translate(_ sql: String) throws -> SemanticSQLStatement {
        guard case .query(let query)? = try SQLParser.statement(sql) else { throw SQLSyntaxError("not a query", offset: 0) }
        return try SemanticSQLTranslator(tables: tables, database: "shop").translate(query)
    }

    func cube(_ sql: String, _ parameters: [String?] = []) throws -> String {
        try translate(sql).query(binding: parameters).json.text
    }

    func failure(_ sql: String, _ parameters: [String?] = []) -> String? {
        do {
            _ = try translate(sql).query(binding: parameters)
            return nil
        } catch let error as SemanticError {
            return (error.sqlState.map { "\($0) " } ?? "") + error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func selectsBecomeCubeQueries() throws {
        #expect(try cube(#"SELECT status, MEASURE(count) AS n FROM "Orders" WHERE region = 'EMEA' GROUP BY 1 HAVING MEASURE(count) > 3 ORDER BY n DESC LIMIT 5"#)
            == #"{"measures":["Orders.count"],"dimensions":["Orders.status"],"filters":[{"member":"Orders.region","operator":"equals","values":["EMEA"]},{"member":"Orders.count","operator":"gt","values":["3"]}],"order":[["Orders.count","desc"]],"limit":5,"timezone":"UTC"}"#)
        // Bound values land in filters and LIMIT, never in SQL.
        #expect(try cube(#"SELECT DATE_TRUNC('month', order_date), SUM(total_revenue) FROM public."Orders" WHERE order_date BETWEEN $1 AND $2 AND status IN ($3, 'x') GROUP BY 1 LIMIT $4"#,
                         ["2024-01-01 00:00:00+00", "2024-03-31", "it's", "10"])
            == #"{"measures":["Orders.total_revenue"],"timeDimensions":[{"dimension":"Orders.order_date","granularity":"month"}],"filters":[{"member":"Orders.order_date","operator":"inDateRange","values":["2024-01-01 00:00:00","2024-03-31"]},{"member":"Orders.status","operator":"equals","values":["it's","x"]}],"limit":10,"timezone":"UTC"}"#)
        // No aggregate and no GROUP BY: one row per row of the cube; without LIMIT, Cube's maximum.
        #expect(try cube(#"SELECT order_id FROM "Orders" WHERE NOT (status <> 'x' OR region IS NULL) AND delivered"#)
            == #"{"dimensions":["Orders.order_id"],"segments":["Orders.delivered"],"filters":[{"and":[{"member":"Orders.status","operator":"equals","values":["x"]},{"member":"Orders.region","operator":"set"}]}],"limit":50000,"timezone":"UTC","ungrouped":true}"#)
        #expect(try cube(#"SELECT status, COUNT(*) FROM "Orders" WHERE status ILIKE $1 GROUP BY status"#, ["ship%"])
            == #"{"measures":["Orders.count"],"dimensions":["Orders.status"],"filters":[{"member":"Orders.status","operator":"startsWith","values":["ship"]}],"limit":50000,"timezone":"UTC"}"#)
        let statement = try translate(#"SELECT *, MEASURE(count) FROM "OrdersOverview" WHERE customers_region = $1"#)
        #expect(statement.parameterTypes == [1: "string"])
        let view = try #require(tables.table("OrdersOverview"))
        #expect(statement.outputs.map(\.name) == view.columns.filter { $0.kind != .segment }.map(\.name) + ["measure"])
        #expect(view.columns.map(\.name).contains("Customers_region"))
    }

    @Test func userSwitchIsReadFromTheTopOfWhere() throws {
        let statement = try translate(#"SELECT status FROM "Orders" WHERE __user = $1 AND status = 'x' GROUP BY 1"#)
        #expect(try statement.user(binding: ["analyst"]) == "analyst")
        #expect(statement.parameterTypes == [1: "string"])
        #expect(try statement.query(binding: ["analyst"]).filters == [.member("Orders.status", .equals, ["x"])])
        #expect(failure(#"SELECT status FROM "Orders" WHERE __user = 'a' OR status = 'x'"#)
            == "__user = 'name' changes the security context only at the top of WHERE, ANDed with the rest")
    }

    @Test func whatCannotBecomeACubeQueryIsRefusedWithWhatToWrite() {
        #expect(failure(#"SELECT statuss FROM "Orders""#) == #"42703 column "statuss" does not exist in cube Orders; did you mean 'status'?"#)
        #expect(failure(#"SELECT status FROM "Order""#) == #"42P01 relation "Order" does not exist; did you mean 'Orders'?"#)
        #expect(failure(#"SELECT status, count FROM "Orders" GROUP BY 1"#)
            == #"column "count" is a measure: with GROUP BY write MEASURE(count) (or its aggregate) in the select list"#)
        #expect(failure(#"SELECT status, region, MEASURE(count) FROM "Orders" GROUP BY 1"#)
            == #"42803 column "region" must appear in the GROUP BY clause or be used in an aggregate function"#)
        #expect(failure(#"SELECT AVG(total_revenue) FROM "Orders""#)
            == "measure \"total_revenue\" is of type sum; AVG(total_revenue) does not match it: write MEASURE(total_revenue)")
        #expect(failure(#"SELECT status || 'x' FROM "Orders""#)?.hasPrefix("the SQL API takes in the select list: a column of the cube") == true)
        #expect(failure(#"SELECT o.status FROM "Orders" o JOIN "Customers" c ON true"#)?.hasPrefix("0A000 joins are not supported by the SQL API") == true)
        #expect(failure(#"SELECT status FROM "Orders" WHERE status LIKE '%X%'"#)?.hasPrefix("0A000 LIKE matches case") == true)
        #expect(failure(#"SELECT status FROM "Orders" WHERE status = region"#)
            == "WHERE compares a member of Orders with a constant or a parameter; this condition does neither")
        #expect(failure(#"SELECT status FROM "Orders" WHERE count > 3"#) == #"WHERE filters on dimensions; "count" is a measure: filter it in HAVING"#)
        #expect(failure(#"SELECT status FROM "Orders" WHERE status = $1"#, [nil])
            == "parameter $1 is NULL, which equals nothing: write IS NULL or IS NOT NULL to test for missing values")
        #expect(failure(#"SELECT status FROM "Orders" LIMIT $1"#, ["-1"]) == "22P02 LIMIT must be a whole number of rows, not '-1'")
        #expect(failure(#"SELECT DATE_TRUNC('fortnight', order_date) FROM "Orders""#)
            == "DATE_TRUNC: 'fortnight' is not a granularity; use second, minute, hour, day, week, month, quarter or year")
    }
}
