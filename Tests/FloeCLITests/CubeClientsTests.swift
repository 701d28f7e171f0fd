import Foundation
import Testing

/// The Cube clients people use, unchanged, against `floe serve` on the built e-commerce demo:
/// PyPI's `cube-http-client` and `cubejs-client-python` (installed in a venv by
/// ./scripts/test.sh, which names its python in FLOE_TEST_CUBE_CLIENTS_PYTHON), and curl as the
/// README shows it. Their answers are compared with the warehouse read by the sqlite3 CLI.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FLOE_TEST_CUBE_CLIENTS_PYTHON"] != nil,
                "no Cube clients: ./scripts/test.sh installs them from PyPI and sets FLOE_TEST_CUBE_CLIENTS_PYTHON"))
struct CubeClientsTests {
    static let script = FloeBinary.repositoryRoot.appendingPathComponent("Tests/FloeCLITests/Clients/cube_clients.py")

    static func sqlite(_ demo: URL, _ sql: String) throws -> [[String]] {
        let result = try FloeBinary.run(program: URL(fileURLWithPath: "/usr/bin/sqlite3"), [demo.appendingPathComponent(".floe/dev.db").path, sql])
        return result.stdout.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func stockClientsAndCurlGetTheWarehousesAnswers() throws {
        let python = try #require(ProcessInfo.processInfo.environment["FLOE_TEST_CUBE_CLIENTS_PYTHON"])
        let demo = try ServeCommandTests.builtDemo()
        let environment = ["FLOE_SECRET_CUBE_API_JWT_SECRET": ServeCommandTests.secret]
        let serve = try ServeProcess([], in: demo, environment: environment)
        defer { serve.stop() }
        let token = try FloeBinary.run(["serve", "--token", #"{"roles": ["admin"]}"#], in: demo, environment: environment)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let run = try FloeBinary.run(program: URL(fileURLWithPath: python), [Self.script.path, "http://127.0.0.1:\(serve.port)", token])
        try #require(run.status == 0, "the clients failed: \(run.stderr)\nthe server's log:\n\(serve.log)")
        let got = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])

        let byStatus = try Self.sqlite(demo, "select status, count(*) from stg_orders group by status order by status")
        let all = try Self.sqlite(demo, "select count(*) from stg_orders")[0][0]
        for key in ["cube_http_load", "cubejs_load", "cubejs_pandas", "cubejs_compact", "cubejs_post"] {
            #expect(got[key] as? [[String]] == byStatus, "\(key): \(got[key] ?? "missing")")
        }
        #expect(got["cube_http_query_type"] as? String == "regularQuery")
        // `from 3000 days ago to now` went out form-encoded, spaces as `+`.
        #expect(got["cube_http_since"] as? String == all && got["cubejs_since"] as? String == all)
        let cubes = ["Customers", "OrderItems", "Orders", "OrdersOverview", "Products"]
        #expect(got["cube_http_cubes"] as? [String] == cubes && got["cubejs_cubes"] as? [String] == cubes)
        #expect(got["cube_http_sql"] as? Bool == true && got["cubejs_dry_run"] as? String == "regularQuery")
        let january = try Self.sqlite(demo, "select count(*) from stg_orders where order_date >= '2024-01-01' and order_date < '2024-02-01'")[0][0]
        let february = try Self.sqlite(demo, "select count(*) from stg_orders where order_date >= '2024-02-01' and order_date < '2024-03-01'")[0][0]
        #expect(got["cubejs_compare"] as? [[String]] == [
            [january, "2024-01-01T00:00:00.000 - 2024-01-31T23:59:59.999"], [february, "2024-02-01T00:00:00.000 - 2024-02-29T23:59:59.999"],
        ])
        let years = try Self.sqlite(demo, "select count(distinct substr(order_date, 1, 4)) from stg_orders")[0][0]
        #expect(got["cubejs_blend_series"] as? [String] == ["Orders.count", "Orders.total_revenue"])
        #expect(got["cubejs_blend_rows"] as? [Int] == [Int(years)!, Int(years)!])
        #expect(got["cubejs_readyz"] as? Bool == true)

        // The README's curl example, as written.
        let curl = try FloeBinary.run(program: URL(fileURLWithPath: "/usr/bin/curl"), [
            "-s", "-H", "Authorization: \(token)", "-G", "http://127.0.0.1:\(serve.port)/cubejs-api/v1/load",
            "--data-urlencode", #"query={"measures": ["Orders.count"], "dimensions": ["Orders.status"]}"#,
        ])
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(curl.stdout.utf8)) as? [String: Any], "\(curl.all)")
        let rows = (answer["data"] as? [[String: String]] ?? []).map { [$0["Orders.status"] ?? "", $0["Orders.count"] ?? ""] }
        #expect(rows.sorted { $0[0] < $1[0] } == byStatus, "\(curl.stdout)")
    }
}
