import FloeContract
import FloeEngine
@testable import FloeSpark
import Foundation
import Testing

/// The Spark dialect's SQL, run on the real Spark the suite's server is: each expression gives
/// what the same macro gives on the other engines.
@Suite(.enabled(if: SparkTestServer.available, SparkTestServer.skipReason))
struct SparkDialectTests {
    let dialect = SparkDialect()

    func value(_ expression: String, _ session: HiveServer2Session) throws -> String {
        try session.query("select \(expression)").rows.first?.first?.displayText ?? "null"
    }

    @Test func quotingAndLiteralsSurviveTheirOwnQuotes() throws {
        let session = try HiveServer2Session(host: SparkTestServer.host, port: SparkTestServer.port, user: "floe")
        defer { session.close() }
        let text = #"it's a back\slash"#
        #expect(try value("\(dialect.stringLiteral(text)) as \(dialect.quoteIdentifier("odd`name"))", session) == text)
        #expect(try session.query("select 1 as \(dialect.quoteIdentifier("odd`name"))").columns == ["odd`name"])
    }

    @Test func dateMacrosGiveWhatDbtsDo() throws {
        let session = try HiveServer2Session(host: SparkTestServer.host, port: SparkTestServer.port, user: "floe")
        defer { session.close() }
        let at = "timestamp'2024-05-15 13:45:10'"
        #expect(try value(dialect.dateTrunc(.month, at), session) == "2024-05-01 00:00:00")
        #expect(try value(dialect.dateTrunc(.week, at), session) == "2024-05-13 00:00:00")
        #expect(try value(dialect.dateAdd(.day, "3", at), session) == "2024-05-18 13:45:10")
        #expect(try value(dialect.dateAdd(.month, "-1", at), session) == "2024-04-15 13:45:10")
        let later = "timestamp'2025-01-02 00:10:00'"
        for (part, expected) in [(DatePart.day, "232"), (.week, "33"), (.month, "8"), (.quarter, "3"), (.year, "1"),
                                 (.hour, "5555"), (.minute, "333265")] {
            #expect(try value(dialect.dateDiff(part, at, later), session) == expected, "\(part)")
        }
        #expect(try value(dialect.lastDay(.month, "date'2024-02-10'"), session) == "2024-02-29")
        #expect(try value(dialect.lastDay(.quarter, "date'2024-02-10'"), session) == "2024-03-31")
        #expect(try value(dialect.lastDay(.year, "date'2024-02-10'"), session) == "2024-12-31")
        #expect(try value(dialect.date(year: 2024, month: 3, day: 9), session) == "2024-03-09")
    }

    @Test func stringArrayAndAggregateMacros() throws {
        let session = try HiveServer2Session(host: SparkTestServer.host, port: SparkTestServer.port, user: "floe")
        defer { session.close() }
        #expect(try value(dialect.hash("'floe'"), session) == "bbf42229d75389dbff3d6e7d230263d4")
        #expect(try value(dialect.position("'b'", in: "'abc'"), session) == "2")
        #expect(try value(dialect.splitPart("'a,b,c'", "','", "2") ?? "", session) == "b")
        #expect(try value("array_join(\(dialect.arrayAppend(dialect.arrayConstruct(["1", "2"], type: "int"), "3")), '-')", session) == "1-2-3")
        #expect(try value("size(\(dialect.arrayConstruct([], type: "int")))", session) == "0")
        let rows = "(values (3, 'c'), (1, 'a'), (2, 'b')) as t(n, s)"
        #expect(try session.query("select \(dialect.listagg("s", delimiter: "'|'", orderBy: "order by n")) from \(rows)").rows == [[.text("a|b|c")]])
        #expect(try session.query("select \(dialect.nativeFunctions("median(n)")) from \(rows)").rows == [[.real(2)]])
        #expect(try value("\(dialect.nullSafeEqual("null", "null"))", session) == "1")
        #expect(try value("\(dialect.caseInsensitiveLike("'Floe'", "'fl%'"))", session) == "1")
    }

    @Test func aTableIsRenamedWithinItsSchema() throws {
        let session = try HiveServer2Session(host: SparkTestServer.host, port: SparkTestServer.port, user: "floe")
        defer { session.close() }
        let schema = "floe_dialect_\(UUID().uuidString.prefix(8).lowercased())"
        try session.execute("create schema \(dialect.quoteIdentifier(schema))")
        defer { _ = try? session.execute("drop schema \(dialect.quoteIdentifier(schema)) cascade") }
        let table = Relation(schema: schema, name: "t__floe_tmp")
        try session.execute(dialect.createTable(table, as: "select 1 as id"))
        try session.execute(dialect.rename(table, kind: .table, to: "t"))
        #expect(try session.query("select id from \(dialect.relation(schema: schema, name: "t"))").rows == [[.integer(1)]])
    }
}

/// The statements Spark's materializations run, as text: no server needed.
@Suite struct SparkStatementTests {
    let relation = Relation(schema: "shop", name: "orders")

    @Test func tablesAreWrittenInTheProfilesFileFormat() {
        #expect(SparkDialect().createTable(relation, as: "select 1") == "create table `shop`.`orders` using parquet as\nselect 1")
        #expect(SparkDialect(fileFormat: "delta").createTable(relation, columns: [ColumnSpec(name: "a", type: "text"), ColumnSpec(name: "b", type: "bigint")])
            == "create table `shop`.`orders` (`a` string, `b` bigint) using delta")
    }

    @Test func deletingFromParquetWritesTheKeptRowsBeside() {
        #expect(SparkDialect().deleteRows(from: relation, where: "id = 1") == [
            "drop table if exists `shop`.`orders__floe_keep`",
            "create table `shop`.`orders__floe_keep` like `shop`.`orders` using parquet",
            "insert into `shop`.`orders__floe_keep` select * from `shop`.`orders` where (id = 1) is not true",
            "drop table if exists `shop`.`orders`",
            "alter table `shop`.`orders__floe_keep` rename to `shop`.`orders`",
        ])
        #expect(SparkDialect(fileFormat: "delta").deleteRows(from: relation, where: "id = 1") == ["delete from `shop`.`orders` where id = 1"])
    }

    @Test func insertOverwriteReplacesPartitionsOfAPartitionedTable() {
        #expect(SparkDialect().createTable(relation, as: "select 1 as id, 2 as day", partitionedBy: ["day"])
            == "create table `shop`.`orders` using parquet partitioned by (`day`) as\nselect 1 as id, 2 as day")
        #expect(SparkDialect().overwrite(relation, from: "`shop`.`s`", columns: ["id"], partitions: [])
            == ["insert overwrite table `shop`.`orders` (`id`)\nselect `id` from `shop`.`s`"])
        #expect(SparkDialect().overwrite(relation, from: "`shop`.`s`", columns: ["day", "id", "v"], partitions: ["day"])
            == ["insert overwrite table `shop`.`orders` partition (`day`)\nselect `id`, `v`, `day` from `shop`.`s`"])
    }

    @Test func mergeIsMergeWhereTheFormatTakesItAndDeleteInsertElsewhere() {
        let merge = SparkDialect(fileFormat: "iceberg").merge(into: relation, from: "s", columns: ["id", "v"], uniqueKey: ["id"])
        #expect(merge.count == 1 && merge[0].hasPrefix("merge into `shop`.`orders` as floe_target using s as floe_staging on floe_target.`id` = floe_staging.`id`"))
        let parquet = SparkDialect().merge(into: relation, from: "s", columns: ["id", "v"], uniqueKey: ["id"])
        #expect(parquet.last == "insert into `shop`.`orders` (`id`, `v`)\nselect `id`, `v` from s")
        #expect(parquet.dropLast().contains { $0.contains("where (`id` in (select `id` from s)) is not true") })
    }

    @Test func aQueryReadForItsFirstRowsIsLimitedOnTheServer() {
        #expect(SparkConnection.limited("  with a as (select 1) select * from a", to: 0)
            == "select * from (\n  with a as (select 1) select * from a\n) as floe_limited limit 0")
        #expect(SparkConnection.limited("describe table t", to: 5) == "describe table t")
        #expect(SparkConnection.limited("select 1", to: nil) == "select 1")
    }

    @Test func aBareNumericCastKeepsItsFraction() {
        #expect(SparkDecimalCasts.rewrite("select round(cast(sum(x) as numeric), 2), y::NUMERIC as n, z::numeric(16, 2), cast(w as decimal)")
            == "select round(cast(sum(x) as decimal(38,10)), 2), y::decimal(38,10) as n, z::numeric(16, 2), cast(w as decimal(38,10))")
        // An alias, a quoted name, a literal and a comment are not casts.
        let untouched = "select 1 as numeric, '::numeric' as `numeric` -- cast(x as numeric)\nfrom t"
        #expect(SparkDecimalCasts.rewrite(untouched) == untouched)
    }
}
