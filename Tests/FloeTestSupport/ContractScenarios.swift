import FloeRuntime
import Foundation
import Testing

/// dbt's model contracts on any engine: the table is created with the contract's columns and the
/// constraints the engine enforces, a row that breaks one fails the build and keeps the old table,
/// and a SELECT whose columns differ from the contract fails before anything is written.
public enum ContractScenarios {
    static let properties = """
        models:
          - name: scores
            config:
              materialized: table
              contract: {enforced: true}
            columns:
              - name: id
                data_type: integer
                constraints: [{type: not_null}, {type: primary_key}]
              - name: kind
                data_type: text
              - name: amount
                data_type: integer
                constraints:
                  - {type: check, expression: "amount between 0 and 100"}

        """

    /// Builds `scores` under its contract; a later seed that breaks the check, then one that
    /// repeats a key, each fail the build with the engine's words and leave the table as it was.
    public static func aViolatingRowFailsTheBuildAndKeepsTheTable(_ project: ScratchProject, table: String) throws {
        // Cast: seeds' integers are bigint on PostgreSQL, which a contract saying integer refuses.
        try project.write("dbt/models/scores.sql", "select cast(id as integer) as id, kind, cast(amount as integer) as amount from {{ ref('events') }}")
        try project.write("dbt/models/schema.yml", properties)
        try project.apply()
        #expect(try project.rows("select id, kind, amount from \(table) order by id") == [["1", "a", "10"], ["2", "b", "20"], ["3", "a", "30"]])
        // Rebuilt with new rows: the new table takes the old one's place, constraints and all.
        try project.write("dbt/seeds/events.csv", "id,kind,amount\n1,a,10\n2,b,20\n3,a,35\n")
        try project.apply()
        let built = [["1", "a", "10"], ["2", "b", "20"], ["3", "a", "35"]]
        #expect(try project.rows("select id, kind, amount from \(table) order by id") == built)

        try project.write("dbt/seeds/events.csv", "id,kind,amount\n1,a,10\n2,b,20\n3,a,300\n")
        let broken = try project.apply(expectSuccess: false)
        let failure = broken.results.first { $0.name == "scores" }
        #expect(failure?.status == .error)
        #expect(failure?.message?.lowercased().contains("check") == true, "\(failure?.message ?? "")")
        #expect(try project.rows("select id, kind, amount from \(table) order by id") == built)

        try project.write("dbt/seeds/events.csv", "id,kind,amount\n1,a,10\n2,b,20\n2,a,30\n")
        let repeated = try project.apply(expectSuccess: false)
        let duplicate = repeated.results.first { $0.name == "scores" }?.message?.lowercased() ?? ""
        #expect(duplicate.contains("unique") || duplicate.contains("duplicate"), "\(duplicate)")
        #expect(try project.rows("select id, kind, amount from \(table) order by id") == built)
    }

    /// `select *` hides its columns from the compile; the engine's answer fails the build with
    /// dbt's table of mismatches, and nothing is written. `typed`: the engine tells column types
    /// apart (a contract that says `text` for an integer column is a mismatch).
    public static func aSelectStarThatBreaksTheContractFailsBeforeBuilding(_ project: ScratchProject, table: String, typed: Bool) throws {
        try project.write("dbt/models/typed_events.sql",
                          "select cast(id as integer) as id, kind, cast(amount as integer) as amount from {{ ref('events') }}")
        try project.write("dbt/models/scores.sql", "select * from {{ ref('typed_events') }}")
        try project.write("dbt/models/schema.yml", properties.replacingOccurrences(of: """
                  - name: amount
                    data_type: integer
                    constraints:
                      - {type: check, expression: "amount between 0 and 100"}
            """, with: "      - {name: kind_label, data_type: text}\n"))
        let results = try project.apply(expectSuccess: false)
        let message = results.results.first { $0.name == "scores" }?.message ?? ""
        #expect(message.contains("model 'scores' has an enforced contract that failed"), "\(message)")
        #expect(rows(of: message) == [
            ["kind_label", "", "text", "missing in definition"],
            ["amount", typed ? "integer" : "", "", "missing in contract"],
        ])
        // Nothing was built: the table does not exist.
        #expect(throws: (any Error).self) { try project.rows("select count(*) from \(table)") }

        guard typed else { return }
        try project.write("dbt/models/schema.yml", properties.replacingOccurrences(of: "name: kind\n        data_type: text",
                                                                                    with: "name: kind\n        data_type: integer"))
        let mistyped = try project.apply(expectSuccess: false)
        let typeMessage = mistyped.results.first { $0.name == "scores" }?.message ?? ""
        #expect(rows(of: typeMessage) == [["kind", "text", "integer", "data type mismatch"]], "\(typeMessage)")
    }

    /// The mismatch table's rows, each as its four cells.
    static func rows(of message: String) -> [[String]] {
        message.split(separator: "\n").filter { $0.hasPrefix("| ") }.dropFirst().map { line in
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
        }.filter { !($0.first?.hasPrefix("-") ?? false) }
    }
}
