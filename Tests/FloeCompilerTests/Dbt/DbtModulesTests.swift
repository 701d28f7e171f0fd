import FloeCompiler
import FloeContract
import Testing

/// dbt's `modules.datetime` and `modules.re`, `run_started_at` as a datetime, and `flags`.
@Suite struct DbtModulesTests {
    func sql(_ template: String) throws -> String {
        let project = try TestProject.dbt(["models/m.sql": template])
        let output = project.compile(environment: "dev", vars: nil)
        let errors = output.diagnostics.filter { $0.severity == .error }
        try #require(errors.isEmpty, "\(errors)")
        return try #require(output.artifacts?.models.first?.sql)
    }

    @Test func datetimeModule() throws {
        #expect(try sql("{{ modules.datetime.date(2024, 1, 31).strftime('%Y-%m-%d %A %a %B %b %j') }}")
            == "2024-01-31 Wednesday Wed January Jan 031")
        #expect(try sql("{{ modules.datetime.datetime(2024, 2, 29, 13, 5, 9) }}|{{ modules.datetime.date(2024, 3, 1).weekday() }}")
            == "2024-02-29 13:05:09|4")
        // now() is the compile's time, so the same inputs make the same plan.
        #expect(try sql("{{ modules.datetime.datetime.now().isoformat() }}") == "2023-11-14T22:13:20")
    }

    @Test func runStartedAtAndFlags() throws {
        #expect(try sql("{{ run_started_at }}|{{ run_started_at.strftime('%Y%m%d') }}|{{ run_started_at.year }}")
            == "2023-11-14T22:13:20Z|20231114|2023")
        // The command compiling: here the library's default, `compile`; `floe run` compiles with `run`.
        #expect(try sql("{{ flags.WHICH }} {{ flags.FULL_REFRESH }}") == "compile False")
    }

    /// `modules.pytz` zones, aware datetimes and `timedelta` arithmetic, as dbt_date uses them.
    @Test func timeZonesAndTimedeltas() throws {
        let zone = "modules.pytz.timezone('America/Los_Angeles')"
        #expect(try sql("{{ modules.datetime.datetime(1997, 9, 29, 6, 14, 0, tzinfo=\(zone)) }}") == "1997-09-29 06:14:00-07:00")
        #expect(try sql("{{ \(zone).localize(modules.datetime.datetime(2024, 1, 15, 8)).isoformat() }}") == "2024-01-15T08:00:00-08:00")
        #expect(try sql("{{ modules.datetime.datetime.now(modules.pytz.timezone('Asia/Tokyo')) }}") == "2023-11-15 07:13:20+09:00")
        #expect(try sql("{{ modules.datetime.datetime(2024, 1, 1, 12, tzinfo=modules.pytz.utc).astimezone(modules.pytz.timezone('America/New_York')).strftime('%H:%M %z %Z') }}")
            == "07:00 -0500 America/New_York")
        #expect(try sql("{{ (modules.datetime.datetime(2024, 3, 1) - modules.datetime.timedelta(days=1)).date() }}") == "2024-02-29")
        #expect(try sql("{{ modules.datetime.timedelta(hours=36) }}|{{ (modules.datetime.date(2024, 3, 1) - modules.datetime.date(2024, 1, 1)).days }}")
            == "1 day, 12:00:00|60")
        #expect(try sql("{{ modules.datetime.date(2024, 1, 2) > modules.datetime.date(2024, 1, 1) }}") == "True")
        #expect(try sql("{{ modules.datetime.datetime.strptime('2024-02-29 07:05', '%Y-%m-%d %H:%M') }}") == "2024-02-29 07:05:00")
        #expect(try sql("{{ modules.datetime.datetime.fromisoformat('2024-02-29T07:05:09.5+05:30') }}") == "2024-02-29 07:05:09.500000+05:30")
    }

    @Test func itertoolsModule() throws {
        let it = "modules.itertools"
        #expect(try sql("{{ \(it).chain([1, 2], [3]) | join(',') }}|{{ \(it).product(['a', 'b'], [1, 2]) | map('join', '') | join(',') }}")
            == "1,2,3|a1,a2,b1,b2")
        #expect(try sql("{{ \(it).combinations(['x', 'y', 'z'], 2) | map('join', '') | join(',') }}|{{ \(it).permutations([1, 2]) | length }}")
            == "xy,xz,yz|2")
        #expect(try sql("{{ \(it).islice([1, 2, 3, 4, 5], 1, 4) | join(',') }}|{{ \(it).accumulate([1, 2, 3]) | join(',') }}") == "2,3,4|1,3,6")
        #expect(try sql("{% for key, group in \(it).groupby([{'k': 'a'}, {'k': 'a'}, {'k': 'b'}], key='k') %}{{ key }}{{ group | length }}{% endfor %}")
            == "a2b1")
    }

    @Test func reModule() throws {
        #expect(try sql("{{ modules.re.sub('([a-z]+)_id', '\\\\1_key', 'order_id, customer_id') }}") == "order_key, customer_key")
        #expect(try sql("{{ modules.re.search('[0-9]+', 'v12').group() }}|{{ modules.re.match('[0-9]+', 'v12') is none }}") == "12|True")
        #expect(try sql("{{ modules.re.findall('[0-9]+', 'a1b22') | join(',') }}|{{ modules.re.split(',\\\\s*', 'a, b,c') | join('|') }}")
            == "1,22|a|b|c")
        #expect(try sql("{% set p = modules.re.compile('^stg_') %}{{ p.match('stg_orders') is not none }}") == "True")
    }
}

/// `ref()` and `this` are relation objects as dbt's packages expect them.
@Suite struct DbtRelationObjectTests {
    @Test func relationsPassDbtUtilsChecksAndRenderTheirParts() throws {
        let project = try TestProject.dbt([
            "macros/is_relation.sql": """
                {% macro is_relation(obj) %}{{ return(obj is mapping and obj.get('metadata', {}).get('type', '').endswith('Relation')) }}{% endmacro %}
                """,
            "models/a.sql": "{{ config(materialized='table') }}select 1 as id",
            "models/b.sql": """
                {{ config(materialized='table') }}
                select '{{ is_relation(ref('a')) }}' as r, '{{ is_relation('a') }}' as s,
                  '{{ ref('a').render() }}' as full, '{{ ref('a').include(schema=false) }}' as bare,
                  '{{ ref('a').identifier }}' as name, '{{ this.include(identifier=false) }}' as schema_only
                """,
        ])
        let output = project.compile(environment: "dev", vars: nil)
        try #require(output.diagnostics.filter { $0.severity == .error }.isEmpty, "\(output.diagnostics)")
        let b = try #require(output.artifacts?.models.first { $0.name == "b" })
        #expect(b.sql.contains(#"select 'True' as r, 'False' as s,"#), "\(b.sql)")
        #expect(b.sql.contains(#"'"floe-dev"."a"' as full, '"a"' as bare,"#), "\(b.sql)")
        #expect(b.sql.contains(#"'a' as name, '"floe-dev"' as schema_only"#), "\(b.sql)")
    }
}

/// Errors in macros: a macro file that does not parse hides nothing else, and an error inside a
/// macro names the model whose rendering reached it.
@Suite struct DbtMacroErrorTests {
    @Test func everyErrorIsReportedAndMacroErrorsNameTheirModel() throws {
        let project = try TestProject.dbt([
            "macros/broken.sql": "{% macro broken( %}x{% endmacro %}",
            "macros/fails.sql": "{% macro fails(x) %}{{ x.nope() }}{% endmacro %}",
            "models/a.sql": "select {{ fails(1) }}",
            "models/b.sql": "select {{ undefined_name }}",
        ])
        let messages = project.messages()
        #expect(messages.count == 3, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("dbt/macros/broken.sql:1:16: error: unclosed '('") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("dbt/macros/fails.sql:1:25: error: unknown macro or function 'nope' (rendering dbt/models/a.sql)") },
                "\(messages)")
        #expect(messages.contains { $0.hasPrefix("dbt/models/b.sql:1:11: warning: 'undefined_name' is undefined; it prints nothing, as in dbt") },
                "\(messages)")
    }
}

/// dbt 1.11 takes config keys written under a test's `arguments:` as config.
@Suite struct TestArgumentsConfigTests {
    @Test func configKeysUnderArgumentsAreConfig() throws {
        let project = try TestProject.dbt([
            "models/orders.sql": "select 1 as id, 'a' as status",
            "models/orders.yml": """
                models:
                  - name: orders
                    columns:
                      - name: status
                        data_tests:
                          - accepted_values:
                              arguments: {values: [a, b], severity: warn, where: "id > 0"}
                """,
        ])
        let output = project.compile(environment: "dev", vars: nil)
        let test = try #require(output.artifacts?.tests.first)
        #expect(test.severity == .warn)
        #expect(test.name == "accepted_values_orders_status__a__b")
        #expect(test.sql.contains("where id > 0"), "\(test.sql)")
        let warnings = project.messages().filter { $0.contains("warning:") }
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.first?.hasPrefix("dbt/models/orders.yml:7:43: warning: models[0].columns[0].data_tests[0].accepted_values.arguments.severity: "
            + "'severity' is config, not an argument: it is taken as config, as dbt 1.11 does") == true, "\(warnings)")
    }
}

/// Config values in dbt_project.yml and properties files may hold Jinja, rendered natively.
@Suite struct ConfigJinjaTests {
    @Test func configValuesRenderBeforeTheyApply() throws {
        let project = try TestProject.dbt([
            "models/staging/raw_copy.sql": "select 1 as id",
            "models/marts/m.sql": "select 1 as id",
            "models/marts/m.yml": "models:\n  - name: m\n    config:\n      materialized: \"{{ 'table' if target.name == 'dev' else 'view' }}\"\n",
        ], projectExtra: """
            models:
              shop:
                staging:
                  +enabled: "{{ var('load_source_data', false) }}"
            """)
        let plain = project.compile(environment: "dev", vars: nil)
        try #require(plain.diagnostics.filter { $0.severity == .error }.isEmpty, "\(plain.diagnostics)")
        #expect(plain.artifacts?.models.map(\.name) == ["m"])
        #expect(plain.artifacts?.models.first?.materialized == .table)
        let loaded = project.compile(environment: "dev", vars: "{load_source_data: true}")
        #expect(loaded.artifacts?.models.map(\.name) == ["m", "raw_copy"])
    }
}

/// A model's template sees dbt's `model` node, its config among it.
@Suite struct ModelNodeTests {
    @Test func modelCarriesItsNodeAndConfig() throws {
        let project = try TestProject.dbt([
            "models/marts/orders.sql": "select '{{ model.config.materialized }}|{{ model.fqn | join('.') }}|{{ model.path }}|{{ model.tags | join(',') }}|{{ model.resource_type }}' as m",
        ], projectExtra: "models:\n  shop:\n    marts:\n      +materialized: table\n      +tags: [daily]\n")
        let output = project.compile(environment: "dev", vars: nil)
        try #require(output.diagnostics.filter { $0.severity == .error }.isEmpty, "\(output.diagnostics)")
        #expect(output.artifacts?.models.first?.sql == "select 'table|shop.marts.orders|marts/orders.sql|daily|model' as m")
    }
}

/// dbt's remaining built-in macros: arrays, the backcompat timestamps, and the schema helper.
@Suite struct MoreBuiltinMacroTests {
    @Test func arraysAndTimestampsPerDialect() throws {
        let project = try TestProject.dbt([
            "models/m.sql": "select {{ dbt.array_construct(['1', '2']) }} as a, {{ dbt.array_append('a', '3') }} as b, {{ dbt.current_timestamp_backcompat() }} as t",
        ])
        let dev = try #require(project.compile(environment: "dev", vars: nil).artifacts?.models.first?.sql)
        #expect(dev == "select json_array(1, 2) as a, json_insert(a, '$[#]', 3) as b, datetime('now') as t")
        let prod = try #require(project.compile(environment: "prod", vars: nil).artifacts?.models.first?.sql)
        #expect(prod == "select array[ 1 , 2 ] as a, array_append(a, 3) as b, now() as t")
    }

    @Test func generateSchemaNameForEnvUsesCustomSchemasInProdOnly() throws {
        let project = try TestProject.dbt([
            "macros/schema.sql": "{% macro generate_schema_name(custom_schema_name, node) %}{{ generate_schema_name_for_env(custom_schema_name, node) }}{% endmacro %}",
            "models/m.sql": "{{ config(schema='marts') }}select 1 as id",
        ])
        #expect(project.compile(environment: "dev", vars: nil).artifacts?.models.first?.relation.schema == "floe-dev")
        #expect(project.compile(environment: "prod", vars: nil).artifacts?.models.first?.relation.schema == "marts")
    }
}
