import FloeCompiler
import FloeContract
import FloeCore
import Testing

/// What real projects (issue [L]) showed floe reading wrongly or not at all, each from its
/// smallest construct.
@Suite struct DbtRoundTwoTests {
    func model(_ project: TestProject, _ name: String) throws -> CompiledModel {
        let output = project.compile()
        try #require(!output.diagnostics.hasErrors, "\(output.diagnostics)")
        return try #require(output.artifacts?.models.first { $0.name == name })
    }

    /// A relation used as a dict key stays a relation: `k.identifier` is its name, as in dbt.
    @Test func aRelationAsADictKeyStaysARelation() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "select 1 as id",
            "models/b.sql": """
                {% set d = {ref('a'): 'x'} %}
                select {% for k in d.keys() %}'{{ k.identifier }}' as name, {{ k is string }} as is_text{% endfor %}
                {% for k, v in d.items() %}, '{{ k.identifier }}{{ v }}' as pair{% endfor %}
                """,
        ])
        #expect(try model(project, "b").sql.contains("select 'a' as name, False as is_text\n, 'ax' as pair"))
    }

    /// A source's schema and a table's identifier written as Jinja are rendered, as dbt renders
    /// them (they were kept unrendered, and a relation lookup on them silently found nothing).
    @Test func sourceNamesWrittenAsJinjaAreRendered() throws {
        let project = try TestProject.dbt([
            "models/charges.sql": "select * from {{ source('stripe', 'charge') }}",
            "models/sources.yml": """
                sources:
                  - name: stripe
                    schema: "{{ var('stripe_schema', 'stripe') }}"
                    tables:
                      - name: charge
                        identifier: "{{ target.schema }}_charge"

                """,
        ], projectExtra: "vars: {stripe_schema: raw_stripe}\n")
        let output = project.compile()
        #expect(!output.diagnostics.hasErrors, "\(output.diagnostics)")
        let plan = try #require(output.artifacts)
        #expect(plan.sources.map(\.relation) == [Relation(schema: "raw_stripe", name: "floe-dev_charge")])
        #expect(plan.models.first?.sql == #"select * from "raw_stripe"."floe-dev_charge""#)
    }

    /// `exceptions.warn` prints its message as a warning at the call, and the compile goes on.
    @Test func exceptionsWarnPrints() throws {
        let project = try TestProject.dbt(["models/m.sql": "{% do exceptions.warn('the stripe schema is empty') %}\nselect 1 as id"])
        #expect(project.messages() == ["dbt/models/m.sql:1:17: warning: exceptions.warn: the stripe schema is empty"])
    }

    /// `model.config` has what the file's own `config()` set, as dbt's node does.
    @Test func modelConfigHasTheFilesOwnConfig() throws {
        let project = try TestProject.dbt([
            "models/m.sql": "{{ config(materialized='table', tags=['x']) }}\nselect '{{ model.config.materialized }}' as m, '{{ model.config.tags | join(\",\") }}' as t",
        ])
        #expect(try model(project, "m").sql == "\nselect 'table' as m, 'x' as t")
    }

    /// Jinja in a generic test's `config:` is rendered before it is typed.
    @Test func jinjaInATestsConfigIsRenderedFirst() throws {
        let project = try TestProject.dbt([
            "models/m.sql": "select 1 as id",
            "models/schema.yml": """
                models:
                  - name: m
                    columns:
                      - name: id
                        data_tests:
                          - unique:
                              config:
                                enabled: "{{ target.name != 'demo' }}"
                                severity: "{{ 'warn' if target.name == 'dev' else 'error' }}"
                          - not_null:
                              config:
                                enabled: "{{ target.name == 'demo' }}"

                """,
        ])
        let output = project.compile()
        #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
        let tests = try #require(output.artifacts?.tests)
        #expect(tests.map(\.name) == ["unique_m_id"])
        #expect(tests.first?.severity == .warn)
    }

    /// dbt's `builtins.ref`, `incremental_strategy=none` as the default, `error_if: "=0"`,
    /// `modules.datetime.datetime.today()`, and a
    /// `{% raw %}` tag in a SQL comment (it is text, not Jinja left over).
    @Test func smallConstructsRealProjectsUse() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "select 1 as x",
            "models/b.sql": "{{ config(materialized='table') }}\nselect * from {{ builtins.ref('a') }}\n-- {% raw %}{{ not rendered }}{% endraw %}",
            "models/c.sql": "{{ config(materialized='incremental', incremental_strategy=none, unique_key='x') }}\nselect 1 as x",
            "models/d.sql": "select {{ modules.datetime.datetime.today().year }} as y",
            "models/schema.yml": """
                models:
                  - name: a
                    columns:
                      - name: x
                        data_tests: [{not_null: {config: {error_if: "=0", warn_if: "= 2"}}}]

                """,
        ])
        let output = project.compile()
        #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
        let plan = try #require(output.artifacts)
        #expect(plan.models.first { $0.name == "b" }?.sql == "\nselect * from \"floe-dev\".\"a\"\n-- {{ not rendered }}")
        #expect(plan.models.first { $0.name == "c" }?.incrementalStrategy == .deleteInsert)
        // datetime.today() is the compile's time (SOURCE_DATE_EPOCH's, here 2023-11-14).
        #expect(plan.models.first { $0.name == "d" }?.sql == "select 2023 as y")
        #expect(plan.tests.first?.errorIf == "==0" && plan.tests.first?.warnIf == "==2")
    }

    /// dbt's pre-1.0 `source-paths` and `data-paths`, which dbt 1.11 still reads.
    @Test func olderPathKeysAreRead() throws {
        let project = try TestProject.dbt([
            "src/m.sql": "select * from {{ ref('rows') }}",
            "data/rows.csv": "id\n1\n",
        ], projectExtra: "source-paths: [src]\ndata-paths: [data]\n")
        let output = project.compile()
        #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
        #expect(output.artifacts?.models.map(\.name) == ["m"] && output.artifacts?.seeds.map(\.name) == ["rows"])
    }

    /// A package's node calls its own package's macros by bare name, and they win over the root
    /// project's of the same name there, as dbt resolves names (package, root, dbt); a root node
    /// finds the root's.
    @Test func aPackageNodeFindsItsOwnMacrosFirst() throws {
        let project = try TestProject.dbt([
            "packages.yml": "packages:\n  - local: dbt_packages/pkg\n",
            "dbt_packages/pkg/dbt_project.yml": "name: pkg\n",
            "dbt_packages/pkg/macros/m.sql": "{% macro my_cols() %}1 as from_pkg{% endmacro %}{% macro shared() %}'pkg'{% endmacro %}",
            "dbt_packages/pkg/models/pkg_model.sql": "select {{ my_cols() }}, {{ shared() }} as which",
            "macros/m.sql": "{% macro shared() %}'root'{% endmacro %}",
            "models/root_model.sql": "select {{ shared() }} as which, {{ pkg.shared() }} as p",
        ])
        let output = project.compile()
        #expect(!output.diagnostics.hasErrors, "\(output.diagnostics)")
        let sql = Dictionary(uniqueKeysWithValues: (output.artifacts?.models ?? []).map { ($0.name, $0.sql) })
        #expect(sql["pkg_model"] == "select 1 as from_pkg, 'pkg' as which")
        #expect(sql["root_model"] == "select 'root' as which, 'pkg' as p")
    }

    /// A `{% materialization %}` block is read, so a package that ships one compiles; a model
    /// configured to use one gets a located error.
    @Test func aMaterializationBlockIsReadAndAModelUsingItIsALocatedError() throws {
        var files = [
            "macros/mat.sql": """
                {% materialization my_table, adapter='postgres', supported_languages=['sql'] %}
                  {% call statement('main') -%} create table {{ this }} as ({{ sql }}) {%- endcall %}
                  {{ return({'relations': [this]}) }}
                {% endmaterialization %}
                {% macro helper() %}1{% endmacro %}
                """,
            "models/a.sql": "select {{ helper() }} as x",
        ]
        #expect(try TestProject.dbt(files).messages().isEmpty)
        files["models/b.sql"] = "{{ config(materialized='my_table') }}\nselect 1 as y"
        #expect(try TestProject.dbt(files).messages() == [
            "dbt/models/b.sql:1:4: error: config.materialized: unknown materialization 'my_table'; expected 'view', 'table', 'incremental' or 'ephemeral'\n"
                + "  hint: floe builds these itself; a custom materialization ({% materialization my_table %}) is read, not run: configure one of them",
        ])
    }

    /// What the second round of public projects showed (codegen, cal-itp, mattermost, elementary):
    /// dbt's naming macros are callable (and a root override is what they call); `{% materialization
    /// name, default %}`; a dispatch with an installed namespace searches the root project first;
    /// a `config:` written inside a test's `arguments:` is its config.
    @Test func namingMacrosDispatchAndTestsAsTheSecondRoundWroteThem() throws {
        var files = [
            "macros/m.sql": """
                {% materialization insert_by_period, default -%}{{ return({'relations': []}) }}{%- endmaterialization %}
                {% macro my_test(model) %}{{ return(adapter.dispatch('my_test', 'pkg')(model)) }}{% endmacro %}
                {% macro default__my_test(model) %}'root'{% endmacro %}
                """,
            "packages.yml": "packages:\n  - local: dbt_packages/pkg\n",
            "dbt_packages/pkg/dbt_project.yml": "name: pkg\n",
            "dbt_packages/pkg/macros/p.sql": "{% macro default__my_test(model) %}'pkg'{% endmacro %}",
            "models/a.sql": "select '{{ generate_schema_name('x') }}' as s, '{{ generate_schema_name(none) }}' as t, "
                + "'{{ generate_alias_name(none, {'name': 'n', 'version': 2}) }}' as u, {{ my_test('a') }} as which",
            "models/schema.yml": """
                models:
                  - name: a
                    data_tests:
                      - dbt_utils_like:
                          arguments:
                            expression: "1 = 1"
                            config: {severity: warn}
                """,
            "macros/t.sql": "{% test dbt_utils_like(model, expression) %}select 1 where not ({{ expression }}){% endtest %}",
        ]
        var output = try TestProject.dbt(files).compile()
        #expect(!output.diagnostics.hasErrors, "\(output.diagnostics)")
        #expect(output.artifacts?.models.first?.sql == "select 'floe-dev_x' as s, 'floe-dev' as t, 'n_v2' as u, 'root' as which")
        #expect(output.artifacts?.tests.first?.severity == .warn)
        #expect(output.diagnostics.map(\.message) == ["'config' belongs beside 'arguments', not in it: it is taken as the test's config, as dbt 1.11 does"])
        // The root project's override is what both the compiler's naming and a caller get.
        files["macros/names.sql"] = "{% macro generate_schema_name(custom, node) %}custom_{{ custom or 'none' }}{% endmacro %}"
        output = try TestProject.dbt(files).compile()
        #expect(output.artifacts?.models.first?.sql.hasPrefix("select 'custom_x' as s, 'custom_none' as t") == true)
        #expect(output.artifacts?.models.first?.relation.schema == "custom_none")
    }

    /// A custom generic test with a `where` config tests only the rows it selects: its macro gets
    /// dbt's `get_where_subquery(model)` (the filter was dropped for every test but the built-in
    /// four, so such a test silently ran over the whole table).
    @Test func aCustomTestsWhereConfigFiltersItsModel() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "select 1 as id",
            "macros/t.sql": "{% test expr(model, expression, column_name=None) %}select 1 from {{ model }} where not({{ column_name }} {{ expression }}){% endtest %}",
            "models/s.yml": """
                models:
                  - name: a
                    columns:
                      - name: id
                        data_tests:
                          - expr: {arguments: {expression: "= 2"}, config: {where: "id = 5"}}
                          - expr: {arguments: {expression: "= 3"}}
                """,
        ])
        let output = project.compile()
        #expect(!output.diagnostics.hasErrors, "\(output.diagnostics)")
        #expect(output.artifacts?.tests.map(\.sql).sorted() == [
            #"select 1 from "floe-dev"."a" where not(id = 3)"#,
            #"select 1 from (select * from "floe-dev"."a" where id = 5) dbt_subquery where not(id = 2)"#,
        ])
    }

    /// dbt's `api`: `api.Relation.create`, `api.Column` and `translate_type`.
    @Test func theApiObjectMakesRelationsAndColumns() throws {
        let project = try TestProject.dbt([
            "models/m.sql": """
                {% set r = api.Relation.create(database=none, schema='raw', identifier='orders') %}
                {% set c = api.Column.create('amount', 'FLOAT') %}
                select '{{ r.identifier }}' as t, '{{ r }}' as full_name, '{{ c.name }} {{ c.data_type }}' as col,
                  '{{ api.Column.translate_type('STRING') }}' as s, '{{ api.Column('id', 'integer').quoted }}' as q
                """,
        ])
        #expect(try model(project, "m").sql.hasSuffix(#"select 'orders' as t, '"raw"."orders"' as full_name, 'amount real' as col,"#
            + "\n  'text' as s, '\"id\"' as q"))
    }

    /// A package's tests read the package's own vars in their arguments.
    @Test func aPackagesTestsReadItsVars() throws {
        let project = try TestProject.dbt([
            "packages.yml": "packages:\n  - local: dbt_packages/pkg\n",
            "dbt_packages/pkg/dbt_project.yml": "name: pkg\nvars: {pkg_statuses: [placed, shipped]}\n",
            "dbt_packages/pkg/models/pkg_orders.sql": "select 'placed' as status",
            "dbt_packages/pkg/models/schema.yml": """
                models:
                  - name: pkg_orders
                    columns:
                      - name: status
                        data_tests:
                          - accepted_values: {values: "{{ var('pkg_statuses') }}"}

                """,
        ])
        let output = project.compile()
        #expect(!output.diagnostics.hasErrors, "\(output.diagnostics)")
        #expect(output.artifacts?.tests.first?.sql.contains("not in ('placed', 'shipped')") == true, "\(output.artifacts?.tests.first?.sql ?? "")")
    }

    /// A root model may take the name of a package's model the project disables; with both
    /// enabled, the name is an error.
    @Test func aDisabledPackageModelsNameMayBeReused() throws {
        var files = [
            "packages.yml": "packages:\n  - local: dbt_packages/pkg\n",
            "dbt_packages/pkg/dbt_project.yml": "name: pkg\n",
            "dbt_packages/pkg/models/customers.sql": "select 'pkg' as origin",
            "models/customers.sql": "select 'root' as origin",
            "models/report.sql": "select * from {{ ref('customers') }}",
        ]
        let disabled = try TestProject.dbt(files, projectExtra: "models:\n  pkg:\n    customers:\n      +enabled: false\n")
        let output = disabled.compile()
        #expect(!output.diagnostics.hasErrors, "\(output.diagnostics)")
        #expect(output.artifacts?.models.first { $0.name == "report" }?.dependsOn == ["model.shop.customers"])
        files["models/other.sql"] = "select 1 as x"
        #expect(try TestProject.dbt(files).messages() == [
            "dbt/dbt_packages/pkg/models/customers.sql:1:1: error: two nodes are named 'customers'\n"
                + "  hint: the other is dbt/models/customers.sql; rename one of them (ref() finds nodes by name)",
        ])
    }
}
