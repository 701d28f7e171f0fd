import Foundation
import FloeContract
import FloeEngine

/// Turns a cube's SQL into the engine's: `{CUBE}` becomes the cube's alias (its quoted name),
/// `{member}` and `{Cube.member}` the member's own SQL, and a bare column name is qualified with
/// the cube's alias (`status` → `"Orders".status`), so two joined cubes with the same column
/// never clash. Records every cube the expanded SQL reaches, for the join tree.
final class MemberSQL {
    let catalog: SemanticCatalog
    let dialect: any SQLDialect
    /// The cubes whose aliases the SQL written so far names.
    private(set) var touchedCubes: Set<String> = []

    /// When set, aggregated measures read a rollup's stored partial values (`Cube.member` →
    /// column of the table aliased ``rollupAlias``) instead of the cube's rows.
    var rollupMeasures: [String: RollupDefinition.StoredMeasure]?
    static let rollupAlias = "floe_rollup"

    /// Member references nest at most this deep (a cycle of references ends here).
    static let maximumDepth = 24

    init(catalog: SemanticCatalog, dialect: any SQLDialect) {
        self.catalog = catalog
        self.dialect = dialect
    }

    func alias(_ cube: String) -> String { dialect.quoteIdentifier(cube) }

    /// What a cube reads: its table, or its SELECT in parentheses.
    func source(_ cube: CompiledCube) -> String {
        cube.sqlTable ?? "(\n\((cube.sql ?? "").trimmingCharacters(in: .whitespacesAndNewlines))\n)"
    }

    /// How measures are written where a reference meets one.
    enum MeasureForm {
        /// Aggregated: `sum("Orders".total_amount)`.
        case aggregate
        /// One row's value, for ungrouped queries.
        case raw
        /// Not allowed here (a dimension or a condition refers to a measure).
        case none
    }

    func dimension(_ dimension: CubeDimension, of cube: CompiledCube, depth: Int = 0) throws(SemanticError) -> String {
        touchedCubes.insert(cube.name)
        guard dimension.cases.isEmpty else {
            var text = "case"
            for branch in dimension.cases {
                text += " when \(try expand(branch.sql, in: cube, form: .none, depth: depth + 1)) then \(dialect.stringLiteral(branch.label))"
            }
            if let otherwise = dimension.caseElse { text += " else \(dialect.stringLiteral(otherwise))" }
            return text + " end"
        }
        return try expand(dimension.sql ?? "null", in: cube, form: .none, depth: depth + 1)
    }

    /// A condition (a segment, a measure's filter, a join's ON).
    func condition(_ sql: String, in cube: CompiledCube) throws(SemanticError) -> String {
        try expand(sql, in: cube, form: .none, depth: 0)
    }

    func measure(_ measure: CubeMeasure, of cube: CompiledCube, form: MeasureForm, depth: Int = 0) throws(SemanticError) -> String {
        touchedCubes.insert(cube.name)
        guard depth < Self.maximumDepth else { throw .badQuery("measure '\(cube.name).\(measure.name)' refers to itself through other members") }
        if measure.type == "number" {
            return try expand(measure.sql ?? "null", in: cube, form: form == .none ? .aggregate : form, depth: depth + 1)
        }
        if let stored = rollupMeasures {
            guard let column = stored["\(cube.name).\(measure.name)"] else {
                throw .badQuery("the rollup does not store '\(cube.name).\(measure.name)'")
            }
            // Without a way to combine partial values, each group is one rollup row (exact groups only).
            return "\(column.combine ?? "max")(\(dialect.quoteIdentifier(Self.rollupAlias)).\(dialect.quoteIdentifier(column.column)))"
        }
        let filters = try measure.filters.map { filter throws(SemanticError) in try expand(filter, in: cube, form: .none, depth: depth + 1) }
        func value(_ expression: String, otherwise: String? = nil) -> String {
            guard !filters.isEmpty else { return expression }
            return "case when \(filters.map { "(\($0))" }.joined(separator: " and ")) then \(expression)" + (otherwise.map { " else \($0)" } ?? "") + " end"
        }
        let expression = try measure.sql.map { sql throws(SemanticError) in try expand(sql, in: cube, form: .none, depth: depth + 1) }
        if form == .raw {
            return measure.type == "count" && expression == nil ? value("1", otherwise: "0") : value(expression ?? "1")
        }
        switch measure.type {
        case "count":
            if let expression { return "count(\(value(expression)))" }
            let keys = cube.dimensions.filter(\.primaryKey)
            if keys.count == 1 { return "count(\(value(try dimension(keys[0], of: cube, depth: depth + 1))))" }
            return filters.isEmpty ? "count(*)" : "count(\(value("1")))"
        case "count_distinct", "count_distinct_approx":
            return "count(distinct \(value(expression ?? "null")))"
        case "running_total":
            return "sum(\(value(expression ?? "null")))"
        default:
            return "\(measure.type)(\(value(expression ?? "null")))"
        }
    }

    /// `sql` with every reference expanded.
    func expand(_ sql: String, in cube: CompiledCube, form: MeasureForm, depth: Int) throws(SemanticError) -> String {
        touchedCubes.insert(cube.name)
        guard depth < Self.maximumDepth else { throw .badQuery("a member of cube '\(cube.name)' refers to itself through other members") }
        let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        if Self.isBareColumn(trimmed) { return alias(cube.name) + "." + trimmed }
        var out = ""
        for piece in CubeSQLTemplate.pieces(of: sql) {
            switch piece {
            case .text(let text): out += text
            case .reference(let reference): out += try expandReference(reference, in: cube, form: form, depth: depth)
            }
        }
        return out
    }

    private func expandReference(_ reference: String, in cube: CompiledCube, form: MeasureForm, depth: Int) throws(SemanticError) -> String {
        if reference == "CUBE" { return alias(cube.name) }
        let pieces = reference.split(separator: ".", maxSplits: 1).map(String.init)
        let owner: CompiledCube
        let name: String
        if pieces.count == 1 {
            if !Self.memberNames(cube).contains(reference), catalog.cube(named: reference) != nil {
                touchedCubes.insert(reference)
                return alias(reference)
            }
            owner = cube
            name = reference
        } else {
            guard let found = pieces[0] == "CUBE" ? cube : catalog.cube(named: pieces[0]) else {
                throw .badQuery("cube '\(cube.name)' refers to {\(reference)}, and there is no cube '\(pieces[0])'")
            }
            owner = found
            name = pieces[1]
        }
        if let dimension = owner.dimensions.first(where: { $0.name == name }) {
            return "(" + (try self.dimension(dimension, of: owner, depth: depth + 1)) + ")"
        }
        if let segment = owner.segments.first(where: { $0.name == name }) {
            return "(" + (try expand(segment.sql, in: owner, form: .none, depth: depth + 1)) + ")"
        }
        if let measure = owner.measures.first(where: { $0.name == name }) {
            guard form != .none else {
                throw .badQuery("cube '\(cube.name)' uses the measure {\(reference)} where only dimensions can be used")
            }
            return "(" + (try self.measure(measure, of: owner, form: form, depth: depth + 1)) + ")"
        }
        throw .badQuery("cube '\(cube.name)' refers to {\(reference)}, which names no member of '\(owner.name)'")
    }

    static func memberNames(_ cube: CompiledCube) -> [String] {
        cube.measures.map(\.name) + cube.dimensions.map(\.name) + cube.segments.map(\.name)
    }

    /// A plain column name: letters, digits and `_`, not starting with a digit, and not a keyword
    /// that stands for a value.
    static func isBareColumn(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.properties.isAlphabetic && first.isASCII) else { return false }
        guard text.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }) else {
            return false
        }
        return !["null", "true", "false", "current_date", "current_timestamp"].contains(text.lowercased())
    }
}
