import FloeJinja
import FloeTemplates
import FloeEngine

/// The SQL of dbt's four built-in generic tests: each selects the failing rows, so 0 rows is a pass.
enum GenericTestSQL {
    static let builtins = ["not_null", "unique", "accepted_values", "relationships"]

    enum Problem: Error {
        case missingArgument(String, example: String)
        case wrongArgument(String, expected: String)
    }

    /// `model` is the relation (or a `where`-filtered subquery); `parent` the relationships target.
    static func sql(_ test: String, model: String, column: String, arguments: [String: ConfigInput], parent: String?,
                    dialect: any SQLDialect) throws(Problem) -> String {
        switch test {
        case "not_null":
            return "select \(column)\nfrom \(model)\nwhere \(column) is null"
        case "unique":
            return """
                select \(column) as unique_field, count(*) as n_records
                from \(model)
                where \(column) is not null
                group by \(column)
                having count(*) > 1
                """
        case "accepted_values":
            guard let values = arguments["values"] else {
                throw .missingArgument("values", example: "accepted_values: {arguments: {values: [placed, shipped]}}")
            }
            guard case .list(let items) = values, !items.isEmpty else {
                throw .wrongArgument("values", expected: "a non-empty list")
            }
            var quote = true
            if case .bool(let flag)? = arguments["quote"] { quote = flag }
            let literals = items.map { item -> String in
                let text: String
                switch item {
                case .string(let value): text = value
                case .integer(let value): text = String(value)
                case .number(let value): text = String(value)
                case .bool(let value): text = String(value)
                default: text = ""
                }
                return quote ? dialect.stringLiteral(text) : text
            }
            return """
                with all_values as (
                    select \(column) as value_field, count(*) as n_records
                    from \(model)
                    group by \(column)
                )
                select *
                from all_values
                where value_field not in (\(literals.joined(separator: ", ")))
                """
        case "relationships":
            guard let parent else {
                throw .missingArgument("to", example: "relationships: {arguments: {to: ref('customers'), field: customer_id}}")
            }
            guard let field = arguments["field"]?.string else {
                throw .missingArgument("field", example: "relationships: {arguments: {to: ref('customers'), field: customer_id}}")
            }
            return """
                with child as (
                    select \(column) as from_field
                    from \(model)
                    where \(column) is not null
                ),
                parent as (
                    select \(field) as to_field
                    from \(parent)
                )
                select from_field
                from child
                left join parent on child.from_field = parent.to_field
                where parent.to_field is null
                """
        default:
            throw .wrongArgument(test, expected: "a built-in test")
        }
    }
}

enum ConfigInputText {
    static func text(_ value: ConfigInput) -> String {
        switch value {
        case .null: return ""
        case .bool(let flag): return String(flag)
        case .integer(let number): return String(number)
        case .number(let number): return String(number)
        case .string(let text): return text
        case .list(let items): return items.map(text).joined(separator: "_")
        case .map(let map): return map.keys.sorted().joined(separator: "_")
        }
    }
}
