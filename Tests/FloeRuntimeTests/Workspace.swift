import FloeCompiler
import FloeConnect
import FloeContract
import FloeEngine
import FloeRuntime
import FloeSQLite
import FloeSemantic
import Foundation

/// A throwaway copy of a fixture project (or a project written file by file), compiled and
/// applied in process against a real SQLite file in the copy's `.floe/`.
struct Workspace {
    let directory: URL

    /// The engines the tests run plans on.
    static let adapters: Void = SQLiteAdapter.register()

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A copy of `Fixtures/<name>`.
    init(fixture name: String) throws {
        Self.adapters
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-runtime-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(name), to: directory)
    }

    /// An empty directory, for a project written file by file.
    init(empty: Void) throws {
        Self.adapters
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-runtime-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// A copy of another workspace's files, with its warehouse (`.floe/`) or without.
    init(cloning other: Workspace, withWarehouse: Bool) throws {
        Self.adapters
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-runtime-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: other.directory, to: directory)
        if !withWarehouse { try? FileManager.default.removeItem(at: directory.appendingPathComponent(".floe")) }
    }

    /// A copy of the product directory `product`, with the platform.yaml at `platform` (relative
    /// to it) copied beside its floe.yaml.
    init(copying product: URL, platform: String) throws {
        Self.adapters
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-runtime-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: product, to: directory)
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("target"))
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(".floe"))
        try FileManager.default.copyItem(at: product.appendingPathComponent(platform).standardizedFileURL,
                                         to: directory.appendingPathComponent("platform.yaml"))
    }

    func write(_ path: String, _ contents: String) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    func append(_ path: String, _ contents: String) throws {
        let url = directory.appendingPathComponent(path)
        let existing = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        try write(path, existing + contents)
    }

    func remove(_ path: String) throws {
        try FileManager.default.removeItem(at: directory.appendingPathComponent(path))
    }

    struct CompileFailed: Error, CustomStringConvertible {
        var description: String
    }

    func compile() throws -> CompiledArtifacts {
        let output = ProjectCompiler.compile(CompileOptions(
            specPath: directory.appendingPathComponent("floe.yaml").path,
            platformPath: directory.appendingPathComponent("platform.yaml").path,
            environment: "dev", compiledAt: Date(timeIntervalSince1970: 1_700_000_000), processEnvironment: [:]))
        guard let plan = output.artifacts else {
            throw CompileFailed(description: output.diagnostics.map { "\($0)" }.joined(separator: "\n"))
        }
        return plan
    }

    /// Compiles and applies; `environment` is the process environment the runner sees.
    @discardableResult
    func apply(
        mode: ApplyOptions.Mode = .build, select: [String] = [], exclude: [String] = [], fullRefresh: Bool = false,
        environment: [String: String] = [:], plan: CompiledArtifacts? = nil
    ) throws -> RunResults {
        let options = ApplyOptions(mode: mode, select: select, exclude: exclude, fullRefresh: fullRefresh, threads: 2,
                                   projectDirectory: directory.path, environment: environment)
        return try PlanRunner(plan: RunnablePlan(withRollupsOf: plan ?? compile()), options: options).run()
    }

    /// A connection to the applied database, as the runner opens it.
    func connection(plan: CompiledArtifacts? = nil) throws -> any EngineConnection {
        let plan = try plan ?? compile()
        let path = directory.appendingPathComponent(".floe/dev.db").path
        return try SQLiteEngine(databasePath: path, namespace: plan.environment.namespace, schemas: []).connect()
    }

    /// Every row of a query as text, `null` for NULL, for comparing contents.
    func rows(_ sql: String, plan: CompiledArtifacts? = nil) throws -> [[String]] {
        try connection(plan: plan).query(sql).rows.map { $0.map { $0.displayText ?? "null" } }
    }

    func scalar(_ sql: String) throws -> String? {
        try rows(sql).first?.first
    }
}

extension RunResults {
    func status(_ name: String) -> NodeResult.Status? {
        results.first { $0.name == name }?.status
    }

    func result(_ name: String) -> NodeResult? {
        results.first { $0.name == name }
    }
}
