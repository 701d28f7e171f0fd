import FloeEngine
import FloeSQLite
import Foundation
import Testing

/// PostgreSQL's `x::type` on SQLite: written as `cast(x as type)`, and then run.
@Suite struct PostgresCastsTests {
    @Test(arguments: [
        ("select amount::int from t", "select cast(amount as int) from t"),
        ("select (amount / 100)::numeric(16, 2) as dollars", "select cast((amount / 100) as numeric(16, 2)) as dollars"),
        ("select o.\"Total\"::text, s.t.c::real", "select cast(o.\"Total\" as text), cast(s.t.c as real)"),
        ("select round(x, 2)::text, coalesce(a, b) :: varchar(10)", "select cast(round(x, 2) as text), cast(coalesce(a, b) as varchar(10))"),
        ("select '2024-01-01'::date, 1.5::double precision", "select cast('2024-01-01' as date), cast(1.5 as double precision)"),
        ("select x::text::int, y::timestamp with time zone", "select cast(cast(x as text) as int), cast(y as timestamp with time zone)"),
        ("select ids::int[] from t", "select cast(ids as int[]) from t"),
        ("select 'a::b', \"c::d\" -- e::f\n/* g::h */", "select 'a::b', \"c::d\" -- e::f\n/* g::h */"),
        ("select 1 from t", "select 1 from t"),
    ])
    func castsAreWrittenInTheStandardForm(sql: String, expected: String) {
        #expect(PostgresCasts.rewrite(sql) == expected)
    }

    @Test(arguments: [
        ("select cast(ts as date), CAST( ts AS timestamp )", "select date(ts), datetime(ts)"),
        ("select cast(cast(now() as timestamp) as date)", "select date(datetime(now()))"),
        ("select cast(x as text), cast(y as numeric(16, 2))", "select cast(x as text), cast(y as numeric(16, 2))"),
        ("select ts::date, cast(ts as timestamp without time zone)", "select date(ts), datetime(ts)"),
        ("select 'cast(x as date)'", "select 'cast(x as date)'"),
    ])
    func sqliteDateCastsAreItsDateFunctions(sql: String, expected: String) {
        #expect(SQLiteDialect().nativeFunctions(sql) == expected)
    }

    @Test func sqliteRunsThem() throws {
        SQLiteAdapter.register()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-casts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let connection = try SQLiteEngine(databasePath: directory.appendingPathComponent("w.db").path, namespace: "main", schemas: []).connect()
        let sql = SQLiteDialect().nativeFunctions(
            "select (1234 / 100.0)::numeric(16, 2), '42'::int + 1, 3::text || 'x', cast('2024-05-01 10:30:00' as date), '2024-05-01'::timestamp")
        #expect(try connection.query(sql).rows.map { $0.map { $0.displayText ?? "null" } } == [["12.34", "43", "3x", "2024-05-01", "2024-05-01 00:00:00"]])
    }
}
