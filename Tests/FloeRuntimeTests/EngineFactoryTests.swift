import FloeConnect
import FloeContract
import FloeEngine
import FloeRuntime
import FloeSQLite
import Testing

/// Apply finds the engine by the compute profile's type among the adapters this build registered.
@Suite struct EngineFactoryTests {
    @Test func aComputeTypeWithoutAnAdapterNamesTheTypesThatCanRun() throws {
        let workspace = try Workspace(fixture: "shop")
        var plan = try workspace.compile()
        // A build with the SQLite adapter only: PostgreSQL has a dialect but no adapter.
        plan.profiles.compute.type = "postgres"
        let registry = EngineRegistry([SQLiteAdapter()])
        #expect {
            try EngineFactory.engine(for: plan, projectDirectory: workspace.directory.path,
                                     secrets: SecretResolver(settings: SecretSettings(mount: "/nonexistent"), environment: [:]), registry: registry)
        } throws: { error in
            "\(error)" == "compute type 'postgres' (profile '\(plan.profiles.compute.name)') cannot be applied by this build of floe; it can apply: sqlite"
        }
    }
}
