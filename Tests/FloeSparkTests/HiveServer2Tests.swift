import FloeEngine
@testable import FloeSpark
import Foundation
import Testing

/// The server scripts/spark.sh starts (FLOE_TEST_SPARK_HOST and _PORT); the suites skip without it.
enum SparkTestServer {
    static let environment = ProcessInfo.processInfo.environment
    static let host = environment["FLOE_TEST_SPARK_HOST"] ?? ""
    static let port = Int(environment["FLOE_TEST_SPARK_PORT"] ?? "") ?? 0
    static let available = !host.isEmpty && port > 0
    /// The second server, which takes SASL PLAIN logins.
    static let plainPort = Int(environment["FLOE_TEST_SPARK_PLAIN_PORT"] ?? "") ?? 0
    static let skipReason: Comment = "no Spark Thrift server: run the tests with scripts/test.sh (Java present), or eval \"$(scripts/spark.sh start DIR)\""
}

/// Spark's Thrift server through floe's own HiveServer2 client: values of every kind, results
/// larger than one fetch, the server's errors, and an address nobody answers.
@Suite(.enabled(if: SparkTestServer.available, SparkTestServer.skipReason))
struct HiveServer2Tests {
    func session() throws -> HiveServer2Session {
        try HiveServer2Session(host: SparkTestServer.host, port: SparkTestServer.port, user: "floe")
    }

    @Test func valuesOfEveryKindArriveAsTheEnginesValues() throws {
        let session = try session()
        defer { session.close() }
        let result = try session.query("""
            select 1 as one, cast(7 as bigint) as big, 'a' as text, cast(null as int) as nothing, 2.5d as real,
                   true as flag, cast('2024-01-31' as date) as day, cast('2024-01-31 10:20:30' as timestamp) as at,
                   cast(1.25 as decimal(5, 2)) as amount, cast(-40 as decimal(38, 10)) as whole
            """)
        #expect(result.columns == ["one", "big", "text", "nothing", "real", "flag", "day", "at", "amount", "whole"])
        // Decimals as PostgreSQL's numerics are read: integers when whole, doubles otherwise.
        #expect(result.rows == [[.integer(1), .integer(7), .text("a"), .null, .real(2.5), .integer(1), .text("2024-01-31"),
                                 .text("2024-01-31 10:20:30"), .real(1.25), .integer(-40)]])
    }

    @Test func aResultLargerThanAFetchIsReadWhole() throws {
        let session = try session()
        defer { session.close() }
        let result = try session.query("select id, case when id % 3 = 0 then null else id end as sparse from range(25000)")
        #expect(result.rows.count == 25_000)
        #expect(result.rows.last == [.integer(24_999), .null] && result.rows[24_998] == [.integer(24_998), .integer(24_998)])
        #expect(result.rows.filter { $0[1] == .null }.count == 8_334)
    }

    @Test func tablesAreMadeWrittenAndRead() throws {
        let session = try session()
        defer { session.close() }
        let schema = "floe_test_\(UUID().uuidString.prefix(8).lowercased())"
        try session.execute("create schema \(schema)")
        defer { _ = try? session.execute("drop schema \(schema) cascade") }
        try session.execute("create table \(schema).t (id int, name string) using parquet")
        try session.execute("insert into \(schema).t values (1, 'one'), (2, 'two')")
        #expect(try session.query("select name from \(schema).t order by id").rows == [[.text("one")], [.text("two")]])
    }

    @Test func theServersErrorNamesTheProblemAndTheSQL() throws {
        let session = try session()
        defer { session.close() }
        let sql = "select * from no_such_table"
        #expect { try session.query(sql) } throws: { error in
            guard let error = error as? EngineError else { return false }
            return error.kind == .statement && error.sql == sql && error.message.contains("TABLE_OR_VIEW_NOT_FOUND") && !error.message.contains("\n")
        }
        // The session is still usable after a failed statement.
        #expect(try session.query("select 2").rows == [[.integer(2)]])
    }
}

/// SASL PLAIN, the transport remote Thrift servers (HiveServer2's NONE, LDAP, CUSTOM) speak: a
/// login, then messages in frames. A client of the other transport fails plainly, never showing
/// the password.
@Suite(.enabled(if: SparkTestServer.available && SparkTestServer.plainPort > 0, SparkTestServer.skipReason))
struct HiveServer2PlainTests {
    static let password = "s3cret-not-to-show"

    @Test func aPlainLoginRunsQueries() throws {
        let session = try HiveServer2Session(host: SparkTestServer.host, port: SparkTestServer.plainPort, user: "floe", password: Self.password)
        defer { session.close() }
        #expect(try session.query("select 'framed' as transport, id from range(3)").rows == [
            [.text("framed"), .integer(0)], [.text("framed"), .integer(1)], [.text("framed"), .integer(2)],
        ])
        let connection = try SparkConnection(host: SparkTestServer.host, port: SparkTestServer.plainPort, user: "floe", password: Self.password)
        #expect(try connection.query("select 1", limit: nil).rows == [[.integer(1)]])
    }

    @Test func theWrongTransportFailsWithoutShowingThePassword() throws {
        // A login to the NOSASL server, and no login to the SASL one.
        for (port, password) in [(SparkTestServer.port, Optional(Self.password)), (SparkTestServer.plainPort, nil)] {
            #expect {
                try HiveServer2Session(host: SparkTestServer.host, port: port, user: "floe", password: password,
                                       connectTimeout: .seconds(5), callTimeout: .seconds(5))
            } throws: { error in
                guard let error = error as? EngineError else { return false }
                return !error.message.contains(Self.password) && error.message.contains("127.0.0.1:\(port)")
                    || !error.message.contains(Self.password) && error.message.contains("Spark Thrift server")
            }
        }
    }
}

/// No server needed: an address nobody answers is an `unreachable` error naming it.
@Suite struct HiveServer2ConnectTests {
    @Test func aClosedPortIsUnreachableNamingHostAndPort() throws {
        // A port just freed: nothing listens there.
        let socket = try #require(Optional(socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(socket)
        #expect { try HiveServer2Session(host: "127.0.0.1", port: port, user: "floe", connectTimeout: .seconds(2)) } throws: { error in
            guard let error = error as? EngineError else { return false }
            return error.kind == .unreachable && error.message.hasPrefix("cannot connect to the Spark Thrift server at 127.0.0.1:\(port)")
        }
    }
}

/// Spark's errors arrive wrapped in Java class names; what reaches a user is the message.
@Suite struct SparkErrorMessageTests {
    @Test func javaClassNamesAndStacksAreLeftOut() {
        #expect(HiveServer2Session.message(from: """
            org.apache.hive.service.cli.HiveSQLException: Error running query: [UNSUPPORTED_DATATYPE] org.apache.spark.sql.catalyst.parser.ParseException:
            [UNSUPPORTED_DATATYPE] Unsupported data type "TEXT". SQLSTATE: 0A000
            == SQL (line 1, position 40) ==
            \tat org.apache.spark.sql.hive.thriftserver.SparkExecuteStatementOperation.run(X.scala:1)
            """) == #"[UNSUPPORTED_DATATYPE] Unsupported data type "TEXT". SQLSTATE: 0A000"#)
        #expect(HiveServer2Session.message(from: """
            org.apache.hive.service.cli.HiveSQLException: Error running query: [ARITHMETIC_OVERFLOW] org.apache.spark.SparkArithmeticException: [ARITHMETIC_OVERFLOW] long overflow. SQLSTATE: 22003
            \tat org.apache.spark.sql.errors.QueryExecutionErrors$.arithmeticOverflowError(QueryExecutionErrors.scala:1)
            """) == "[ARITHMETIC_OVERFLOW] long overflow. SQLSTATE: 22003")
        #expect(HiveServer2Session.message(from: "plain words: no classes") == "plain words: no classes")
    }
}
