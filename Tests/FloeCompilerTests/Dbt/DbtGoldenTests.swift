import FloeCompiler
import FloeContract
import Foundation
import Testing

/// The demo's dbt project compiled for SQLite (dev) and PostgreSQL (prod), node by node, against
/// golden files. After an intended change, rewrite them with `FLOE_UPDATE_GOLDEN=1 swift test`.
@Suite struct DbtGoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["dev", "prod"])
    func demoProjectMatchesItsGoldenPlan(environment: String) throws {
        let output = ProjectCompiler.compile(CompileOptions(
            specPath: Self.root.appendingPathComponent("demo/data_engineering/ecommerce/floe.yaml").path,
            platformPath: Self.root.appendingPathComponent("demo/platform/platform.yaml").path,
            environment: environment, compiledAt: Date(timeIntervalSince1970: 0), processEnvironment: [:]))
        let plan = try #require(output.artifacts, "\(output.diagnostics)")
        let actual = Self.dump(plan)
        let golden = Self.root.appendingPathComponent("Tests/FloeCompilerTests/Fixtures/golden/ecommerce-\(environment).txt")
        if ProcessInfo.processInfo.environment["FLOE_UPDATE_GOLDEN"] == "1" {
            try Data(actual.utf8).write(to: golden)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(actual == expected, "the plan differs from \(golden.lastPathComponent); diff it, and if intended, update it")
    }

    /// Every node with what the executor relies on, in plan order, readable in a diff.
    static func dump(_ plan: CompiledArtifacts) -> String {
        var lines: [String] = []
        for seed in plan.seeds {
            lines.append("## \(seed.uniqueID) → \(seed.relation)")
            lines.append("columns: " + seed.columns.map { "\($0.name) \($0.type ?? "?")" }.joined(separator: ", "))
        }
        for source in plan.sources {
            lines.append("## \(source.uniqueID) → \(source.relation)")
        }
        for model in plan.models {
            lines.append("## \(model.uniqueID) [\(model.materialized.rawValue)] → \(model.relation)")
            lines.append("depends_on: \(model.dependsOn.joined(separator: ", "))")
            lines.append("tags: \(model.tags.joined(separator: ", "))")
            if model.materialized == .incremental {
                lines.append("incremental: \(model.incrementalStrategy?.rawValue ?? "") on [\(model.uniqueKey.joined(separator: ", "))], on_schema_change \(model.onSchemaChange ?? "")")
            }
            lines.append("```sql\n\(model.sql)\n```")
            if let incremental = model.incrementalSQL { lines.append("is_incremental():\n```sql\n\(incremental)\n```") }
        }
        for test in plan.tests {
            lines.append("## \(test.uniqueID) (\(test.testName), \(test.severity.rawValue)) on \(test.attachedNode ?? "-")")
            lines.append("depends_on: \(test.dependsOn.joined(separator: ", "))")
            lines.append("```sql\n\(test.sql)\n```")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
