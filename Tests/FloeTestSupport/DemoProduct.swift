import FloeCompiler
import FloeConnect
import FloeContract
import FloeEngine
import FloeRuntime
import FloeSemantic
import Foundation

/// A copy of a demo product in a temporary directory with the demo platform beside it, some of
/// its lines changed to point a profile at a test server: compiled, applied and connected to by
/// environment, as the engines' demo tests do.
public struct DemoProduct {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../demo").standardizedFileURL

    public let directory: URL
    /// What a run sees of the process environment (the secrets).
    public let environment: [String: String]

    /// Copies `name`; each `(from, to)` of `platformEdits` replaces a line of the demo platform,
    /// which must still hold it.
    public init(_ name: String, platformEdits: [(String, String)], environment: [String: String] = [:]) throws {
        self.environment = environment
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-demo-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.demo.appendingPathComponent("data_engineering/\(name)"), to: directory)
        for leftover in ["target", ".floe"] { try? FileManager.default.removeItem(at: directory.appendingPathComponent(leftover)) }
        var platform = try String(contentsOf: Self.demo.appendingPathComponent("platform/platform.yaml"), encoding: .utf8)
        for (from, to) in platformEdits {
            guard platform.contains(from) else { throw Failure("the demo platform no longer has '\(from)'") }
            platform = platform.replacingOccurrences(of: from, with: to)
        }
        try Data(platform.utf8).write(to: directory.appendingPathComponent("platform.yaml"))
    }

    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    public func compile(environment name: String) throws -> CompiledArtifacts {
        try Self.plan(in: directory, environment: name)
    }

    /// The plan of the floe.yaml and platform.yaml in `directory`, or the diagnostics as the error.
    public static func plan(in directory: URL, environment: String, vars: String? = nil) throws -> CompiledArtifacts {
        let output = ProjectCompiler.compile(CompileOptions(
            specPath: directory.appendingPathComponent("floe.yaml").path,
            platformPath: directory.appendingPathComponent("platform.yaml").path,
            environment: environment, compiledAt: Date(timeIntervalSince1970: 1_700_000_000), processEnvironment: [:],
            vars: vars))
        guard let plan = output.artifacts else {
            throw Failure(output.diagnostics.map { "\($0)" }.joined(separator: "\n"))
        }
        return plan
    }

    /// The smallest plan an adapter needs: a one-model product in environment `dev` of namespace `namespace`.
    public static func stubPlan(namespace: String) throws -> CompiledArtifacts {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-stub-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = [
            "platform.yaml": """
                version: "1"
                compute: { default: { type: sqlite, path: x.db } }
                storage: { default: { type: local, path: s } }
                catalogs: { default: { type: none } }
                environments: { dev: { namespace: "\(namespace)" } }
                """,
            "floe.yaml": "name: stub\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n",
            "dbt/dbt_project.yml": "name: stub\n",
            "dbt/models/one.sql": "select 1 as one",
        ]
        for (path, text) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return try plan(in: directory, environment: "dev")
    }

    @discardableResult
    public func apply(environment name: String, mode: ApplyOptions.Mode = .buildWithTests, fullRefresh: Bool = false) throws -> RunResults {
        let options = ApplyOptions(mode: mode, fullRefresh: fullRefresh, threads: 4, projectDirectory: directory.path, environment: environment)
        return try PlanRunner(plan: RunnablePlan(withRollupsOf: compile(environment: name)), options: options).run()
    }

    public func connection(environment name: String) throws -> any EngineConnection {
        try PlanConnection.open(try compile(environment: name), projectDirectory: directory.path, environment: environment).connection
    }
}
