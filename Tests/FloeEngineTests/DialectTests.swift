import FloeEngine
import Foundation
import Testing

@Suite struct DialectTests {
    let sqlite = SQLiteDialect()
    let postgres = PostgresDialect()

    @Test func dialectsAreFoundByComputeType() {
        #expect(SQLDialects.named("sqlite")?.name == "sqlite")
        #expect(SQLDialects.named("postgres")?.name == "postgres")
        #expect(SQLDialects.named("trino") == nil)
    }

    @Test func quotingDoublesEmbeddedQuotes() {
        #expect(sqlite.relation(schema: "floe-dev", name: "a\"b") == "\"floe-dev\".\"a\"\"b\"")
        #expect(postgres.stringLiteral("it's") == "'it''s'")
    }

    @Test func datePartsAcceptDbtSpellings() {
        #expect(DatePart(text: "'Month'") == .month)
        #expect(DatePart(text: "days") == .day)
        #expect(DatePart(text: "fortnight") == nil)
    }

    /// The SQLite renderings, evaluated by a real SQLite (Python's sqlite3 module on the system library).
    @Test func sqliteDateMacrosComputeWhatPostgresWould() throws {
        let at = "'2024-05-15 13:45:10'"
        let cases: [(String, String)] = [
            (sqlite.dateTrunc(.day, at), "2024-05-15 00:00:00"),
            (sqlite.dateTrunc(.week, at), "2024-05-13 00:00:00"),
            (sqlite.dateTrunc(.month, at), "2024-05-01 00:00:00"),
            (sqlite.dateTrunc(.quarter, at), "2024-04-01 00:00:00"),
            (sqlite.dateTrunc(.year, at), "2024-01-01 00:00:00"),
            (sqlite.dateTrunc(.hour, at), "2024-05-15 13:00:00"),
            (sqlite.dateAdd(.month, "2", at), "2024-07-15 13:45:10"),
            (sqlite.dateAdd(.week, "-1", at), "2024-05-08 13:45:10"),
            (sqlite.dateDiff(.day, "'2024-01-31 23:00:00'", "'2024-02-01 01:00:00'"), "1"),
            (sqlite.dateDiff(.month, "'2023-11-30'", "'2024-02-01'"), "3"),
            (sqlite.dateDiff(.year, "'2023-12-31'", "'2024-01-01'"), "1"),
            (sqlite.dateDiff(.hour, "'2024-01-01 23:59:00'", "'2024-01-02 00:01:00'"), "1"),
            (sqlite.lastDay(.month, "'2024-02-10'"), "2024-02-29"),
            (sqlite.right("'floe'", "2"), "oe"),
            (sqlite.position("'o'", in: "'floe'"), "3"),
        ]
        let script = "import sqlite3, sys\nc = sqlite3.connect(':memory:')\n"
            + "for q in sys.stdin.read().split('\\x1e'):\n    print(c.execute('select ' + q).fetchone()[0])\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(cases.map(\.0).joined(separator: "\u{1e}").utf8))
        try input.fileHandleForWriting.close()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let results = printed.split(separator: "\n").map(String.init)
        #expect(results.count == cases.count)
        for (index, result) in results.enumerated() where index < cases.count {
            #expect(result == cases[index].1, "\(cases[index].0)")
        }
    }
}
