import FloeCore
import FloeYAML

/// One entry of dbt's `constraints:` (of a column, or of a model with its `columns`), as written.
struct ConstraintProperties: Sendable {
    var type: String
    var location: SourceLocation
    var name: String?
    var expression: String?
    /// A model-level constraint's columns.
    var columns: [String] = []
    /// A foreign key's `to:` (`ref('customers')`) and `to_columns:`.
    var to: String?
    var toColumns: [String] = []
    /// dbt's `warn_unenforced`/`warn_unsupported` (default true).
    var warnUnenforced = true
    var warnUnsupported = true
}

extension DbtProperties {
    /// dbt's `constraints:` list: each `{type, name?, expression?, columns?, to?, to_columns?}`.
    mutating func constraints(_ value: YAMLValue?, path: String) -> [ConstraintProperties] {
        var found: [ConstraintProperties] = []
        for (index, item) in list(value, path: path).enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard item.entries != nil else {
                diagnostics.append(.error(at: item.location, path: itemPath, "expected a constraint such as {type: not_null}, got \(item.kindDescription)"))
                continue
            }
            guard let type = string(item["type"], path: itemPath + ".type") else {
                diagnostics.append(.error(at: item.location, path: itemPath + ".type", "a constraint needs a type",
                                          hint: "one of not_null, unique, primary_key, foreign_key, check"))
                continue
            }
            var constraint = ConstraintProperties(type: type, location: item.location, name: string(item["name"], path: itemPath + ".name"),
                                                  expression: string(item["expression"], path: itemPath + ".expression"))
            constraint.columns = list(item["columns"], path: itemPath + ".columns").compactMap { string($0, path: itemPath + ".columns") }
            constraint.to = string(item["to"], path: itemPath + ".to")
            constraint.toColumns = list(item["to_columns"], path: itemPath + ".to_columns").compactMap { string($0, path: itemPath + ".to_columns") }
            if let flag = item["warn_unenforced"]?.bool { constraint.warnUnenforced = flag }
            if let flag = item["warn_unsupported"]?.bool { constraint.warnUnsupported = flag }
            found.append(constraint)
        }
        return found
    }
}
