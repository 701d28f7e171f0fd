import Foundation
import Testing

/// `floe serve`'s UI at `/`, in Debian's headless Chromium against the demo's warehouse after a
/// good run and a failing one: the asset graph with every node and edge, coloured by last status;
/// the run history, the failing run's error and the SQL that failed; the tests' results; the
/// playground answering as `/v1/load` does; and a token asked for, never stored by the server.
@Suite(.enabled(if: Chromium.available, "no Chromium: ./scripts/test.sh installs Debian's chromium and sets FLOE_TEST_CHROMIUM"),
       .serialized)
struct ServeUITests {
    static let environment = ["FLOE_SECRET_CUBE_API_JWT_SECRET": ServeCommandTests.secret]

    /// The demo built once, then a run that fails on a model added to it.
    static func warehouseWithAFailure() throws -> URL {
        let demo = try ApplyCommandTests.demoCopy()
        let build = try FloeBinary.run(["build"], in: demo)
        try #require(build.status == 0, "\(build.all)")
        try "select no_such_column from {{ ref('stg_orders') }}\n".write(
            to: demo.appendingPathComponent("dbt/models/marts/broken_orders.sql"), atomically: true, encoding: .utf8)
        let failing = try FloeBinary.run(["build"], in: demo)
        try #require(failing.status == 1, "\(failing.all)")
        return demo
    }

    @Test func theUIShowsAssetsRunsFailuresTestsAndAnswersInThePlayground() throws {
        let demo = try Self.warehouseWithAFailure()
        let chromium = try Chromium()
        let token = try FloeBinary.run(["serve", "--token", #"{"region": "EMEA"}"#], in: demo, environment: Self.environment)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let serve = try ServeProcess(["--sql-port", "0"], in: demo, environment: Self.environment)
        defer { _ = serve.stop() }
        let base = "http://127.0.0.1:\(serve.port)/"
        // Each Chromium starts with an empty session: the token rides in the address's fragment,
        // which the page moves into the tab's sessionStorage (the fragment never reaches the server).
        let tokenPart = "token=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        func open(_ route: String) throws -> String {
            try chromium.dom(base + route + (route.contains("?") ? "&" : "?") + tokenPart)
        }

        // Without a token: the API's own refusal, and how to get one.
        let refused = try chromium.dom(base + "#/assets")
        #expect(refused.contains(#"<div class="problem" id="problem"><strong>HTTP 403: "#) && refused.contains("floe serve --token"), "\(refused)")

        // The asset graph: every node of the plan and its edges; the failing model red, a built one green.
        let assets = try open("#/assets")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent("target/artifacts.json"))) as? [String: Any])
        var expected: [String: [String]] = [:]
        for key in ["sources", "seeds", "models", "exposures"] {
            for entry in plan[key] as? [[String: Any]] ?? [] { expected[entry["unique_id"] as! String] = entry["depends_on"] as? [String] ?? [] }
        }
        for cube in plan["cubes"] as? [[String: Any]] ?? [] { expected["cube." + (cube["name"] as! String)] = cube["depends_on"] as? [String] ?? [] }
        let edges = Set(expected.flatMap { id, parents in parents.filter { expected[$0] != nil }.map { "\($0) -> \(id)" } })
        #expect(DrawnGraph(dom: assets) == DrawnGraph(nodes: Set(expected.keys), edges: edges), "\(assets.prefix(4000))")
        #expect(assets.contains(#"<g class="node type-model status-error" data-id="model.ecommerce.broken_orders""#))
        #expect(assets.contains(#"<g class="node type-model status-up_to_date" data-id="model.ecommerce.mart_revenue""#)
                || assets.contains(#"<g class="node type-model status-success" data-id="model.ecommerce.mart_revenue""#))
        // Sources take the status of the synthetic table that loads them; freshness lists builds.
        #expect(!DrawnGraph.captures(#"<g class="node type-source status-(success|up_to_date)" data-id="source.ecommerce.raw.raw_orders""#, in: assets).isEmpty,
                "\(assets.prefix(3000))")
        #expect(assets.contains(#"<tr data-id="model.ecommerce.stg_orders">"#) && (assets.contains(" min ago") || assets.contains(" s ago")))

        // The run history: the failing run first, then the good one.
        let runs = try open("#/runs")
        let statuses = DrawnGraph.captures(#"<tr data-run="[^"]+"><td><a[^>]*>[^<]*</a></td><td>build</td><td><span class="status status-([a-z_]+)""#, in: runs)
            .map { $0[0] }
        #expect(statuses == ["error", "success"], "\(runs)")

        // The failing run: its timeline, its error, the statement that failed and where its files are.
        let run = try open("#/runs/latest")
        #expect(run.contains(#"<td id="run-status"><span class="status status-error">error</span>"#), "\(run)")
        #expect(run.contains(#"<g class="bar status-error" data-id="model.ecommerce.broken_orders">"#))
        let failure = try #require(run.range(of: #"<div class="failure" data-id="model.ecommerce.broken_orders">"#), "\(run)")
        let failed = String(run[failure.lowerBound...].prefix(3000))
        #expect(failed.contains("no such column: no_such_column"), "\(failed)")
        #expect(failed.contains(#"<code class="failed-sql">"#) && failed.contains("no_such_column"))
        #expect(failed.contains("target/run/dbt/models/marts/broken_orders.sql"))

        // The tests and their last results.
        let tests = try open("#/tests")
        #expect(DrawnGraph.captures(#"<td class="result"><span class="status status-pass">"#, in: tests).count
                == (plan["tests"] as? [Any])?.count, "every test passed in the last run that ran it")

        // The playground: a query's table equals /v1/load's answer; the chart and the SQL are shown.
        let query = #"{"measures":["Orders.count","Orders.total_revenue"],"timeDimensions":[{"dimension":"Orders.order_date","granularity":"month"}],"order":{"Orders.order_date":"asc"},"limit":500}"#
        let page = try open("#/playground?query=" + (query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        let answer = serve.load(query, token: token)
        try #require(answer.status == 200, "\(answer.body)")
        let data = try #require((try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])?["data"] as? [[String: Any]])
        let shownCounts = DrawnGraph.captures(#"<td data-member="Orders.count">([^<]*)</td>"#, in: page).map { $0[0] }
        let shownMonths = DrawnGraph.captures(#"<td data-member="Orders.order_date.month">([^<]*)</td>"#, in: page).map { $0[0] }
        #expect(!data.isEmpty && shownCounts == data.map { "\($0["Orders.count"] ?? "")" }, "\(page.prefix(3000))")
        #expect(shownMonths == data.map { "\($0["Orders.order_date.month"] ?? "")" })
        #expect(page.contains(#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="chart" data-kind="line""#))
        #expect(page.contains(#"<code id="generated-sql">"#) && page.contains(#"<p id="answered-by">"#))
        // The query as SQL for the SQL API, copied from the page, gives the same counts through psql.
        let copied = try #require(DrawnGraph.captures(#"<h4>SQL API <button[^>]*>Copy</button></h4><pre><code>([^<]*)</code>"#, in: page).first?[0], "\(page)")
        let sql = copied.replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&amp;", with: "&")
        #expect(sql.contains(#"MEASURE("count")"#) && sql.contains(#"DATE_TRUNC('month', "order_date")"#), "\(sql)")
        if FileManager.default.isExecutableFile(atPath: SQLClientsTests.psql.path), let sqlPort = serve.sqlPort {
            let rows = try FloeBinary.run(program: SQLClientsTests.psql, ["-X", "-h", "127.0.0.1", "-p", String(sqlPort), "-U", "ui", "-d", "shop",
                                                                        "-A", "-t", "-F", "|", "-c", sql],
                                          environment: ["PGPASSWORD": token, "PGCONNECT_TIMEOUT": "10"])
            #expect(rows.status == 0, "\(rows.all)")
            #expect(rows.stdout.split(separator: "\n").map { String($0.split(separator: "|")[1]) } == shownCounts, "\(rows.stdout)")
        }

        // A browser without the token is refused the history too.
        #expect(try chromium.dom(base + "#/runs").contains("HTTP 403"))
    }
}
