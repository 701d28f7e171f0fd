import FloeContract
import FloeRuntime
import Foundation
import Testing

/// Models whose templates query the database are rendered at apply time, after their upstream is
/// built, from the template the plan carries: the patterns of dbt_utils' `star` (columns of a
/// relation), `get_column_values` (`run_query`), dbt_date's `get_intervals_between`
/// (`statement` and `load_result`) and `load_relation`, in macros of our own.
@Suite struct RenderAtApplyTests {
    static let macros = """
        {% macro star(from, except=[]) %}
          {%- if not execute -%}{{ return('*') }}{%- endif -%}
          {%- set names = [] -%}
          {%- for column in adapter.get_columns_in_relation(from) if column.name not in except -%}
            {%- do names.append(adapter.quote(column.name)) -%}
          {%- endfor -%}
          {{ return(names | join(', ')) }}
        {% endmacro %}

        {% macro column_values(table, column) %}
          {%- if not execute -%}{{ return([]) }}{%- endif -%}
          {%- set result = run_query('select distinct ' ~ column ~ ' from ' ~ table ~ ' order by 1') -%}
          {{ return(result.columns[0].values()) }}
        {% endmacro %}

        {% macro day_count(table) %}
          {%- call statement('days', fetch_result=True) -%}
            select count(*) as n, min(day) as first_day from {{ table }}
          {%- endcall -%}
          {%- set loaded = load_result('days') -%}
          {%- if loaded and loaded['data'] -%}
            {{ return(loaded['data'] | map(attribute=0) | first) }}
          {%- endif -%}
          {{ return(0) }}
        {% endmacro %}
        """

    func workspace() throws -> Workspace {
        let workspace = try Workspace(empty: ())
        try workspace.write("floe.yaml", "name: late\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n")
        try workspace.write("platform.yaml", "version: \"1\"\ncompute: { default: { type: sqlite, path: \".floe/{environment}.db\" } }\n")
        try workspace.write("dbt/dbt_project.yml", "name: late\nmodels:\n  late:\n    +materialized: table\n")
        try workspace.write("dbt/macros/database.sql", Self.macros)
        try workspace.write("dbt/seeds/orders.csv", "id,status,day,secret\n1,placed,2024-01-01,x\n2,shipped,2024-01-02,y\n3,placed,2024-01-03,z\n")
        try workspace.write("dbt/models/orders_clean.sql", "select {{ star(ref('orders'), except=['secret']) }} from {{ ref('orders') }}")
        try workspace.write("dbt/models/status_pivot.sql", """
            select
            {%- for status in column_values(ref('orders'), 'status') %}
              sum(case when status = '{{ status }}' then 1 else 0 end) as {{ status }}_orders{{ ',' if not loop.last }}
            {%- endfor %}
            from {{ ref('orders') }}
            """)
        try workspace.write("dbt/models/days.sql", "select {{ day_count(ref('orders')) }} as days, '{{ this.identifier }}' as me")
        try workspace.write("dbt/models/plain.sql", "select count(*) as n from {{ ref('orders_clean') }}")
        return workspace
    }

    @Test func theCompilerDefersTheModelsThatQueryTheDatabase() throws {
        let plan = try workspace().compile()
        let late = plan.models.filter { $0.renderAtApply == true }.map(\.name).sorted()
        #expect(late == ["days", "orders_clean", "status_pivot"])
        #expect(plan.models.first { $0.name == "plain" }?.renderAtApply == nil)
        // What dbt's parse renders: `execute` false, so the macros answer '*' and nothing.
        #expect(plan.models.first { $0.name == "orders_clean" }?.sql == #"select * from "floe-dev"."orders""#.replacingOccurrences(of: "floe-dev", with: plan.environment.namespace))
        let templates = try #require(plan.templates)
        #expect(Set(templates.models.keys) == ["model.late.days", "model.late.orders_clean", "model.late.status_pivot"])
        let template = try #require(templates.models["model.late.status_pivot"])
        #expect(template.refs.map(\.name) == [["orders"]])
        #expect(template.config["materialized"] == .string("table"))
        #expect(templates.macros.map(\.path) == ["dbt/macros/database.sql"])
        #expect(plan.models.first { $0.name == "orders_clean" }?.dependsOn == ["seed.late.orders"])
    }

    @Test func theyRenderAtApplyFromWhatTheirUpstreamHolds() throws {
        let workspace = try workspace()
        let results = try workspace.apply()
        #expect(results.results.allSatisfy { $0.status == .success }, "\(results.results.map { ($0.name, $0.status, $0.message ?? "") })")
        #expect(try workspace.rows("select * from orders_clean order by id") == [["1", "placed", "2024-01-01"], ["2", "shipped", "2024-01-02"],
                                                                                 ["3", "placed", "2024-01-03"]])
        #expect(try workspace.rows("select * from status_pivot") == [["2", "1"]])
        #expect(try workspace.rows("select * from days") == [["3", "days"]])
        #expect(results.result("status_pivot")?.compiledCode?.contains("as shipped_orders") == true)
        // agate's columns: by position, by name, and as pairs.
        try workspace.write("dbt/models/shapes.sql", """
            {%- set table = run_query('select id, status from ' ~ ref('orders') ~ ' order by id') if execute else none -%}
            {%- set names = [] -%}
            {%- if execute %}{% for name, column in table.columns.items() %}{% do names.append(name ~ ':' ~ column.values() | length) %}{% endfor %}{% endif -%}
            select '{{ names | join(",") }}' as columns, '{{ table.columns["status"].values()[1] if execute else "" }}' as second,
                   '{{ table.rows[0]["status"] if execute else "" }}' as first_status, {{ table | length if execute else 0 }} as rows_read
            -- depends_on: {{ ref('orders') }}
            """)
        let shapes = try workspace.apply(select: ["shapes"])
        #expect(shapes.status("shapes") == .success, "\(shapes.result("shapes")?.message ?? "")")
        #expect(try workspace.rows("select * from shapes") == [["id:3,status:3", "shipped", "placed", "3"]])

        // Nothing changed: up to date. A new status in the seed: the pivot renders a new column.
        let again = try workspace.apply()
        #expect(again.status("status_pivot") == .upToDate)
        try workspace.write("dbt/seeds/orders.csv", "id,status,day,secret\n1,placed,2024-01-01,x\n2,returned,2024-01-02,y\n")
        let changed = try workspace.apply()
        #expect(changed.status("status_pivot") == .success)
        #expect(try workspace.connection().query("select * from status_pivot").columns == ["placed_orders", "returned_orders"])
        #expect(try workspace.rows("select * from days") == [["2", "days"]])
    }

    @Test func aFailingRenderNamesTheFileAndTheQuery() throws {
        let workspace = try workspace()
        try workspace.write("dbt/models/status_pivot.sql", "select {{ column_values(ref('orders'), 'no_such_column') | length }} as n")
        let results = try workspace.apply()
        let failed = try #require(results.result("status_pivot"))
        #expect(failed.status == .error)
        #expect(failed.message?.hasPrefix("rendering dbt/models/status_pivot.sql at apply time: dbt/macros/database.sql:12:") == true, "\(failed.message ?? "")")
        #expect(failed.message?.contains("no such column: no_such_column") == true)
        #expect(results.status("orders_clean") == .success)
    }

    /// dbt's `graph` is the compiled project: a model that reads it is rendered at apply time, from the plan.
    @Test func aModelThatReadsTheGraphRendersAtApply() throws {
        let workspace = try workspace()
        try workspace.write("dbt/models/catalog.sql", """
            {%- set tables = [] -%}
            {%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | sort(attribute='name') -%}
              {%- if node.config.materialized == 'table' %}{% do tables.append(node.name ~ ':' ~ (node.depends_on.nodes | length)) %}{% endif -%}
            {%- endfor -%}
            select '{{ tables | join(",") }}' as tables, {{ graph.sources | length }} as sources
            """)
        let plan = try workspace.compile()
        #expect(plan.models.first { $0.name == "catalog" }?.renderAtApply == true)
        let results = try workspace.apply(select: ["catalog"])
        #expect(results.status("catalog") == .success, "\(results.result("catalog")?.message ?? "")")
        #expect(try workspace.rows("select * from catalog") == [["catalog:0,days:1,orders_clean:1,plain:1,status_pivot:1", "0"]])
    }

    /// An ephemeral model that queries the database is rendered at apply time, as is the model
    /// that reads it, which gets its SQL in front as a CTE (this was a compile error).
    @Test func anEphemeralModelThatQueriesTheDatabaseIsRenderedAtApply() throws {
        let workspace = try workspace()
        try workspace.write("dbt/models/eph.sql", "{{ config(materialized='ephemeral') }}select {{ star(ref('orders')) }} from {{ ref('orders') }}")
        try workspace.write("dbt/models/eph_reader.sql", "select * from {{ ref('eph') }}")
        let plan = try workspace.compile()
        #expect(plan.models.first { $0.name == "eph" }?.renderAtApply == true && plan.models.first { $0.name == "eph_reader" }?.renderAtApply == true)
        let results = try workspace.apply()
        #expect(results.status("eph_reader") == .success, "\(results.result("eph_reader")?.message ?? "")")
        #expect(try workspace.rows("select count(*) from eph_reader") == [["3"]])
    }

    /// Tests too: a singular test, and a generic test whose macro reads the columns of the model
    /// it tests (as dbt-expectations' column tests do), rendered when they run.
    @Test func testsThatQueryTheDatabaseRenderWhenTheyRun() throws {
        let workspace = try workspace()
        try workspace.write("dbt/tests/no_status_beyond_known.sql", """
            select * from {{ ref('orders') }}
            where status not in ({% for s in column_values(ref('orders'), 'status') %}'{{ s }}'{{ ', ' if not loop.last }}{% else %}''{% endfor %})
            """)
        try workspace.write("dbt/macros/columns_test.sql", """
            {% test has_columns(model, expected) %}
              {%- set actual = adapter.get_columns_in_relation(model) | map(attribute='name') | list if execute else [] -%}
              select '{{ expected | join(',') }}' as expected where {{ 'false' if actual == expected else 'true' }} and {{ execute }}
            {% endtest %}
            """)
        try workspace.write("dbt/models/orders_clean.yml", """
            models:
              - name: orders_clean
                data_tests:
                  - has_columns: {expected: [id, status, day]}
                  - has_columns:
                      name: wrong_columns
                      expected: [id]
            """)
        let plan = try workspace.compile()
        #expect(plan.tests.filter { $0.renderAtApply == true }.map(\.name).sorted()
            == ["has_columns_orders_clean_id__status__day", "no_status_beyond_known", "wrong_columns"])
        #expect(Set(plan.templates?.tests.keys ?? [:].keys) == ["test.late.has_columns_orders_clean_id__status__day",
                                                                  "test.late.no_status_beyond_known", "test.late.wrong_columns"])
        let results = try workspace.apply()
        #expect(results.status("no_status_beyond_known") == .pass, "\(results.result("no_status_beyond_known")?.message ?? "")")
        #expect(results.status("has_columns_orders_clean_id__status__day") == .pass,
                "\(results.result("has_columns_orders_clean_id__status__day").map { ($0.message ?? "", $0.compiledCode ?? "") } ?? ("", ""))")
        #expect(results.status("wrong_columns") == .fail)
        #expect(results.result("wrong_columns")?.compiledCode?.contains("where true and True") == true,
                "\(results.result("wrong_columns")?.compiledCode ?? "")")
    }
}
