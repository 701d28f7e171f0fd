import Foundation
import Testing

/// The SQL clients people use, unchanged, against `floe serve --sql-port` on the built e-commerce
/// demo: psql, psycopg 3 (its extended protocol, prepared statements and client-side simple
/// protocol), SQLAlchemy's PostgreSQL dialect and inspector, and Apache Superset (connection test,
/// schema browser, SQL Lab), all from Debian and PyPI (./scripts/test.sh installs them). Every
/// answer is compared with `/cubejs-api/v1/load`'s for the same question and token.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FLOE_TEST_SQL_CLIENTS_PYTHON"] != nil,
                "no SQL clients: ./scripts/test.sh installs psycopg, SQLAlchemy and gql from PyPI and sets FLOE_TEST_SQL_CLIENTS_PYTHON"))
struct SQLClientsTests {
    static let analystPassword = "analyst-pass-Ö-1"
    static let auditorPassword = "auditor-pass-2"
    static let environment = [
        "FLOE_SECRET_CUBE_API_JWT_SECRET": ServeCommandTests.secret,
        "FLOE_SECRET_SQL_ANALYST_PASSWORD": analystPassword,
        "FLOE_SECRET_SQL_AUDITOR_PASSWORD": auditorPassword,
    ]

    /// platform.yaml's SQL API users: one with SCRAM-SHA-256 and EMEA's rows, one with MD5 and every row.
    static let users = """
          sql_api:
            users:
              - name: analyst
                password: { secret_ref: sql-analyst, key: password }
                security_context: { region: EMEA }
              - name: auditor
                password: { secret_ref: sql-auditor, key: password }
                password_encryption: md5
                security_context: { roles: [admin] }
                can_switch_user: true

        """

    /// The demo with the SQL API's users (and `extra`) in its platform.yaml, built.
    static func builtDemo(extra: String = "") throws -> URL {
        let demo = try ApplyCommandTests.demoCopy()
        let platform = demo.appendingPathComponent("../../platform/platform.yaml").standardizedFileURL
        var text = try String(contentsOf: platform, encoding: .utf8)
        let anchor = "  api_secret: { secret_ref: cube-api, key: jwt_secret }\n"
        #expect(text.contains(anchor))
        text = text.replacingOccurrences(of: anchor, with: anchor + users + extra)
        try text.write(to: platform, atomically: true, encoding: .utf8)
        let build = try FloeBinary.run(["build"], in: demo)
        #expect(build.status == 0, "\(build.all)")
        return demo
    }

    static func token(_ claims: String, in demo: URL) throws -> String {
        try FloeBinary.run(["serve", "--token", claims], in: demo, environment: environment).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static var psql: URL {
        for candidate in ["/usr/bin/psql", "/usr/lib/postgresql/15/bin/psql", "/usr/lib/postgresql/16/bin/psql"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return URL(fileURLWithPath: candidate)
        }
        return URL(fileURLWithPath: "/usr/bin/psql")
    }

    @Test func psycopgSQLAlchemyAndPasswordsGetTheLoadAnswers() throws {
        let python = try #require(ProcessInfo.processInfo.environment["FLOE_TEST_SQL_CLIENTS_PYTHON"])
        let demo = try Self.builtDemo()
        let serve = try ServeProcess(["--sql-port", "0"], in: demo, environment: Self.environment)
        defer { serve.stop() }
        let sqlPort = try #require(serve.sqlPort, "\(serve.log)")
        let token = try Self.token(#"{"region": "EMEA"}"#, in: demo)
        let claimless = try Self.token(#"{"team": "none"}"#, in: demo)
        let script = FloeBinary.repositoryRoot.appendingPathComponent("Tests/FloeCLITests/Clients/sql_clients.py")
        let run = try FloeBinary.run(program: URL(fileURLWithPath: python), [
            script.path, "127.0.0.1", String(sqlPort), String(serve.port), token, Self.analystPassword, Self.auditorPassword, claimless,
        ])
        try #require(run.status == 0, "the clients failed: \(run.stderr)\nthe server's log:\n\(serve.log)")
        let got = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])

        for name in ["by_status", "bound_status", "monthly_revenue", "having_in_limit", "ungrouped", "ilike_and_segment", "view"] {
            let answers = try #require(got[name] as? [String: [[String?]]], "\(name) missing")
            let load = try #require(answers["load"])
            #expect(!load.isEmpty, "\(name): /v1/load answered nothing")
            for protocolName in ["extended", "prepared", "simple"] {
                #expect(answers[protocolName] == load, "\(name) over \(protocolName): \(answers[protocolName] ?? []) vs /v1/load \(load)")
            }
        }
        let byStatus = (got["by_status"] as? [String: [[String?]]])?["extended"] ?? []
        #expect(byStatus.count == 5)
        #expect((got["having_in_limit"] as? [String: [[String?]]])?["extended"]?.count == 2)
        #expect(got["description"] as? [[AnyHashable]] == [["status", 25], ["orders", 20], ["date_trunc", 1114]])
        #expect(got["server_version"] as? Int == 140_002)
        #expect(got["binary"] as? [[String?]] == byStatus, "binary results")

        // Injection: values are bound or quoted, names are names.
        #expect((got["inject_value_extended"] as? [Any])?.isEmpty == true)
        #expect((got["inject_value_simple"] as? [Any])?.isEmpty == true)
        #expect((got["inject_like"] as? [Any])?.isEmpty == true)
        let errors = try #require(got["injection_errors"] as? [String: [String]])
        #expect(errors["identifier"] == ["42703", #"column "status" FROM x; --" does not exist in cube Orders"#], "\(errors)")
        #expect(errors["table"]?.first == "42P01")
        #expect(errors["limit"] == ["22P02", "LIMIT must be a whole number of rows, not '1; DROP TABLE stg_orders'"])
        // Two statements: the simple protocol runs the first and refuses the write; a prepared statement takes one.
        #expect(errors["stacked_simple"] == ["25006", "cannot execute DROP: the semantic layer's SQL API is read-only"])
        #expect(errors["stacked_extended"] == ["42601", "cannot insert multiple commands into a prepared statement"])
        #expect(errors["write"] == ["25006", "cannot execute DELETE: the semantic layer's SQL API is read-only"])
        #expect(errors["function"]?.first == "42883")
        #expect((got["after_errors"] as? [[String]])?.count == 1)
        #expect(got["in_transaction_error"] as? String == "42703")
        #expect((got["after_rollback"] as? [[String]])?.count == 1)
        // The warehouse is untouched.
        #expect(try CubeClientsTests.sqlite(demo, "select count(*) from stg_orders")[0][0] != "")

        // SQLAlchemy's inspector sees the cubes as tables and the view as a view.
        #expect(got["sqlalchemy_tables"] as? [String] == ["Customers", "OrderItems", "Orders", "Products"])
        #expect(got["sqlalchemy_views"] as? [String] == ["OrdersOverview"])
        #expect((got["sqlalchemy_schemas"] as? [String])?.contains("public") == true)
        #expect(got["sqlalchemy_columns"] as? [[String]] == [
            ["order_id", "TEXT", "NULL"], ["status", "TEXT", "NULL"], ["region", "TEXT", "NULL"], ["order_date", "TIMESTAMP", "NULL"],
            ["count", "BIGINT", "NULL"], ["total_revenue", "NUMERIC", "NULL"], ["average_order_value", "NUMERIC", "NULL"], ["delivered", "BOOLEAN", "NULL"],
        ])
        #expect(got["sqlalchemy_has_table"] as? [String] == ["True", "False"])
        #expect(got["sqlalchemy_query"] as? [[String?]] == (got["bound_status"] as? [String: [[String?]]])?["load"])

        // Users of platform.yaml: the analyst (SCRAM) sees EMEA as the EMEA token does; the
        // auditor (MD5, admin) sees every row, as the warehouse has them.
        #expect((got["scram_user"] as? [String: [[String?]]])?["rows"] == byStatus, "\(got["scram_user"] ?? "")")
        let everything = try CubeClientsTests.sqlite(demo, "select status, count(*) from stg_orders group by status order by status")
        #expect((got["md5_user"] as? [String: [[String?]]])?["rows"] == everything, "\(got["md5_user"] ?? "")")
        #expect((got["switched_user"] as? [String: [[String?]]])?["rows"] == byStatus, "\(got["switched_user"] ?? "")")
        #expect((got["switch_refused"] as? [String: [String]])?["error"]
            == ["42501", #"user "analyst" may not run queries as another user (__user): platform.yaml's semantic.sql_api.users does not give it can_switch_user"#],
                "\(got["switch_refused"] ?? "")")
        let refusal = #"connection failed: connection to server at "127.0.0.1", port \#(sqlPort) failed: FATAL:  password authentication failed for user"#
        #expect((got["wrong_password"] as? [String: [String]])?["error"]?.last == refusal + #" "analyst""#, "\(got["wrong_password"] ?? "")")
        #expect((got["bad_token"] as? [String: [String]])?["error"]?.last?.hasPrefix(refusal + #" "alice""#) == true, "\(got["bad_token"] ?? "")")
        #expect((got["no_password"] as? [String: [String]])?["error"] != nil, "\(got["no_password"] ?? "")")
        #expect((got["claimless_token"] as? [String: [String]])?["error"]?.first == "42501", "\(got["claimless_token"] ?? "")")
        #expect(!serve.log.contains(Self.analystPassword) && !serve.log.contains(Self.auditorPassword) && !serve.log.contains(token))
        // Rollups answer SQL as they answer /v1/load: the auditor (admin) sees every region, so the
        // Orders rollup answers its count by status; EMEA's row filter needs the models.
        let lines = serve.log.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("floe serve: sql auditor 5 rows ") && $0.hasSuffix(" Orders.count,Orders.status (rollup Orders.by_status_and_month)") },
                "\(serve.log)")
        #expect(lines.contains { $0.hasPrefix("floe serve: sql alice 5 rows ") && $0.hasSuffix(" Orders.count,Orders.status (models)") })
    }

    @Test func psqlDescribesTheCubesAndAnswersLikeLoad() throws {
        let demo = try Self.builtDemo()
        let serve = try ServeProcess(["--sql-port", "0"], in: demo, environment: Self.environment)
        defer { serve.stop() }
        let sqlPort = try #require(serve.sqlPort, "\(serve.log)")
        let token = try Self.token(#"{"roles": ["admin"]}"#, in: demo)
        func psql(_ arguments: [String], password: String = token) throws -> FloeBinary.Result {
            try FloeBinary.run(program: Self.psql, ["-X", "-h", "127.0.0.1", "-p", String(sqlPort), "-U", "alice", "-d", "shop"] + arguments,
                               environment: ["PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"])
        }
        let rows = try psql(["-A", "-t", "-c", #"SELECT status, MEASURE(count) FROM "Orders" GROUP BY 1 ORDER BY 1"#])
        #expect(rows.status == 0, "\(rows.all)")
        let expected = try CubeClientsTests.sqlite(demo, "select status, count(*) from stg_orders group by status order by status")
        #expect(rows.stdout.split(separator: "\n").map { $0.split(separator: "|").map(String.init) } == expected)

        let list = try psql(["-c", #"\d"#])
        #expect(list.status == 0 && list.stdout.contains(" public | Orders         | table | alice") && list.stdout.contains(" public | OrdersOverview | view  | alice"),
                "\(list.all)")
        let describe = try psql(["-c", #"\d "Orders""#])
        #expect(describe.status == 0, "\(describe.all)")
        #expect(describe.stdout.contains(#"Table "public.Orders""#) && describe.stdout.contains(" order_date          | timestamp without time zone |")
            && describe.stdout.contains(" count               | bigint                      |"), "\(describe.stdout)")
        let tables = try psql(["-A", "-t", "-c", #"\dt"#])
        #expect(tables.stdout.split(separator: "\n").count == 4, "\(tables.all)")
        let wrong = try psql(["-c", #"SELECT statuss FROM "Orders""#])
        #expect(wrong.status == 1 && wrong.stderr.contains(#"ERROR:  column "statuss" does not exist in cube Orders; did you mean 'status'?"#), "\(wrong.all)")
        let syntax = try psql(["-c", #"SELECT status FROM "Orders" WHERE"#])
        #expect(syntax.stderr.contains("ERROR:  syntax error at end of input") && syntax.stderr.contains("LINE 1:"), "\(syntax.all)")
        let refused = try psql(["-c", "select 1"], password: "not-a-token")
        #expect(refused.status == 2 && refused.stderr.contains(#"password authentication failed for user "alice""#), "\(refused.all)")
        let session = try psql(["-A", "-t", "-c", "SET application_name = 'floe-test'; SHOW application_name; SELECT version(); SELECT current_schema(); BEGIN; ROLLBACK"])
        #expect(session.status == 0 && session.stdout.hasPrefix("SET\nfloe-test\nPostgreSQL 14.2 on ") && session.stdout.hasSuffix("\npublic\nBEGIN\nROLLBACK\n"),
                "\(session.all)")
    }

    @Test func aCancelRequestEndsTheRunningQuery() throws {
        let python = try #require(ProcessInfo.processInfo.environment["FLOE_TEST_SQL_CLIENTS_PYTHON"])
        let demo = try ApplyCommandTests.demoCopy()
        // A cube whose every query takes about a minute on SQLite.
        try """
            cubes:
              - name: Slow
                sql: "with recursive n(i) as (select 1 union all select i + 1 from n where i < 500000000) select i from n"
                measures:
                  - { name: count, type: count }
                dimensions:
                  - { name: i, sql: i, type: number, primary_key: true }

            """.write(to: demo.appendingPathComponent("cubes/slow.yml"), atomically: true, encoding: .utf8)
        #expect(try FloeBinary.run(["build"], in: demo).status == 0)
        let environment = ["FLOE_SECRET_CUBE_API_JWT_SECRET": ServeCommandTests.secret]
        let serve = try ServeProcess(["--sql-port", "0"], in: demo, environment: environment)
        defer { serve.stop() }
        let token = try FloeBinary.run(["serve", "--token", #"{"roles": ["admin"]}"#], in: demo, environment: environment)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let script = FloeBinary.repositoryRoot.appendingPathComponent("Tests/FloeCLITests/Clients/sql_cancel.py")
        let run = try FloeBinary.run(program: URL(fileURLWithPath: python), [script.path, "127.0.0.1", String(try #require(serve.sqlPort)), token])
        try #require(run.status == 0, "\(run.stderr)\nthe server's log:\n\(serve.log)")
        let got = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let cancelled = try #require(got["cancelled"] as? [String: Any])
        #expect(cancelled["error"] as? [String] == ["57014", "canceling statement due to user request"], "\(cancelled)")
        #expect((cancelled["seconds"] as? Double ?? 99) < 10, "\(cancelled)")
        #expect((got["after"] as? [[String]])?.count == 5, "the connection answers after the cancel: \(got)")
    }

    @Test func tlsWhenThePlatformGivesACertificate() throws {
        let directory = try FloeBinary.temporaryDirectory()
        let key = directory.appendingPathComponent("key.pem"), certificate = directory.appendingPathComponent("certificate.pem")
        let made = try FloeBinary.run(program: URL(fileURLWithPath: "/usr/bin/openssl"), [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-keyout", key.path, "-out", certificate.path,
        ])
        try #require(made.status == 0, "\(made.all)")
        let tls = """
                tls_certificate: { secret_ref: sql-tls, key: certificate }
                tls_key: { secret_ref: sql-tls, key: key }

            """
        let demo = try Self.builtDemo(extra: tls)
        var environment = Self.environment
        environment["FLOE_SECRET_SQL_TLS_CERTIFICATE"] = try String(contentsOf: certificate, encoding: .utf8)
        environment["FLOE_SECRET_SQL_TLS_KEY"] = try String(contentsOf: key, encoding: .utf8)
        let serve = try ServeProcess(["--sql-port", "0"], in: demo, environment: environment)
        defer { serve.stop() }
        let sqlPort = try #require(serve.sqlPort, "\(serve.log)")
        #expect(serve.log.contains("TLS offered"), "\(serve.log)")
        let secure = try FloeBinary.run(program: Self.psql, [
            "-X", "-A", "-t", "-c", #"\conninfo"#, "-c", #"SELECT MEASURE(count) FROM "Orders""#,
            "host=127.0.0.1 port=\(sqlPort) user=analyst dbname=shop sslmode=require",
        ], environment: ["PGPASSWORD": Self.analystPassword])
        #expect(secure.status == 0 && secure.stdout.contains("SSL connection (protocol: TLSv1.3"), "\(secure.all)")

        // Without a certificate the SSL request is refused and a client that requires TLS says so.
        let plain = try Self.builtDemo()
        let open = try ServeProcess(["--sql-port", "0"], in: plain, environment: Self.environment)
        defer { open.stop() }
        let refused = try FloeBinary.run(program: Self.psql, [
            "-X", "-c", "select 1", "host=127.0.0.1 port=\(try #require(open.sqlPort)) user=analyst dbname=shop sslmode=require",
        ], environment: ["PGPASSWORD": Self.analystPassword])
        #expect(refused.status == 2 && refused.stderr.contains("server does not support SSL, but SSL was required"), "\(refused.all)")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["FLOE_TEST_SUPERSET_PYTHON"] != nil,
                   "no Superset: ./scripts/test.sh installs apache-superset from PyPI and sets FLOE_TEST_SUPERSET_PYTHON"))
    func supersetConnectsBrowsesAndRunsSQLLab() throws {
        let python = try #require(ProcessInfo.processInfo.environment["FLOE_TEST_SUPERSET_PYTHON"])
        let demo = try Self.builtDemo()
        let serve = try ServeProcess(["--sql-port", "0"], in: demo, environment: Self.environment)
        defer { serve.stop() }
        let sqlPort = try #require(serve.sqlPort, "\(serve.log)")
        let script = FloeBinary.repositoryRoot.appendingPathComponent("Tests/FloeCLITests/Clients/superset_client.py")
        let work = try FloeBinary.temporaryDirectory()
        let uri = "postgresql+psycopg2://auditor:\(Self.auditorPassword)@127.0.0.1:\(sqlPort)/shop"
        let run = try FloeBinary.run(program: URL(fileURLWithPath: python), [script.path, uri, work.path])
        try #require(run.status == 0, "Superset failed: \(run.stderr.suffix(3000))\nthe server's log:\n\(serve.log)")
        let line = try #require(run.stdout.split(separator: "\n").last { $0.hasPrefix("{") })
        let got = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(got["ping"] as? Bool == true)
        #expect(got["tables"] as? [String] == ["Customers", "OrderItems", "Orders", "Products"])
        #expect(got["views"] as? [String] == ["OrdersOverview"])
        #expect((got["columns"] as? [[String]])?.map { $0[0] } == ["order_id", "status", "region", "order_date", "count", "total_revenue",
                                                                   "average_order_value", "delivered"])
        #expect((got["sqllab_sql"] as? String)?.hasSuffix("LIMIT 1001") == true, "\(got["sqllab_sql"] ?? "")")
        let expected = try CubeClientsTests.sqlite(demo, "select status, count(*) from stg_orders where status like '%e%' group by status order by status")
        #expect(got["sqllab_rows"] as? [[String]] == expected)
    }
}
