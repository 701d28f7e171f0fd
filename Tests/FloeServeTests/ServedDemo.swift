import FloeCompiler
import FloeConnect
import FloeContract
import FloeEngine
import FloeRuntime
import FloeSQLite
import FloeSemantic
@testable import FloeServe
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// The semantic layer's JSON (FloeCompiler has a type of the same name).
typealias JSONValue = FloeSemantic.JSONValue

/// The e-commerce demo copied, compiled, built on SQLite and its plan written to
/// `target/artifacts.json`, ready for `floe serve`.
struct ServedDemo: Sendable {
    static let secret = "test-secret-0123456789abcdef0123456789"
    let directory: URL
    let plan: CompiledArtifacts

    var planPath: String { directory.appendingPathComponent("target/artifacts.json").path }

    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let ecommerce = here.appendingPathComponent("../../demo/data_engineering/ecommerce").standardizedFileURL
    /// A dbt project whose semantic layer is dbt's own (semantic models, metrics, saved queries).
    static let dbtMetrics = here.appendingPathComponent("../FloeSemanticTests/Fixtures/metrics").standardizedFileURL

    /// `open`: the plan has no API secret, so the API asks for no token. `cubes`: more cube
    /// files, by path under the product.
    init(open: Bool = false, product: URL = ServedDemo.ecommerce, cubes: [String: String] = [:]) throws {
        SQLiteAdapter.register()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-serve-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: product, to: directory)
        for leftover in ["target", ".floe"] { try? FileManager.default.removeItem(at: directory.appendingPathComponent(leftover)) }
        for (path, text) in cubes { try Data(text.utf8).write(to: directory.appendingPathComponent(path)) }
        try FileManager.default.copyItem(at: Self.ecommerce.appendingPathComponent("../../platform/platform.yaml").standardizedFileURL,
                                         to: directory.appendingPathComponent("platform.yaml"))
        let output = ProjectCompiler.compile(CompileOptions(
            specPath: directory.appendingPathComponent("floe.yaml").path, platformPath: directory.appendingPathComponent("platform.yaml").path,
            environment: "dev", compiledAt: Date(timeIntervalSince1970: 1_700_000_000), processEnvironment: [:]))
        guard var plan = output.artifacts else { throw ServeError(.plan, "\(output.diagnostics)") }
        if open { plan.semantic = nil }
        self.plan = plan
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("target"), withIntermediateDirectories: true)
        try plan.encoded().write(to: URL(fileURLWithPath: planPath))
        let results = try PlanRunner(plan: RunnablePlan(withRollupsOf: plan), options: ApplyOptions(threads: 2, projectDirectory: directory.path, environment: [:])).run()
        guard results.success else { throw ServeError(.plan, "the demo did not build") }
    }

    /// Continue wait is a minute here, a margin for this loaded process: its task pool's threads
    /// are held for seconds by other suites' engine calls, which delays handling a request (the
    /// race between an answer and the continue-wait timer is decided off the pool; see
    /// PendingAnswersTests).
    var configuration: ServeConfiguration {
        ServeConfiguration(host: "127.0.0.1", port: 0, planPath: planPath, projectDirectory: directory.path,
                           environment: ["FLOE_SECRET_CUBE_API_JWT_SECRET": Self.secret], continueWait: 60)
    }

    func server() throws -> SemanticServer {
        try SemanticServer(configuration: configuration, log: { _ in })
    }

    /// Every row of hand-written SQL over the built warehouse.
    func rows(_ sql: String) throws -> [[String]] {
        try PlanConnection.open(plan, projectDirectory: directory.path, environment: [:]).connection.query(sql).rows
            .map { $0.map { $0.displayText ?? "null" } }
    }

    /// A token signed with `secret` (the API's by default).
    static func token(_ claims: JSONValue, secret: String = ServedDemo.secret) async throws -> String {
        try await TokenVerifier(secret: secret).sign(claims)
    }
}

extension TestClientProtocol {
    /// GET or POST a Cube endpoint; returns the status and the parsed body.
    func cube(
        _ path: String, query: String? = nil, parameters: String = "", post: String? = nil, token: String? = nil,
        method: HTTPRequest.Method? = nil
    ) async throws -> (status: Int, body: JSONValue) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = token }
        var uri = path
        if let query {
            uri += "?query=" + (query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") + parameters
        }
        let response = try await execute(
            uri: uri, method: method ?? (post == nil ? .get : .post), headers: headers, body: post.map { ByteBuffer(string: $0) })
        let text = String(buffer: response.body)
        return (response.status.code, (try? JSONValue.parse(text)) ?? .string(text))
    }
}
