import FloePGWire
import FloeSemantic

/// The PostgreSQL type the SQL API gives a member's values, in the catalogs and in results alike:
/// counts are `bigint`, other measures and number dimensions `numeric`, times `timestamp`,
/// booleans and segments `boolean`, the rest `text`.
enum SQLAPITypes {
    /// Measure types whose values are whole numbers.
    static let countMeasures: Set<String> = ["count", "count_distinct", "count_distinct_approx"]

    /// `valueType`: Cube's type of the values (`number`, `time`, `boolean`, `string`; `integer`
    /// for a LIMIT or OFFSET parameter); `measureType`: the measure's type, for a measure.
    static func type(valueType: String, measureType: String? = nil) -> PGType {
        if let measureType { return countMeasures.contains(measureType) ? .int8 : .numeric }
        return switch valueType {
        case "number": .numeric
        case "time": .timestamp
        case "boolean": .bool
        case "integer": .int8
        default: .text
        }
    }

    static func type(of column: SemanticTables.Column) -> PGType {
        if case .measure(let measureType) = column.kind { return type(valueType: "number", measureType: measureType) }
        return type(valueType: column.valueType)
    }

    static func type(of output: SemanticSQLStatement.Output) -> PGType {
        type(valueType: output.valueType, measureType: output.measureType)
    }
}
