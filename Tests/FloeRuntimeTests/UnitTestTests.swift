import FloeCompiler
import FloeContract
import FloeRuntime
import Foundation
import Testing

/// dbt's unit tests (`unit_tests:` with `given` and `expect`) run as data tests: the model's SQL
/// over fixture rows, compared with the expected rows both ways, reading no table of the warehouse.
@Suite struct UnitTestTests {
    func workspace(_ unitTests: String) throws -> Workspace {
        let workspace = try Workspace(empty: ())
        try workspace.write("floe.yaml", "name: units\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n")
        try workspace.write("platform.yaml", "version: \"1\"\ncompute: { default: { type: sqlite, path: \".floe/{environment}.db\" } }\n")
        try workspace.write("dbt/dbt_project.yml", "name: units\n")
        try workspace.write("dbt/seeds/orders.csv", "id,status,amount\n1,placed,10\n")
        try workspace.write("dbt/seeds/fx.csv", "currency,rate\nusd,1\n")
        try workspace.write("dbt/models/totals.sql", """
            {{ config(materialized='incremental', unique_key='status') }}
            select o.status, sum(o.amount * f.rate) as total, count(*) as n
            from {{ ref('orders') }} o cross join {{ ref('fx') }} f
            {% if is_incremental() %} where o.id > 2 {% endif %}
            group by o.status
            """)
        try workspace.write("dbt/models/unit_tests.yml", unitTests)
        return workspace
    }

    /// One unit test of `totals`, over three orders and a rate of 2, as properties YAML.
    static func unitTest(_ name: String, expect: [String], overrides: String? = nil) -> String {
        var lines = ["  - name: \(name)", "    model: totals"]
        if let overrides { lines.append("    overrides: \(overrides)") }
        lines += [
            "    given:",
            "      - input: ref('orders')",
            "        rows:",
            "          - {id: 1, status: placed, amount: 10}",
            "          - {id: 2, status: placed, amount: 20}",
            "          - {id: 3, status: shipped, amount: 5}",
            "      - input: ref('fx')",
            "        format: csv",
            "        rows: |",
            "          currency,rate",
            "          usd,2",
            "    expect:",
        ]
        return (lines + expect.map { "      " + $0 }).joined(separator: "\n") + "\n"
    }

    @Test func passingAndFailingUnitTests() throws {
        let workspace = try workspace("unit_tests:\n"
            + Self.unitTest("totals_by_status", expect: ["rows:", "  - {status: placed, total: 60, n: 2}", "  - {status: shipped, total: 10, n: 1}"])
            + Self.unitTest("totals_wrong", expect: ["format: csv", "rows: |", "  status,total", "  placed,61", "  shipped,10"])
            + Self.unitTest("totals_incremental", expect: ["rows:", "  - {status: shipped, n: 1}"], overrides: "{macros: {is_incremental: true}}"))
        let plan = try workspace.compile()
        let units = plan.tests.filter { $0.testName == "unit" }
        #expect(units.map(\.uniqueID) == ["unit_test.units.totals.totals_by_status", "unit_test.units.totals.totals_incremental",
                                          "unit_test.units.totals.totals_wrong"])
        // Rendered when they run, over the inputs' columns: they depend on their inputs, as dbt's need them built.
        #expect(units.allSatisfy { Set($0.dependsOn) == ["seed.units.orders", "seed.units.fx"] && $0.attachedNode == "model.units.totals"
            && $0.renderAtApply == true })
        let results = try workspace.apply()
        #expect(results.status("totals_by_status") == .pass, "\(results.result("totals_by_status")?.message ?? "")")
        #expect(results.status("totals_incremental") == .pass, "\(results.result("totals_incremental")?.message ?? "")")
        // 61 is expected but missing, 60 was produced unexpectedly.
        let wrong = try #require(results.result("totals_wrong"))
        #expect(wrong.status == .fail)
        #expect(wrong.failures == 2)
    }

    /// A fixture leaves out columns (null, as in dbt) and gives text for typed ones: the values
    /// are cast to the input's column types; `fixture:` names a file under tests/fixtures/.
    @Test func fixturesTakeTheInputsColumnsAndTypes() throws {
        let workspace = try workspace("""
            unit_tests:
              - name: partial_rows
                model: totals
                given:
                  - input: ref('orders')
                    format: csv
                    fixture: two_orders
                  - input: ref('fx')
                    rows: [{rate: 3}]
                expect:
                  rows: [{status: placed, total: 30, n: 2}]
            """)
        try workspace.write("dbt/tests/fixtures/two_orders.csv", "id,status,amount\n1,placed,4\n2,placed,6\n")
        let results = try workspace.apply()
        #expect(results.status("partial_rows") == .pass, "\(results.result("partial_rows").map { ($0.message ?? "", $0.compiledCode ?? "") } ?? ("", ""))")
        #expect(results.result("partial_rows")?.compiledCode?.contains("cast(null as TEXT) as \"currency\"") == true, "\(results.result("partial_rows")?.compiledCode ?? "")")
    }

    /// `overrides.vars`: the model is rendered with those vars for the test.
    @Test func varsCanBeOverridden() throws {
        let workspace = try workspace("""
            unit_tests:
              - name: tripled
                model: scaled
                given:
                  - input: ref('orders')
                    rows: [{id: 1, amount: 2}]
                expect:
                  rows: [{id: 1, scaled: 6}]
                overrides:
                  vars: {factor: 3}
            """)
        try workspace.write("dbt/models/scaled.sql", "select id, amount * {{ var('factor', 1) }} as scaled from {{ ref('orders') }}")
        let results = try workspace.apply()
        #expect(results.status("tripled") == .pass, "\(results.result("tripled").map { ($0.message ?? "", $0.compiledCode ?? "") } ?? ("", ""))")
        #expect(try workspace.rows("select scaled from scaled") == [["10"]], "the model itself keeps the project's vars")
    }

    /// `overrides.macros`: a macro the model (or a macro it calls) names returns the value given,
    /// so a model that reads the clock can be tested.
    @Test func macrosCanBeOverridden() throws {
        let workspace = try workspace("""
            unit_tests:
              - name: stamped_at_a_fixed_time
                model: stamped
                given:
                  - input: ref('orders')
                    rows: [{id: 1}]
                expect:
                  rows: [{id: 1, loaded_at: '2024-01-01 00:00:00', label: 'fixed'}]
                overrides:
                  macros:
                    current_timestamp: "'2024-01-01 00:00:00'"
                    units.label: "'fixed'"
            """)
        try workspace.write("dbt/macros/label.sql", "{% macro label() %}'live'{% endmacro %}")
        try workspace.write("dbt/models/stamped.sql", "select id, {{ dbt.current_timestamp() }} as loaded_at, {{ units.label() }} as label from {{ ref('orders') }}")
        let results = try workspace.apply()
        #expect(results.status("stamped_at_a_fixed_time") == .pass, "\(results.result("stamped_at_a_fixed_time").map { ($0.message ?? "", $0.compiledCode ?? "") } ?? ("", ""))")
        #expect(try workspace.rows("select label from stamped") == [["live"]], "the model itself keeps its macros")
    }

    @Test func everyInputTheModelReadsMustBeGiven() throws {
        let workspace = try workspace("""
            unit_tests:
              - name: half_given
                model: totals
                given:
                  - input: ref('orders')
                    rows: [{id: 1, status: placed, amount: 10}]
                expect:
                  rows: [{status: placed, total: 10}]
              - name: no_model
                model: totalz
                given: []
                expect:
                  rows: [{n: 1}]
            """)
        let output = ProjectCompiler.compile(CompileOptions(
            specPath: workspace.directory.appendingPathComponent("floe.yaml").path,
            platformPath: workspace.directory.appendingPathComponent("platform.yaml").path, environment: "dev"))
        #expect(output.diagnostics.filter { $0.severity == .error }.map(\.message) == [
            "unit test 'half_given' gives no rows for fx, which totals reads",
            "unit test 'no_model' tests model 'totalz', which does not exist",
        ])
    }
}
