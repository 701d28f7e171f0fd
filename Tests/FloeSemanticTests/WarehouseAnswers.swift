import FloeContract
import FloeEngine
@testable import FloeSemantic
import Foundation
import Testing

/// A suite that asks a built warehouse Cube queries and checks each answer against SQL written by
/// hand over the marts (never against SQL the engine generated).
protocol WarehouseAnswers {
    var warehouse: DemoWarehouse { get }
    var runner: QueryRunner { get }
}

extension WarehouseAnswers {
    /// The answer's rows, each value as Cube writes it (numbers rounded to cents for comparing sums).
    func answer(_ json: String) throws -> [[String]] {
        let result = try runner.load(try CubeQuery(json: try JSONValue.parse(json)), on: try warehouse.connection())
        return result.data.map { row in
            var seen: Set<String> = []
            return row.compactMap { key, value -> String? in
                guard seen.insert(result.generated.columns.first { $0.keys.contains(key) }?.alias ?? key).inserted else { return nil }
                return Self.text(value)
            }
        }
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): Double(text).map { $0 == $0.rounded() ? String(Int64($0)) : String(format: "%.2f", $0) } ?? text
        case .null: "null"
        default: value.text
        }
    }

    func expected(_ sql: String) throws -> [[String]] {
        try warehouse.rows(sql).map { $0.map { Double($0).map { $0 == $0.rounded() ? String(Int64($0)) : String(format: "%.2f", $0) } ?? $0 } }
    }

    /// The query's answer equals the hand-written SQL's rows.
    func check(_ query: String, _ hand: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let answered = try answer(query)
        let wanted = try expected(hand)
        #expect(!wanted.isEmpty, sourceLocation: sourceLocation)
        #expect(answered == wanted, sourceLocation: sourceLocation)
    }
}
