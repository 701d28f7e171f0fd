import FloeCompiler
import FloeConnect
import FloeContract
import FloeEngine
import FloeRuntime
import FloeSQLite
import FloeSemantic
import Foundation

/// The e-commerce demo product copied to a temporary directory, compiled, and (for the suites
/// that read data) built on SQLite once per test process.
struct DemoWarehouse: Sendable {
    let directory: URL
    let plan: CompiledArtifacts

    static let product = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../demo/data_engineering/ecommerce").standardizedFileURL
    static let platform = product.appendingPathComponent("../../platform/platform.yaml").standardizedFileURL
    /// A dbt project of our own whose semantic layer is dbt's (semantic models, metrics, saved queries).
    static let metricsProduct = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/metrics").standardizedFileURL

    /// Compiled only: for generated SQL.
    static let compiled: Result<DemoWarehouse, any Error> = Result { try DemoWarehouse(build: false) }
    /// Compiled and built with `floe build`'s work: for answers.
    static let built: Result<DemoWarehouse, any Error> = Result { try DemoWarehouse(build: true) }
    /// ``metricsProduct`` compiled and built.
    static let metrics: Result<DemoWarehouse, any Error> = Result { try DemoWarehouse(build: true, product: metricsProduct) }

    init(build: Bool, product: URL = DemoWarehouse.product) throws {
        SQLiteAdapter.register()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-semantic-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: product, to: directory)
        for leftover in ["target", ".floe"] { try? FileManager.default.removeItem(at: directory.appendingPathComponent(leftover)) }
        try FileManager.default.copyItem(at: Self.platform, to: directory.appendingPathComponent("platform.yaml"))
        let output = ProjectCompiler.compile(CompileOptions(
            specPath: directory.appendingPathComponent("floe.yaml").path,
            platformPath: directory.appendingPathComponent("platform.yaml").path,
            environment: "dev", compiledAt: Date(timeIntervalSince1970: 1_700_000_000), processEnvironment: [:]))
        guard let plan = output.artifacts else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: output.diagnostics.map { "\($0)" }.joined(separator: "\n")])
        }
        self.plan = plan
        if build {
            let options = ApplyOptions(mode: .build, threads: 2, projectDirectory: directory.path, environment: [:])
            let results = try PlanRunner(plan: RunnablePlan(withRollupsOf: plan), options: options).run()
            guard results.success else { throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "the demo did not build"]) }
        }
    }

    func connection() throws -> any EngineConnection {
        try PlanConnection.open(plan, projectDirectory: directory.path, environment: [:]).connection
    }

    /// Every row of hand-written SQL as text (`null` for NULL).
    func rows(_ sql: String) throws -> [[String]] {
        try connection().query(sql).rows.map { $0.map { $0.displayText ?? "null" } }
    }
}
