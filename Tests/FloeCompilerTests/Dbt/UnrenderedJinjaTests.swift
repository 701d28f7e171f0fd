import FloeCompiler
import FloeContract
import FloeCore
import Testing

/// No Jinja reaches the plan unrendered: vars holding templates, generic tests' arguments and
/// `{{ doc() }}` descriptions are rendered as dbt renders them; what cannot be is an error.
@Suite struct UnrenderedJinjaTests {
    func plan(_ project: TestProject) throws -> CompiledArtifacts {
        let output = project.compile(environment: "dev", vars: nil)
        let errors = output.diagnostics.filter { $0.severity == .error }
        try #require(errors.isEmpty, "\(errors)")
        return try #require(output.artifacts)
    }

    @Test func varsHoldingTemplatesRenderWhereTheyAreUsed() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "select '{{ var(\"schema_name\") }}' as s, '{{ var(\"label\") }}' as l, {{ var('limit') }} as n",
        ], projectExtra: """
            vars:
              schema_name: "{{ target.schema }}_raw"
              label: "{{ var('schema_name') | upper }}"
              limit: 5
            """)
        let a = try #require(try plan(project).models.first)
        #expect(a.sql == "select 'floe-dev_raw' as s, 'FLOE-DEV_RAW' as l, 5 as n")
    }

    @Test func aVarThatNamesItselfIsAnError() throws {
        let project = try TestProject.dbt(["models/a.sql": "select '{{ var(\"loop\") }}' as s"],
                                          projectExtra: "vars:\n  loop: \"{{ var('loop') }}\"\n")
        let messages = project.messages()
        #expect(messages.contains { $0.contains("a.sql:1:") && $0.contains("var 'loop' refers to itself: loop → loop") }, "\(messages)")
    }

    @Test func testArgumentsRenderNatively() throws {
        let project = try TestProject.dbt([
            "models/parent.sql": "select 1 as id",
            "models/child.sql": "select 1 as id, 'a' as status",
            "models/child.yml": """
                models:
                  - name: child
                    columns:
                      - name: status
                        data_tests:
                          - accepted_values:
                              arguments: {values: "{{ var('statuses') }}"}
                      - name: id
                        data_tests:
                          - relationships:
                              arguments: {to: "{{ ref('parent') }}", field: id}
                """,
        ], projectExtra: "vars:\n  statuses: [a, b]\n")
        let tests = try plan(project).tests
        let accepted = try #require(tests.first { $0.testName == "accepted_values" })
        // Named from the argument as written, as dbt names it; run with the var's list.
        #expect(accepted.name == "accepted_values_child_status___var_statuses_")
        #expect(accepted.sql.contains("not in ('a','b')") || accepted.sql.contains("not in ('a', 'b')"), "\(accepted.sql)")
        let relationships = try #require(tests.first { $0.testName == "relationships" })
        #expect(relationships.sql.contains(#""floe-dev"."parent""#), "\(relationships.sql)")
        #expect(relationships.dependsOn.contains("model.shop.parent"))
        #expect(!tests.contains { $0.sql.contains("{{") })
    }

    @Test func descriptionsPullInDocsBlocks() throws {
        let project = try TestProject.dbt([
            "models/orders.sql": "select 1 as id",
            "models/docs.md": "{% docs orders %}\nOne row per order.\n{% enddocs %}\n\n{%- docs order_id -%} The key. {%- enddocs -%}\n",
            "models/orders.yml": """
                models:
                  - name: orders
                    description: "{{ doc('orders') }}"
                    columns:
                      - name: id
                        description: "{{ doc('order_id') }} Never null."
                """,
        ])
        let orders = try #require(try plan(project).models.first)
        #expect(orders.description == "One row per order.")
        #expect(orders.columns.first?.description == "The key. Never null.")

        try project.write("dbt/models/orders.yml", "models:\n  - name: orders\n    description: \"{{ doc('order') }}\"\n")
        let messages = project.messages()
        #expect(messages.contains { $0.contains("orders.yml:2:") && $0.contains("no docs block named 'order'") && $0.contains("did you mean 'orders'") },
                "\(messages)")
    }

    @Test func sqlStillHoldingJinjaIsAnError() throws {
        let project = try TestProject.dbt(["models/a.sql": "select '{{ \"{{ not rendered }}\" }}' as s"])
        let messages = project.messages()
        #expect(messages.contains { $0.contains("a.sql") && $0.contains("Jinja reached the SQL of a unrendered: {{ not rendered }}") }, "\(messages)")
    }
}
