import FloeConnect
import FloeContract
import FloeRuntime
import FloeSemantic
import Foundation
import Testing

/// dbt_project.yml's `on-run-start` and `on-run-end`: rendered at compile, run before the first
/// node and after the last, reported as operations; a failing start hook builds nothing.
@Suite struct RunHookTests {
    func workspace(start: String, end: String) throws -> Workspace {
        let workspace = try Workspace(empty: ())
        try workspace.write("floe.yaml", "name: hooks\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n")
        try workspace.write("platform.yaml", "version: \"1\"\ncompute: { default: { type: sqlite, path: \".floe/{environment}.db\" } }\n")
        try workspace.write("dbt/dbt_project.yml", "name: hooks\non-run-start:\n\(start)\non-run-end: \(end)\n")
        try workspace.write("dbt/models/one.sql", "select 1 as id")
        return workspace
    }

    @Test func hooksRunAroundTheNodes() throws {
        let workspace = try workspace(start: """
              - "create table if not exists \\"{{ target.schema }}\\".audit (event text, at_model int)"
              - "insert into \\"{{ target.schema }}\\".audit values ('start {{ target.name }}', 0)"
            """, end: "\"insert into \\\"{{ target.schema }}\\\".audit select 'end', count(*) from {{ ref('one') }}\"")
        let plan = try workspace.compile()
        #expect(plan.hooks?.onRunStart.count == 2)
        #expect(plan.hooks?.onRunEnd == [#"insert into "floe-dev".audit select 'end', count(*) from "floe-dev"."one""#]
            .map { $0.replacingOccurrences(of: "floe-dev", with: plan.environment.namespace) })
        let results = try workspace.apply()
        #expect(results.results.map(\.name) == ["on-run-start-1", "on-run-start-2", "one", "on-run-end-1"])
        #expect(results.results.filter { $0.resourceType == .operation }.allSatisfy { $0.status == .success })
        #expect(results.counts.built == 1)
        #expect(try workspace.rows(#"select event, at_model from "\#(plan.environment.namespace)".audit order by rowid"#)
            == [["start dev", "0"], ["end", "1"]])
    }

    @Test func aFailingStartHookBuildsNothing() throws {
        let workspace = try workspace(start: "  - \"insert into no_such_table values (1)\"\n  - \"select 1\"", end: "\"select 1\"")
        let results = try workspace.apply()
        #expect(results.result("on-run-start-1")?.status == .error)
        #expect(results.result("on-run-start-1")?.message?.contains("no such table: no_such_table") == true)
        #expect(results.result("on-run-start-2")?.status == .skipped)
        #expect(results.result("one") == nil, "nothing is built after a failing on-run-start")
        #expect(results.result("on-run-end-1")?.status == .success)
        #expect(!results.success)
    }
}

/// Exposures reach the plan with what they read, and are listed and selected as dbt's are.
@Suite struct ExposureTests {
    @Test func exposuresAreListedAndSelectable() throws {
        let workspace = try Workspace(empty: ())
        try workspace.write("floe.yaml", "name: expo\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n")
        try workspace.write("platform.yaml", "version: \"1\"\ncompute: { default: { type: sqlite, path: \".floe/{environment}.db\" } }\n")
        try workspace.write("dbt/dbt_project.yml", "name: expo\n")
        try workspace.write("dbt/models/a.sql", "select 1 as id")
        try workspace.write("dbt/models/b.sql", "select * from {{ ref('a') }}")
        try workspace.write("dbt/models/c.sql", "select 2 as id")
        try workspace.write("dbt/analyses/explore.sql", "select count(*) from {{ ref('b') }}")
        try workspace.write("dbt/models/exposures.yml", """
            exposures:
              - name: weekly
                type: dashboard
                owner: {name: Ann, email: ann@example.com}
                url: https://bi.example.com/weekly
                depends_on: [ref('b'), "{{ ref('c') }}"]
            """)
        let plan = try workspace.compile()
        #expect(plan.exposures == [CompiledExposure(uniqueID: "exposure.expo.weekly", name: "weekly", type: "dashboard",
                                                    path: "dbt/models/exposures.yml", owner: "Ann", url: "https://bi.example.com/weekly",
                                                    dependsOn: ["model.expo.b", "model.expo.c"])])
        // An analysis is compiled, with what it reads, and never run.
        #expect(plan.analyses == [CompiledAnalysis(uniqueID: "analysis.expo.explore", name: "explore", path: "dbt/analyses/explore.sql",
                                                   sql: #"select count(*) from "\#(plan.environment.namespace)"."b""#, dependsOn: ["model.expo.b"])])
        let upstream = try PlanListing.nodes(in: RunnablePlan(withRollupsOf: plan), select: ["+exposure:weekly"], exclude: []).nodes
        #expect(upstream.map(\.name) == ["a", "b", "c", "weekly"])
        #expect(upstream.last?.resourceType == "exposure")
        // Nothing is built for it.
        let results = try workspace.apply()
        #expect(results.results.map(\.name).sorted() == ["a", "b", "c"])
    }
}
