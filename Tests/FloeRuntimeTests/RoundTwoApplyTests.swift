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
}
