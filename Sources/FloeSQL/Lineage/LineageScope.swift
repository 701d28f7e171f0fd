/// A relation as a query sees it in FROM: an alias, its columns with their lineage, and the
/// inputs that decide its rows. A base table whose columns are unknown still resolves
/// `alias.column` (the column can only come from it), but cannot be expanded by `*`.
struct ScopedRelation {
    var alias: String
    /// Its columns and their lineage, in order: all of them, or those known when `complete` is false.
    var columns: [(name: String, inputs: ColumnInputs)]
    /// Whether `columns` are all it has.
    var complete = true
    /// The base relation's key, when this is a table of the catalog.
    var baseKey: String?
    /// Inputs deciding its rows (a derived table's filters and joins).
    var dataset: ColumnInputs = [:]

    /// The column's lineage: a known column's, else (for a base table whose columns are not all
    /// known) the base column itself; nil when it has no such column.
    func column(_ name: String) -> ColumnInputs? {
        let wanted = name.lowercased()
        if let found = columns.first(where: { $0.name.lowercased() == wanted }) { return found.inputs }
        guard !complete, let baseKey else { return nil }
        return [SourceColumn(relation: baseKey, column: name): LineageEdges(direct: .identity)]
    }

    func has(_ name: String) -> Bool {
        let wanted = name.lowercased()
        return columns.contains { $0.name.lowercased() == wanted }
    }
}

/// The relations of one SELECT's FROM, with the scope around it (for correlated subqueries) and
/// the common tables visible to it.
final class LineageScope {
    var relations: [ScopedRelation] = []
    /// Columns merged by `JOIN … USING` / NATURAL JOIN: an unqualified reference takes both sides.
    var merged: [String: ColumnInputs] = [:]
    let parent: LineageScope?
    let commonTables: [String: ScopedRelation]

    init(parent: LineageScope?, commonTables: [String: ScopedRelation]) {
        self.parent = parent
        self.commonTables = commonTables
    }

    /// The inputs a column reference stands for.
    func resolve(_ parts: [String]) throws(ColumnLineageError) -> ColumnInputs {
        guard let name = parts.last else { throw ColumnLineageError("an empty column reference") }
        if parts.count == 1 {
            if let both = merged[name.lowercased()] { return both }
            // Every relation that has it, or might: one whose columns are not all known.
            let candidates = relations.filter { $0.has(name) || !$0.complete }
            if candidates.count == 1, let inputs = candidates[0].column(name) { return inputs }
            if candidates.count > 1 {
                let unsure = candidates.contains { !$0.has(name) }
                throw ColumnLineageError("column '\(name)' could come from \(candidates.map(\.alias).joined(separator: " or "))"
                    + (unsure ? " (not all of their columns are known)" : ""))
            }
            if let parent { return try parent.resolve(parts) }
            throw ColumnLineageError("no relation in FROM has a column '\(name)'")
        }
        let qualifier = parts[parts.count - 2].lowercased()
        if let relation = relations.last(where: { $0.alias.lowercased() == qualifier }) {
            guard let inputs = relation.column(name) else {
                throw ColumnLineageError("\(relation.alias) has no column '\(name)'")
            }
            return inputs
        }
        if let parent { return try parent.resolve(parts) }
        throw ColumnLineageError("no relation in FROM is called '\(parts[parts.count - 2])'")
    }
}
