import FloeCompiler
import Foundation
import Testing

/// The shipped JSON Schemas match the code, and every shipped file validates against them with a
/// real validator (Python's jsonschema), not ours.
@Suite struct SchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var validFixtureDirectories: [URL] {
        ["minimal", "full"].map { fixtures.appendingPathComponent("valid/\($0)") }
    }

    static var demoFiles: [String] {
        let demo = root.appendingPathComponent("demo")
        let enumerator = FileManager.default.enumerator(at: demo, includingPropertiesForKeys: nil)
        return (enumerator?.allObjects as? [URL] ?? [])
            .filter { ["floe.yaml", "platform.yaml"].contains($0.lastPathComponent) }
            .map(\.path).sorted()
    }

    @Test func committedSchemasEqualTheGeneratedOnes() throws {
        for (file, schema) in SchemaCatalog.all() {
            let committed = try Data(contentsOf: Self.root.appendingPathComponent("schemas/\(file)"))
            #expect(committed == schema.prettyData(), "schemas/\(file) is stale: run `floe schema`")
        }
    }

    @Test func shippedYamlAndCompiledPlansValidateAgainstTheSchemas() throws {
        var files = Self.demoFiles + Self.validFixtureDirectories.flatMap {
            [$0.appendingPathComponent("platform.yaml").path, $0.appendingPathComponent("floe.yaml").path]
        }
        #expect(Self.demoFiles.count >= 2)
        // Plans for every environment of every valid fixture and demo product.
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("floe-plans-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let products = Self.validFixtureDirectories.map { $0.appendingPathComponent("floe.yaml").path }
            + Self.demoFiles.filter { $0.hasSuffix("floe.yaml") }
        for (index, spec) in products.enumerated() {
            let platform = Self.platform(for: spec)
            for environment in ["dev", "prod", "test"] {
                let compiled = ProjectCompiler.compile(CompileOptions(specPath: spec, platformPath: platform, environment: environment))
                #expect(compiled.diagnostics.isEmpty, "\(spec) (\(environment)): \(compiled.diagnostics)")
                guard let json = compiled.json else { continue }
                let path = output.appendingPathComponent("plan-\(index)-\(environment).json")
                try json.write(to: path)
                files.append(path.path)
            }
        }
        let result = try Self.checkSchemas(files)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func invalidFixturesAreRejectedByTheSchemasAndByFloe() throws {
        let invalid = Self.fixtures.appendingPathComponent("invalid")
        let files = ["floe.yaml", "platform.yaml"].map { invalid.appendingPathComponent($0).path }
        let result = try Self.checkSchemas(["--expect-invalid"] + files)
        #expect(result.status == 0, "\(result.output)")
        let compiled = ProjectCompiler.compile(CompileOptions(specPath: files[0], platformPath: files[1], environment: "dev"))
        #expect(compiled.diagnostics.count == 3)
    }

    /// The platform.yaml a spec's directory or one above it holds, as `floe` finds it.
    static func platform(for spec: String) -> String {
        var directory = URL(fileURLWithPath: spec).deletingLastPathComponent()
        while directory.path != "/" {
            for candidate in ["platform.yaml", "platform/platform.yaml"] {
                let url = directory.appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: url.path) { return url.path }
            }
            directory = directory.deletingLastPathComponent()
        }
        return spec
    }

    static func checkSchemas(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/check-schemas.py").path,
                             root.appendingPathComponent("schemas").path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
