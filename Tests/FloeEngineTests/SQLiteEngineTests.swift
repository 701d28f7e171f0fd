import FloeContract
@testable import FloeEngine
@testable import FloeSQLite
import Foundation
import Testing

/// The SQLite adapter against a real SQLite: files per schema, the functions floe registers,
/// the owner check and the namespace lock.
@Suite struct SQLiteEngineTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-sqlite-\(UUID().uuidString)")

    func engine(namespace: String = "floe-dev", schemas: [String] = [], file: String = "dev.db") -> SQLiteEngine {
        SQLiteEngine(databasePath: directory.appendingPathComponent(file).path, namespace: namespace, schemas: schemas)
    }

    func value(_ sql: String) throws -> SQLValue? {
        try engine().connect().query(sql).rows.first?.first
    }

    @Test func eachSchemaIsItsOwnFileInWALMode() throws {
        let connection = try engine(schemas: ["floe-dev_marts"]).connect()
        try connection.execute(#"create table "floe-dev"."a" (x integer); create table "floe-dev_marts"."b" (y integer)"#)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("dev.db").path))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("dev.floe-dev_marts.db").path))
        #expect(try connection.query(#"pragma "floe-dev".journal_mode"#).rows == [[.text("wal")]])
        #expect(try connection.relationKind(Relation(schema: "floe-dev_marts", name: "b")) == .table)
        #expect(try connection.relationKind(Relation(schema: "floe-dev", name: "b")) == nil)
    }

    /// A failing statement says on which line of what was sent, even in the second of two.
    @Test func aFailureNamesItsLine() throws {
        let connection = try engine().connect()
        let sql = "create table \"floe-dev\".\"t\" (a integer);\ncreate table \"floe-dev\".\"u\" as\nselect a,\n  nosuch\nfrom \"floe-dev\".\"t\""
        #expect {
            try connection.execute(sql)
        } throws: { error in
            (error as? EngineError)?.line == 4 && (error as? EngineError)?.message == "no such column: nosuch"
        }
        // Where SQLite gives no position, the name its message puts at fault finds the line.
        #expect(EngineError(.statement, "no such column: o.status", sql: "select\n  o.id,\n  o.status\nfrom o").line == 3)
        #expect(EngineError(.statement, #"column "amount" does not exist"#, sql: "select\namount").line == 2)
    }

    @Test func aNamespaceNamedMainIsTheMainDatabase() throws {
        let connection = try engine(namespace: "main", schemas: ["main_marts"]).connect()
        try connection.execute(#"create table "main"."a" (x integer); create table "main_marts"."b" (y integer)"#)
        #expect(try connection.relationKind(Relation(schema: "main", name: "a")) == .table)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("dev.main_marts.db").path))
        #expect(try connection.query("pragma main.journal_mode").rows == [[.text("wal")]])
        #expect(throws: EngineError.self) { try connection.ensureSchema("temp") }
    }

    @Test func aFileBelongsToOneNamespace() throws {
        _ = try engine(namespace: "floe-dev").connect()
        #expect {
            _ = try engine(namespace: "floe-staging").connect()
        } throws: { error in
            (error as? EngineError)?.message.contains("belongs to namespace 'floe-dev'") == true
        }
    }

    @Test func theNamespaceLockRefusesASecondHolderUntilReleased() throws {
        let first = try engine().lockNamespace("floe-dev", timeout: 0)
        #expect {
            _ = try engine().lockNamespace("floe-dev", timeout: 0.2)
        } throws: { error in
            let error = error as? EngineError
            return error?.kind == .locked && error?.message.contains("pid \(getpid())") == true
        }
        first.release()
        try engine().lockNamespace("floe-dev", timeout: 0).release()
    }

    @Test func md5SplitPartAndConcatBehaveAsOnPostgres() throws {
        // The digest of "floe" as coreutils' md5sum computes it.
        #expect(try value("select md5('floe')") == .text("bbf42229d75389dbff3d6e7d230263d4"))
        #expect(try value("select md5(null)") == .null)
        #expect(try value("select split_part('a,b,c', ',', 2)") == .text("b"))
        #expect(try value("select split_part('a,b,c', ',', -1)") == .text("c"))
        #expect(try value("select split_part('a,b,c', ',', 9)") == .text(""))
        #expect(try value("select concat('a', null, 'b', 1)") == .text("ab1"))
        #expect(try value("select concat_ws('-', 'a', null, 'b')") == .text("a-b"))
    }

    /// As PostgreSQL's `ts at time zone source at time zone target` gives (dbt_date's postgres form).
    @Test func convertTimezoneMovesWallClockTimesBetweenZones() throws {
        #expect(try value("select convert_timezone('UTC', 'America/Los_Angeles', '2024-01-15 12:00:00')") == .text("2024-01-15 04:00:00.000"))
        #expect(try value("select convert_timezone('America/New_York', 'Europe/Paris', '2024-07-01 09:30:00')") == .text("2024-07-01 15:30:00.000"))
        #expect(try value("select convert_timezone('Asia/Tokyo', '2024-03-10 23:00:00')") == .text("2024-03-11 08:00:00.000"))
        // Across New York's spring-forward night: 01:30 was still EST (UTC-5).
        #expect(try value("select convert_timezone('America/New_York', 'UTC', '2024-03-10 01:30:00')") == .text("2024-03-10 06:30:00.000"))
        #expect(throws: (any Error).self, "an unknown zone is an error") { try value("select convert_timezone('UTC', 'Nowhere/City', '2024-01-01')") }
    }

    @Test func statisticalAggregatesMatchTheirDefinitions() throws {
        let values = "(values (2.0), (4.0), (4.0), (4.0), (5.0), (5.0), (7.0), (9.0), (null))"
        func aggregate(_ function: String) throws -> Double? {
            if case .real(let number)? = try value("select \(function) from \(values)") { return number }
            return nil
        }
        #expect(try aggregate("stddev_pop(column1)") == 2.0)
        #expect(try aggregate("var_pop(column1)") == 4.0)
        #expect(abs(try #require(try aggregate("stddev(column1)")) - (32.0 / 7.0).squareRoot()) < 1e-12)
        #expect(abs(try #require(try aggregate("variance(column1)")) - 32.0 / 7.0) < 1e-12)
        #expect(try aggregate("median(column1)") == 4.5)
        #expect(try aggregate("percentile_cont(column1, 0.25)") == 4.0)
        #expect(try aggregate("percentile_disc(column1, 0.9)") == 9.0)
        #expect(try value("select stddev(column1) from (values (1.0))") == .null, "one value has no sample deviation")
        #expect(throws: EngineError.self) { try value("select percentile_cont(column1, 2) from \(values)") }
    }

    @Test func aggregatesWorkAsWindowFunctions() throws {
        let rows = try engine().connect().query("""
            select column1, stddev_pop(column1) over (order by column1 rows between 1 preceding and current row),
                   median(column1) over (order by column1 rows between 2 preceding and current row)
            from (values (1.0), (3.0), (5.0), (11.0)) order by column1
            """).rows
        #expect(rows.map { $0[1] } == [.real(0), .real(1), .real(1), .real(3)])
        #expect(rows.map { $0[2] } == [.real(1), .real(2), .real(3), .real(5)])
    }
}
