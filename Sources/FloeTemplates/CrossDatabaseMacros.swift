import FloeJinja
import FloeCore
import FloeEngine

/// dbt's cross-database macros (`dbt.date_trunc`, `dbt.dateadd`, …) as Jinja functions that write
/// the plan dialect's SQL. Arguments are SQL expressions, as in dbt; `datepart` is a unit name.
enum CrossDatabaseMacros {
    /// Binds positional and keyword arguments to `parameters`; the first `required` must be given.
    static func bind(_ name: String, _ parameters: [String], required: Int, _ arguments: [JinjaValue],
                     _ keywords: [(String, JinjaValue)], _ context: JinjaCallContext) throws -> [JinjaValue?] {
        guard arguments.count <= parameters.count else {
            throw TemplateError("\(name)() takes \(parameters.count) arguments, got \(arguments.count)", at: context.location,
                                hint: "\(name)(\(parameters.joined(separator: ", ")))")
        }
        var bound: [JinjaValue?] = arguments + Array(repeating: nil, count: parameters.count - arguments.count)
        for (key, value) in keywords {
            guard let index = parameters.firstIndex(of: key) else {
                throw TemplateError("\(name)() has no parameter '\(key)'", at: context.location,
                                    hint: Suggestions.didYouMean(key, in: parameters) ?? "\(name)(\(parameters.joined(separator: ", ")))")
            }
            bound[index] = value
        }
        // An undefined value is given (dbt's macros print it as nothing); only a missing one is an error.
        for index in 0..<required where bound[index] == nil {
            throw TemplateError("\(name)() is missing its argument '\(parameters[index])'", at: context.location,
                                hint: "\(name)(\(parameters.joined(separator: ", ")))")
        }
        return bound
    }

    static func datePart(_ value: JinjaValue?, macro: String, _ context: JinjaCallContext) throws -> DatePart {
        let text = value?.rendered ?? ""
        guard let part = DatePart(text: text) else {
            throw TemplateError("\(macro)(): unknown date part '\(text)'", at: context.location,
                                hint: Suggestions.didYouMean(text, in: DatePart.allCases.map(\.rawValue))
                                    ?? "use one of \(DatePart.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return part
    }

    /// The functions, by their dbt names.
    static func functions(for dialect: any SQLDialect) -> [String: JinjaValue] {
        var result: [String: JinjaValue] = [:]
        func define(_ name: String, _ parameters: [String], required: Int? = nil,
                    _ body: @escaping ([JinjaValue?], JinjaCallContext) throws -> String) {
            result[name] = .callable(JinjaCallable(name) { arguments, keywords, context in
                let bound = try bind(name, parameters, required: required ?? parameters.count, arguments, keywords, context)
                return .string(try body(bound, context))
            })
        }
        func text(_ value: JinjaValue?) -> String { value?.rendered ?? "" }

        define("date_trunc", ["datepart", "date"]) { a, c in
            dialect.dateTrunc(try datePart(a[0], macro: "date_trunc", c), text(a[1]))
        }
        define("dateadd", ["datepart", "interval", "from_date_or_timestamp"]) { a, c in
            dialect.dateAdd(try datePart(a[0], macro: "dateadd", c), text(a[1]), text(a[2]))
        }
        define("datediff", ["first_date", "second_date", "datepart"]) { a, c in
            dialect.dateDiff(try datePart(a[2], macro: "datediff", c), text(a[0]), text(a[1]))
        }
        define("last_day", ["date", "datepart"]) { a, c in
            dialect.lastDay(try datePart(a[1], macro: "last_day", c), text(a[0]))
        }
        define("date", ["year", "month", "day"]) { a, c in
            let numbers = a.compactMap { value -> Int? in if case .integer(let n)? = value { return n } else { return nil } }
            guard numbers.count == 3 else { throw TemplateError("date() takes three integers: year, month, day", at: c.location) }
            return dialect.date(year: numbers[0], month: numbers[1], day: numbers[2])
        }
        define("current_timestamp", []) { _, _ in dialect.currentTimestamp }
        define("safe_cast", ["field", "type"]) { a, _ in dialect.cast(text(a[0]), as: text(a[1])) }
        define("cast", ["field", "type"]) { a, _ in dialect.cast(text(a[0]), as: text(a[1])) }
        define("concat", ["fields"]) { a, c in
            guard let items = a[0]?.iterated, case .list? = a[0] else {
                throw TemplateError("concat() takes a list of SQL expressions", at: c.location, hint: "concat(['first_name', \"' '\", 'last_name'])")
            }
            return dialect.concat(items.map(\.rendered))
        }
        define("hash", ["field"]) { a, _ in dialect.hash(text(a[0])) }
        for type in PortableType.allCases {
            define("type_\(type.rawValue)", []) { _, _ in dialect.typeName(for: type) }
        }
        define("any_value", ["expression"]) { a, _ in "min(\(text(a[0])))" }
        define("bool_or", ["expression"]) { a, _ in dialect.boolOr(text(a[0])) }
        define("listagg", ["measure", "delimiter_text", "order_by_clause", "limit_num"], required: 1) { a, _ in
            let orderBy = a[2].flatMap { $0.isTruthy ? $0.rendered : nil }
            return dialect.listagg(text(a[0]), delimiter: a[1].map(\.rendered) ?? "','", orderBy: orderBy)
        }
        define("position", ["substring_text", "string_text"]) { a, _ in dialect.position(text(a[0]), in: text(a[1])) }
        define("right", ["string_text", "length_expression"]) { a, _ in dialect.right(text(a[0]), text(a[1])) }
        define("length", ["expression"]) { a, _ in "length(\(text(a[0])))" }
        define("replace", ["field", "old_chars", "new_chars"]) { a, _ in "replace(\(text(a[0])), \(text(a[1])), \(text(a[2])))" }
        define("split_part", ["string_text", "delimiter_text", "part_number"]) { a, c in
            guard let sql = dialect.splitPart(text(a[0]), text(a[1]), text(a[2])) else {
                throw TemplateError("split_part() has no \(dialect.name) rendering", at: c.location,
                                    hint: "use substr() and instr() in this model, or run it on postgres")
            }
            return sql
        }
        define("string_literal", ["value"]) { a, _ in dialect.stringLiteral(text(a[0])) }
        define("escape_single_quotes", ["expression"]) { a, _ in text(a[0]).replacingOccurrences(of: "'", with: "''") }
        define("cast_bool_to_text", ["field"]) { a, _ in dialect.castBoolToText(text(a[0])) }
        define("current_timestamp_backcompat", []) { _, _ in dialect.currentTimestamp }
        define("current_timestamp_in_utc_backcompat", []) { _, _ in dialect.currentTimestamp }
        define("array_append", ["array", "new_element"]) { a, _ in dialect.arrayAppend(text(a[0]), text(a[1])) }
        define("array_concat", ["array_1", "array_2"]) { a, _ in dialect.arrayConcat(text(a[0]), text(a[1])) }
        result["array_construct"] = .callable(JinjaCallable("array_construct") { arguments, keywords, context in
            let bound = try bind("array_construct", ["inputs", "data_type"], required: 0, arguments, keywords, context)
            let items = (bound[0]?.iterated ?? []).map(\.rendered)
            return .string(dialect.arrayConstruct(items, type: bound[1].map(\.rendered) ?? dialect.typeName(for: .int)))
        })
        define("except", []) { _, _ in "except" }
        define("intersect", []) { _, _ in "intersect" }
        return result
    }
}
