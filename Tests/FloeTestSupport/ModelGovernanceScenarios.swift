import FloeRuntime
import Foundation
import Testing

/// dbt's model contracts and versions on any engine. Contracts: the table is created with the
/// contract's columns and the constraints the engine enforces, a row that breaks one fails the
/// build and keeps the old table, and a SELECT whose columns differ from the contract fails
/// before anything is written. Versions: each is its own `<model>_v<N>` relation, and the latest
/// version pointer is a view over the latest.
public enum ModelGovernanceScenarios {
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

    /// Two versions of `customers` built as `customers_v1` and `customers_v2`, a model reading
    /// the latest and v1, and the pointer view `customers` over v2; a second build replaces them.
    public static func eachVersionIsBuiltWithItsPointer(_ project: ScratchProject, schema: String) throws {
        try project.write("dbt/models/customers_v1.sql", "select id, kind from {{ ref('events') }}")
        try project.write("dbt/models/customers_v2.sql", "select id, kind, amount from {{ ref('events') }}")
        try project.write("dbt/models/report.sql", """
            select latest.id, latest.amount, old.kind from {{ ref('customers') }} as latest
            join {{ ref('customers', v=1) }} as old on old.id = latest.id
            """)
        try project.write("dbt/models/schema.yml", """
            models:
              - name: customers
                config: {materialized: table, latest_version_pointer: {enabled: true}}
                versions: [{v: 1}, {v: 2}]
              - name: report
                config: {materialized: table}

            """)
        try project.apply()
        let expected = [["1", "10", "a"], ["2", "20", "b"], ["3", "30", "a"]]
        #expect(try project.rows("select id, amount, kind from \(schema).\"report\" order by id") == expected)
        #expect(try project.rows("select id, kind from \(schema).\"customers_v1\" order by id") == [["1", "a"], ["2", "b"], ["3", "a"]])
        #expect(try project.rows("select id, amount from \(schema).\"customers\" order by id") == [["1", "10"], ["2", "20"], ["3", "30"]])
        try project.write("dbt/seeds/events.csv", "id,kind,amount\n1,a,11\n2,b,20\n3,a,30\n")
        try project.apply()
        #expect(try project.rows("select id, amount from \(schema).\"customers\" order by id") == [["1", "11"], ["2", "20"], ["3", "30"]])
    }
}
