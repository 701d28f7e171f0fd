import FloeContract

/// The values of `charts/floe`: seed 001's HelmValues and DemoConfig exactly, then what floe
/// fills in from the plan (`floe deploy values`). One description drives both the chart's
/// `values.schema.json` (which Helm checks) and `floe deploy render`'s located errors.
public enum DeployValuesShape {
    static let quantity = StringRule(pattern: "^[0-9]+(\\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$",
                                     meaning: "a Kubernetes quantity such as \"100m\", \"1\" or \"256Mi\"")
    static let cron = StringRule(pattern: "^\\S+ \\S+ \\S+ \\S+ \\S+$", meaning: "a five-field cron expression such as \"*/5 * * * *\"")
    static let dnsName = StringRule(pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                                    meaning: "a Kubernetes name: lower-case letters, digits and '-', starting and ending with a letter or digit")
    static let rate = Shape.number(minimum: 0, maximum: 1)

    static func resources(_ title: String) -> Shape {
        .object(ObjectShape(title, [
            .optional("cpu", .string(quantity), "CPU, such as \"100m\""),
            .optional("memory", .string(quantity), "memory, such as \"256Mi\""),
        ]))
    }

    public static let root: Shape = .object(ObjectShape("charts/floe values", [
        // HelmValues (seed 001, 2.1).
        .required("image", .object(ObjectShape("image", [
            .required("repository", .string(.nonEmpty), "the container image repository"),
            .required("tag", .string(), "the image tag (empty: the chart's appVersion)"),
            .required("pullPolicy", .string(.oneOf(["Always", "IfNotPresent", "Never"])), "Kubernetes' image pull policy"),
        ])), "the floe image"),
        .required("replicaCount", .integer(minimum: 0, maximum: 100), "replicas of floe serve"),
        .required("resources", .object(ObjectShape("resources", [
            .optional("requests", resources("requests"), "what a pod is scheduled with"),
            .optional("limits", resources("limits"), "what a pod may use at most"),
        ])), "each floe container's resources"),
        .required("compiledArtifacts", .object(ObjectShape("compiledArtifacts", [
            .required("configMapName", .string(dnsName), "the ConfigMap holding the plan (CompiledArtifacts)"),
        ])), "where the plan is kept"),
        .required("externalSecrets", .object(ObjectShape("externalSecrets", [
            .required("enabled", .boolean, "make the secrets from an External Secrets ClusterSecretStore"),
            .optional("secretStoreName", .string(), "the ClusterSecretStore's name (needed when enabled)"),
        ])), "External Secrets integration"),
        // DemoConfig (seed 001, 2.2).
        .required("demo", .object(ObjectShape("demo", [
            .required("enabled", .boolean, "demo mode: each CronJob run appends a batch of synthetic rows first"),
        ])), "demo mode"),
        .required("schedule", .object(ObjectShape("schedule", [
            .required("cron", .string(cron), "the demo's batch schedule (and the CronJob's when floe.yaml has none)"),
            .required("batchSize", .integer(minimum: 1, maximum: 10_000_000), "orders per batch"),
        ])), "the demo's schedule"),
        .required("dataQuality", .object(ObjectShape("dataQuality", [
            .required("nullRate", rate, "share of null values injected, 0 to 1"),
            .required("duplicateRate", rate, "share of duplicate records, 0 to 1"),
            .required("lateArrivalRate", rate, "share of late-arriving records, 0 to 1"),
        ])), "defects injected into demo batches"),
        .required("burstMode", .object(ObjectShape("burstMode", [
            .required("enabled", .boolean, "batches back to back (a Deployment running floe demo) instead of the CronJob"),
            .required("recordsPerSecond", .integer(minimum: 1, maximum: 10_000_000), "the generation rate in burst mode"),
        ])), "burst mode"),
        .required("observability", .object(ObjectShape("observability", [
            .required("marquezEnabled", .boolean, "send lineage to Marquez and run its UI beside floe"),
            .required("jaegerEnabled", .boolean, "send traces to Jaeger and run its UI beside floe"),
        ])), "the demo's lineage and tracing UIs"),
        // What floe fills in from the plan.
        .required("plan", .string(), "the plan's text, as floe compile wrote it (floe deploy values, or --set-file plan=target/artifacts.json)"),
        .required("product", .object(ObjectShape("product", [
            .required("name", .string(), "the data product's name"),
            .required("environment", .string(), "the environment the plan was compiled for"),
            .required("namespace", .string(), "the plan's namespace: floe-dev, floe-staging, floe-prod, floe-test-<uuid>"),
            .required("schedule", .string(), "floe.yaml's schedule.cron (empty: none)"),
            .required("timezone", .string(), "floe.yaml's schedule.timezone"),
            .required("secrets", .list(.object(ObjectShape("a secret reference", [
                .required("name", .string(dnsName), "the secret_ref name: a Secret of this name, mounted at /var/run/secrets/floe/<name>"),
                .required("keys", .list(.string(.nonEmpty), minItems: 1), "its keys, each a file"),
            ]))), "the secret references the plan's profiles use"),
        ])), "the plan's facts, from floe deploy values"),
        .required("namespace", .object(ObjectShape("namespace", [
            .required("create", .boolean, "render the Namespace object (else it must exist)"),
        ])), "the environment's namespace"),
        .required("apply", .object(ObjectShape("apply", [
            .required("enabled", .boolean, "the CronJob running floe apply"),
            .required("backoffLimit", .integer(minimum: 0, maximum: 10), "retries of a failed Job"),
            .required("activeDeadlineSeconds", .integer(minimum: 60, maximum: 86_400), "the longest a run may take"),
            .required("successfulJobsHistoryLimit", .integer(minimum: 0, maximum: 100), "finished Jobs kept"),
            .required("failedJobsHistoryLimit", .integer(minimum: 0, maximum: 100), "failed Jobs kept"),
        ])), "scheduled runs"),
        .required("serve", .object(ObjectShape("serve", [
            .required("enabled", .boolean, "the Deployment and Service of floe serve"),
            .required("httpPort", .integer(minimum: 1, maximum: 65_535), "Cube's REST API, the UI, /livez and /readyz"),
            .required("sqlPort", .integer(minimum: 1, maximum: 65_535), "the SQL API (PostgreSQL's protocol)"),
            .required("serviceType", .string(.oneOf(["ClusterIP", "NodePort", "LoadBalancer"])), "the Service's type"),
            .required("terminationGracePeriodSeconds", .integer(minimum: 1, maximum: 3600), "time to drain on SIGTERM"),
        ])), "the semantic layer's server"),
        .required("persistence", .object(ObjectShape("persistence", [
            .required("enabled", .boolean, "a PersistentVolumeClaim for /var/lib/floe (the embedded SQLite warehouse and the run's files)"),
            .required("size", .string(quantity), "its size"),
            .required("storageClassName", .string(), "its storage class (empty: the cluster's default)"),
        ])), "the working directory's volume"),
    ]))

    public static func schema() -> JSONDocument {
        JSONSchemaWriter.document(
            id: "https://floe.dev/schemas/charts/floe/values.schema.json", title: "charts/floe values",
            description: "Seed 001's HelmValues and DemoConfig, and the plan's facts floe deploy values fills in.", root: root)
    }
}
