import FloeCompiler
import FloeContract
import FloeEngine
@testable import FloeRuntime
import FloeTestSupport
import Foundation
import Testing

/// Materializations on PostgreSQL: incremental strategies give what a build from scratch gives,
/// a view over a rebuilt table is rebuilt with it, and schema changes follow `on_schema_change`.
@Suite(.enabled(if: PostgresTestServer.available, PostgresTestServer.skipReason))
struct PostgresMaterializationTests {
    /// A project on the test server in a database of its own (dropped on `remove()`).
    static func project() throws -> ScratchProject {
        PostgresTestServer.adapters
        let database = try PostgresTestServer.createDatabase()
        return try ScratchProject(platform: """
            version: "1"
            compute:
              default:
                type: postgres
                host: \(PostgresTestServer.host)
                port: \(PostgresTestServer.port)
                database: \(database)
                user: \(PostgresTestServer.user)
                password: { secret_ref: test-db, key: password }
                sslmode: disable
                threads: 4
            storage: { default: { type: local, path: .floe/storage } }
            catalogs: { default: { type: none } }
            environments: { dev: { namespace: shop } }
            """, namespace: "shop", environment: ["FLOE_SECRET_TEST_DB_PASSWORD": PostgresTestServer.password],
            cleanup: { PostgresTestServer.dropDatabase(database) })
    }

    /// dbt's model contracts: the table enforces every constraint, the columns are checked by
    /// name and by type (PostgreSQL describes both the SELECT and the contract's types).
    @Test func aContractedTableKeepsItsRowsWhenARowBreaksAConstraint() throws {
        let project = try Self.project()
        defer { project.remove() }
        try ModelGovernanceScenarios.aViolatingRowFailsTheBuildAndKeepsTheTable(project, table: #""shop"."scores""#)
    }

    /// A test whose name is 63 bytes stores its failures: floe's working name for the table
    /// (`__floe_tmp` after it) is fitted to PostgreSQL's 63-byte limit instead of being cut, which
    /// made the rename fail.
    @Test func aTestWithALongNameStoresItsFailures() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/models/events_with_a_name_long_enough_to_matter.sql", "select * from {{ ref('events') }}")
        try project.write("dbt/models/schema.yml", """
            models:
              - name: events_with_a_name_long_enough_to_matter
                columns:
                  - name: kind
                    data_tests:
                      - accepted_values:
                          values: ['a', 'c', 'd', 'e', 'f', 'g', 'h']
                          config: {store_failures: true}

            """)
        let results = try project.apply(expectSuccess: false)
        let test = try #require(results.results.first { $0.resourceType == .test })
        #expect(test.status == .fail && test.failures == 1, "\(test.message ?? "")")
        let audit = try project.rows("select table_name from information_schema.tables where table_schema = 'shop_dbt_test__audit'")
        #expect(audit.count == 1 && audit[0][0].utf8.count <= 63, "\(audit)")
    }

    /// A template's query that returns no rows keeps its columns on PostgreSQL too, whose driver
    /// names columns only with rows: dbt_utils' `get_single_value` then takes its default.
    @Test func anEmptyQueryResultKeepsItsColumns() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/models/empty_probe.sql", """
            {% set found = run_query('select 1 as id, 2 as other where 1 = 0') %}
            select '{{ found.column_names | join(",") if execute else "" }}' as names, {{ (found.columns[0].values() | length) if execute else 0 }} as n
            """)
        try project.apply()
        #expect(try project.rows(#"select names, n from "shop"."empty_probe""#) == [["id,other", "0"]])
    }

    /// `target.database` is the compute profile's database, as dbt-postgres's is, so SQL that
    /// names `{{ target.database }}.information_schema` (dbt_utils' `get_relations_by_pattern`)
    /// runs; `generate_database_name` gives it too.
    @Test func targetDatabaseIsTheProfilesDatabase() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/models/where_am_i.sql", """
            select '{{ target.database }}' as db, '{{ generate_database_name(none) }}' as generated,
                   (select count(*) from {{ target.database }}.information_schema.schemata where schema_name = 'shop') as found
            """)
        try project.apply()
        let rows = try project.rows(#"select db = current_database(), generated = current_database(), found from "shop"."where_am_i""#)
        #expect(rows == [["1", "1", "1"]], "\(rows)")
    }

    @Test func aRelationNameLongerThan63BytesIsAnError() throws {
        let project = try Self.project()
        defer { project.remove() }
        let name = String(repeating: "x", count: 64)
        try project.write("dbt/models/\(name).sql", "select 1 as id")
        #expect(throws: (any Error).self) { try project.plan() }
    }

    /// dbt's model versions: each its own `_v<N>` table, and the latest version pointer a view.
    @Test func eachVersionIsBuiltWithItsPointer() throws {
        let project = try Self.project()
        defer { project.remove() }
        try ModelGovernanceScenarios.eachVersionIsBuiltWithItsPointer(project, schema: #""shop""#)
    }

    @Test func aContractIsCheckedByNameAndTypeBeforeBuilding() throws {
        let project = try Self.project()
        defer { project.remove() }
        try ModelGovernanceScenarios.aSelectStarThatBreaksTheContractFailsBeforeBuilding(project, table: #""shop"."scores""#, typed: true)
    }

    /// A dbt snapshot keeps its history on PostgreSQL as on SQLite: changed and deleted rows end
    /// their version, new ones begin theirs.
    @Test(arguments: ["strategy='timestamp', updated_at='changed_on'", "strategy='check', check_cols=['kind', 'amount']"])
    func snapshotsKeepTheHistoryOfTheirRows(strategy: String) throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/seeds/events.csv", "id,kind,amount,changed_on\n1,a,10,2024-01-01\n2,b,20,2024-01-01\n3,a,30,2024-01-01\n")
        try project.write("dbt/snapshots/events_history.sql", """
            {% snapshot events_history %}
            {{ config(unique_key='id', \(strategy), hard_deletes='new_record') }}
            select * from {{ ref('events') }}
            {% endsnapshot %}
            """)
        let first = try project.apply()
        #expect(first.results.first { $0.name == "events_history" }?.message == "snapshot, first build, 3 rows")
        try project.write("dbt/seeds/events.csv", "id,kind,amount,changed_on\n1,a,15,2024-02-01\n2,b,20,2024-01-01\n4,c,40,2024-02-01\n")
        let second = try project.apply()
        #expect(second.results.first { $0.name == "events_history" }?.message == "snapshot, 1 changed, 1 new, 1 deleted")
        #expect(try project.rows(#"""
            select id, amount, dbt_is_deleted, case when dbt_valid_to is null then 'current' else 'ended' end
            from "shop"."events_history" order by id, dbt_valid_from, dbt_is_deleted
            """#) == [
            ["1", "10", "False", "ended"], ["1", "15", "False", "current"], ["2", "20", "False", "current"],
            ["3", "30", "False", "ended"], ["3", "30", "True", "current"], ["4", "40", "False", "current"],
        ])
        #expect(try project.rows(#"select count(distinct dbt_scd_id) from "shop"."events_history""#) == [["6"]])
    }

    /// A microbatch model on PostgreSQL: each window of its input is read and written alone, and a
    /// later run redoes the lookback; the result equals a build of every window at once.
    @Test func microbatchBuildsWindowByWindow() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/dbt_project.yml", "name: shop\nseeds:\n  shop:\n    visits:\n      +event_time: seen_at\n")
        try project.write("dbt/seeds/visits.csv", "seen_at,page\n2025-01-31 23:59:59,a\n2025-02-01 00:00:00,b\n2025-03-15 12:00:00,a\n2025-03-15 13:00:00,a\n")
        try project.write("dbt/models/monthly.sql", """
            {{ config(materialized='incremental', incremental_strategy='microbatch', event_time='seen_at',
                      batch_size='month', begin='2025-02-01') }}
            select seen_at, page from {{ ref('visits') }}
            """)
        let first = try project.apply()
        #expect(first.results.first { $0.name == "monthly" }?.message?.hasPrefix("incremental microbatch, first build, 3 rows") == true)
        #expect(try project.rows(#"select page, count(*) from "shop"."monthly" group by page order by page"#) == [["a", "2"], ["b", "1"]])
        let second = try project.apply()
        #expect(second.results.first { $0.name == "monthly" }?.status == .upToDate, "nothing it reads changed")
    }

    @Test(arguments: ["merge", "delete+insert", "append", "insert_overwrite"])
    func incrementalRunsEqualABuildFromScratch(strategy: String) throws {
        let project = try Self.project()
        defer { project.remove() }
        // insert_overwrite keyed by id replaces the same rows delete+insert does.
        let key = strategy == "append" ? "" : strategy == "insert_overwrite" ? ", partition_by=['id']" : ", unique_key='id'"
        try project.write("dbt/models/totals.sql", """
            {{ config(materialized='incremental', incremental_strategy='\(strategy)'\(key)) }}
            select id, kind, amount * {{ var('batch') }} as amount, {{ var('batch') }} as batch from {{ ref('events') }}
            {% if is_incremental() %} where id >= {{ var('batch') }} {% endif %}
            """)
        try project.apply()
        try project.apply(vars: "{batch: 2}")
        try project.apply(vars: "{batch: 3}")
        let incremental = try project.rows(#"select id, kind, amount, batch from "shop"."totals" order by id, batch"#)
        switch strategy {
        case "append":
            // Every batch's rows from its id onwards, added to the first build's.
            #expect(incremental.count == 3 + 2 + 1)
        default:
            // Each key once, from the last batch that selected it.
            #expect(incremental == [["1", "a", "10", "1"], ["2", "b", "40", "2"], ["3", "a", "90", "3"]])
        }
        if strategy != "append" {
            // A full refresh of the last batch's SQL, without the incremental filter, has the same keys.
            try project.apply(vars: "{batch: 3}", fullRefresh: true)
            let scratch = try project.rows(#"select id from "shop"."totals" order by id"#)
            #expect(scratch == incremental.map { [$0[0]] })
        }
    }

    @Test func aViewOverARebuiltTableIsRebuiltWithIt() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/models/base.sql", "{{ config(materialized='table') }}\nselect id, amount * {{ var('batch') }} as amount from {{ ref('events') }}")
        try project.write("dbt/models/doubled.sql", "{{ config(materialized='view') }}\nselect id, amount * 2 as doubled from {{ ref('base') }}")
        try project.apply()
        #expect(try project.rows(#"select sum(doubled) from "shop"."doubled""#) == [["120"]])
        // base is replaced (its old table dropped, and with it the view that read it): doubled is rebuilt.
        let second = try project.apply(vars: "{batch: 2}")
        #expect(second.result(named: "doubled")?.status == .success)
        #expect(try project.rows(#"select sum(doubled) from "shop"."doubled""#) == [["240"]])
        // Nothing changed: both are up to date, and the view is still there.
        let third = try project.apply(vars: "{batch: 2}")
        #expect(third.results.filter { $0.resourceType == .model }.allSatisfy { $0.status == .upToDate })
        #expect(try project.rows(#"select count(*) from "shop"."doubled""#) == [["3"]])
    }

    /// A model whose template queries the database is rendered at apply time on PostgreSQL too:
    /// the columns of a relation (dbt_utils' `star`), a query's values (`get_column_values`), and a
    /// statement's result (`load_result`), each read from what its upstream holds.
    @Test func templatesThatQueryTheDatabaseRenderAtApply() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/macros/database.sql", """
            {% macro star(from, except=[]) %}
              {%- if not execute -%}{{ return('*') }}{%- endif -%}
              {%- set names = [] -%}
              {%- for column in adapter.get_columns_in_relation(from) if column.name not in except -%}
                {%- do names.append(adapter.quote(column.name)) -%}
              {%- endfor -%}
              {{ return(names | join(', ')) }}
            {% endmacro %}
            """)
        try project.write("dbt/models/trimmed.sql", "{{ config(materialized='table') }}\nselect {{ star(ref('events'), except=['amount']) }} from {{ ref('events') }}")
        try project.write("dbt/models/kinds.sql", """
            {{ config(materialized='table') }}
            {% set kinds = run_query('select distinct kind from ' ~ ref('events') ~ ' order by 1').columns[0].values() if execute else [] %}
            -- depends_on: {{ ref('events') }}
            select {% for kind in kinds %}sum(case when kind = '{{ kind }}' then amount end) as {{ kind }}_total{{ ', ' if not loop.last }}{% endfor %}
            from {{ ref('events') }}
            """)
        try project.write("dbt/models/counted.sql", """
            {{ config(materialized='view') }}
            {%- call statement('n', fetch_result=True) %}select count(*) from {{ ref('trimmed') }}{% endcall -%}
            select {{ load_result('n')['data'][0][0] if execute else 0 }} as n
            """)
        let plan = try project.plan()
        #expect(plan.models.filter { $0.renderAtApply == true }.map(\.name).sorted() == ["counted", "kinds", "trimmed"])
        try project.apply()
        #expect(try project.rows(#"select * from "shop"."trimmed" order by id"#) == [["1", "a"], ["2", "b"], ["3", "a"]])
        #expect(try project.rows(#"select a_total, b_total from "shop"."kinds""#) == [["40", "20"]])
        #expect(try project.rows(#"select n from "shop"."counted""#) == [["3"]])
    }

    /// Unit tests on PostgreSQL: fixture values take the input's column types (a left-out column
    /// is a typed null) and expected values are read as the output's, as dbt casts them.
    @Test func unitTestsTypeTheirFixturesAsTheColumns() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/models/by_kind.sql", """
            {{ config(materialized='table') }}
            select kind, cast(sum(amount) as numeric(10, 2)) as total, cast('2024-01-0' || count(*) as date) as as_of
            from {{ ref('events') }} group by kind
            """)
        try project.write("dbt/models/by_kind.yml", """
            unit_tests:
              - name: totals_by_kind
                model: by_kind
                given:
                  - input: ref('events')
                    rows: [{kind: a, amount: 2}, {kind: a, amount: "3"}, {kind: b, amount: 4}]
                expect:
                  rows: [{kind: a, total: 5, as_of: "2024-01-02"}, {kind: b, total: 4.00, as_of: "2024-01-01"}]
            """)
        let results = try project.apply()
        #expect(results.result(named: "totals_by_kind")?.status == .pass, "\(results.result(named: "totals_by_kind").map { ($0.message ?? "", $0.compiledCode ?? "") } ?? ("", ""))")
    }

    /// Written against SQLite's registered aggregates, run on PostgreSQL's ordered-set ones.
    @Test func sqliteAggregatesRunAsPostgreSQLs() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/models/spread.sql", """
            {{ config(materialized='table') }}
            select median(amount) as middle, percentile_cont(amount, 0.25) as low, percentile_disc(amount, 0.9) as high
            from {{ ref('events') }}
            """)
        try project.apply()
        // percentile_cont interpolates (a double); percentile_disc picks a value (the column's bigint).
        #expect(try project.rows(#"select middle, low, high from "shop"."spread""#) == [["20.0", "15.0", "30"]])
    }

    @Test func newColumnsFollowOnSchemaChange() throws {
        let project = try Self.project()
        defer { project.remove() }
        let model = """
            {{ config(materialized='incremental', unique_key='id', on_schema_change='append_new_columns') }}
            select id, amount{% if var('batch') > 1 %}, kind{% endif %} from {{ ref('events') }}
            """
        try project.write("dbt/models/wide.sql", model)
        try project.apply()
        try project.apply(vars: "{batch: 2}")
        #expect(try project.rows(#"select id, amount, kind from "shop"."wide" order by id"#) == [["1", "10", "a"], ["2", "20", "b"], ["3", "30", "a"]])
    }
}

extension RunResults {
    func result(named name: String) -> NodeResult? {
        results.first { $0.name == name }
    }
}
