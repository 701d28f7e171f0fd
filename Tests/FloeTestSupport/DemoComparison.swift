import FloeContract
import FloeEngine
import FloeSemantic
import Foundation

/// One demo product built in two environments (SQLite's `dev` and an engine's), compared: every
/// synthetic table, seed and model relation holds the same rows, and every cube answers its
/// coverage queries (measures in all, by each dimension, through each join) the same.
public struct DemoComparison {
    public let product: DemoProduct
    /// The environments and how messages name their engines: (`dev`, `SQLite`), (`spark`, `Spark`).
    public let left: (environment: String, engine: String)
    public let right: (environment: String, engine: String)

    public init(_ product: DemoProduct, left: (String, String), right: (String, String)) {
        self.product = product
        self.left = (left.0, left.1)
        self.right = (right.0, right.1)
    }

    /// Each difference found, as a message naming the product's relation or query; empty when equal.
    public func differences(name: String) throws -> [String] {
        let leftPlan = try product.compile(environment: left.environment), rightPlan = try product.compile(environment: right.environment)
        let leftConnection = try product.connection(environment: left.environment)
        let rightConnection = try product.connection(environment: right.environment)
        let names = (left.engine, right.engine)
        var found: [String] = []

        var pairs: [(name: String, left: Relation, right: Relation)] = rightPlan.synthetic.map {
            ($0.name, $0.relation(in: leftPlan.environment.namespace), $0.relation(in: rightPlan.environment.namespace))
        }
        let leftSeeds = Dictionary(uniqueKeysWithValues: leftPlan.seeds.map { ($0.uniqueID, $0.relation) })
        pairs += rightPlan.seeds.compactMap { seed in leftSeeds[seed.uniqueID].map { (seed.name, $0, seed.relation) } }
        let leftModels = Dictionary(uniqueKeysWithValues: leftPlan.models.map { ($0.uniqueID, $0.relation) })
        pairs += rightPlan.models.filter { $0.materialized != .ephemeral }
            .compactMap { model in leftModels[model.uniqueID].map { (model.name, $0, model.relation) } }
        if pairs.count < rightPlan.models.count / 2 {
            found.append("\(name): only \(pairs.count) relations to compare for \(rightPlan.models.count) models")
        }
        for pair in pairs {
            let rows = try leftConnection.query("select * from \(Self.quoted(pair.left, in: leftPlan))")
            let others = try rightConnection.query("select * from \(Self.quoted(pair.right, in: rightPlan))")
            if let difference = TableComparison(rows, others, names: names).firstDifference {
                found.append("\(name): \(pair.name): \(difference)")
            }
        }

        let leftRunner = try QueryRunner(plan: leftPlan), rightRunner = try QueryRunner(plan: rightPlan)
        for cube in rightPlan.cubes ?? [] {
            for var query in CubeQuery.coverage(of: cube, among: rightPlan.cubes ?? []) {
                // Every group, not the first 10,000 of an order that ties break differently.
                query.limit = 50_000
                let rows = try leftRunner.load(query, on: leftConnection).rows, others = try rightRunner.load(query, on: rightConnection).rows
                // Measures sum values each engine rounded to cents: a value on a half cent rounds
                // down from a double on SQLite and up from a decimal elsewhere, a cent apart, and a
                // sum carries one such cent for each.
                if let difference = TableComparison(rows, others, names: names, relativeTolerance: 1e-4).firstDifference {
                    found.append("\(name): \(query.json.text): \(difference)")
                }
            }
        }
        return found
    }

    /// `relation` quoted as the plan's engine quotes names.
    public static func quoted(_ relation: Relation, in plan: CompiledArtifacts) -> String {
        (SQLDialects.named(plan.profiles.compute.type) ?? SQLiteDialect()).relation(relation)
    }
}
