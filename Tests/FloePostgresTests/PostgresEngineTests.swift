import FloeContract
import FloeEngine
import Foundation
import Testing

/// The adapter against the real server: connection failures, the apply lock, values both ways.
@Suite(.enabled(if: PostgresTestServer.available, PostgresTestServer.skipReason))
struct PostgresEngineTests {
    @Test func aWrongPasswordIsRefusedNamingTheServerNotThePassword() throws {
        let engine = try PostgresTestServer.engine(database: PostgresTestServer.database, password: "wrong-Pa55word")
        #expect {
            _ = try engine.connect()
        } throws: { error in
            guard let error = error as? EngineError else { return false }
            return error.kind == .unreachable && !error.message.contains("wrong-Pa55word")
                && error.message.contains("PostgreSQL at \(PostgresTestServer.host):\(PostgresTestServer.port) refused the connection")
                && error.message.contains("password authentication failed")
        }
    }

    /// The test server has no TLS: `sslmode: require` is refused with what to change.
    @Test func aServerWithoutTLSNamesTheSSLModeToUse() throws {
        let engine = try PostgresTestServer.engine(database: PostgresTestServer.database, sslmode: "require")
        #expect {
            _ = try engine.connect()
        } throws: { error in
            guard let error = error as? EngineError else { return false }
            return error.kind == .unreachable && error.message.contains("does not support TLS")
                && error.message.contains("sslmode: disable")
        }
    }

    @Test func aServerThatIsNotThereIsUnreachableNamingHostAndPort() throws {
        let port = try Self.closedPort()
        let engine = try PostgresTestServer.engine(database: PostgresTestServer.database, port: port)
        #expect {
            _ = try engine.check(namespace: "floe_test")
        } throws: { error in
            guard let error = error as? EngineError else { return false }
            return error.kind == .unreachable && error.message.hasPrefix("cannot reach PostgreSQL at \(PostgresTestServer.host):\(port)")
        }
    }

    /// A loopback port nothing listens on: bound, read, and closed again.
    static func closedPort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(socket, $0, length) == 0, getsockname(socket, $0, &length) == 0 else { throw CocoaError(.fileReadUnknown) }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func aSecondApplyOnTheNamespaceIsRefusedUntilTheFirstReleasesIt() throws {
        let engine = try PostgresTestServer.engine(database: PostgresTestServer.database)
        let namespace = "lock-\(UUID().uuidString)"
        let first = try engine.lockNamespace(namespace, timeout: 0)
        #expect {
            _ = try engine.lockNamespace(namespace, timeout: 0.3)
        } throws: { error in
            (error as? EngineError)?.kind == .locked && "\(error)".contains("namespace \(namespace) is being applied by another process")
        }
        first.release()
        let second = try engine.lockNamespace(namespace, timeout: 0)
        second.release()
    }

    @Test func copiedRowsReadBackAsTheyWereWritten() throws {
        let database = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(database) }
        let connection = try PostgresTestServer.engine(database: database, namespace: "copy-test").connect()
        let table = Relation(schema: "copy-test", name: "odd \"names\"")
        let columns = [ColumnSpec(name: "id", type: "bigint"), ColumnSpec(name: "label", type: "text"),
                       ColumnSpec(name: "amount", type: "double precision"), ColumnSpec(name: "raw", type: "bytea")]
        let rows: [[SQLValue]] = [
            [.integer(1), .text("tab\there, newline\nthere, back\\slash, \"quotes\" and 'apostrophes'"), .real(1.5), .blob([0, 1, 255])],
            [.integer(-9_223_372_036_854_775_807), .text("ünïcödé ✓ \\N"), .real(-0.1), .null],
            [.integer(3), .null, .null, .blob([])],
        ]
        #expect(throws: EngineError.self) {
            // The driver's COPY names the table as one quoted identifier: a quote in it is refused, not spliced.
            try connection.inWriteTransaction {
                try connection.execute(PostgresDialectStatements.createTable(table, columns: columns))
                _ = try connection.insert(into: table, columns: columns.map(\.name), rows: rows)
            }
        }
        let plain = Relation(schema: "copy-test", name: "odd names")
        let inserted = try connection.inWriteTransaction {
            try connection.execute(PostgresDialectStatements.createTable(plain, columns: columns))
            return try connection.insert(into: plain, columns: columns.map(\.name), rows: rows)
        }
        #expect(inserted == 3)
        let read = try connection.query(#"select id, label, amount, raw from "copy-test"."odd names" order by id"#).rows
        #expect(read == rows.sorted { ($0[0].displayText.flatMap(Int64.init) ?? 0) < ($1[0].displayText.flatMap(Int64.init) ?? 0) })
        // The search path is the namespace's again after the copy.
        #expect(try connection.query("show search_path").rows.first?.first == .text("\"copy-test\", public"))
    }

    @Test func valuesReadAsSQLiteWouldHoldThem() throws {
        let connection = try PostgresTestServer.engine(database: PostgresTestServer.database).connect()
        let row = try #require(try connection.query("""
            select date '2024-02-29', timestamp '2024-01-01 10:00:00.25', timestamp '1999-12-31 23:59:59',
                   cast(12.50 as numeric), cast(12826.88 as numeric), cast(12.00 as numeric), cast(-3 as numeric(10,2)), true, false,
                   cast(7 as smallint), cast(70000 as integer), cast(2.5 as real), 'x'::varchar, null::text,
                   timestamptz '2024-06-01 12:00:00+00', interval '1 year 2 months 3 days 04:05:06.5', time '13:14:15',
            array[1, 2]
            """).rows.first)
        if case .blob = row.last {} else { Issue.record("an array keeps its bytes: \(String(describing: row.last))") }
        #expect(row == [
            .text("2024-02-29"), .text("2024-01-01 10:00:00.25"), .text("1999-12-31 23:59:59"),
            .real(12.5), .real(12826.88), .integer(12), .integer(-3), .integer(1), .integer(0),
            .integer(7), .integer(70000), .real(2.5), .text("x"), .null,
            .text("2024-06-01 12:00:00"), .text("1 year 2 mons 3 days 04:05:06.5"), .text("13:14:15"),
            row.last ?? .null,
        ])
    }

    @Test func theProfilesSchemaIsWhereUnqualifiedNamesResolve() throws {
        let database = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(database) }
        let connection = try PostgresTestServer.engine(database: database, namespace: "floe-x", schema: "shared").connect()
        #expect(try connection.query("show search_path").rows.first?.first == .text("shared, public"))
        // The plan's schemas exist once the first connection opens; the search path's need not.
        #expect(try connection.relationKind(Relation(schema: "floe-x", name: "nothing")) == nil)
        #expect(try connection.query("select count(*) from pg_namespace where nspname = 'floe-x'").rows == [[.integer(1)]])
    }

    @Test func boundValuesAreTypedByWhereTheyStand() throws {
        let connection = try PostgresTestServer.engine(database: PostgresTestServer.database).connect()
        let rows = try connection.query("""
            select v from (values (1, 'a'), (2, 'b'), (3, 'c')) as t(v, name)
            where v > $1 and name <> $2 order by v limit $3
            """, parameters: [.integer(1), .text("b"), .integer(10)], limit: nil).rows
        #expect(rows == [[.integer(3)]])
        let injected = try connection.query("select count(*) from (values ('x')) as t(name) where name = $1",
                                            parameters: [.text("x' or '1'='1")], limit: nil).rows
        #expect(injected == [[.integer(0)]])
    }

    /// The server's error position becomes the line of what floe sent, in the statement of several that failed.
    @Test func aFailureNamesItsLine() throws {
        let connection = try PostgresTestServer.engine(database: PostgresTestServer.database).connect()
        #expect {
            try connection.execute("select 1;\nselect relname,\n  nosuch\nfrom pg_class")
        } throws: { error in
            (error as? EngineError)?.line == 3 && (error as? EngineError)?.message.hasPrefix(#"column "nosuch" does not exist"#) == true
        }
    }

    @Test func severalStatementsRunInOrderAndAFailureNamesTheSQL() throws {
        let database = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(database) }
        let connection = try PostgresTestServer.engine(database: database).connect()
        try connection.execute("""
            create table t (x integer, note text); -- a comment; with a semicolon
            insert into t values (1, 'a;b'), (2, $$c;d$$);
            /* another; comment */ insert into t values (3, 'it''s; fine')
            """)
        #expect(try connection.query("select count(*) from t").rows == [[.integer(3)]])
        #expect {
            try connection.execute("insert into t values (4, 'e'); select * from missing_table")
        } throws: { error in
            guard let error = error as? EngineError else { return false }
            return error.kind == .statement && error.message.contains("relation \"missing_table\" does not exist")
                && error.sql?.contains("missing_table") == true
        }
    }
}

/// The dialect's statements, for tests that set tables up by hand.
enum PostgresDialectStatements {
    static func createTable(_ relation: Relation, columns: [ColumnSpec]) -> String {
        PostgresDialect().createTable(relation, columns: columns)
    }
}
