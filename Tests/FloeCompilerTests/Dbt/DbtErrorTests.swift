@testable import FloeCompiler
@testable import FloeTemplates
@testable import FloeJinja
import FloeCore
import Testing
import Foundation

/// Every mistake in a dbt project fails the compile with the file, line and column of the cause.
@Suite struct DbtErrorTests {
    @Test func aCycleIsReportedWithItsWholePathAndEachEdge() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "select * from {{ ref('b') }}",
            "models/b.sql": "select 1 as x\nunion all select * from {{ ref('c') }}",
            "models/c.sql": "select * from {{ ref('a') }}",
        ])
        #expect(project.messages() == [
            "dbt/models/a.sql:1:18: error: dependency cycle: a → b → c → a\n"
                + "  hint: a → b at dbt/models/a.sql:1:18; b → c at dbt/models/b.sql:2:28; c → a at dbt/models/c.sql:1:18",
        ])
    }

    @Test func anUnknownRefSuggestsTheClosestName() throws {
        let project = try TestProject.dbt([
            "models/stg_orders.sql": "select 1 as id",
            "models/fct.sql": "select *\nfrom {{ ref('stg_order') }}",
        ])
        #expect(project.messages() == [
            "dbt/models/fct.sql:2:9: error: ref('stg_order'): no model or seed is named 'stg_order'\n  hint: did you mean 'stg_orders'?",
        ])
    }

    @Test func anUnclosedIfPointsAtItsOpening() throws {
        let project = try TestProject.dbt(["models/m.sql": "select 1\n{% if var('x', true) %}\nwhere 1 = 1\n"])
        #expect(project.messages() == [
            "dbt/models/m.sql:2:1: error: unclosed '{% if %}'\n  hint: close it with '{% endif %}'",
        ])
    }

    /// The tag is closed; the bracket before it is not: the error names the bracket.
    @Test func aMissingParenthesisIsBlamedNotTheTag() throws {
        let project = try TestProject.dbt([
            "models/x.sql": "select 1 as id",
            "models/m.sql": "select *\nfrom {{ ref('x' }}\nwhere {{ [1, 2 }}",
        ])
        #expect(project.messages() == [
            "dbt/models/m.sql:2:12: error: unclosed '('\n  hint: close it with ')' before the '}}' at line 2, column 17",
        ])
        let dict = try TestProject.dbt(["models/m.sql": "select {{ {'a': {'b': 1}} }} as x"])
        #expect(dict.messages() == [], "a dict literal's '}}' does not end the tag")
    }

    @Test func anUnknownMacroSuggestsAKnownOne() throws {
        let project = try TestProject.dbt([
            "macros/money.sql": "{% macro cents_to_dollars(c) %}({{ c }} / 100.0){% endmacro %}",
            "models/m.sql": "select\n  {{ cents_to_dollar('amount') }} as amount",
        ])
        #expect(project.messages() == [
            "dbt/models/m.sql:2:6: error: unknown macro or function 'cents_to_dollar'\n  hint: did you mean 'cents_to_dollars'?",
        ])
    }

    @Test func everyBrokenModelIsReportedInOneRun() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "select {{ nope() }}",
            "models/b.sql": "select {{ ref('missing') }}",
            "models/c.sql": "select {{ var('undefined_var') }}",
        ])
        let messages = project.messages()
        #expect(messages.count == 3)
        #expect(messages[0].hasPrefix("dbt/models/a.sql:1:11: error: unknown macro or function 'nope'"))
        #expect(messages[1].hasPrefix("dbt/models/b.sql:1:11: error: ref('missing'): no model or seed is named 'missing'"))
        #expect(messages[2].hasPrefix("dbt/models/c.sql:1:11: error: required var 'undefined_var' is not defined"))
    }

    @Test func envVarRefusesSecrets() throws {
        let project = try TestProject.dbt(["models/m.sql": "select '{{ env_var('FLOE_SECRET_DB_PASSWORD') }}' as p"])
        let messages = project.messages(processEnvironment: ["FLOE_SECRET_DB_PASSWORD": "hunter2-hunter2"])
        #expect(messages == [
            "dbt/models/m.sql:1:12: error: env_var('FLOE_SECRET_DB_PASSWORD') would copy a secret into the plan\n"
                + "  hint: secrets are resolved when a connection opens, from platform.yaml's secret references; models cannot read them",
        ])
        #expect(!messages.joined().contains("hunter2"))
    }

    @Test func badConfigValuesPointAtTheValue() throws {
        let project = try TestProject.dbt(
            ["models/staging/m.sql": "{{ config(incremental_strategy='upsert') }}select 1 as id"],
            projectExtra: "models:\n  shop:\n    staging:\n      +materialized: tabel\n")
        #expect(project.messages() == [
            "dbt/dbt_project.yml:5:22: error: models.shop.staging.+materialized: unknown materialization 'tabel'; "
                + "expected 'view', 'table', 'incremental' or 'ephemeral'\n  hint: did you mean 'table'?",
            "dbt/models/staging/m.sql:1:4: error: config.incremental_strategy: unknown incremental strategy 'upsert'; "
                + "expected 'append', 'merge', 'delete+insert', 'insert_overwrite' or 'microbatch'",
        ])
    }

    @Test func indexesNeedColumnsAndATable() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "{{ config(materialized='table', indexes=[{'columns': []}]) }}select 1 as id",
            "models/b.sql": "{{ config(materialized='table', indexes=[{'columns': ['id'], 'unique': 'yes'}]) }}select 1 as id",
        ])
        #expect(project.messages() == [
            "dbt/models/a.sql:1:4: error: config.indexes[0]: expected an index with a non-empty 'columns' list\n"
                + "  hint: write {columns: [customer_id, order_date]}, optionally with unique: true",
            "dbt/models/b.sql:1:4: error: config.indexes[0].unique: expected true or false for 'unique'",
        ])
        let view = try TestProject.dbt(["models/c.sql": "{{ config(materialized='view', indexes=[{'columns': ['id']}]) }}select 1 as id"])
        #expect(view.messages() == [
            "dbt/models/c.sql:1:1: warning: config.indexes: indexes apply to tables and incremental models; floe ignores them on a view\n"
                + "  hint: materialize the model as a table, or remove its indexes",
        ])
    }

    @Test func mergeNeedsAUniqueKey() throws {
        let project = try TestProject.dbt([
            "models/m.sql": "{{ config(materialized='incremental', incremental_strategy='merge') }}select 1 as id",
        ])
        #expect(project.messages().first?.contains("strategy 'merge' needs a unique_key") == true)
    }

    @Test func unknownTestsAndMissingArgumentsAreErrors() throws {
        let project = try TestProject.dbt([
            "models/m.sql": "select 1 as id",
            "models/m.yml": """
                models:
                  - name: m
                    columns:
                      - name: id
                        data_tests: [uniqe, {accepted_values: {quote: false}}]
                """,
        ])
        #expect(project.messages() == [
            "dbt/models/m.yml:5:22: error: unknown test 'uniqe'\n  hint: did you mean 'unique'?",
            "dbt/models/m.yml:5:30: error: test 'accepted_values' is missing its argument 'values'\n"
                + "  hint: accepted_values: {arguments: {values: [placed, shipped]}}",
        ])
    }

    @Test func aRefToADisabledModelIsAnError() throws {
        let project = try TestProject.dbt([
            "models/old.sql": "{{ config(enabled=false) }}select 1 as id",
            "models/new.sql": "select * from {{ ref('old') }}",
        ])
        #expect(project.messages() == [
            "dbt/models/new.sql:1:18: error: ref('old') points at a disabled model\n  hint: enable 'old', or disable 'new' too",
        ])
    }

    @Test func aRefToADisabledSeedIsAnError() throws {
        let project = try TestProject.dbt([
            "seeds/codes.csv": "code\n1\n",
            "models/m.sql": "select * from {{ ref('codes') }}",
        ], projectExtra: "seeds:\n  shop:\n    codes:\n      +enabled: false\n")
        #expect(project.messages() == [
            "dbt/models/m.sql:1:18: error: ref('codes') points at a disabled seed\n  hint: enable 'codes', or disable 'm' too",
        ])
    }

    @Test func twoNodesOfOneNameAreRefused() throws {
        let project = try TestProject.dbt([
            "models/a/orders.sql": "select 1 as id",
            "models/b/orders.sql": "select 2 as id",
        ])
        #expect(project.messages().first?.hasPrefix("dbt/models/b/orders.sql:1:1: error: two nodes are named 'orders'") == true)
    }

    @Test func badSeedFilesPointAtTheRow() throws {
        let project = try TestProject.dbt(["seeds/s.csv": "a,b\n1,2\n3\n"])
        #expect(project.messages() == ["dbt/seeds/s.csv:3:1: error: the row has 1 fields, the header has 2"])
    }

    @Test func aMissingProjectNameIsReported() throws {
        let project = try TestProject(floe: TestProject.floe + "transforms:\n  - {type: dbt, path: dbt}\n",
                                      files: ["dbt/dbt_project.yml": "version: '1'\nmodel-paths: models\n"])
        #expect(project.messages() == [
            "dbt/dbt_project.yml:1:1: error: name: missing required key 'name'\n  hint: add `name: my_project`",
        ])
    }
}

@Suite struct TestConfigErrorTests {
    @Test func thresholdsAndLimitsAreCheckedWhereTheyAreWritten() throws {
        let project = try TestProject.dbt([
            "models/m.sql": "select 1 as id",
            "models/_m.yml": """
                version: 2
                models:
                  - name: m
                    columns:
                      - name: id
                        data_tests:
                          - unique: {config: {warn_if: "more than 10", limit: -1, store_failures: "yes"}}
                """,
        ])
        #expect(project.messages() == [
            "dbt/models/_m.yml:7:40: error: config.warn_if: 'more than 10' is not a comparison with the number of failing rows\n"
                + "  hint: write an operator and a whole number: '!=0' (dbt's default), '>10', '>=100'",
            "dbt/models/_m.yml:7:63: error: config.limit: expected 0 or more rows for 'limit', got -1",
            "dbt/models/_m.yml:7:83: error: config.store_failures: expected true or false for 'store_failures', got a string",
        ])
    }
}

/// Inputs that once trapped the compiler. A crash is never an answer: each gets a located error
/// or compiles.
@Suite struct CompilerCrashRegressionTests {
    /// The 200 bytes from issue [D]: a singular test with a long number holding a 0x01 byte, the
    /// byte floe uses to mark relations. The digits after it overflowed the placeholder parser.
    @Test func aMarkerByteInATemplateIsALocatedErrorNotATrap() throws {
        let crasher = "LS0gQWFuIHRoZSBtb250aCdzIHNhbGVzIHdvdWxkIHNob3cgdXAgYXMgbmVnYXRpdmUgcmV2ZW51ZS4Kc2VsZWN0IG9yZGVyX21vbnRoLCByZXZlbnVlX3RvdGFsCmZyb20ge3sgcmVmKCdtYXJ0X3JldmVudWVfYnlfcmVnaW9uJykgfX0Kd2hlcmUgcmV2ZW51ZV90b3RhbCA8IDAKIDk5OTk5OTk5OTk5OTk5OTk5OTkBOTk5OTk5OTk5OTk5OTk5OTk5OTk="
        let text = String(decoding: try #require(Data(base64Encoded: crasher)), as: UTF8.self)
        let project = try TestProject.dbt([
            "models/mart_revenue_by_region.sql": "select 1 as order_month, 2 as revenue_total",
            "tests/assert_revenue_not_negative.sql": text,
        ])
        #expect(project.messages() == [
            "dbt/tests/assert_revenue_not_negative.sql:5:21: error: the control character U+0001 is not allowed in a template\n"
                + "  hint: floe marks relations with this byte while it renders; remove it from the file",
        ])
    }

    /// A forged placeholder (as a var's value could carry one) with a slot no relation has is left
    /// alone instead of indexing past the relations.
    @Test func aForgedPlaceholderFromAVarIsNotResolved() throws {
        let project = try TestProject.dbt(["models/m.sql": "select '{{ var('v') }}' as x"])
        let plan = try #require(project.compile(vars: "{v: \"\\x01R99999999999999999999\\x01 \\x01R123456\\x01\"}").artifacts)
        #expect(plan.models.first?.sql.contains("\u{1}R123456\u{1}") == true)
    }

    @Test func integerArithmeticBeyond64BitsBecomesAFloat() throws {
        func render(_ source: String) throws -> String {
            try JinjaEnvironment().render(JinjaTemplate(source, file: "m.sql"), context: [:])
        }
        #expect(try render("{{ 9223372036854775807 + 1 }}") == "9.223372036854776e+18")
        #expect(try render("{{ 99999999999999999999 }}") == "1e+20")
        #expect(try render("{{ (-9223372036854775807 - 1) // -1 }}") == "9.223372036854776e+18")
        #expect(try render("{{ (-9223372036854775807 - 1) % -1 }} {{ -7 % 3 }} {{ 7 % -3 }}") == "0 2 -2")
        #expect(try render("{{ 10 ** 30 }}") == "1e+30")
        #expect(throws: TemplateError.self) { try render("{{ 1e300 | int }}") }
        #expect(throws: TemplateError.self) { try render("{{ 'ab' * 9223372036854775807 }}") }
        #expect(throws: TemplateError.self) { try render("{% for i in range(10 ** 12) %}{% endfor %}") }
    }
}

/// dbt 1.11 reads a key written twice in its files with a warning, the later value kept; floe's
/// own files refuse it (DiagnosticsTests).
@Suite struct DbtDuplicateKeyTests {
    @Test func aRepeatedKeyInADbtFileIsAWarningAndTheLaterValueWins() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "select 1 as x",
            "models/a.yml": """
                models:
                  - name: a
                    description: first
                    description: second
                    columns:
                      - {name: y, name: x, description: "the x"}
                      - "name": z
                        'name': x

                """,
        ], projectExtra: "vars:\n  rate: 1\n  rate: 2\n")
        #expect(project.messages() == [
            "dbt/dbt_project.yml:3:3: warning: duplicate key 'rate' in a mapping: the later value is used, as dbt does\n"
                + "  hint: remove or merge the repeated key; dbt 1.11 warns about it too",
            "dbt/models/a.yml:3:5: warning: duplicate key 'description' in a mapping: the later value is used, as dbt does\n"
                + "  hint: remove or merge the repeated key; dbt 1.11 warns about it too",
            "dbt/models/a.yml:6:10: warning: duplicate key 'name' in a mapping: the later value is used, as dbt does\n"
                + "  hint: remove or merge the repeated key; dbt 1.11 warns about it too",
            "dbt/models/a.yml:7:9: warning: duplicate key 'name' in a mapping: the later value is used, as dbt does\n"
                + "  hint: remove or merge the repeated key; dbt 1.11 warns about it too",
        ])
        let plan = try #require(project.compile().artifacts)
        let model = try #require(plan.models.first)
        #expect(model.description == "second")
        #expect(model.columns.map(\.name) == ["x", "x"])
    }
}

/// A microbatch model's config names its event time, its batch and where it begins.
@Suite struct MicrobatchConfigTests {
    @Test func aMicrobatchModelMayNotQueryTheDatabaseWhileRendering() throws {
        let project = try TestProject.dbt([
            "models/batched.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='t', batch_size='day', begin='2024-01-01') }}\n"
                + "{% set n = run_query('select 1') %}select 1 as t",
        ])
        #expect(project.messages() == [
            "dbt/models/batched.sql:1:1: error: microbatch model batched queries the database while rendering, which floe cannot batch yet\n"
                + "  hint: compute the value in the SQL, or use delete+insert with a unique_key",
        ])
    }

    @Test func aMissingPartIsAnErrorNamingTheKey() throws {
        let project = try TestProject.dbt([
            "models/no_time.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch') }}\nselect 1 as x",
            "models/no_size.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='t', batch_size='week') }}\nselect 1 as x",
            "models/no_begin.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='t', batch_size='day', begin='soon') }}\nselect 1 as x",
        ])
        #expect(project.messages() == [
            "dbt/models/no_begin.sql:1:1: error: config.begin: microbatch model 'no_begin': needs begin, a date or timestamp\n"
                + "  hint: begin='2024-01-01' is where the first build starts",
            "dbt/models/no_size.sql:1:1: error: config.batch_size: microbatch model 'no_size': needs batch_size: hour, day, month or year\n"
                + "  hint: batch_size='day' builds a day at a time",
            "dbt/models/no_time.sql:1:1: error: config.event_time: microbatch model 'no_time': needs event_time\n"
                + "  hint: event_time='ordered_at' names the column that tells each row's batch",
        ])
    }
}
