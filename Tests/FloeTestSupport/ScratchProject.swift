import FloeCompiler
import FloeConnect
import FloeContract
import FloeEngine
import FloeRuntime
import FloeSemantic
import Foundation
import Testing

/// A small project written file by file in a temporary directory: the platform.yaml an engine's
/// suite gives (its environment `dev` of namespace `namespace`), floe.yaml, dbt_project.yml with
/// `vars: {batch: 1}` and a three-row `events` seed; compiled in `dev` and applied with the
/// adapters the suite registered.
public struct ScratchProject {
    public let directory: URL
    public let namespace: String
    public let environment: [String: String]
    private let cleanup: () -> Void

    /// `cleanup` runs on `remove()`, before the directory goes (dropping a test database).
    public init(platform: String, namespace: String, environment: [String: String] = [:], cleanup: @escaping () -> Void = {}) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-scratch-\(UUID().uuidString)")
        self.namespace = namespace
        self.environment = environment
        self.cleanup = cleanup
        try write("platform.yaml", platform)
        try write("floe.yaml", "name: shop\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n")
        try write("dbt/dbt_project.yml", "name: shop\nvars: { batch: 1 }\n")
        try write("dbt/seeds/events.csv", "id,kind,amount\n1,a,10\n2,b,20\n3,a,30\n")
    }

    public func write(_ path: String, _ text: String) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    public func remove() {
        cleanup()
        try? FileManager.default.removeItem(at: directory)
    }

    public func plan(vars: String = "{}") throws -> CompiledArtifacts {
        try DemoProduct.plan(in: directory, environment: "dev", vars: vars)
    }

    public func connection() throws -> any EngineConnection {
        try PlanConnection.open(try plan(), projectDirectory: directory.path, environment: environment).connection
    }

    /// `floe build` with `vars`; a run that does not succeed is an issue of the calling test
    /// unless `expectSuccess` is false.
    @discardableResult
    public func apply(vars: String = "{}", fullRefresh: Bool = false, expectSuccess: Bool = true,
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResults {
        let options = ApplyOptions(mode: .build, fullRefresh: fullRefresh, projectDirectory: directory.path, environment: environment)
        let results = try PlanRunner(plan: RunnablePlan(withRollupsOf: plan(vars: vars)), options: options).run()
        if expectSuccess, !results.success {
            let problems = results.results.filter { ![.success, .pass, .upToDate].contains($0.status) }.map { "\($0.name): \($0.message ?? "")" }
            Issue.record("the run failed: \(problems)", sourceLocation: sourceLocation)
        }
        return results
    }

    /// The rows of `sql`, each value as text (`null` for none).
    public func rows(_ sql: String) throws -> [[String]] {
        try connection().query(sql).rows.map { $0.map { $0.displayText ?? "null" } }
    }
}
