import FloeCompiler
import FloeContract
import FloeCore
import Testing

/// What dbt users rely on: config layering, vars, relations, materializations, tests.
@Suite struct DbtFeatureTests {
    func plan(_ project: TestProject, environment: String = "dev", vars: String? = nil) throws -> CompiledArtifacts {
        let output = project.compile(environment: environment, vars: vars)
        let errors = output.diagnostics.filter { $0.severity == .error }
        try #require(errors.isEmpty, "\(errors)")
        return try #require(output.artifacts)
    }

    func model(_ plan: CompiledArtifacts, _ name: String) throws -> CompiledModel {
        try #require(plan.models.first { $0.name == name })
    }

    @Test func configLayersFromFolderToPropertiesToFile() throws {
        let project = try TestProject.dbt([
            "models/marts/a.sql": "select 1 as id",
            "models/marts/b.sql": "{{ config(materialized='view', tags=['daily']) }}select 1 as id",
            "models/marts/c.sql": "select 1 as id",
            "models/marts/c.yml": "models:\n  - name: c\n    config: {materialized: incremental, unique_key: [id, day], tags: hourly}\n",
        ], projectExtra: "models:\n  shop:\n    +tags: [all]\n    marts:\n      +materialized: table\n      +schema: marts\n")
        let plan = try plan(project)
        let a = try model(plan, "a"), b = try model(plan, "b"), c = try model(plan, "c")
        #expect(a.materialized == .table)
        #expect(a.relation == Relation(schema: "floe-dev_marts", name: "a"))
        #expect(a.tags == ["all"])
        #expect(b.materialized == .view)
        #expect(b.tags == ["all", "daily"])
        #expect(c.materialized == .incremental)
        #expect(c.uniqueKey == ["id", "day"])
        #expect(c.incrementalStrategy == .deleteInsert)
        #expect(c.onSchemaChange == "ignore")
        #expect(c.tags == ["all", "hourly"])
    }

    /// dbt-postgres's `indexes` config, from a file or properties YAML, reaches the plan of tables
    /// and incremental models and their fingerprints; a model without indexes has none in the plan.
    @Test func indexesReachThePlanOfTablesAndIncrementalModels() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "{{ config(materialized='table', indexes=[{'columns': ['id', 'day'], 'unique': true}, {'columns': ['day']}]) }}select 1 as id, 2 as day",
            "models/b.sql": "select 1 as id",
            "models/b.yml": "models:\n  - name: b\n    config: {materialized: incremental, indexes: [{columns: [id]}]}\n",
            "models/c.sql": "{{ config(materialized='table') }}select 1 as id",
            "models/d.sql": "{{ config(materialized='table', indexes=[{'columns': ['id'], 'type': 'hash'}, {'columns': ['day']}]) }}select 1 as id, 2 as day",
        ])
        #expect(project.messages() == [
            "dbt/models/d.sql:1:4: warning: config.indexes[0]: index key 'type' is not supported; floe ignores it\n"
                + "  hint: floe creates plain B-tree indexes from 'columns' and 'unique'",
        ])
        let plan = try plan(project)
        #expect(try model(plan, "a").indexes == [ModelIndex(columns: ["id", "day"], unique: true), ModelIndex(columns: ["day"])])
        #expect(try model(plan, "b").indexes == [ModelIndex(columns: ["id"])])
        #expect(try model(plan, "c").indexes == nil)
        #expect(try model(plan, "d").indexes == [ModelIndex(columns: ["id"]), ModelIndex(columns: ["day"])], "an ignored key drops no index")
        let withoutIndexes = try TestProject.dbt(["models/a.sql": "{{ config(materialized='table') }}select 1 as id, 2 as day"])
        #expect(try model(plan, "a").fingerprint != model(self.plan(withoutIndexes), "a").fingerprint,
                "adding an index changes the fingerprint, so the table is rebuilt with it")
    }

    @Test func varsComeFromTheProjectThenFloeYamlThenTheCommandLine() throws {
        let project = try TestProject.dbt(
            ["models/m.sql": "select {{ var('a') }} as a, {{ var('b') }} as b, {{ var('c') }} as c, {{ var('d', 4) }} as d"],
            floeExtra: "vars: {b: 20, c: 20}\n", projectExtra: "vars: {a: 1, b: 2, c: 3}\n")
        #expect(try model(plan(project), "m").sql == "select 1 as a, 20 as b, 20 as c, 4 as d")
        #expect(try model(plan(project, vars: "{c: 300}"), "m").sql == "select 1 as a, 20 as b, 300 as c, 4 as d")
    }

    @Test func loopsOverAVarListAndUserMacros() throws {
        let project = try TestProject.dbt([
            "macros/pivot.sql": """
                {% macro pivot(column, values) -%}
                {% for v in values %}sum(case when {{ column }} = '{{ v }}' then 1 else 0 end) as {{ column }}_{{ v | lower }}{{ "," if not loop.last }}
                {% endfor %}
                {%- endmacro %}
                """,
            "models/m.sql": "select\n{{ pivot('region', var('regions')) }}from t",
        ], projectExtra: "vars:\n  regions: [NA, EMEA]\n")
        #expect(try model(plan(project), "m").sql == """
            select
            sum(case when region = 'NA' then 1 else 0 end) as region_na,
            sum(case when region = 'EMEA' then 1 else 0 end) as region_emea
            from t
            """)
    }

    @Test func incrementalModelsCarryBothRenderings() throws {
        let project = try TestProject.dbt([
            "models/events.sql": """
                {{ config(materialized='incremental', unique_key='id', incremental_strategy='merge') }}
                select id, at from {{ source('raw', 'events') }}
                {% if is_incremental() %}where at > (select max(at) from {{ this }}){% endif %}
                """,
            "models/sources.yml": "sources:\n  - name: raw\n    schema: landing\n    tables:\n      - name: events\n        identifier: raw_events\n",
        ])
        let events = try model(plan(project), "events")
        #expect(events.sql == "\nselect id, at from \"landing\".\"raw_events\"\n")
        #expect(events.incrementalSQL == "\nselect id, at from \"landing\".\"raw_events\"\nwhere at > (select max(at) from \"floe-dev\".\"events\")")
        #expect(events.incrementalStrategy == .merge)
        #expect(events.dependsOn == ["source.shop.raw.events"])
    }

    @Test func ephemeralModelsJoinTheQuerysOwnWith() throws {
        let project = try TestProject.dbt([
            "models/base.sql": "{{ config(materialized='ephemeral') }}select 1 as id",
            "models/middle.sql": "{{ config(materialized='ephemeral') }}select id from {{ ref('base') }}",
            "models/top.sql": "-- top\nwith x as (select * from {{ ref('middle') }}) select * from x",
        ])
        let top = try model(plan(project), "top")
        #expect(top.sql == """
            -- top
            with __dbt__cte__base as (
            select 1 as id
            ), __dbt__cte__middle as (
            select id from __dbt__cte__base
            ), x as (select * from __dbt__cte__middle) select * from x
            """)
        #expect(top.dependsOn == ["model.shop.middle"])
    }

    @Test func crossDatabaseMacrosFollowTheDialect() throws {
        let project = try TestProject.dbt([
            "models/m.sql": "select {{ dbt.date_trunc('month', 'at') }} as m, {{ dbt.dateadd('day', 7, 'at') }} as d, "
                + "{{ dbt.concat(['a', 'b']) }} as c, cast(x as {{ dbt.type_string() }}) as s, {{ target.type }} as t",
        ])
        #expect(try model(plan(project, environment: "dev"), "m").sql
            == "select datetime(at, 'start of month') as m, datetime(at, (7) || ' days') as d, a || b as c, cast(x as text) as s, sqlite as t")
        #expect(try model(plan(project, environment: "prod"), "m").sql
            == "select date_trunc('month', at) as m, (at + ((interval '1 day') * (7))) as d, a || b as c, cast(x as varchar) as s, postgres as t")
    }

    @Test func adapterDispatchFindsTheDialectsMacro() throws {
        let project = try TestProject.dbt([
            "macros/now.sql": """
                {% macro right_now() %}{{ return(adapter.dispatch('right_now')()) }}{% endmacro %}
                {% macro default__right_now() %}now(){% endmacro %}
                {% macro sqlite__right_now() %}datetime('now'){% endmacro %}
                """,
            "models/m.sql": "select {{ right_now() }} as at",
        ])
        #expect(try model(plan(project, environment: "dev"), "m").sql == "select datetime('now') as at")
        #expect(try model(plan(project, environment: "prod"), "m").sql == "select now() as at")
    }

    @Test func generateSchemaNameCanBeOverridden() throws {
        let project = try TestProject.dbt([
            "macros/schema.sql": """
                {% macro generate_schema_name(custom_schema_name, node) -%}
                {{ custom_schema_name if custom_schema_name else target.schema }}
                {%- endmacro %}
                """,
            "models/m.sql": "{{ config(schema='analytics', alias='model_m') }}select 1 as id",
        ])
        #expect(try model(plan(project), "m").relation == Relation(schema: "analytics", name: "model_m"))
    }

    /// dbt passes the whole node: an override that sends seeds to `raw` does, and the sources that
    /// read `raw` find them there.
    @Test func generateSchemaNameSeesTheWholeNode() throws {
        let project = try TestProject.dbt([
            "macros/schema.sql": """
                {% macro generate_schema_name(custom_schema_name, node) -%}
                {%- if node.resource_type == 'seed' -%}raw
                {%- elif node.fqn[1] == 'marts' -%}{{ target.schema }}_{{ node.config.materialized }}
                {%- else -%}{{ target.schema }}{%- endif -%}
                {%- endmacro %}
                {% macro generate_alias_name(custom_alias_name, node) -%}
                {%- if node.original_file_path.startswith('models/marts/') -%}{{ node.package_name }}__{{ node.name }}
                {%- else -%}{{ node.name }}{%- endif -%}
                {%- endmacro %}
                """,
            "seeds/countries.csv": "code,name\nNL,Netherlands\n",
            "models/sources.yml": "sources:\n  - name: raw\n    schema: raw\n    tables: [{name: countries}]\n",
            "models/staging/stg_countries.sql": "select code from {{ source('raw', 'countries') }}",
            "models/marts/dim_countries.sql": "{{ config(materialized='table') }}select * from {{ ref('stg_countries') }}",
        ])
        let plan = try plan(project)
        #expect(plan.seeds.first?.relation == Relation(schema: "raw", name: "countries"))
        #expect(plan.sources.first?.relation == Relation(schema: "raw", name: "countries"))
        #expect(try model(plan, "stg_countries").relation == Relation(schema: "floe-dev", name: "stg_countries"))
        #expect(try model(plan, "dim_countries").relation == Relation(schema: "floe-dev_table", name: "shop__dim_countries"))
    }

    /// `data_tests:` in dbt_project.yml configures the tests a folder's properties files define.
    @Test func folderLevelTestConfigAppliesToGenericTests() throws {
        let project = try TestProject.dbt([
            "models/staging/stg_orders.sql": "select 1 as id",
            "models/staging/_staging.yml": "models:\n  - name: stg_orders\n    columns: [{name: id, data_tests: [not_null]}]\n",
            "models/marts/orders.sql": "select * from {{ ref('stg_orders') }}",
            "models/marts/_marts.yml": "models:\n  - name: orders\n    columns: [{name: id, data_tests: [unique, {not_null: {config: {enabled: true}}}]}]\n",
        ], projectExtra: """
            data_tests:
              +tags: [all]
              shop:
                staging:
                  +severity: warn
                  +tags: [staging]
                marts:
                  +enabled: false
            """)
        let tests = try plan(project).tests
        #expect(tests.map(\.name) == ["not_null_orders_id", "not_null_stg_orders_id"], "a test's own config wins over its folder's")
        let staging = try #require(tests.first { $0.name == "not_null_stg_orders_id" })
        #expect(staging.severity == .warn)
        #expect(staging.tags == ["all", "staging"])
        #expect(tests.first { $0.name == "not_null_orders_id" }?.severity == .error)
    }

    @Test func hooksRenderWithThis() throws {
        let project = try TestProject.dbt([
            "models/m.sql": "{{ config(post_hook=\"delete from {{ this }} where id is null\") }}select 1 as id",
        ], projectExtra: "models:\n  +pre-hook: \"select 1\"\n")
        let m = try model(plan(project), "m")
        #expect(m.preHooks == ["select 1"])
        #expect(m.postHooks == ["delete from \"floe-dev\".\"m\" where id is null"])
    }

    @Test func disabledModelsDropOutAndTwoArgumentRefWorks() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "select 1 as id",
            "models/b.sql": "{{ config(enabled=false) }}select 2 as id",
            "models/c.sql": "select * from {{ ref('shop', 'a') }}",
        ])
        let plan = try plan(project)
        #expect(plan.models.map(\.name) == ["a", "c"])
        #expect(try model(plan, "c").dependsOn == ["model.shop.a"])
    }

    @Test func testsHonourWhereSeverityAndCustomGenericTests() throws {
        let project = try TestProject.dbt([
            "models/orders.sql": "select 1 as id, 5 as amount",
            "tests/generic/positive.sql": "{% test positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endtest %}",
            "tests/one_order.sql": "{{ config(severity='warn') }}select * from {{ ref('orders') }} where id <> 1",
            "models/orders.yml": """
                models:
                  - name: orders
                    columns:
                      - name: id
                        data_tests:
                          - not_null: {config: {where: "amount > 0"}}
                      - name: amount
                        data_tests: [positive]
                """,
        ])
        let tests = try plan(project).tests
        #expect(tests.map(\.uniqueID) == ["test.shop.not_null_orders_id", "test.shop.one_order", "test.shop.positive_orders_amount"])
        #expect(tests[0].sql == "select id\nfrom (select * from \"floe-dev\".\"orders\" where amount > 0) dbt_subquery\nwhere id is null")
        #expect(tests[1].severity == .warn)
        #expect(tests[1].testName == "singular")
        #expect(tests[2].sql == "select * from \"floe-dev\".\"orders\" where amount <= 0")
        #expect(tests[2].attachedNode == "model.shop.orders")
    }

    @Test func seedsGetDbtsInferredTypes() throws {
        let project = try TestProject.dbt([
            "seeds/s.csv": "i,r,d,ts,b,t,e\n1,1.5,2024-01-31,2024-01-31 10:00:00,true,x,\n-2,3,2024-02-01,2024-02-01T11:30:00Z,False,\"a, b\",\n",
        ], projectExtra: "seeds:\n  shop:\n    s:\n      +column_types: {t: varchar(10)}\n")
        let seed = try #require(try plan(project).seeds.first)
        #expect(seed.columns.map { "\($0.name):\($0.type ?? "")" } == [
            "i:integer", "r:real", "d:date", "ts:timestamp", "b:boolean", "t:varchar(10)", "e:integer",
        ])
        #expect(seed.path == "dbt/seeds/s.csv")
        #expect(seed.relation == Relation(schema: "floe-dev", name: "s"))
    }

    @Test func fingerprintsChangeWithUpstreamChanges() throws {
        let project = try TestProject.dbt(["models/a.sql": "select 1 as id", "models/b.sql": "select * from {{ ref('a') }}"])
        let before = try plan(project)
        try project.write("dbt/models/a.sql", "select 2 as id")
        let after = try plan(project)
        #expect(try model(before, "a").fingerprint != model(after, "a").fingerprint)
        #expect(try model(before, "b").fingerprint != model(after, "b").fingerprint)
        #expect(try model(before, "b").sql == model(after, "b").sql)
    }

    @Test func everyProjectFileIsAnInput() throws {
        let project = try TestProject.dbt(["models/a.sql": "select 1 as id", "macros/m.sql": "", "seeds/s.csv": "x\n1\n"])
        let paths = try plan(project).metadata.inputs.map(\.path)
        #expect(paths == ["dbt/dbt_project.yml", "dbt/macros/m.sql", "dbt/models/a.sql", "dbt/seeds/s.csv", "floe.yaml", "platform.yaml"])
    }
}
