import FloeContract
import FloeEngine
import FloeSemantic
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
            let difference = TableComparison(sqlite: left, postgres: right).firstDifference
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
                let difference = TableComparison(sqlite: left, postgres: right, relativeTolerance: 1e-4).firstDifference
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

/// Two engines' rows of one relation, compared as multisets: rows are sorted by their values,
/// then paired. Numbers compare by value (an integer 12 equals a real 12.0), reals within a
/// relative 1e-9 unless told otherwise (sums and averages of doubles in another order), and values that one engine
/// rounds from a double and the other from an exact decimal within half a unit of the last
/// rounded digit. Text holding JSON compares as JSON (`1.0` and `1.000` are one number).
/// `_loaded_at` columns are left out: they hold the moment each build loaded its rows.
struct TableComparison {
    var sqlite: ResultSet
    var postgres: ResultSet
    var relativeTolerance = 1e-9

    static let clockColumns: Set<String> = ["_loaded_at"]

    var firstDifference: String? {
        guard sqlite.rows.count == postgres.rows.count else {
            return "\(sqlite.rows.count) rows on SQLite, \(postgres.rows.count) on PostgreSQL"
        }
        guard sqlite.rows.isEmpty || sqlite.columns == postgres.columns else {
            return "columns \(sqlite.columns) on SQLite, \(postgres.columns) on PostgreSQL"
        }
        let kept = sqlite.columns.indices.filter { !Self.clockColumns.contains(sqlite.columns[$0]) }
        func project(_ rows: [[SQLValue]]) -> [[SQLValue]] { rows.map { row in kept.map { row[$0] } } }
        let left = project(sqlite.rows).sorted(by: Self.ordered), right = project(postgres.rows).sorted(by: Self.ordered)
        for (index, (a, b)) in zip(left, right).enumerated() {
            guard a.count == b.count else { return "row \(index): \(a.count) columns against \(b.count)" }
            for (column, (x, y)) in zip(a, b).enumerated() where !Self.same(x, y, tolerance: relativeTolerance) {
                let name = sqlite.columns[kept[column]]
                return "row \(index), column \(name): SQLite \(x.displayText ?? "null"), PostgreSQL \(y.displayText ?? "null")"
            }
        }
        return nil
    }

    static func number(_ value: SQLValue) -> Double? {
        switch value {
        case .integer(let number): Double(number)
        case .real(let number): number
        default: nil
        }
    }

    static func same(_ a: SQLValue, _ b: SQLValue, tolerance: Double = 1e-9) -> Bool {
        if let x = number(a), let y = number(b) {
            let scale = max(1, abs(x), abs(y))
            return abs(x - y) <= tolerance * scale || roundedApart(x, y)
        }
        if a.displayText == b.displayText { return true }
        guard case .text(let x) = a, case .text(let y) = b, x.hasPrefix("{") || x.hasPrefix("["),
              let left = try? JSONSerialization.jsonObject(with: Data(x.utf8)),
              let right = try? JSONSerialization.jsonObject(with: Data(y.utf8)) else { return false }
        return sameJSON(left, right)
    }

    static func sameJSON(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            return x.keys.sorted() == y.keys.sorted() && x.keys.allSatisfy { sameJSON(x[$0]!, y[$0]!) }
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy(sameJSON)
        case (let x as NSNumber, let y as NSNumber):
            return same(.real(x.doubleValue), .real(y.doubleValue))
        case (is NSNull, is NSNull):
            return true
        case (let x as String, let y as String):
            return x == y
        default:
            return false
        }
    }

    /// 2.675 rounded to 2 places is 2.67 from a double and 2.68 from a decimal: both are the
    /// same value rounded, one unit of the last digit apart, the unrounded value on the half.
    static func roundedApart(_ x: Double, _ y: Double) -> Bool {
        for places in 0...4 {
            let unit = pow(10, -Double(places))
            let difference = abs(x - y)
            if abs(difference - unit) < unit * 1e-6,
               abs((x * pow(10, Double(places))).rounded() - x * pow(10, Double(places))) < 1e-6,
               abs((y * pow(10, Double(places))).rounded() - y * pow(10, Double(places))) < 1e-6 {
                return true
            }
        }
        return false
    }

    /// Numbers by value (rounded to 6 places, so engines' last-bit noise does not reorder rows), then text.
    static func ordered(_ a: [SQLValue], _ b: [SQLValue]) -> Bool {
        for (x, y) in zip(a, b) {
            let left = key(x), right = key(y)
            if left != right { return left < right }
        }
        return false
    }

    private static func key(_ value: SQLValue) -> String {
        if let number = number(value) { return String(format: "n%+024.6f", number) }
        return value.displayText.map { "t" + $0 } ?? "0"
    }
}
