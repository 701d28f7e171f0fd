import FloeCompiler
import FloeContract
import FloeCore
import Testing

/// dbt's model contracts at compile: the plan carries the columns and constraints, and every
/// mistake dbt refuses is a located error (mismatches where the SQL names its columns).
@Suite struct DbtContractCompileTests {
    static let properties = """
        models:
          - name: customers
            config:
              materialized: table
              contract: {enforced: true}
            constraints:
              - type: unique
                columns: [customer_name, tier]
                name: one_name_per_tier
            columns:
              - name: customer_id
                data_type: integer
                constraints: [{type: not_null}, {type: primary_key}]
              - name: customer_name
                data_type: text
              - name: tier
                data_type: integer
                constraints:
                  - {type: check, expression: "tier between 1 and 3"}

        """

    @Test func theContractReachesThePlanAndItsFingerprint() throws {
        let project = try TestProject.dbt([
            "models/customers.sql": "select 1 as customer_id, 'a' as customer_name, 2 tier",
            "models/schema.yml": Self.properties,
        ])
        let output = project.compile()
        #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
        let model = try #require(output.artifacts?.models.first)
        #expect(model.contract == ModelContract(
            columns: [.init(name: "customer_id", dataType: "integer"), .init(name: "customer_name", dataType: "text"),
                      .init(name: "tier", dataType: "integer")],
            constraints: [
                .init(type: .notNull, columns: ["customer_id"]), .init(type: .primaryKey, columns: ["customer_id"]),
                .init(type: .check, columns: ["tier"], expression: "tier between 1 and 3"),
                .init(type: .unique, columns: ["customer_name", "tier"], name: "one_name_per_tier"),
            ]))
        // Enforcing the contract changes the fingerprint: a table built without it is rebuilt.
        try project.write("dbt/models/schema.yml", Self.properties.replacingOccurrences(of: "enforced: true", with: "enforced: false"))
        let unenforced = try #require(project.compile().artifacts?.models.first)
        #expect(unenforced.contract == nil && unenforced.fingerprint != model.fingerprint)
    }

    @Test func aSelectListThatDisagreesIsALocatedErrorNamingTheColumns() throws {
        let project = try TestProject.dbt([
            "models/customers.sql": "with c as (select 1 as id)\nselect id as customer_id, 'a' as customer_label, 2 as tier, 3 extra\nfrom c",
            "models/schema.yml": Self.properties,
        ])
        #expect(project.messages() == [
            "dbt/models/customers.sql:1:1: error: model 'customers' has an enforced contract that failed: the name, data_type and number "
                + "of its columns must match the columns its SQL returns\n"
                + "| column_name    | definition_type | contract_type | mismatch_reason       |\n"
                + "| -------------- | --------------- | ------------- | --------------------- |\n"
                + "| customer_name  |                 | text          | missing in definition |\n"
                + "| customer_label |                 |               | missing in contract   |\n"
                + "| extra          |                 |               | missing in contract   |\n"
                + "  hint: make the contract's columns (dbt/models/schema.yml) and the model's SELECT list agree",
        ])
    }

    /// `select *` cannot be checked from the text: the engine checks it at apply.
    @Test func aSelectListTheTextCannotNameIsLeftToApply() throws {
        let project = try TestProject.dbt([
            "models/raw.sql": "select 1 as customer_id",
            "models/customers.sql": "select * from {{ ref('raw') }}",
            "models/schema.yml": Self.properties,
        ])
        #expect(project.messages().isEmpty)
    }

    @Test func whatDbtRefusesInAContractIsAnError() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "select 1 as id",
            "models/b.sql": "select 1 as id",
            "models/c.sql": "select 1 as id",
            "models/schema.yml": """
                models:
                  - name: a
                    config: {materialized: table, contract: {enforced: true}}
                    columns:
                      - name: id
                  - name: b
                    config: {materialized: ephemeral, contract: {enforced: true}}
                    columns: [{name: id, data_type: int}]
                  - name: c
                    config: {materialized: table, contract: {enforced: true}}
                    columns:
                      - name: id
                        data_type: int
                        constraints: [{type: check}, {type: foreign_key}]

                """,
        ])
        #expect(project.messages() == [
            "dbt/models/b.sql:1:1: error: config.contract: model 'b': contracts are not supported for ephemeral models\n"
                + "  hint: enforce a contract on a table, an incremental model or a view",
            "dbt/models/schema.yml:2:11: error: columns: model 'a' enforces a contract, which requires a data_type for each column: id has none\n"
                + "  hint: give each column its type, such as `data_type: integer`",
            "dbt/models/schema.yml:14:23: error: constraints.expression: a check constraint needs an expression\n"
                + "  hint: such as `expression: \"amount >= 0\"`",
            "dbt/models/schema.yml:14:38: error: constraints: a foreign key needs `to:` and `to_columns:` (or an expression)\n"
                + "  hint: such as `to: ref('customers')` with `to_columns: [customer_id]`",
        ])
    }

    @Test func anEnforcedThatIsNotTrueOrFalseIsAnError() throws {
        let project = try TestProject.dbt([
            "models/c.sql": "select 1 as id",
            "models/schema.yml": "models:\n  - name: c\n    config: {contract: {enforced: yes please}}\n",
        ])
        #expect(project.messages() == ["dbt/models/schema.yml:3:24: error: config.contract.enforced: expected true or false for 'enforced'"])
    }

    @Test func constraintsTheEngineDoesNotEnforceAreWarnedAbout() throws {
        let project = try TestProject.dbt([
            "models/customers.sql": "select 1 as id",
            "models/orders.sql": "select 1 as id, 1 as customer_id",
            "models/v.sql": "select 1 as id",
            "models/schema.yml": """
                models:
                  - name: customers
                    config: {materialized: table, contract: {enforced: true}}
                    columns: [{name: id, data_type: integer, constraints: [{type: primary_key}]}]
                  - name: orders
                    config: {materialized: table, contract: {enforced: true}}
                    columns:
                      - {name: id, data_type: integer}
                      - name: customer_id
                        data_type: integer
                        constraints: [{type: foreign_key, to: "ref('customers')", to_columns: [id]}, {type: chek, expression: "1 = 1"}]
                  - name: v
                    config: {contract: {enforced: true}}
                    columns: [{name: id, data_type: integer, constraints: [{type: not_null}]}]

                """,
        ])
        #expect(project.messages() == [
            "dbt/models/schema.yml:11:23: warning: constraints: sqlite does not enforce foreign_key constraints; model 'orders' is built without it\n"
                + "  hint: test it instead (a relationships test), or set warn_unenforced: false",
            "dbt/models/schema.yml:11:86: error: constraints.type: unknown constraint type 'chek'\n  hint: did you mean 'check'?",
            "dbt/models/v.sql:1:1: warning: model 'v' is a view: its contract's columns are checked, its constraints (not_null, …) are not applied\n"
                + "  hint: materialize it as a table to enforce them",
        ])
    }
}
