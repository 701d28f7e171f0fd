import FloeCompiler
import FloeContract
import FloeCore
import FloeYAML
import Foundation

/// What `floe deploy` puts into the chart's values from a plan: the plan's text (byte for byte,
/// so the ConfigMap holds exactly what `floe compile` wrote) and its facts: product, environment,
/// namespace, schedule, and the secret references its profiles use (names and keys, never values).
public enum DeployValues {
    public static func values(plan: CompiledArtifacts, planText: String) throws(DeployError) -> TemplateValue {
        var secrets: [String: [String]] = [:]
        for reference in plan.secretReferences { secrets[reference.name, default: []].append(reference.key) }
        let dns = try? NSRegularExpression(pattern: DeployValuesShape.dnsName.pattern!)
        for name in secrets.keys.sorted() where dns?.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) == nil {
            throw DeployError("the secret reference '\(name)' cannot name a Kubernetes Secret (lower-case letters, digits and '-' only)\n"
                + "  hint: rename it in platform.yaml (secret_ref: \(name.lowercased().replacingOccurrences(of: "_", with: "-")))")
        }
        let namespace = plan.environment.namespace
        if dns?.firstMatch(in: namespace, range: NSRange(namespace.startIndex..., in: namespace)) == nil || namespace.count > 63 {
            throw DeployError("the environment '\(plan.environment.name)' has the namespace '\(namespace)', which cannot be a Kubernetes "
                + "namespace (at most 63 lower-case letters, digits and '-')\n  hint: give it one in platform.yaml's environments, "
                + "such as floe-\(plan.environment.name.lowercased().replacingOccurrences(of: "_", with: "-"))")
        }
        return .map([
            "plan": .string(planText),
            "product": .map([
                "name": .string(plan.product.name),
                "environment": .string(plan.environment.name),
                "namespace": .string(plan.environment.namespace),
                "schedule": .string(plan.product.schedule?.cron ?? ""),
                "timezone": .string(plan.product.schedule?.timezone ?? "UTC"),
                "secrets": .list(secrets.keys.sorted().map { name in
                    .map(["name": .string(name), "keys": .list(Array(Set(secrets[name]!)).sorted().map(TemplateValue.string))])
                }),
            ]),
        ])
    }

    /// A values document as YAML (what `floe deploy values` prints).
    public static func yaml(_ values: TemplateValue) -> String { YAMLWriter.document(values) }

    /// Problems with `values` (the chart's defaults and every override, merged) as the chart's
    /// schema sees them, each with its field path; `source` names where they came from.
    public static func problems(in values: TemplateValue, source: String) -> [Diagnostic] {
        let document = YAMLWriter.document(values)
        let (yaml, diagnostics) = YAMLLoader().load(data: Data(document.utf8), displayPath: source)
        guard let yaml else { return diagnostics }
        return diagnostics + ShapeValidator.validate(yaml, against: DeployValuesShape.root)
    }

    /// Problems in one values file the user gave (`-f`), located in it; fields it leaves out are
    /// the chart's defaults, so only what it says is checked.
    public static func problems(inFile yaml: YAMLValue) -> [Diagnostic] {
        ShapeValidator.validate(yaml, against: DeployValuesShape.root).filter { !$0.message.contains("missing required") }
    }
}

extension HelmChart {
    /// charts/floe as this floe carries it.
    public static let floe = HelmChart(files: EmbeddedChart.files)
}
