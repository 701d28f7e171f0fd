import FloeContract
import FloeEngine
import FloeSemantic
import FloeTestSupport
@testable import FloeRuntime
import Foundation
import Testing

/// Every demo product builds on PostgreSQL with `--env prod` (the demo platform maps prod's
/// compute to the `warehouse` profile), its tests pass, and every table and view it builds holds
/// the same rows as the SQLite build of the same product.
@Suite(.enabled(if: PostgresTestServer.available, PostgresTestServer.skipReason))
struct PostgresDemoTests {
    static let products = ["customer-360", "data-playground", "ecommerce", "field-service", "financial-risk", "iot-telemetry"]

    @Test(arguments: products)
    func buildsAsOnSQLite(product name: String) throws {
        let product = try PostgresProduct(name)
        defer { product.remove() }
        let onPostgres = try product.apply(environment: "prod")
        #expect(onPostgres.success, "\(onPostgres.results.filter { ![.success, .pass].contains($0.status) }.map { ($0.name, $0.message ?? "") })")
        let onSQLite = try product.apply(environment: "dev")
        #expect(onSQLite.success)

        let prod = try product.compile(environment: "prod"), dev = try product.compile(environment: "dev")
        let postgres = try product.connection(environment: "prod"), sqlite = try product.connection(environment: "dev")
        // Synthetic tables (loaded with COPY), seeds and every model that is a relation.
        var pairs: [(name: String, sqlite: Relation, postgres: Relation)] = prod.synthetic.map {
            ($0.name, $0.relation(in: dev.environment.namespace), $0.relation(in: prod.environment.namespace))
        }
        let devSeeds = Dictionary(uniqueKeysWithValues: dev.seeds.map { ($0.uniqueID, $0.relation) })
        pairs += try prod.seeds.map { ($0.name, try #require(devSeeds[$0.uniqueID]), $0.relation) }
        let devModels = Dictionary(uniqueKeysWithValues: dev.models.map { ($0.uniqueID, $0.relation) })
        pairs += try prod.models.filter { $0.materialized != .ephemeral }.map { ($0.name, try #require(devModels[$0.uniqueID]), $0.relation) }
        for pair in pairs {
            let left = try sqlite.query("select * from \(sqlite.quoted(pair.sqlite))")
            let right = try postgres.query("select * from \(postgres.quoted(pair.postgres))")
            let difference = TableComparison(left, right, names: ("SQLite", "PostgreSQL")).firstDifference
            #expect(difference == nil, "\(name): \(pair.name): \(difference ?? "")")
        }
        #expect(pairs.count >= prod.models.count / 2)

        // Every cube answers the same on both: its measures in all, by each dimension, through each join.
        let devRunner = try QueryRunner(plan: dev), prodRunner = try QueryRunner(plan: prod)
        for cube in prod.cubes ?? [] {
            let queries = CubeQuery.coverage(of: cube, among: prod.cubes ?? [])
            for var query in queries {
                // Every group, not the first 10,000 of an order that ties break differently.
                query.limit = 50_000
                let left = try devRunner.load(query, on: sqlite).rows, right = try prodRunner.load(query, on: postgres).rows
                // Measures sum values each engine rounded to cents: a value on a half cent rounds
                // down from a double on SQLite and up from a decimal on PostgreSQL, a cent apart,
                // and a sum carries one such cent for each.
                let difference = TableComparison(left, right, names: ("SQLite", "PostgreSQL"), relativeTolerance: 1e-4).firstDifference
                #expect(difference == nil, "\(name): \(query.json.text): \(difference ?? "")")
            }
        }

        // `floe show` reads a mart as it reads one on SQLite.
        if let mart = prod.models.first(where: { $0.name.hasPrefix("mart_") }) {
            let shown = try RelationPreview.rows(of: mart.name, in: prod, limit: 5, projectDirectory: product.directory.path,
                                                 environment: product.environment)
            #expect(shown.rows.count == min(5, try postgres.query("select * from \(postgres.quoted(mart.relation))").rows.count))
            #expect(shown.columns == (try postgres.query("select * from \(postgres.quoted(mart.relation))", limit: 1).columns))
        }

        // A second run finds everything up to date, as on SQLite.
        let again = try product.apply(environment: "prod", mode: .build)
        #expect(again.results.filter { $0.resourceType == .model }.allSatisfy { $0.status == .upToDate },
                "\(again.results.filter { $0.status != .upToDate }.map { ($0.name, $0.status) })")
    }
}

extension EngineConnection {
    func quoted(_ relation: Relation) -> String {
        "\"\(relation.schema)\".\"\(relation.name)\""
    }
}
