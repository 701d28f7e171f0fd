import Foundation
import Testing

/// charts/floe rendered two ways on the e-commerce demo: by Helm's own Go library (PyPI's
/// helm-python-sdk, with the values `floe deploy values` prints) and by `floe deploy render`,
/// without Helm. Both must give the same objects, which kubernetes-validate accepts strictly on
/// the oldest and newest Kubernetes versions the chart supports.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FLOE_TEST_K8S_PYTHON"] != nil,
                "no helm-python-sdk or kubernetes-validate: ./scripts/test.sh installs them from PyPI and sets FLOE_TEST_K8S_PYTHON"))
struct DeployTests {
    static let chart = FloeBinary.repositoryRoot.appendingPathComponent("charts/floe")
    static let script = FloeBinary.repositoryRoot.appendingPathComponent("Tests/FloeCLITests/Clients/helm_chart.py")
    static let oldest = "1.27.0", newest = "1.37.0"

    func python(_ arguments: [String]) throws -> FloeBinary.Result {
        let python = try #require(ProcessInfo.processInfo.environment["FLOE_TEST_K8S_PYTHON"])
        return try FloeBinary.run(program: URL(fileURLWithPath: python), [Self.script.path] + arguments)
    }

    /// The objects of YAML documents, parsed by PyYAML as Helm's are, sorted by kind and name.
    func objects(_ json: String) throws -> [NSDictionary] {
        let list = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        return list.compactMap { $0["object"] as? NSDictionary }.sorted { key($0) < key($1) }
    }

    func key(_ object: NSDictionary) -> String {
        "\(object["kind"] ?? "")/\((object["metadata"] as? NSDictionary)?["name"] ?? "")"
    }

    /// Helm's objects and floe's for one environment and values files over them.
    func bothWays(_ demo: URL, env: String, values: [String], environment: [String: String] = [:]) throws -> (helm: [NSDictionary], floe: [NSDictionary], rendered: URL) {
        let floeValues = demo.appendingPathComponent("floe-values-\(env).yaml")
        let printed = try FloeBinary.run(["deploy", "values", "--env", env, "-o", floeValues.path], in: demo, environment: environment)
        try #require(printed.status == 0, "\(printed.all)")
        let helm = try python(["render", Self.chart.path, "floe", "ignored", floeValues.path] + values)
        try #require(helm.status == 0, "\(helm.all)")
        let output = demo.appendingPathComponent("rendered-\(env)")
        let render = try FloeBinary.run(["deploy", "render", "--env", env, "-o", output.path] + values.flatMap { ["-f", $0] },
                                        in: demo, environment: environment)
        try #require(render.status == 0, "\(render.all)")
        let files = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted().map { output.appendingPathComponent($0).path }
        let parsed = try python(["parse"] + files)
        try #require(parsed.status == 0, "\(parsed.all)")
        return (try objects(helm.stdout), try objects(parsed.stdout), output)
    }

    @Test func helmAndFloeRenderTheSameObjectsWhichKubernetesAccepts() throws {
        let demo = try ApplyCommandTests.demoCopy()
        let compiled = try FloeBinary.run(["compile", "--env", "dev"], in: demo)
        try #require(compiled.status == 0, "\(compiled.all)")
        let plan = try String(contentsOf: demo.appendingPathComponent("target/artifacts.json"), encoding: .utf8)
        let (helm, floe, rendered) = try bothWays(demo, env: "dev", values: [])
        #expect(helm.map(key) == ["ConfigMap/floe-artifacts", "CronJob/floe-ecommerce-analytics-apply", "Deployment/floe-ecommerce-analytics-serve",
                                  "PersistentVolumeClaim/floe-ecommerce-analytics-work", "Service/floe-ecommerce-analytics-serve"])
        #expect(floe == helm, "floe deploy render gives Helm's objects")

        // The ConfigMap holds the plan byte for byte as floe compile --env dev wrote it.
        let configMap = try #require(helm.first { key($0) == "ConfigMap/floe-artifacts" })
        #expect((configMap["data"] as? NSDictionary)?["artifacts.json"] as? String == plan)
        // The CronJob runs floe apply on floe.yaml's schedule without overlap, as a non-root user
        // on a read-only root file system.
        let cron = try #require(helm.first { key($0).hasPrefix("CronJob/") })
        let spec = try #require(cron["spec"] as? NSDictionary)
        #expect(spec["schedule"] as? String == "*/10 * * * *" && spec["timeZone"] as? String == "UTC")
        #expect(spec["concurrencyPolicy"] as? String == "Forbid")
        let pod = try #require(((spec["jobTemplate"] as? NSDictionary)?["spec"] as? NSDictionary)?["template"] as? NSDictionary)
        let podSpec = try #require(pod["spec"] as? NSDictionary)
        #expect((podSpec["securityContext"] as? NSDictionary)?["runAsNonRoot"] as? Bool == true)
        let container = try #require((podSpec["containers"] as? [NSDictionary])?.first)
        #expect(container["args"] as? [String] == ["apply", "/etc/floe/artifacts.json", "--project-dir", "/var/lib/floe", "--target-path", "/var/lib/floe/target"])
        let security = try #require(container["securityContext"] as? NSDictionary)
        #expect(security["readOnlyRootFilesystem"] as? Bool == true && security["allowPrivilegeEscalation"] as? Bool == false)
        // floe serve's API secret is a secret reference: a Secret mounted where floe looks.
        let mounts = try #require(container["volumeMounts"] as? [NSDictionary])
        #expect(mounts.contains { $0["mountPath"] as? String == "/var/run/secrets/floe/cube-api" })

        for version in [Self.oldest, Self.newest] {
            let files = try FileManager.default.contentsOfDirectory(atPath: rendered.path).map { rendered.appendingPathComponent($0).path }
            let validated = try python(["validate", version] + files)
            #expect(validated.status == 0, "kubernetes-validate --strict \(version): \(validated.all)")
            #expect(validated.all.components(separatedBy: "passed for resource").count - 1 == 5, "\(validated.all)")
        }
    }

    /// The demo profile (seed 001's DemoConfig) with External Secrets and burst mode, on prod
    /// (PostgreSQL, whose password is a secret reference): Helm's objects again, and no secret
    /// value anywhere, though one is set in the environment.
    @Test func theDemoProfileAndExternalSecretsOnProd() throws {
        let demo = try ApplyCommandTests.demoCopy()
        let extra = demo.appendingPathComponent("extra-values.yaml")
        try Data("externalSecrets: {enabled: true, secretStoreName: vault}\nburstMode: {enabled: true, recordsPerSecond: 500}\n".utf8).write(to: extra)
        let secret = "pw-never-shown-\(UUID().uuidString)"
        let (helm, floe, rendered) = try bothWays(demo, env: "prod", values: [Self.chart.appendingPathComponent("values-demo.yaml").path, extra.path],
                                                  environment: ["FLOE_SECRET_WAREHOUSE_DB_PASSWORD": secret])
        #expect(floe == helm)
        #expect(helm.map(key) == [
            "ConfigMap/floe-artifacts", "Deployment/floe-ecommerce-analytics-demo", "Deployment/floe-ecommerce-analytics-jaeger",
            "Deployment/floe-ecommerce-analytics-marquez", "Deployment/floe-ecommerce-analytics-serve", "ExternalSecret/cube-api",
            "ExternalSecret/polaris", "ExternalSecret/s3-credentials", "ExternalSecret/warehouse-db", "Namespace/floe-prod", "PersistentVolumeClaim/floe-ecommerce-analytics-work",
            "Service/floe-ecommerce-analytics-jaeger", "Service/floe-ecommerce-analytics-marquez", "Service/floe-ecommerce-analytics-serve",
        ], "burst mode: the demo Deployment instead of the CronJob")
        let burst = try #require(helm.first { key($0) == "Deployment/floe-ecommerce-analytics-demo" })
        let template = try #require((burst["spec"] as? NSDictionary)?["template"] as? NSDictionary)
        let container = try #require(((template["spec"] as? NSDictionary)?["containers"] as? [NSDictionary])?.first)
        #expect((container["args"] as? [String])?.suffix(10) == ["--burst", "500", "--batch-size", "100", "--null-rate", "0.02",
                                                                 "--duplicate-rate", "0.01", "--late-arrival-rate", "0.05"])
        let env = try #require(container["env"] as? [NSDictionary])
        #expect(env.contains { $0["name"] as? String == "FLOE_LINEAGE" && $0["value"] as? String == "http://floe-ecommerce-analytics-marquez:5000/api/v1/lineage" })
        let external = try #require(helm.first { key($0) == "ExternalSecret/warehouse-db" })
        let data = try #require((external["spec"] as? NSDictionary)?["data"] as? [NSDictionary])
        #expect(data.map { $0["secretKey"] as? String } == ["password"])
        for file in try FileManager.default.contentsOfDirectory(atPath: rendered.path) {
            let text = try String(contentsOf: rendered.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains(secret), "\(file) holds the secret's value")
        }
        // Every core object passes kubernetes-validate; ExternalSecret is a CRD it has no schema for.
        let core = try FileManager.default.contentsOfDirectory(atPath: rendered.path).filter { $0 != "externalsecrets.yaml" }
            .map { rendered.appendingPathComponent($0).path }
        for version in [Self.oldest, Self.newest] {
            let validated = try python(["validate", version] + core)
            #expect(validated.status == 0, "kubernetes-validate --strict \(version): \(validated.all)")
        }
    }

    /// What the seed's types reject, Helm's schema check and floe deploy render reject alike,
    /// floe with the file, line and field.
    @Test func badValuesAreRejectedByHelmAndByFloe() throws {
        let demo = try ApplyCommandTests.demoCopy()
        let bad = demo.appendingPathComponent("bad.yaml")
        try Data("image:\n  pullPolicy: Sometimes\ndataQuality:\n  nullRate: 1.5\nreplicas: 2\n".utf8).write(to: bad)
        let values = demo.appendingPathComponent("floe-values.yaml")
        #expect(try FloeBinary.run(["deploy", "values", "-o", values.path], in: demo).status == 0)
        let helm = try python(["schema", Self.chart.path, values.path, bad.path])
        #expect(helm.stdout.hasPrefix("invalid:"), "\(helm.all)")
        #expect(helm.stdout.contains("/image/pullPolicy") && helm.stdout.contains("/dataQuality/nullRate"), "\(helm.stdout)")
        let floe = try FloeBinary.run(["deploy", "render", "-f", bad.path], in: demo)
        #expect(floe.status == 4, "\(floe.all)")
        #expect(floe.stderr.contains("\(bad.path):2:15: error: image.pullPolicy:"), "\(floe.stderr)")
        #expect(floe.stderr.contains("\(bad.path):4:13: error: dataQuality.nullRate:"), "\(floe.stderr)")
        #expect(floe.stderr.contains("\(bad.path):5:1: error: replicas: unknown key 'replicas'"), "\(floe.stderr)")
        #expect(floe.stdout.isEmpty)
        let lint = try python(["lint", Self.chart.path, values.path])
        #expect(lint.status == 0 && lint.stdout.contains("\"errors\": []"), "helm lint --strict: \(lint.all)")
    }

    /// A namespace Kubernetes cannot have (the Spark environment's floe_spark) is refused.
    @Test func anEnvironmentWhoseNamespaceKubernetesRefuses() throws {
        let demo = try ApplyCommandTests.demoCopy()
        let values = try FloeBinary.run(["deploy", "values", "--env", "spark"], in: demo)
        #expect(values.status == 4, "\(values.all)")
        #expect(values.stderr.contains("error: the environment 'spark' has the namespace 'floe_spark', which cannot be a Kubernetes namespace"),
                "\(values.stderr)")
    }
}
