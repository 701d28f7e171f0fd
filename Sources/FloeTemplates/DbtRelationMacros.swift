import FloeContract
import FloeEngine
import FloeJinja

/// dbt's macros that make a relation beside another (`make_temp_relation`,
/// `make_intermediate_relation`, `make_backup_relation`): the same schema, the identifier with a
/// suffix, fitted to the engine's identifier limit.
extension DbtRenderContext {
    func relationMacros() -> [String: JinjaValue] {
        func define(_ name: String, _ parameters: [String], suffix defaultSuffix: String) -> (String, JinjaValue) {
            (name, .callable(JinjaCallable(name) { [unowned self] arguments, keywords, context in
                let bound = try CrossDatabaseMacros.bind(name, parameters, required: 1, arguments, keywords, context)
                guard case .dict(let given)? = bound[0] else {
                    throw TemplateError("\(name)() needs a relation", at: context.location, hint: "\(name)(this)")
                }
                let suffix = bound.last.flatMap { $0 }.flatMap { $0.isUndefined || $0.rendered == "None" ? nil : $0.rendered } ?? defaultSuffix
                let base = Relation(schema: given["schema"]?.rendered ?? "", name: given["identifier"]?.rendered ?? "")
                return relationObject(base.suffixed(suffix, for: inputs.dialect))
            }))
        }
        return Dictionary(uniqueKeysWithValues: [
            define("make_temp_relation", ["base_relation", "suffix"], suffix: "__dbt_tmp"),
            define("make_intermediate_relation", ["base_relation", "suffix"], suffix: "__dbt_tmp"),
            define("make_backup_relation", ["base_relation", "backup_relation_type", "suffix"], suffix: "__dbt_backup"),
        ])
    }
}
