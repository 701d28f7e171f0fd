import Crypto
import FloeCompiler
import FloeCore
import Foundation
import Testing

/// Whole plans, byte for byte: every demo product in each of the demo platform's environments
/// (the `test` one's namespace is a fresh UUID, so it is compiled with a fixed one), and the
/// compiler's and the runtime's fixture projects, against the SHA-256 of the bytes recorded in
/// `Fixtures/golden/plans.sha256`. It holds a change to the compiler's insides (the dbt core's
/// phases) to the same plans. A mismatch writes the plan under the temporary directory to diff
/// against one from before the change; after an intended change to the plan, rewrite the file
/// with `FLOE_UPDATE_GOLDEN=1 swift test --filter PlanBytesGoldenTests`.
@Suite(.serialized) struct PlanBytesGoldenTests {
    static let root = DbtGoldenTests.root
    static let golden = root.appendingPathComponent("Tests/FloeCompilerTests/Fixtures/golden/plans.sha256")

    /// name → (floe.yaml, platform.yaml, environment).
    static var cases: [(name: String, spec: String, platform: String, environment: String)] {
        let demos = ["customer-360", "data-playground", "ecommerce", "field-service", "financial-risk", "iot-telemetry"]
        var cases = demos.flatMap { demo in
            ["dev", "staging", "prod", "spark", "test"].map { environment in
                ("\(demo)-\(environment)", "demo/data_engineering/\(demo)/floe.yaml", "demo/platform/platform.yaml", environment)
            }
        }
        cases.append(("compiler-full-dev", "Tests/FloeCompilerTests/Fixtures/valid/full/floe.yaml",
                      "Tests/FloeCompilerTests/Fixtures/valid/full/platform.yaml", "dev"))
        cases.append(("compiler-minimal-dev", "Tests/FloeCompilerTests/Fixtures/valid/minimal/floe.yaml",
                      "Tests/FloeCompilerTests/Fixtures/valid/minimal/platform.yaml", "dev"))
        cases.append(("runtime-shop-dev", "Tests/FloeRuntimeTests/Fixtures/shop/floe.yaml",
                      "Tests/FloeRuntimeTests/Fixtures/shop/platform.yaml", "dev"))
        return cases
    }

    static func digest(spec: String, platform: String, environment: String) throws -> (String, Data) {
        let output = ProjectCompiler.compile(CompileOptions(
            specPath: root.appendingPathComponent(spec).path, platformPath: root.appendingPathComponent(platform).path,
            environment: environment, compiledAt: Date(timeIntervalSince1970: 1_700_000_000), processEnvironment: [:],
            makeUUID: { "00000000-0000-4000-8000-000000000000" }))
        let bytes = try #require(output.json, "\(spec) (\(environment)): \(output.diagnostics)")
        return (Hex.string(SHA256.hash(data: bytes)), bytes)
    }

    @Test func plansAreTheRecordedBytes() throws {
        var lines: [String] = []
        var recorded: [String: String] = [:]
        if let text = try? String(contentsOf: Self.golden, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                if parts.count == 2 { recorded[String(parts[1])] = String(parts[0]) }
            }
        }
        let update = ProcessInfo.processInfo.environment["FLOE_UPDATE_GOLDEN"] == "1"
        for (name, spec, platform, environment) in Self.cases {
            let (digest, bytes) = try Self.digest(spec: spec, platform: platform, environment: environment)
            lines.append("\(digest) \(name)")
            guard !update, recorded[name] != digest else { continue }
            let written = FileManager.default.temporaryDirectory.appendingPathComponent("floe-golden-\(name).json")
            try bytes.write(to: written)
            Issue.record("\(name): the plan's bytes changed (\(digest), recorded \(recorded[name] ?? "none")); it is at \(written.path)")
        }
        if update { try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: Self.golden) }
    }
}
