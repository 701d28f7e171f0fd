import FloeConnect
import FloeRuntime
import FloeSemantic
import FloeTestSupport
import Testing

/// What real projects (issue [L]) showed wrong at apply time, each from its smallest construct.
@Suite struct RoundTwoApplyTests {
    /// A relation lookup whose name still holds a template is an error, not "no such relation"
    /// (fivetran's union_data then fell back to an empty table, silently).
    @Test func aLookupOfAnUnrenderedNameIsAnError() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/models/probe.sql", """
            {% set found = adapter.get_relation(database=none, schema='{{ var("stripe_schema") }}', identifier='events') %}
            select {{ 1 if found else 0 }} as found
            """)
        let results = try project.apply(expectSuccess: false)
        let message = results.results.first { $0.name == "probe" }?.message ?? ""
        #expect(message.contains("its name holds a template that was never rendered"), "\(message)")
    }

    /// An ephemeral model whose template queries the database is rendered at apply time, and so
    /// is every model that reads it, with its SQL in front as a CTE, as dbt inlines it; a model
    /// rendered at apply time may read a plain ephemeral too (both were compile errors).
    @Test func ephemeralsRenderedAtApplyAreInlined() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/models/counted.sql", """
            {{ config(materialized='ephemeral') }}
            {% set found = run_query("select count(*) as n from " ~ ref('events')) %}
            select {{ found.columns[0].values()[0] if execute else 0 }} as n
            """)
        try project.write("dbt/models/report.sql", "{{ config(materialized='table') }}\nselect n from {{ ref('counted') }}")
        try project.write("dbt/models/kinds.sql", "{{ config(materialized='ephemeral') }}\nselect distinct kind from {{ ref('events') }}")
        try project.write("dbt/models/late.sql", """
            {{ config(materialized='table') }}
            {% set probe = run_query('select 1') %}
            select count(*) as kinds from {{ ref('kinds') }}
            """)
        try project.apply()
        #expect(try project.rows(#"select n from "shop"."report""#) == [["3"]])
        #expect(try project.rows(#"select kinds from "shop"."late""#) == [["2"]])
    }

    /// A post-hook that queries the database is rendered at apply time with its model, as dbt
    /// renders hooks when the model runs (it was a compile error).
    @Test func aHookThatQueriesTheDatabaseRendersAtApply() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/models/scores.sql", """
            {{ config(materialized='table', post_hook="{% set n = run_query('select count(*) from ' ~ ref('events')).columns[0].values()[0] %}update {{ this }} set amount = amount + {{ n }}") }}
            select id, kind, amount from {{ ref('events') }}
            """)
        #expect(try project.plan().models.first { $0.name == "scores" }?.renderAtApply == true)
        try project.apply()
        #expect(try project.rows(#"select id, amount from "shop"."scores" order by id"#) == [["1", "13"], ["2", "23"], ["3", "33"]])
    }

    /// A post-hook that queries the model's own table is rendered after the model's statement,
    /// as dbt renders it, so on the first build it reads the new table (it read nothing there:
    /// the table did not exist yet), and on later builds the new rows, not the previous ones.
    @Test func aPostHookThatReadsItsOwnTableSeesTheNewOne() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/models/counted.sql", """
            {{ config(materialized='table', post_hook="{% set n = run_query('select count(*) from ' ~ this).columns[0].values()[0] %}insert into {{ target.schema }}.seen select {{ n }}") }}
            select id from {{ ref('events') }}{{ ' where id < 3' if var('batch') == 2 else '' }}
            """)
        try project.write("dbt/dbt_project.yml", """
            name: shop
            vars: { batch: 1 }
            on-run-start: ["create table if not exists {{ target.schema }}.seen (n integer)"]
            """)
        try project.apply()
        try project.apply(vars: "{batch: 2}")
        #expect(try project.rows("select n from shop.seen") == [["3"], ["2"]])
    }

    /// Jinja's comparison tests by operator, and dbt's relation macros and its own macros under
    /// `dbt.` (`dbt.run_query`, `dbt.make_temp_relation`), as elementary calls them.
    @Test func comparisonTestsAndDbtsOwnMacrosByNamespace() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/models/probe.sql", """
            {% set found = dbt.run_query('select 2 as n') %}
            {% set n = found.columns[0].values()[0] if execute else 0 %}
            {% set tmp = dbt.make_temp_relation(ref('events')) %}
            select '{{ tmp.identifier }}' as tmp, {{ [1, 2, 3] | select('>=', n) | list | length }} as big,
                   {{ [{'k': 1}, {'k': 5}] | selectattr('k', '==', 5) | list | length }} as fives
            """)
        try project.write("dbt/models/empty_probe.sql", """
            {% set found = run_query('select 1 as id where 1 = 0') %}
            select '{{ found.column_names | join(",") if execute else "" }}' as names, {{ (found.columns[0].values() | length) if execute else 0 }} as n
            """)
        try project.apply()
        #expect(try project.rows(#"select tmp, big, fives from "shop"."probe""#) == [["events__dbt_tmp", "2", "1"]])
        // An empty result keeps its columns (dbt_utils' get_single_value reads them for its default).
        #expect(try project.rows(#"select names, n from "shop"."empty_probe""#) == [["id", "0"]])
    }

    /// `graph` at apply time says what dbt's does of a node (its file as written, its path in the
    /// project, its fqn) and has dbt's metrics, each depending on its measure's semantic model
    /// (dbt_project_evaluator reads all of them; its metric tables were empty).
    @Test func theGraphHasTheNodesFilesAndTheMetrics() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/models/marts/totals.sql", "{{ config(materialized='table') }}\nselect sum(amount) as amount from {{ ref('events') }}")
        try project.write("dbt/models/marts/semantic.yml", """
            semantic_models:
              - name: events_sm
                model: ref('totals')
                entities: [{name: total, type: primary, expr: amount}]
                measures: [{name: amount_total, agg: sum, expr: amount}]
            metrics:
              - name: total_amount
                label: Total amount
                type: simple
                type_params: {measure: amount_total}
            """)
        try project.write("dbt/models/probe.sql", """
            {{ config(materialized='table') }}
            {% if execute %}
            {% set m = graph.metrics.values() | first %}
            {% set node = graph.nodes['model.shop.totals'] %}
            {% else %}
            {% set m = {'name': '', 'depends_on': {'nodes': []}, 'type_params': {'measure': {'name': ''}}} %}
            {% set node = {'original_file_path': '', 'path': '', 'fqn': [], 'raw_code': '', 'time_spine': none} %}
            {% endif %}
            select '{{ m.name }}' as metric, '{{ m.depends_on.nodes | join(",") }}' as dep, '{{ m.type_params.measure.name }}' as measure,
                   '{{ node.original_file_path }}' as file, '{{ node.path }}' as path, '{{ node.fqn | join(".") }}' as fqn,
                   {{ node.raw_code | length }} as raw_length, {{ node.time_spine is none }} as no_spine
            """)
        try project.apply()
        let rows = try project.rows(#"select metric, dep, measure, file, path, fqn, raw_length, no_spine from "shop"."probe""#)
        #expect(rows == [[
            "total_amount", "semantic_model.shop.events_sm", "amount_total", "models/marts/totals.sql", "marts/totals.sql",
            "shop.marts.totals", "88", "1",
        ]], "\(rows)")
    }

    /// A unit test of a model rendered at apply time renders the model when it runs, its inputs
    /// named for their fixture rows and its `overrides` applied (it was refused at compile).
    @Test func aUnitTestOfAModelRenderedAtApplyRuns() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/models/scored.sql", """
            {{ config(materialized='table') }}
            {% set found = run_query('select 10 as bonus') %}
            {% set bonus = found.columns[0].values()[0] if execute else 0 %}
            select id, amount + {{ bonus }} + {{ var('extra', 0) }} as amount from {{ ref('events') }}
            """)
        try project.write("dbt/models/unit.yml", """
            unit_tests:
              - name: adds_the_bonus
                model: scored
                given: [{input: ref('events'), rows: [{id: 1, amount: 5}]}]
                expect: {rows: [{id: 1, amount: 15}]}
              - name: a_wrong_expectation
                model: scored
                given: [{input: ref('events'), rows: [{id: 1, amount: 5}]}]
                expect: {rows: [{id: 1, amount: 16}]}
              - name: with_an_override
                model: scored
                given: [{input: ref('events'), rows: [{id: 1, amount: 5}]}]
                expect: {rows: [{id: 1, amount: 16}]}
                overrides: {vars: {extra: 1}}
            """)
        let results = try project.apply(expectSuccess: false)
        let statuses = Dictionary(uniqueKeysWithValues: results.results.filter { $0.resourceType == .test }.map { ($0.name, $0.status) })
        #expect(statuses == ["adds_the_bonus": .pass, "a_wrong_expectation": .fail, "with_an_override": .pass], "\(results.results.map { ($0.name, $0.status, $0.message ?? "") })")
    }

    /// A test's `fail_calc`, set by its macro's `config()` as dbt_utils' `equal_rowcount` does,
    /// counts its failures (it was accepted and dropped: the test failed on its one row of zero
    /// difference); the properties file's config wins over the macro's.
    @Test func failCalcCountsATestsFailures() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/macros/diff.sql", """
            {% test diff_is(model, expected) %}
              {{ config(fail_calc='sum(diff)', severity='warn') }}
              select abs(count(*) - {{ expected }}) as diff from {{ model }}
            {% endtest %}
            """)
        try project.write("dbt/models/tested.sql", "{{ config(materialized='table') }}\nselect id from {{ ref('events') }}")
        try project.write("dbt/models/tested.yml", """
            models:
              - name: tested
                data_tests:
                  - diff_is: {arguments: {expected: 3}, config: {severity: error}}
                  - diff_is: {arguments: {expected: 5}, config: {severity: error}}
                  - diff_is: {arguments: {expected: 7}}
            """)
        let plan = try project.plan()
        #expect(plan.tests.map(\.failCalc) == ["sum(diff)", "sum(diff)", "sum(diff)"])
        let results = try project.apply(expectSuccess: false)
        let tests = results.results.filter { $0.resourceType == .test }.sorted { $0.name < $1.name }
        #expect(tests.map { "\($0.name) \($0.status.rawValue) \($0.failures ?? -1)" } == [
            "diff_is_tested_3 pass 0", "diff_is_tested_5 fail 2", "diff_is_tested_7 warn 4",
        ])
    }

    /// on-run-start/on-run-end hooks that query the database, read `graph` or (at the end)
    /// `results` are rendered when they run, as dbt renders them (dbt_artifacts' `upload_results`
    /// shape): the end hook sees every node the run reached with its status, the run's id and
    /// command; a hook rendered at compile keeps its place between them.
    @Test func runHooksThatQueryTheDatabaseRenderWhenTheyRun() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/dbt_project.yml", """
            name: shop
            vars: { batch: 1 }
            on-run-start:
              - "create table if not exists {{ target.schema }}.hook_log (node text, status text, kind text, invocation text, command text)"
              - "{% do run_query('delete from ' ~ target.schema ~ '.hook_log') %}"
            on-run-end:
              - "{{ log_results(results) }}"
              - "insert into {{ target.schema }}.hook_log values ('end', 'done', 'static', '', '')"
              - "{% set n = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | list | length %}insert into {{ target.schema }}.hook_log values ('graph', '{{ n }}', 'graph', '', '')"
            """)
        try project.write("dbt/models/totals.sql", "{{ config(materialized='table') }}\nselect count(*) as n from {{ ref('events') }}")
        try project.write("dbt/models/recent.sql", "select * from {{ ref('totals') }}")
        try project.write("dbt/macros/log_results.sql", """
            {% macro log_results(results) %}
              {% for r in results | selectattr('node.resource_type', 'equalto', 'model') | sort(attribute='node.name') %}
                {% do run_query("insert into " ~ target.schema ~ ".hook_log values ('" ~ r.node.name ~ "', '" ~ r.status ~ "', '"
                                ~ r.node.config.materialized ~ "', '" ~ invocation_id ~ "', '" ~ flags.WHICH ~ "')") %}
              {% endfor %}
            {% endmacro %}
            """)
        let plan = try project.plan()
        #expect(plan.hooks?.onRunStart.count == 2 && plan.hooks?.onRunStart[1] == "")
        #expect(plan.hooks?.onRunEnd == ["", #"insert into shop.hook_log values ('end', 'done', 'static', '', '')"#, ""])
        #expect(plan.templates?.runHooks.map { $0.keys.sorted() } == ["on-run-end.0", "on-run-end.2", "on-run-start.1"])
        let results = try project.apply()
        let rows = try project.rows("select node, status, kind, invocation = '\(results.metadata.invocationID)', command from shop.hook_log order by kind, node")
        let models = results.results.filter { $0.resourceType == .model }.map(\.name).sorted()
        #expect(rows.filter { $0[2] != "static" && $0[2] != "graph" }.map(\.[0]).sorted() == models, "\(rows)")
        #expect(rows.first { $0[0] == "totals" } == ["totals", "success", "table", "1", "apply"], "\(rows)")
        #expect(rows.contains(["end", "done", "static", "0", ""]) && rows.contains(["graph", String(models.count), "graph", "0", ""]), "\(rows)")
        // Run again: the start hook emptied the log; the same rows come back.
        try project.apply()
        #expect(try project.rows("select count(*) from shop.hook_log") == [[String(rows.count)]])
    }

    /// An installed package's on-run-start/on-run-end hooks run too, before the root project's (as
    /// dbt orders them, packages by name, the root last), each with its own package's macros; the
    /// run's hooks share one `graph` (elementary keeps a cache in it from start to end); and the
    /// end hooks see `schemas`, `adapter.check_schema_exists`, agate's `rename` and `to_dict()`.
    @Test func packageRunHooksRunFirstAndShareTheGraph() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/packages.yml", "packages:\n  - local: dbt_packages/pkg\n")
        try project.write("dbt/dbt_packages/pkg/dbt_project.yml", """
            name: pkg
            on-run-start: ["{{ pkg_start() }}"]
            on-run-end: ["{{ pkg_end() }}"]
            """)
        try project.write("dbt/dbt_packages/pkg/macros/hooks.sql", """
            {% macro who() %}pkg{% endmacro %}
            {% macro pkg_start() %}
              {% do graph.setdefault('pkg_cache', {'started': who()}) %}
              {% do run_query("create table if not exists " ~ target.schema ~ ".hook_order (seq integer, what text)") %}
              {% do run_query("delete from " ~ target.schema ~ ".hook_order") %}
              insert into {{ target.schema }}.hook_order values (1, 'start {{ who() }}')
            {% endmacro %}
            {% macro pkg_end() %}
              {% set renamed = run_query('select 1 as a').rename({'a': 'b'}) %}
              {% set exists = adapter.check_schema_exists(none, target.schema) %}
              insert into {{ target.schema }}.hook_order values (3, 'end {{ graph.get('pkg_cache', {}).get('started') }} {{ renamed.column_names[0] }} {{ exists }} {{ schemas | join(',') }} {{ (results | first).to_dict().status }}')
            {% endmacro %}
            """)
        try project.write("dbt/macros/who.sql", "{% macro who() %}root{% endmacro %}")
        try project.write("dbt/dbt_project.yml", """
            name: shop
            vars: { batch: 1 }
            on-run-start: ["insert into {{ target.schema }}.hook_order values (2, 'start {{ who() }}')"]
            """)
        try project.write("dbt/models/one.sql", "{{ config(materialized='table') }}\nselect 1 as x")
        try project.apply()
        #expect(try project.rows("select seq, what from shop.hook_order order by seq") == [
            ["1", "start pkg"], ["2", "start root"], ["3", "end pkg b True shop success"],
        ])
    }

    /// A `source()` first reached at apply time (inside `{% if execute %}`) finds its table, as
    /// dbt's runtime resolves any declared source.
    @Test func aSourceFirstReachedAtApplyIsFound() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/models/sources.yml", "sources:\n  - name: loaded\n    schema: shop\n    tables: [{name: events}]\n")
        // The compile sees no edge from the model to the table (the source is named only under
        // `execute`, as in dbt), so nothing orders the seed's load before the model: load it first.
        try project.apply()
        try project.write("dbt/models/counted.sql", """
            {{ config(materialized='table') }}
            {% set probe = run_query('select 1') %}
            {% if execute %}select count(*) as c from {{ source('loaded', 'events') }}{% else %}select 0 as c{% endif %}
            """)
        try project.apply()
        #expect(try project.rows(#"select c from "shop"."counted""#) == [["3"]])
    }

    /// A generic test whose macro uses what `run_query` answers without an `execute` guard
    /// compiles, as dbt parses it, and runs against the data (it failed: "'columns' is undefined").
    @Test func aGenericTestWhoseMacroQueriesTheDatabaseRuns() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/macros/has_rows.sql", """
            {% test has_rows(model) %}
            {% set n = run_query('select count(*) from ' ~ model).columns[0].values()[0] %}
            select 1 as failing where {{ n }} = 0
            {% endtest %}
            """)
        try project.write("dbt/models/m.sql", "select * from {{ ref('events') }}")
        try project.write("dbt/models/schema.yml", "models:\n  - name: m\n    data_tests: [has_rows]\n")
        let results = try project.apply()
        #expect(results.results.first { $0.resourceType == .test }?.status == .pass)
    }

    /// `--select customers` picks every version of a versioned model, `customers.v1` one.
    @Test func oneVersionIsSelectedByItsName() throws {
        let project = try ModelGovernanceBuildTests.project()
        defer { project.remove() }
        try project.write("dbt/models/customers_v1.sql", "select id from {{ ref('events') }}")
        try project.write("dbt/models/customers_v2.sql", "select id, kind from {{ ref('events') }}")
        try project.write("dbt/models/schema.yml", "models:\n  - name: customers\n    versions: [{v: 1}, {v: 2}]\n")
        let plan = RunnablePlan(withRollupsOf: try project.plan())
        #expect(try PlanListing.nodes(in: plan, select: ["customers"], exclude: []).nodes.map(\.uniqueID).sorted()
            == ["model.shop.customers.v1", "model.shop.customers.v2"])
        #expect(try PlanListing.nodes(in: plan, select: ["customers.v1"], exclude: []).nodes.map(\.uniqueID) == ["model.shop.customers.v1"])
    }
}
