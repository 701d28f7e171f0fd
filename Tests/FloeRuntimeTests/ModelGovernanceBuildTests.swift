import FloeSQLite
import FloeTestSupport
import Testing

/// dbt's model contracts and versions on SQLite (the scenarios PostgreSQL runs too): constraints
/// enforced by the table, columns checked by name (SQLite gives an expression's column no type).
@Suite struct ModelGovernanceBuildTests {
    static func project() throws -> ScratchProject {
        SQLiteAdapter.register()
        return try ScratchProject(platform: """
            version: "1"
            compute: { default: { type: sqlite, path: ".floe/{environment}.db" } }
            storage: { default: { type: local, path: .floe/storage } }
            catalogs: { default: { type: none } }
            environments: { dev: { namespace: shop } }
            """, namespace: "shop")
    }

    @Test func aViolatingRowFailsTheBuildAndKeepsTheTable() throws {
        let project = try Self.project()
        defer { project.remove() }
        try ModelGovernanceScenarios.aViolatingRowFailsTheBuildAndKeepsTheTable(project, table: #""shop"."scores""#)
    }

    @Test func aSelectStarThatBreaksTheContractFailsBeforeBuilding() throws {
        let project = try Self.project()
        defer { project.remove() }
        try ModelGovernanceScenarios.aSelectStarThatBreaksTheContractFailsBeforeBuilding(project, table: #""shop"."scores""#, typed: false)
    }

    @Test func eachVersionIsBuiltWithItsPointer() throws {
        let project = try Self.project()
        defer { project.remove() }
        try ModelGovernanceScenarios.eachVersionIsBuiltWithItsPointer(project, schema: #""shop""#)
    }
}
