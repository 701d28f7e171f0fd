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
}
