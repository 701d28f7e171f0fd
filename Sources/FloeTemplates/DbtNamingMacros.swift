import FloeJinja

/// dbt's built-in naming macros, callable from any template as dbt's are (a test that checks
/// `{{ generate_schema_name('x') }}`, a macro building a relation name): `generate_schema_name`,
/// `generate_alias_name`, `generate_database_name` and `generate_schema_name_for_env`. A root
/// project's macro of the same name replaces each, for the compiler's naming and for callers.
enum DbtNamingMacros {
    /// The built-ins for a target whose schema is `namespace` and whose name is `targetName`.
    static func functions(namespace: String, targetName: String, database: String) -> [String: JinjaValue] {
        func function(_ name: String, _ parameters: [String], _ body: @escaping ([JinjaValue?]) -> JinjaValue) -> (String, JinjaValue) {
            (name, .callable(JinjaCallable(name) { arguments, keywords, context in
                let bound = try CrossDatabaseMacros.bind(name, parameters, required: 0, arguments, keywords, context)
                return body(bound)
            }))
        }
        /// A given, non-empty custom name, trimmed as dbt trims it.
        func custom(_ value: JinjaValue?) -> String? {
            guard let value, !value.isUndefined, value.isTruthy else { return nil }
            return value.rendered.trimmingCharacters(in: .whitespaces)
        }
        return Dictionary(uniqueKeysWithValues: [
            function("generate_schema_name", ["custom_schema_name", "node"]) { arguments in
                .string(custom(arguments[0]).map { "\(namespace)_\($0)" } ?? namespace)
            },
            // The custom alias, or the node's name (`<name>_v<version>` for a versioned model).
            function("generate_alias_name", ["custom_alias_name", "node"]) { arguments in
                if let alias = custom(arguments[0]) { return .string(alias) }
                guard case .dict(let node)? = arguments[1] else { return .none }
                let name = node["name"]?.rendered ?? ""
                guard let version = node["version"], !version.isUndefined, version.isTruthy else { return .string(name) }
                return .string("\(name)_v\(version.rendered.replacingOccurrences(of: ".", with: "_"))")
            },
            // The custom database as given, else `target.database` (floe's relations have no database part).
            function("generate_database_name", ["custom_database_name", "node"]) { arguments in
                .string(custom(arguments[0]) ?? database)
            },
            // A custom schema as written in prod, the target's schema elsewhere.
            function("generate_schema_name_for_env", ["custom_schema_name", "node"]) { arguments in
                .string(targetName == "prod" ? custom(arguments[0]) ?? namespace : namespace)
            },
        ])
    }
}
