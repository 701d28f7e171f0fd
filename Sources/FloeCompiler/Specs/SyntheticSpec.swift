import FloeContract
import FloeCore
import FloeYAML

/// Reads floe.yaml's `synthetic:` section into plan tables and checks what the shape cannot:
/// references to other tables and columns, weights per value, ranges the right way round.
enum SyntheticSpec {
    static let defaultSeed = 42

    static func tables(from root: YAMLValue) -> (tables: [SyntheticTable], diagnostics: [Diagnostic]) {
        let entries = root["synthetic"]?.entries ?? []
        var tables: [SyntheticTable] = []
        var diagnostics: [Diagnostic] = []
        let columnsByTable = Dictionary(entries.map { entry in
            (entry.key, (entry.value["columns"]?.entries ?? []).map(\.key))
        }, uniquingKeysWith: { first, _ in first })

        for entry in entries {
            let path = "synthetic.\(entry.key)"
            var columns: [SyntheticColumn] = []
            for column in entry.value["columns"]?.entries ?? [] {
                let columnPath = "\(path).columns.\(column.key)"
                guard let generator = column.value.string ?? column.value["type"]?.string else { continue }
                var options: [String: ConfigValue] = [:]
                for option in column.value.entries ?? [] where option.key != "type" {
                    options[option.key] = ConfigValue(option.value)
                }
                diagnostics += check(generator: generator, column.value, path: columnPath, columnsByTable: columnsByTable)
                columns.append(SyntheticColumn(name: column.key, generator: generator, options: options))
            }
            for name in expressionCycle(columns) {
                let location = entry.value["columns"]?[name]?.location ?? entry.value.location
                diagnostics.append(.error(at: location, path: "\(path).columns.\(name).expression",
                                          "'\(name)' depends on itself through the expressions of its table",
                                          hint: "an expression may read other columns, but not in a circle"))
            }
            let quality = entry.value["quality"]
            let perParent = entry.value["per_parent"].flatMap { value -> PerParent? in
                guard let table = value["table"]?.string, let low = value["min"]?.integer, let high = value["max"]?.integer else { return nil }
                return PerParent(table: table, min: low, max: high)
            }
            diagnostics += checkPerParent(entry.value, path: path, columnsByTable: columnsByTable)
            tables.append(SyntheticTable(
                name: entry.key,
                rows: entry.value["rows"]?.integer ?? 0,
                seed: entry.value["seed"]?.integer ?? defaultSeed,
                columns: columns,
                quality: DataQualityDefects(
                    nullRate: quality?["null_rate"]?.number ?? 0,
                    duplicateRate: quality?["duplicate_rate"]?.number ?? 0,
                    lateArrivalRate: quality?["late_arrival_rate"]?.number ?? 0,
                    nullColumns: quality?["null_columns"]?.items?.compactMap(\.string),
                    maxLateDays: quality?["max_late_days"]?.integer),
                perParent: perParent))
            for item in quality?["null_columns"]?.items ?? [] {
                guard let name = item.string, let columns = columnsByTable[entry.key], !columns.contains(name) else { continue }
                diagnostics.append(.error(
                    at: item.location, path: "\(path).quality.null_columns", "no column '\(name)' in this table",
                    hint: Suggestions.didYouMean(name, in: columns) ?? "columns: \(columns.joined(separator: ", "))"))
            }
        }
        return (tables, diagnostics)
    }

    /// `rows` or `per_parent`, one of them; a parent table that exists and is not this one;
    /// `min` not above `max`; `parent` columns only in per_parent tables, naming the parent's columns.
    static func checkPerParent(_ table: YAMLValue, path: String, columnsByTable: [String: [String]]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let perParent = table["per_parent"]
        switch (table["rows"], perParent) {
        case (nil, nil):
            diagnostics.append(.error(at: table.location, path: path, "a synthetic table needs `rows` or `per_parent`",
                                      hint: "rows: 1000, or per_parent: {table: orders, min: 1, max: 5}"))
        case (let rows?, _?):
            diagnostics.append(.error(at: rows.location, path: "\(path).rows", "`rows` and `per_parent` both given",
                                      hint: "a per_parent table's rows are its parents' children: remove `rows`"))
        default: break
        }
        let parentName = perParent?["table"]?.string
        if let perParent, let parentName {
            if columnsByTable[parentName] == nil || "synthetic.\(parentName)" == path {
                diagnostics.append(.error(
                    at: perParent["table"]?.location ?? perParent.location, path: "\(path).per_parent.table",
                    "no other synthetic table named '\(parentName)'",
                    hint: Suggestions.didYouMean(parentName, in: columnsByTable.keys) ?? "tables: \(columnsByTable.keys.sorted().joined(separator: ", "))"))
            }
            if let low = perParent["min"]?.integer, let high = perParent["max"], let highValue = high.integer, low > highValue {
                diagnostics.append(.error(at: high.location, path: "\(path).per_parent.max", "max is below min", hint: "swap them"))
            }
        }
        for column in table["columns"]?.entries ?? [] where column.value["type"]?.string == "parent" {
            let columnPath = "\(path).columns.\(column.key)"
            guard let parentName else {
                diagnostics.append(.error(at: column.value.location, path: columnPath, "a parent column needs the table's per_parent",
                                          hint: "per_parent: {table: orders, min: 1, max: 5}"))
                continue
            }
            if let name = column.value["column"], let text = name.string, let columns = columnsByTable[parentName], !columns.contains(text) {
                diagnostics.append(.error(
                    at: name.location, path: "\(columnPath).column", "synthetic table '\(parentName)' has no column '\(text)'",
                    hint: Suggestions.didYouMean(text, in: columns) ?? "columns: \(columns.joined(separator: ", "))"))
            }
        }
        return diagnostics
    }

    /// The expression columns that read themselves, directly or through others.
    static func expressionCycle(_ columns: [SyntheticColumn]) -> [String] {
        ArithmeticExpression.cyclicColumns(columns.filter { $0.generator == "expression" }.map {
            ($0.name, $0.options["expression"]?.stringValue ?? "")
        })
    }

    private static func check(
        generator: String, _ value: YAMLValue, path: String, columnsByTable: [String: [String]]
    ) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        switch generator {
        case "reference":
            guard let table = value["table"], let tableName = table.string,
                  let column = value["column"], let columnName = column.string else { break }
            guard let columns = columnsByTable[tableName] else {
                diagnostics.append(.error(
                    at: table.location, path: "\(path).table",
                    "no synthetic table named '\(tableName)'",
                    hint: Suggestions.didYouMean(tableName, in: columnsByTable.keys)
                        ?? "tables: \(columnsByTable.keys.sorted().joined(separator: ", "))"))
                break
            }
            if !columns.contains(columnName) {
                diagnostics.append(.error(
                    at: column.location, path: "\(path).column",
                    "synthetic table '\(tableName)' has no column '\(columnName)'",
                    hint: Suggestions.didYouMean(columnName, in: columns) ?? "columns: \(columns.joined(separator: ", "))"))
            }
        case "expression":
            guard let expression = value["expression"], let text = expression.string,
                  let table = path.split(separator: ".").dropFirst().first, let columns = columnsByTable[String(table)] else { break }
            let location = expression.location
            do {
                let parsed = try ArithmeticExpression.parse(text)
                for name in parsed.columns where !columns.contains(name) {
                    diagnostics.append(.error(
                        at: location, path: "\(path).expression", "no column '\(name)' in this table",
                        hint: Suggestions.didYouMean(name, in: columns) ?? "columns: \(columns.joined(separator: ", "))"))
                }
            } catch {
                diagnostics.append(.error(
                    at: location, path: "\(path).expression", "\(error.message) (at character \(error.offset + 1) of the expression)",
                    hint: "an expression is arithmetic over the row's columns: quantity * unit_price - discount"))
            }
        case "email", "username":
            // `from` names another column of the same table, which is not itself built from one.
            guard let from = value["from"], let name = from.string, let table = path.split(separator: ".").dropFirst().first,
                  let columns = columnsByTable[String(table)] else { break }
            if !columns.contains(name) {
                diagnostics.append(.error(
                    at: from.location, path: "\(path).from", "no column '\(name)' in this table",
                    hint: Suggestions.didYouMean(name, in: columns) ?? "columns: \(columns.joined(separator: ", "))"))
            }
        case "choice":
            if let values = value["values"]?.items, let weights = value["weights"], let count = weights.items?.count,
               count != values.count {
                diagnostics.append(.error(
                    at: weights.location, path: "\(path).weights",
                    "\(count) weight\(count == 1 ? "" : "s") for \(values.count) value\(values.count == 1 ? "" : "s")",
                    hint: "give one weight per value, in the same order"))
            }
        case "integer", "decimal", "date", "timestamp":
            let minKey = generator.hasPrefix("d") && generator != "decimal" || generator == "timestamp" ? "start" : "min"
            let maxKey = minKey == "start" ? "end" : "max"
            guard let low = value[minKey], let high = value[maxKey] else { break }
            let reversed: Bool
            if let a = low.number, let b = high.number {
                reversed = a > b
            } else if let a = low.string, let b = high.string {
                reversed = a > b
            } else {
                reversed = false
            }
            if reversed {
                diagnostics.append(.error(
                    at: high.location, path: "\(path).\(maxKey)",
                    "\(maxKey) is before \(minKey)", hint: "swap them"))
            }
        default:
            break
        }
        return diagnostics
    }
}
