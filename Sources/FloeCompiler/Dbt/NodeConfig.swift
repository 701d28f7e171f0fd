import FloeJinja
import FloeTemplates
import FloeContract
import FloeCore

/// The config of one node after dbt's layering: the project's folder tree, then properties YAML,
/// then `{{ config() }}` in the file. `tags` and hooks add up; everything else, the last one wins.
struct NodeConfig: Sendable {
    var materialized: Materialization?
    var tags: [String] = []
    var schema: String?
    var alias: String?
    var enabled = true
    var uniqueKey: [String] = []
    var incrementalStrategy: IncrementalStrategy?
    var onSchemaChange: String?
    var preHooks: [String] = []
    var postHooks: [String] = []
    var columnTypes: [String: String] = [:]
    var severity: CompiledTest.Severity?
    var whereClause: String?
    /// Tests: `warn_if`/`error_if` (a comparison such as `>10`), `limit`, `store_failures`.
    var warnIf: String?
    var errorIf: String?
    var limit: Int?
    var storeFailures: Bool?
    /// Models: dbt's `indexes`, `[{columns: [...], unique: true}]`.
    var indexes: [ModelIndex] = []
    /// Other keys, kept so `config.get()` can answer for them.
    var extra: [String: ConfigInput] = [:]

    static let strategies = IncrementalStrategy.allCases.map(\.rawValue)

    /// dbt's `access` (default `protected`) and `group`.
    var access: String { extra["access"]?.string ?? "protected" }
    var group: String? { extra["group"]?.string }
    /// A test's `fail_calc` (dbt's default `count(*)` when nil).
    var failCalc: String? { extra["fail_calc"]?.string }

    /// dbt 1.12's `latest_version_pointer: {enabled, alias}`: nil when not set.
    var latestVersionPointer: (enabled: Bool, alias: String?)? {
        guard case .map(let pointer)? = extra["latest_version_pointer"] else { return nil }
        guard case .bool(let enabled)? = pointer["enabled"] else { return (false, nil) }
        if case .string(let alias)? = pointer["alias"] { return (enabled, alias) }
        return (enabled, nil)
    }

    /// dbt's `contract: {enforced: true}`.
    var contractEnforced: Bool {
        guard case .map(let contract)? = extra["contract"], case .bool(let enforced)? = contract["enforced"] else { return false }
        return enforced
    }

    /// `partition_by` as a list of columns: `'day'`, `['region', 'day']` (dbt-spark), or
    /// `{field: 'day', data_type: 'date'}` (dbt-bigquery); nil when it is none of those.
    var partitionColumns: [String]? {
        guard let value = extra["partition_by"] else { return [] }
        if case .map(let map) = value, case .string(let field)? = map["field"] { return [field] }
        return value.strings
    }
    static let schemaChangeModes = ["ignore", "fail", "append_new_columns", "sync_all_columns"]
    static let knownKeys = [
        "materialized", "tags", "schema", "alias", "enabled", "unique_key", "incremental_strategy", "on_schema_change",
        "pre_hook", "post_hook", "column_types", "severity", "where", "warn_if", "error_if", "limit", "store_failures",
        "indexes",
    ]
    /// A snapshot's config, read from `extra` when the snapshot is planned.
    static let snapshotKeys: Set<String> = [
        "strategy", "updated_at", "check_cols", "target_schema", "target_database", "hard_deletes", "invalidate_hard_deletes",
        "dbt_valid_to_current", "snapshot_meta_column_names",
    ]
    /// dbt config keys floe accepts and carries no further: they never warn.
    static let acceptedKeys: Set<String> = [
        "meta", "docs", "persist_docs", "grants", "full_refresh", "contract", "access", "group", "database", "quoting",
        "quote_columns", "sql_header", "event_time", "store_failures_as", "fail_calc", "merge_update_columns", "merge_exclude_columns", "incremental_predicates",
        "description", "labels", "packages", "delimiter", "batch_size", "lookback", "begin", "concurrent_batches",
        "unlogged", "bind", "snowflake_warehouse", "cluster_by", "partition_by", "file_format", "location_root",
        "transient", "copy_grants", "query_tag", "on_configuration_change", "latest_version_pointer",
    ]

    /// dbt spells hooks `pre-hook` in YAML and `pre_hook` in `config()`.
    static func normalized(_ key: String) -> String {
        key.utf8.contains(UInt8(ascii: "-")) ? String(key.map { $0 == "-" ? "_" : $0 }) : key
    }

    /// Applies one entry; returns a diagnostic when the value is wrong or the key unknown.
    mutating func apply(_ entry: ConfigEntry, path: String) -> Diagnostic? {
        let key = Self.normalized(entry.key)
        let value = entry.value
        func wrongType(_ expected: String) -> Diagnostic {
            .error(at: entry.location, path: path, "expected \(expected) for '\(entry.key)', got \(value.typeDescription)")
        }
        func oneOf(_ choices: [String], _ text: String, _ what: String) -> Diagnostic {
            .error(at: entry.location, path: path, "unknown \(what) '\(text)'; expected \(Suggestions.list(choices.map { "'\($0)'" }))",
                   hint: Suggestions.didYouMean(text, in: choices))
        }
        switch key {
        case "materialized":
            guard let text = value.string else { return wrongType("a string") }
            guard let kind = Materialization(rawValue: text) else {
                // A snapshot is written as one, not configured into one: not offered here.
                let choices = Materialization.allCases.filter { $0 != .snapshot }.map(\.rawValue)
                var problem = oneOf(choices, text, "materialization")
                if Suggestions.didYouMean(text, in: choices) == nil {
                    problem.hint = "floe builds these itself; a custom materialization ({% materialization \(text) %}) is read, not run: configure one of them"
                }
                return problem
            }
            materialized = kind
        case "tags":
            guard let texts = value.strings else { return wrongType("a string or a list of strings") }
            for tag in texts where !tags.contains(tag) { tags.append(tag) }
        case "schema":
            if value == .null { schema = nil; return nil }
            guard let text = value.string else { return wrongType("a string") }
            schema = text
        case "alias":
            if value == .null { alias = nil; return nil }
            guard let text = value.string else { return wrongType("a string") }
            alias = text
        case "enabled":
            guard case .bool(let flag) = value else { return wrongType("true or false") }
            enabled = flag
        case "unique_key":
            guard let keys = value.strings else { return wrongType("a column name or a list of them") }
            uniqueKey = keys
        case "incremental_strategy":
            // `incremental_strategy=none` is dbt's default strategy.
            if value == .null { incrementalStrategy = nil; return nil }
            guard let text = value.string else { return wrongType("a string") }
            guard let strategy = IncrementalStrategy(rawValue: text) else { return oneOf(Self.strategies, text, "incremental strategy") }
            incrementalStrategy = strategy
        case "on_schema_change":
            guard let text = value.string else { return wrongType("a string") }
            guard Self.schemaChangeModes.contains(text) else { return oneOf(Self.schemaChangeModes, text, "on_schema_change mode") }
            onSchemaChange = text
        case "pre_hook", "post_hook":
            let hooks: [String]
            if case .map(let map) = value, let sql = map["sql"]?.string {
                hooks = [sql]
            } else if let texts = value.strings {
                hooks = texts
            } else {
                return wrongType("SQL text or a list of SQL texts")
            }
            if key == "pre_hook" { preHooks += hooks } else { postHooks += hooks }
        case "column_types":
            guard case .map(let map) = value else { return wrongType("a mapping of column names to SQL types") }
            for (column, type) in map {
                guard let text = type.string else { return wrongType("a SQL type name for column '\(column)'") }
                columnTypes[column] = text
            }
        case "severity":
            guard let text = value.string else { return wrongType("a string") }
            guard let level = CompiledTest.Severity(rawValue: text.lowercased()) else { return oneOf(["error", "warn"], text, "severity") }
            severity = level
        case "where":
            if value == .null { whereClause = nil; return nil }
            guard let text = value.string else { return wrongType("a SQL condition") }
            whereClause = text
        case "warn_if", "error_if":
            guard let text = value.string else { return wrongType("a comparison such as '>10'") }
            guard let condition = FailureThreshold(text) else {
                return .error(at: entry.location, path: path, "'\(text)' is not a comparison with the number of failing rows",
                              hint: "write an operator and a whole number: '!=0' (dbt's default), '>10', '>=100'")
            }
            if key == "warn_if" { warnIf = condition.text } else { errorIf = condition.text }
        case "limit":
            if value == .null { limit = nil; return nil }
            guard case .integer(let number) = value else { return wrongType("a whole number of rows") }
            guard number >= 0 else {
                return .error(at: entry.location, path: path, "expected 0 or more rows for 'limit', got \(number)")
            }
            limit = number
        case "store_failures":
            if value == .null { storeFailures = nil; return nil }
            guard case .bool(let flag) = value else { return wrongType("true or false") }
            storeFailures = flag
        case "indexes":
            if value == .null { indexes = []; return nil }
            guard case .list(let entries) = value else { return wrongType("a list of indexes such as [{columns: [id], unique: true}]") }
            var parsed: [ModelIndex] = []
            // An unsupported key is warned about and the index still made (the first such key is told).
            var ignored: Diagnostic?
            for (position, item) in entries.enumerated() {
                let field = "[\(position)]"
                guard case .map(let map) = item, let columns = map["columns"]?.strings, !columns.isEmpty else {
                    return .error(at: entry.location, path: path + field, "expected an index with a non-empty 'columns' list",
                                  hint: "write {columns: [customer_id, order_date]}, optionally with unique: true")
                }
                var unique = false
                switch map["unique"] {
                case nil, .null?: break
                case .bool(let flag)?: unique = flag
                default:
                    return .error(at: entry.location, path: path + field + ".unique", "expected true or false for 'unique'")
                }
                if ignored == nil, let other = map.keys.sorted().first(where: { $0 != "columns" && $0 != "unique" }) {
                    ignored = .warning(at: entry.location, path: path + field, "index key '\(other)' is not supported; floe ignores it",
                                       hint: "floe creates plain B-tree indexes from 'columns' and 'unique'")
                }
                parsed.append(ModelIndex(columns: columns, unique: unique))
            }
            indexes = parsed
            return ignored
        case "access":
            guard let text = value.string, ["private", "protected", "public"].contains(text) else {
                return wrongType("private, protected or public")
            }
            extra[key] = value
        case "group":
            guard value.string != nil else { return wrongType("a group's name") }
            extra[key] = value
        case "contract":
            // dbt's `{enforced: true}` (and `alias_types`, which floe accepts): kept for config.get.
            guard case .map(let map) = value, map.keys.allSatisfy({ $0 == "enforced" || $0 == "alias_types" }) else {
                return wrongType("a mapping such as {enforced: true}")
            }
            switch map["enforced"] {
            case nil, .null?, .bool?: extra[key] = value
            default: return .error(at: entry.location, path: path + ".enforced", "expected true or false for 'enforced'")
            }
        default:
            extra[key] = value
            if !Self.acceptedKeys.contains(key), !Self.snapshotKeys.contains(key) {
                return .warning(at: entry.location, path: path, "unknown config key '\(entry.key)'; floe ignores it",
                                hint: Suggestions.didYouMean(key, in: Self.knownKeys))
            }
        }
        return nil
    }

    /// What `config.get(key)` sees.
    func value(forKey rawKey: String) -> ConfigInput? {
        switch Self.normalized(rawKey) {
        case "materialized": return materialized.map { .string($0.rawValue) }
        case "tags": return .list(tags.map(ConfigInput.string))
        case "schema": return schema.map(ConfigInput.string)
        case "alias": return alias.map(ConfigInput.string)
        case "enabled": return .bool(enabled)
        case "unique_key":
            if uniqueKey.isEmpty { return nil }
            return uniqueKey.count == 1 ? .string(uniqueKey[0]) : .list(uniqueKey.map(ConfigInput.string))
        case "incremental_strategy": return incrementalStrategy.map { ConfigInput.string($0.rawValue) }
        case "on_schema_change": return onSchemaChange.map(ConfigInput.string)
        case "severity": return severity.map { .string($0.rawValue) }
        case "where": return whereClause.map(ConfigInput.string)
        case "warn_if": return warnIf.map(ConfigInput.string)
        case "error_if": return errorIf.map(ConfigInput.string)
        case "limit": return limit.map(ConfigInput.integer)
        case "store_failures": return storeFailures.map(ConfigInput.bool)
        case "indexes":
            if indexes.isEmpty { return nil }
            return .list(indexes.map { .map(["columns": .list($0.columns.map(ConfigInput.string)), "unique": .bool($0.unique)]) })
        case let key: return extra[key]
        }
    }
}

extension NodeConfig: DbtNodeConfig {
    /// Every key `config.get` answers, with its value: what a model rendered at apply time reads.
    var frozen: [String: ConfigInput] {
        var values: [String: ConfigInput] = [:]
        for key in ["materialized", "tags", "schema", "alias", "enabled", "unique_key", "incremental_strategy", "on_schema_change",
                    "indexes"] + extra.keys.sorted() {
            if let value = value(forKey: key) { values[key] = value }
        }
        return values
    }

    /// A `config()` call's entry, during rendering; its problems are reported when the compiler
    /// applies the same entries to resolve the node's config.
    mutating func take(_ entry: ConfigEntry) {
        _ = apply(entry, path: entry.key)
    }
}
