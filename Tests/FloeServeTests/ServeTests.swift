import FloeConnect
import FloeContract
import FloeRuntime
import FloeSemantic
@testable import FloeServe
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Cube's REST API over HTTP, with Hummingbird's testing client (and one real socket), on the
/// built e-commerce demo; answers checked against SQL written by hand.
@Suite struct ServeTests {
    static let byStatus = #"{"measures": ["Orders.count", "Orders.total_revenue"], "dimensions": ["Orders.status"], "order": {"Orders.status": "asc"}}"#

    /// Cube's data rows as [member values] in order; numbers with a fraction rounded to cents, as
    /// sums added in another order (from a rollup) differ in the last bits.
    static func values(_ body: JSONValue) -> [[String]] {
        (body["data"]?.arrayValue ?? []).map { ($0.objectValue ?? []).map { cell($0.1.stringValue ?? $0.1.text) } }
    }

    static func cell(_ text: String) -> String {
        guard text.contains("."), let number = Double(text) else { return text }
        return String(format: "%.2f", number)
    }

    @Test func anOpenAPIAnswersEveryEndpointAsCubeShapesThem() async throws {
        let demo = try ServedDemo(open: true)
        let server = try demo.server()
        try await server.application().test(.router) { client in
            #expect(try await client.cube("/livez").body == .object([("health", .string("HEALTH"))]))
            #expect(try await client.cube("/readyz").status == 200)

            let got = try await client.cube("/cubejs-api/v1/load", query: Self.byStatus)
            #expect(got.status == 200)
            #expect(Self.values(got.body) == (try demo.rows(#"select status, count(*), sum(total_amount) from "floe-dev"."stg_orders" group by status order by status"#))
                .map { $0.map(Self.cell) })
            #expect(got.body["query"]?["limit"] == .number("10000") && got.body["annotation"]?["measures"]?["Orders.count"] != nil)
            // A POST body gives the same answer.
            let posted = try await client.cube("/cubejs-api/v1/load", post: #"{"query": \#(Self.byStatus)}"#)
            #expect(posted.status == 200 && Self.values(posted.body) == Self.values(got.body))

            // A list of queries (blending) and compareDateRange need queryType=multi, as in Cube.
            let compareQuery = #"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "compareDateRange": [["2024-01-01", "2024-01-31"], ["2024-02-01", "2024-02-29"]]}]}"#
            let refused = try await client.cube("/cubejs-api/v1/load", query: compareQuery)
            #expect(refused.status == 400 && refused.body["error"]?.stringValue?.hasPrefix(
                "'compareDateRangeQuery' query type is not supported by the client. Please update the client.") == true, "\(refused.body)")
            let compare = try await client.cube("/cubejs-api/v1/load", query: compareQuery, parameters: "&queryType=multi")
            #expect(compare.body["queryType"] == .string("compareDateRangeQuery"))
            let counts = (compare.body["results"]?.arrayValue ?? []).map { Self.values($0) }
            #expect(counts == [
                try demo.rows(#"select count(*) from "floe-dev"."stg_orders" where order_date >= '2024-01-01' and order_date < '2024-02-01'"#)
                    .map { $0 + ["2024-01-01T00:00:00.000 - 2024-01-31T23:59:59.999"] },
                try demo.rows(#"select count(*) from "floe-dev"."stg_orders" where order_date >= '2024-02-01' and order_date < '2024-03-01'"#)
                    .map { $0 + ["2024-02-01T00:00:00.000 - 2024-02-29T23:59:59.999"] },
            ])

            let meta = try await client.cube("/cubejs-api/v1/meta")
            #expect(meta.body["cubes"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Customers", "OrderItems", "Orders", "Products", "OrdersOverview"])
            let sql = try await client.cube("/cubejs-api/v1/sql", query: #"{"measures": ["Orders.count"], "filters": [{"member": "Orders.status", "operator": "equals", "values": ["shipped"]}]}"#)
            #expect(sql.body["sql"]?["sql"]?.arrayValue?.last == .array([.string("shipped"), .string("10000")]))
            let dry = try await client.cube("/cubejs-api/v1/dry-run", query: Self.byStatus)
            #expect(dry.body["queryType"] == .string("regularQuery") && dry.body["normalizedQueries"]?.arrayValue?.count == 1)
        }
    }

    /// A dbt project's own metrics and saved queries answer Cube queries, as MetricFlow names them.
    /// Cube's answers for each kind of query: a regular one alone, or, with `queryType=multi` as
    /// Cube's clients send it, every kind as `{queryType, results, pivotQuery, slowQuery}`; a
    /// list of queries blended on one granularity; `compareDateRange` labelled per range; the
    /// compact and columnar formats; query strings decoded as forms encode them (`+` for a space).
    @Test func everyQueryTypeAnswersInCubesShape() async throws {
        let demo = try ServedDemo(open: true)
        try await demo.server().application().test(.router) { client in
            // A form-encoded query string, as curl --data-urlencode and Python's clients send it.
            let form = "query=" + Self.formEncoded(#"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "dateRange": "last 7 days"}]}"#)
            let spaced = try await client.execute(uri: "/cubejs-api/v1/load?" + form, method: .get)
            let spacedBody = try JSONValue.parse(String(buffer: spaced.body))
            #expect(spaced.status == .ok, "\(spacedBody)")
            #expect(spacedBody["query"]?["timeDimensions"]?[0]?["dateRange"] == .string("last 7 days"))

            // queryType=multi: a regular query inside results, by GET and by POST.
            let multi = try await client.cube("/cubejs-api/v1/load", query: Self.byStatus, parameters: "&queryType=multi")
            let single = try await client.cube("/cubejs-api/v1/load", query: Self.byStatus)
            #expect(multi.status == 200 && multi.body["queryType"] == .string("regularQuery") && multi.body["slowQuery"] == .bool(false))
            #expect(multi.body["results"]?.arrayValue?.count == 1 && Self.values(multi.body["results"]?[0] ?? .null) == Self.values(single.body))
            #expect(multi.body["pivotQuery"]?["queryType"] == .string("regularQuery"))
            let posted = try await client.cube("/cubejs-api/v1/load", post: #"{"query": \#(Self.byStatus), "queryType": "multi"}"#)
            #expect(posted.body["queryType"] == .string("regularQuery") && posted.body["results"]?.arrayValue?.count == 1)

            // A list of queries blends on its granularity: every row gains time.month.
            let list = #"[{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "month"}]}, {"measures": ["Customers.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "month"}]}]"#
            let blended = try await client.cube("/cubejs-api/v1/load", query: list, parameters: "&queryType=multi")
            #expect(blended.body["queryType"] == .string("blendingQuery"), "\(blended.body)")
            let firstRow = blended.body["results"]?[0]?["data"]?[0]
            #expect(firstRow?["time.month"] != nil && firstRow?["time.month"] == firstRow?["Orders.order_date.month"])
            #expect(blended.body["pivotQuery"]?["measures"] == .array([.string("Orders.count"), .string("Customers.count")]))
            #expect(blended.body["pivotQuery"]?["timeDimensions"] == .array([.object([("dimension", .string("time")), ("granularity", .string("month"))])]))
            let mixed = try await client.cube("/cubejs-api/v1/load", query: #"[{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "month"}]}, {"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "day"}]}]"#, parameters: "&queryType=multi")
            #expect(mixed.status == 400 && mixed.body["error"]?.stringValue?.hasPrefix("Data blending query granularities must match") == true)
            let noGranularity = try await client.cube("/cubejs-api/v1/load", query: #"[{"measures": ["Orders.count"]}]"#, parameters: "&queryType=multi")
            #expect(noGranularity.status == 400 && noGranularity.body["error"]?.stringValue?.contains("Data blending query without granularity is not supported") == true)

            // compact and columnar: members once, then the values.
            let compact = try await client.cube("/cubejs-api/v1/load", query: #"{"measures": ["Orders.count"], "dimensions": ["Orders.status"], "order": {"Orders.status": "asc"}, "responseFormat": "compact"}"#)
            #expect(compact.body["data"]?["members"] == .array([.string("Orders.status"), .string("Orders.count")]))
            #expect(compact.body["data"]?["dataset"]?.arrayValue?.map { $0.arrayValue?.compactMap(\.stringValue) ?? [] } == Self.values(single.body).map { [$0[0], $0[1]] })
            let columnar = try await client.cube("/cubejs-api/v1/load", query: #"{"measures": ["Orders.count"], "dimensions": ["Orders.status"], "order": {"Orders.status": "asc"}, "responseFormat": "columnar"}"#)
            #expect(columnar.body["data"]?["columns"]?[0]?.arrayValue?.compactMap(\.stringValue) == Self.values(single.body).map { $0[0] })
            let badFormat = try await client.cube("/cubejs-api/v1/load", query: #"{"measures": ["Orders.count"], "responseFormat": "arrow"}"#)
            #expect(badFormat.status == 400 && badFormat.body["error"] == .string("responseFormat: expected default, compact or columnar"))
        }
    }

    /// Queries the fuzz found refused by the warehouse or answered 500: a view's time dimension
    /// beside measures of two cubes a join repeats ("ambiguous column name"), and an empty query.
    @Test func queriesTheFuzzFoundAreAnswered() async throws {
        let demo = try ServedDemo(open: true)
        try await demo.server().application().test(.router) { client in
            let mixed = try await client.cube("/cubejs-api/v1/load", query: #"{"measures": ["Orders.count", "Products.revenue"], "timeDimensions": [{"dimension": "OrdersOverview.order_date", "granularity": "year"}]}"#)
            #expect(mixed.status == 200, "\(mixed.body)")
            let years = try demo.rows(#"select count(*), count(distinct substr(order_date, 1, 4)) from "floe-dev"."stg_orders""#)[0]
            let counts = (mixed.body["data"]?.arrayValue ?? []).compactMap { $0["Orders.count"]?.stringValue.flatMap { Int($0) } }
            #expect(counts.reduce(0, +) == Int(years[0]))
            #expect(mixed.body["data"]?.arrayValue?.count == Int(years[1]))
            let empty = try await client.cube("/cubejs-api/v1/load", query: "{}")
            #expect(empty.status == 400 && empty.body["error"] == .string(
                "the query asks for nothing: give measures, dimensions or a time dimension with a granularity"), "\(empty.body)")
        }
    }

    /// A query still running after the continue-wait time is answered "Continue wait" (200), as
    /// Cube answers it; asking again joins the run and, once it is done, gets its answer.
    @Test func aLongQueryIsAnsweredContinueWaitThenItsAnswer() async throws {
        let slow = """
            cubes:
              - name: Slow
                sql: "with recursive c(x) as (select 1 union all select x + 1 from c where x < 3000000) select x from c"
                dimensions: [{ name: x, sql: x, type: number, primary_key: true }]
                measures: [{ name: count, type: count }, { name: top, sql: x, type: max }]
            """
        let demo = try ServedDemo(open: true, cubes: ["cubes/slow.yml": slow])
        var configuration = demo.configuration
        configuration.continueWait = 0.05
        let server = try SemanticServer(configuration: configuration, log: { _ in })
        try await server.application().test(.router) { client in
            let query = #"{"measures": ["Slow.count", "Slow.top"]}"#
            let first = try await client.cube("/cubejs-api/v1/load", query: query, parameters: "&queryType=multi")
            #expect(first.status == 200 && first.body == .object([("error", .string("Continue wait"))]), "\(first.body)")
            var answer = first
            for _ in 0..<400 where answer.body["error"] != nil {
                try await Task.sleep(for: .milliseconds(50))
                answer = try await client.cube("/cubejs-api/v1/load", query: query, parameters: "&queryType=multi")
            }
            let row = answer.body["results"]?[0]?["data"]?[0]
            #expect(row?["Slow.count"] == .string("3000000") && row?["Slow.top"] == .string("3000000"), "\(answer.body)")
            #expect(server.pending.count == 0, "the answer was taken")
        }
    }

    /// Text as an HTML form (and Python's urlencode) writes it: spaces as `+`.
    static func formEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: " -_.")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "").replacingOccurrences(of: " ", with: "+")
    }

    @Test func aDbtProjectsMetricsAreServed() async throws {
        let served = try ServedDemo(open: true, product: ServedDemo.dbtMetrics)
        try await served.server().application().test(.router) { client in
            let byType = #"{"measures": ["order_metrics.orders", "order_metrics.new_customer_orders"], "dimensions": ["order_metrics.customer__customer_type"], "order": {"order_metrics.customer__customer_type": "asc"}}"#
            let got = try await client.cube("/cubejs-api/v1/load", query: byType)
            #expect(got.status == 200)
            #expect(Self.values(got.body) == (try served.rows("""
                select c.customer_type, count(*), sum(case when o.customer_order_number = 1 then 1 end)
                from "floe-dev"."orders" o left join "floe-dev"."customers" c on c.customer_id = o.customer_id group by 1 order by 1
                """)))
            let meta = try await client.cube("/cubejs-api/v1/meta")
            let names = meta.body["cubes"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names == ["customers", "order_item", "orders", "products", "customer_order_metrics", "order_metrics"])
        }
    }

    @Test func badRequestsAreAnswered400Or413WithTheReasonAndNoInternals() async throws {
        let demo = try ServedDemo(open: true)
        try await demo.server().application().test(.router) { client in
            let unknown = try await client.cube("/cubejs-api/v1/load", query: #"{"measures": ["Orders.revenue"]}"#)
            #expect(unknown.status == 400 && unknown.body["error"]?.stringValue?.hasPrefix("measures[0]: cube 'Orders' has no measure 'revenue'") == true)
            let malformed = try await client.cube("/cubejs-api/v1/load", post: #"{"query": {"measures": ["Orders.count"]"#)
            #expect(malformed.status == 400 && malformed.body["error"]?.stringValue?.hasPrefix("the query is not JSON") == true)
            #expect(try await client.cube("/cubejs-api/v1/load").status == 400)
            let big = String(repeating: " ", count: SemanticServer.maximumBodyBytes + 1)
            #expect(try await client.cube("/cubejs-api/v1/load", post: big).status == 413)
            // Injection through every field is refused or bound; the table is still there after.
            for hostile in [
                #"{"measures": ["Orders.count; drop table \"floe-dev\".stg_orders"]}"#,
                #"{"measures": ["Orders.count"], "filters": [{"member": "Orders.status", "operator": "equals", "values": ["x'; drop table \"floe-dev\".stg_orders; --"]}]}"#,
                #"{"measures": ["Orders.count"], "order": {"Orders.count": "desc; drop table x"}}"#,
                #"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "day; drop table x"}]}"#,
                #"{"measures": ["Orders.count"], "timezone": "UTC; drop table x"}"#,
            ] {
                let reply = try await client.cube("/cubejs-api/v1/load", query: hostile)
                #expect([200, 400].contains(reply.status), "\(hostile)")
            }
            #expect(try demo.rows(#"select count(*) > 0 from "floe-dev"."stg_orders""#) == [["1"]])
        }
    }

    @Test func tokensAreRequiredAndTheirClaimsLimitTheRows() async throws {
        let demo = try ServedDemo()
        let emea = try await ServedDemo.token(.object([("region", .string("EMEA"))]))
        let admin = try await ServedDemo.token(.object([("roles", .array([.string("admin")]))]))
        let expired = try await ServedDemo.token(.object([("region", .string("EMEA")), ("exp", .number("1000"))]))
        let forged = try await ServedDemo.token(.object([("region", .string("EMEA"))]), secret: "another-secret-0123456789abcdef0123456")
        try await demo.server().application().test(.router) { client in
            for endpoint in ["load", "sql", "dry-run"] {
                #expect(try await client.cube("/cubejs-api/v1/\(endpoint)", query: Self.byStatus).status == 403)
            }
            #expect(try await client.cube("/cubejs-api/v1/meta").status == 403)
            #expect(try await client.cube("/cubejs-api/v1/load", query: Self.byStatus, token: expired).body["error"] == .string("the token has expired"))
            #expect(try await client.cube("/cubejs-api/v1/load", query: Self.byStatus, token: forged).status == 403)
            #expect(try await client.cube("/livez").status == 200, "health checks need no token")

            // EMEA sees EMEA's orders only, whichever way it asks and whether or not it names the region.
            let mine = try await client.cube("/cubejs-api/v1/load", query: Self.byStatus, token: "Bearer " + emea)
            let expected = try demo.rows(#"""
                select o.status, count(*) from "floe-dev"."stg_orders" o join "floe-dev"."stg_customers" c using (customer_id)
                where c.region = 'EMEA' group by o.status order by o.status
                """#)
            #expect(Self.values(mine.body).map { Array($0.prefix(2)) } == expected)
            #expect(mine.body["usedPreAggregations"] == .object([]), "the rollup has no region, so it cannot answer a region-limited query")
            let regions = try await client.cube("/cubejs-api/v1/load", query: #"{"measures": ["Customers.count"], "dimensions": ["Customers.region"]}"#, token: emea)
            #expect(Self.values(regions.body) == (try demo.rows(#"select region, count(*) from "floe-dev"."stg_customers" where region = 'EMEA' group by region"#)))
            let sql = try await client.cube("/cubejs-api/v1/sql", query: Self.byStatus, token: emea)
            #expect(sql.body["sql"]?["sql"]?.arrayValue?.last?.arrayValue?.contains(.string("EMEA")) == true)
            let all = try await client.cube("/cubejs-api/v1/load", query: Self.byStatus, token: admin)
            #expect(Self.values(all.body).map { $0[1] } == (try demo.rows(#"select count(*) from "floe-dev"."stg_orders" group by status order by status"#)).map { $0[0] })
            #expect(all.body["usedPreAggregations"]?["Orders.by_status_and_month"] != nil, "an unrestricted token may use the rollup")
            let noClaim = try await client.cube("/cubejs-api/v1/load", query: Self.byStatus, token: try await ServedDemo.token(.object([])))
            #expect(noClaim.status == 403 && noClaim.body["error"]?.stringValue?.contains("no claim 'region'") == true)
        }
    }

    @Test func aNewPlanFileIsServedWithoutARestart() async throws {
        let demo = try ServedDemo(open: true)
        try await demo.server().application().test(.router) { client in
            #expect(try await client.cube("/cubejs-api/v1/load", query: #"{"measures": ["Products.revenue"]}"#).status == 200)
            var plan = demo.plan
            plan.semantic = nil
            plan.cubes = plan.cubes?.filter { $0.name != "Products" }
            try await Task.sleep(for: .milliseconds(1100))
            try plan.encoded().write(to: URL(fileURLWithPath: demo.planPath))
            let after = try await client.cube("/cubejs-api/v1/load", query: #"{"measures": ["Products.revenue"]}"#)
            #expect(after.status == 400 && after.body["error"]?.stringValue?.contains("no cube or view named 'Products'") == true)
        }
    }

    @Test func aRememberedAnswerIsNeverKeptPastAChangeToTheWarehouse() async throws {
        let demo = try ServedDemo(open: true)
        try await demo.server().application().test(.router) { client in
            let count = #"{"measures": ["Orders.count"]}"#
            let first = try await client.cube("/cubejs-api/v1/load", query: count)
            #expect(try await client.cube("/cubejs-api/v1/load", query: count).body == first.body, "asked again, answered the same")
            // A live-demo batch adds orders while the server runs.
            let batch = try PlanRunner(plan: RunnablePlan(withRollupsOf: demo.plan), options: ApplyOptions(threads: 1, projectDirectory: demo.directory.path,
                                                                             environment: [:], batch: true)).run()
            #expect(batch.success)
            let after = try await client.cube("/cubejs-api/v1/load", query: count)
            #expect(Self.values(after.body) == (try demo.rows(#"select count(*) from "floe-dev"."stg_orders""#)))
            #expect(Self.values(after.body) != Self.values(first.body))
        }
    }

    @Test func aRealSocketAnswersWithCORSHeaders() async throws {
        let demo = try ServedDemo(open: true)
        try await demo.server().application().test(.live) { client in
            var headers = HTTPFields()
            headers[.origin] = "http://dashboard.example"
            let response = try await client.execute(uri: "/cubejs-api/v1/meta", method: .get, headers: headers)
            #expect(response.status == .ok)
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            let preflight = try await client.execute(uri: "/cubejs-api/v1/load", method: .options, headers: [.origin: "http://dashboard.example", .accessControlRequestMethod: "POST"])
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
        }
    }
}
