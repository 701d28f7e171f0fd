import FloeJinja

/// dbt's runtime objects as templates reach them: the runtime config behind
/// `builtins.ref.config` and the dbt release floe follows.
extension DbtRenderContext {
    /// dbt's runtime config as templates reach it: the project's name, every project's
    /// `version` under `dependencies`, the root vars, the target; no command-line vars or args.
    func runtimeConfig() -> JinjaValue {
        let dependencies = inputs.projectVersions.keys.sorted().map { name in
            (name, JinjaValue.dict([("project_name", .string(name)), ("version", .string(inputs.projectVersions[name]!))]))
        }
        return .dict([
            ("project_name", .string(inputs.projectName)), ("version", .string(inputs.projectVersions[inputs.projectName] ?? "")),
            ("dependencies", .dict(dependencies)), ("vars", .dict(inputs.vars.keys.sorted().map { ($0, inputs.vars[$0]!.jinja) })),
            ("cli_vars", .dict([])), ("args", .dict([])), ("target_name", .string(inputs.targetName)),
            ("profile_name", .string(inputs.projectName)),
        ])
    }

    /// The dbt release whose behaviour floe follows: `dbt_version`.
    public static let dbtVersion = "1.11.0"
}
