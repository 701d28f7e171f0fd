import FloeCompiler
import FloeCore
import Foundation

/// A throwaway directory holding a platform.yaml and a floe.yaml, compiled in process.
struct TestProject {
    let directory: URL

    static let platform = """
        version: "1"
        compute:
          default:
            type: sqlite
            path: ".floe/{environment}.db"
          warehouse:
            type: postgres
            host: db.internal
            database: analytics
            user: floe
            password: { secret_ref: warehouse-db, key: password }
        storage:
          default: { type: local, path: .floe/storage }
        catalogs:
          default: { type: none }
        environments:
          dev: { namespace: "floe-{environment}" }
          prod:
            namespace: floe-prod
            compute: { default: warehouse }
          test: { namespace: "floe-test-{uuid}" }

        """

    static let floe = """
        name: shop
        version: "1.0.0"

        """

    init(platform: String = TestProject.platform, floe: String = TestProject.floe, files: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try write("platform.yaml", platform)
        try write("floe.yaml", floe)
        for (path, contents) in files { try write(path, contents) }
    }

    func write(_ path: String, _ contents: String) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    var specPath: String { directory.appendingPathComponent("floe.yaml").path }
    var platformPath: String { directory.appendingPathComponent("platform.yaml").path }

    /// A project whose floe.yaml points at a dbt project in `dbt/`; `files` are relative to `dbt/`.
    static func dbt(_ files: [String: String], floeExtra: String = "", projectExtra: String = "") throws -> TestProject {
        var all = ["dbt/dbt_project.yml": "name: shop\n" + projectExtra]
        for (path, contents) in files { all["dbt/" + path] = contents }
        return try TestProject(floe: floe + "transforms:\n  - {type: dbt, path: dbt}\n" + floeExtra, files: all)
    }

    func compile(
        environment: String = "dev", processEnvironment: [String: String] = [:], uuid: String = "0000-test", vars: String? = nil
    ) -> CompileOutput {
        ProjectCompiler.compile(CompileOptions(
            specPath: specPath, platformPath: platformPath, environment: environment,
            compiledAt: Date(timeIntervalSince1970: 1_700_000_000), processEnvironment: processEnvironment,
            makeUUID: { uuid }, vars: vars))
    }

    /// The diagnostics as a user reads them, with this directory's path cut to the file name.
    func messages(environment: String = "dev", processEnvironment: [String: String] = [:], vars: String? = nil) -> [String] {
        compile(environment: environment, processEnvironment: processEnvironment, vars: vars).diagnostics.sortedByLocation().map {
            DiagnosticRenderer(useColor: false).render($0).replacingOccurrences(of: directory.path + "/", with: "")
        }
    }
}
