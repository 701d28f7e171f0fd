import FloeSemantic
import Foundation

/// Values made from what a served plan shows (the SQL API's catalogs, the GraphQL schemas), by
/// the plan and a key saying what of it they show. Each entry holds its plan, so an entry is
/// found only for the plan it was made from, never for a newer one. At most 64 entries; all are
/// forgotten when it is full.
final class PlanShapedCache<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (plan: ServedPlan, value: Value)] = [:]

    func value<Failure: Error>(_ plan: ServedPlan, _ key: String, make: () throws(Failure) -> Value) throws(Failure) -> Value {
        if let known = lock.withLock({ entries[key] }), known.plan === plan { return known.value }
        let made = try make()
        lock.withLock {
            if entries.count >= 64 { entries.removeAll() }
            entries[key] = (plan, made)
        }
        return made
    }
}

extension SemanticTables {
    /// The tables and columns, with the members they are: what a catalog or schema made from
    /// them depends on.
    var shape: String {
        tables.map { table in table.name + "(" + table.columns.map { "\($0.name)=\($0.member)" }.joined(separator: ",") + ")" }.joined(separator: ";")
    }
}
