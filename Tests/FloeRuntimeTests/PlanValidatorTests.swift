import FloeConnect
import FloeContract
@testable import FloeRuntime
import Foundation
import Testing

/// The executor checks every plan before it runs anything of it.
@Suite struct PlanValidatorTests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../demo/data_engineering/ecommerce").standardizedFileURL
    static let schemas = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../schemas").standardizedFileURL

    /// What the compiler writes passes: its fingerprints are the ones apply recomputes.
    @Test func compiledPlansAreValid() throws {
        #expect(PlanValidator.problems(in: try Workspace(fixture: "shop").compile()) == [])
        #expect(PlanValidator.problems(in: try Workspace(copying: Self.demo, platform: "../../platform/platform.yaml").compile()) == [])
    }

    @Test func aViewOverMembersTheCubesDoNotHaveIsRefused() throws {
        var plan = try Workspace(copying: Self.demo, platform: "../../platform/platform.yaml").compile()
        let view = try #require(plan.views?.first)
        #expect(view.name == "OrdersOverview")
        plan.views?[0].members[0].member = "Orders.counts"
        plan.views?[0].members[1].joinPath = ["Order"]
        #expect(PlanValidator.problems(in: plan) == [
            .init(path: "views[0].members[0].member", message: "'Orders.counts' is not a member of the plan's cubes"),
            .init(path: "views[0].members[1].join_path", message: "'Order' is not a cube of the plan"),
        ])
    }

    /// A snapshot's strategy and its materialization go together, and it needs a key.
    @Test func aSnapshotWithoutItsStrategyIsRefused() throws {
        var plan = try Workspace(fixture: "shop").compile()
        plan.models[0].materialized = .snapshot
        plan.models[1].snapshot = DbtSnapshotConfig(strategy: "check")
        let problems = PlanValidator.problems(in: plan).filter { !$0.path.hasSuffix(".fingerprint") }
        #expect(problems == [
            .init(path: "models[0].snapshot", message: "a snapshot needs its strategy"),
            .init(path: "models[1].snapshot", message: "only a snapshot has a snapshot strategy"),
            .init(path: "models[0].unique_key", message: "a snapshot needs a unique_key"),
        ])
    }

    @Test func aModelsSQLEditedByHandIsRefusedByItsPath() throws {
        let shop = try Workspace(fixture: "shop")
        var plan = try shop.compile()
        let index = try #require(plan.models.firstIndex { $0.name == "fct_orders" })
        plan.models[index].sql += " where 1 = 1"
        #expect(PlanValidator.problems(in: plan) == [.init(
            path: "models[\(index)].fingerprint",
            message: "does not match the SQL and config of 'model.shop.fct_orders': the plan was changed after floe compile wrote it")])
        #expect { try shop.apply(plan: plan) } throws: { ($0 as? ExecutorError)?.kind == .invalidPlan }
        // A config change is caught the same way, as is an upstream fingerprint changed to match.
        plan = try shop.compile()
        plan.models[index].uniqueKey = ["customer_id"]
        #expect(PlanValidator.problems(in: plan).map(\.path) == ["models[\(index)].fingerprint"])
    }

    /// Every numeric bound the plan's JSON Schema states for synthetic tables is enforced, under
    /// the field's own JSON path: the schema is read, not restated here.
    @Test func theSchemasBoundsAreEnforced() throws {
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.schemas.appendingPathComponent("artifacts.schema.json")))
        var bounds: [(path: [String], minimum: Double?, maximum: Double?, integer: Bool)] = []
        func walk(_ node: Any, _ path: [String]) {
            guard let object = node as? [String: Any] else { return }
            if object["minimum"] != nil || object["maximum"] != nil {
                bounds.append((path, object["minimum"] as? Double, object["maximum"] as? Double, object["type"] as? String == "integer"))
            }
            for (key, value) in (object["properties"] as? [String: Any]) ?? [:] { walk(value, path + [key]) }
            if let items = object["items"] { walk(items, path) }
        }
        walk(schema, [])
        let synthetic = bounds.filter { $0.path.first == "synthetic" }
        #expect(synthetic.count == 8, "rows, seed, per_parent's min and max, the three rates and max_late_days: \(synthetic.map(\.path))")

        let shop = try Workspace(fixture: "shop")
        try shop.append("floe.yaml", "synthetic:\n  raw_events:\n    rows: 10\n    columns: {id: sequence}\n")
        let compiled = try shop.compile()
        for bound in synthetic {
            for bad in [bound.minimum.map { $0 - 0.5 }, bound.maximum.map { $0 + 9999.03 }].compactMap({ $0 }) {
                var json = try #require(try JSONSerialization.jsonObject(with: compiled.encoded()) as? [String: Any])
                var tables = try #require(json["synthetic"] as? [[String: Any]])
                let field = Array(bound.path.dropFirst())
                let value: Any = bound.integer ? Int(bad.rounded(.down)) : bad
                if field.count == 1 {
                    tables[0][field[0]] = value
                } else {
                    var group = tables[0][field[0]] as? [String: Any] ?? ["table": "raw_events", "min": 1, "max": 2]
                    group[field[1]] = value
                    tables[0][field[0]] = group
                }
                json["synthetic"] = tables
                let plan = try CompiledArtifacts.decode(JSONSerialization.data(withJSONObject: json))
                let path = "synthetic[0]." + field.joined(separator: ".")
                #expect(PlanValidator.problems(in: plan).map(\.path) == [path], "\(path) = \(bad)")
            }
        }
    }

    @Test func danglingEdgesDuplicateIdsAndCyclesAreRefusedNotRun() throws {
        var plan = try Workspace(fixture: "shop").compile()
        let stg = try #require(plan.models.firstIndex { $0.name == "stg_orders" })
        let fct = try #require(plan.models.firstIndex { $0.name == "fct_orders" })
        plan.models[stg].dependsOn.append(plan.models[fct].uniqueID)
        plan.tests[0].dependsOn.append("model.shop.gone")
        plan.seeds[1].uniqueID = plan.seeds[0].uniqueID
        plan.cubes = [CompiledCube(name: "Orders", path: "cubes/orders.yml", sqlTable: "orders", dependsOn: ["model.shop.gone"])]
        let problems = PlanValidator.problems(in: plan)
        #expect(problems.contains { $0.path == "cubes[0].depends_on[0]" && $0.message == "'model.shop.gone' is not a model of the plan" })
        #expect(problems.map(\.path).contains("tests[0].depends_on[\(plan.tests[0].dependsOn.count - 1)]"))
        #expect(problems.map(\.path).contains("seeds[1].unique_id"))
        #expect(problems.contains { $0.path.hasSuffix("].depends_on") && $0.message.contains("depends on itself") })
    }
}
