import FloeCompiler
import FloeContract
import FloeCore
import Testing

/// dbt's model versions (`versions:`, `latest_version`, `ref(…, v=…)`, `defined_in`, columns
/// per version, the `_v<N>` relations, the latest version pointer) and model access (groups,
/// private models).
@Suite struct DbtVersionsAndAccessTests {
    static let versioned: [String: String] = [
        "seeds/raw_customers.csv": "id,name,country\n1,Ann,NL\n",
        "models/dim_customers_v1.sql": "select id as customer_id, name, country from {{ ref('raw_customers') }}",
        "models/customers_next.sql": "select id as customer_id, name from {{ ref('raw_customers') }}",
        "models/dim_customers.sql": "select id as customer_id, upper(name) as name from {{ ref('raw_customers') }}",
        "models/report.sql": "select * from {{ ref('dim_customers') }} join {{ ref('dim_customers', v=1) }} using (customer_id)"
            + " join {{ ref('dim_customers', version=3) }} using (customer_id)",
        "models/schema.yml": """
            models:
              - name: dim_customers
                latest_version: 2
                config: {materialized: table, latest_version_pointer: {enabled: true}}
                columns:
                  - name: customer_id
                    data_tests: [unique]
                  - name: name
                  - name: country
                    data_tests: [not_null]
                versions:
                  - v: 1
                  - v: 2
                    columns:
                      - include: all
                        exclude: [country]
                  - v: 3
                    defined_in: customers_next

            """,
    ]

    @Test func eachVersionIsANodeWithItsRelationAndAnUnpinnedRefFindsTheLatest() throws {
        let project = try TestProject.dbt(Self.versioned)
        let output = project.compile()
        #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
        let plan = try #require(output.artifacts)
        let versions = plan.models.filter { $0.name == "dim_customers" }.sorted { $0.uniqueID < $1.uniqueID }
        #expect(versions.map(\.uniqueID) == ["model.shop.dim_customers.v1", "model.shop.dim_customers.v2", "model.shop.dim_customers.v3"])
        #expect(versions.map(\.relation.name) == ["dim_customers_v1", "dim_customers_v2", "dim_customers_v3"])
        // v2, the latest (latest_version says so though v3 exists), is defined in dim_customers.sql.
        #expect(versions[1].path.hasSuffix("models/dim_customers.sql") && versions[2].path.hasSuffix("models/customers_next.sql"))
        let report = try #require(plan.models.first { $0.name == "report" })
        // A view on SQLite names relations of its own schema unqualified.
        #expect(report.sql == #"select * from "dim_customers_v2" join "dim_customers_v1" using (customer_id) join "dim_customers_v3" using (customer_id)"#)
        #expect(report.dependsOn == ["model.shop.dim_customers.v1", "model.shop.dim_customers.v2", "model.shop.dim_customers.v3"])
        // Tests per version, named as dbt names them; v2 excludes country, so it has no not_null test.
        #expect(plan.tests.map(\.name).sorted() == [
            "not_null_dim_customers_v1_country", "not_null_dim_customers_v3_country", "unique_dim_customers_v1_customer_id",
            "unique_dim_customers_v2_customer_id", "unique_dim_customers_v3_customer_id",
        ])
        // The latest version pointer: a view named after the model over the latest version.
        #expect(versions[1].postHooks == [#"drop view if exists "floe-dev"."dim_customers""#,
                                          "create view \"floe-dev\".\"dim_customers\" as\nselect * from \"floe-dev\".\"dim_customers_v2\""])
        #expect(versions[0].postHooks.isEmpty && versions[2].postHooks.isEmpty)
    }

    @Test func aVersionWithoutItsFileIsALocatedError() throws {
        var files = Self.versioned
        files["models/schema.yml"] = files["models/schema.yml"]!.replacingOccurrences(of: "defined_in: customers_next", with: "defined_in: customers_later")
        let project = try TestProject.dbt(files)
        #expect(project.messages() == [
            "dbt/models/schema.yml:17:12: error: versions: version 3 of model 'dim_customers' has no file: expected customers_later.sql\n"
                + "  hint: name the file customers_later.sql, or point `defined_in:` at the file that defines it",
        ])
    }

    @Test func aRefToAVersionThatDoesNotExistIsALocatedError() throws {
        var files = Self.versioned
        files["models/report.sql"] = "select * from {{ ref('dim_customers', v=7) }}"
        files["models/report_base.sql"] = "select 1 as customer_id"
        files["models/report_two.sql"] = "select 1 as x\nunion all select * from {{ ref('report_base', v=1) }}"
        let project = try TestProject.dbt(files)
        #expect(project.messages() == [
            "dbt/models/report.sql:1:18: error: ref('dim_customers', v=7): model 'dim_customers' has no version 7\n  hint: its versions: 1, 2, 3",
            "dbt/models/report_two.sql:2:28: error: ref('report_base', v=1): model 'report_base' has no versions\n"
                + "  hint: declare them under the model's `versions:` in a properties file, or ref('report_base') without a version",
        ])
    }

    static let grouped: [String: String] = [
        "models/finance_base.sql": "select 1 as id",
        "models/finance_report.sql": "select * from {{ ref('finance_base') }}",
        "models/marketing.sql": "select * from {{ ref('finance_base') }}",
        "models/schema.yml": """
            groups:
              - name: finance
                owner: {name: Finance team, email: finance@example.com}
            models:
              - name: finance_base
                access: private
                config: {group: finance}
              - name: finance_report
                config: {group: finance, access: public}

            """,
    ]

    @Test func aPrivateModelIsRefdOnlyByItsGroup() throws {
        let project = try TestProject.dbt(Self.grouped)
        #expect(project.messages() == [
            "dbt/models/marketing.sql:1:18: error: model.shop.marketing attempted to reference model.shop.finance_base, which is not "
                + "allowed because the referenced node is private to the 'finance' group\n"
                + "  hint: put marketing in group 'finance', or make finance_base protected or public",
        ])
    }

    @Test func aPrivateModelNeedsADeclaredGroup() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "select 1 as id",
            "models/b.sql": "select 1 as id",
            "models/c.sql": "select 1 as id",
            "models/schema.yml": """
                groups: [{name: finance, owner: {name: Finance}}]
                models:
                  - name: a
                    config: {access: private}
                  - name: b
                    config: {group: fianance}
                  - name: c
                    config: {access: secret}

                """,
        ])
        #expect(project.messages() == [
            "dbt/models/a.sql:1:1: error: config.access: model 'a' is private, which needs a group\n"
                + "  hint: add `group: <name>` to its config; only that group's models may ref() it",
            "dbt/models/b.sql:1:1: error: config.group: model 'b' is in group 'fianance', which is not declared\n  hint: did you mean 'finance'?",
            "dbt/models/schema.yml:8:22: error: config.access: expected private, protected or public for 'access', got a string",
        ])
    }
}
