import ArgumentParser
import FloeContract
import FloeCore
import FloeDeploy
import FloeYAML
import Foundation

/// `floe deploy`: the Kubernetes objects of a data product, from charts/floe.
struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Kubernetes: the chart's values from the plan, or the objects themselves without Helm (for GitOps and kustomize).",
        subcommands: [DeployValuesCommand.self, DeployRenderCommand.self, DeploySchemaCommand.self])

    static func write(_ text: String, to path: String) throws {
        do {
            try AtomicFile.write(Data(text.utf8), to: path)
        } catch {
            Console.standardError.line("error: cannot write \(path): \(error.localizedDescription)")
            throw FloeExit(.failed)
        }
    }
}

/// What `values` and `render` share: the plan they deploy.
struct DeployPlanOptions: ParsableArguments {
    @OptionGroup var project: ProjectOptions

    @Option(help: ArgumentHelp("A plan floe compile wrote (default: the project compiled for --env first, into target/artifacts.json).",
                               valueName: "artifacts.json"))
    var plan: String?

    /// The plan and its exact bytes.
    func load(command: String) throws -> (plan: CompiledArtifacts, text: String) {
        let loaded = try CurrentPlan.load(named: plan, project: project, command: command)
        guard let data = FileManager.default.contents(atPath: loaded.path) else {
            Console.standardError.line("\(loaded.path): error: file not found")
            throw FloeExit(.fileNotFound)
        }
        return (loaded.plan, String(decoding: data, as: UTF8.self))
    }

    func values(command: String) throws -> TemplateValue {
        let (plan, text) = try load(command: command)
        do {
            return try DeployValues.values(plan: plan, planText: text)
        } catch {
            Console.standardError.line("error: \(error.description)")
            throw FloeExit(.invalidConfiguration)
        }
    }
}

struct DeployValuesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "values",
        abstract: "Print the chart's values for this plan: the plan itself, its namespace, schedule and secret references.",
        discussion: "helm install floe charts/floe -n floe-prod -f <(floe deploy values --env prod)")

    @OptionGroup var options: DeployPlanOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var output: String?

    func run() throws {
        let text = DeployValues.yaml(try options.values(command: "deploy values"))
        guard let output else { return Console.standardOutput.write(Data(text.utf8)) }
        try DeployCommand.write(text, to: output)
    }
}

struct DeployRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write the Kubernetes objects charts/floe makes for this plan, as helm template would, without Helm.",
        discussion: """
            Values: the chart's values.yaml, then the plan's (floe deploy values), then each -f file in order. \
            Exit 4 when a values file breaks the chart's schema.
            """)

    @OptionGroup var options: DeployPlanOptions

    @Option(name: [.customShort("f"), .customLong("values")], help: ArgumentHelp("A values file over the chart's (charts/floe/values-demo.yaml for the demo); repeatable.",
                                                                   valueName: "file"))
    var valueFiles: [String] = []

    @Option(help: ArgumentHelp("The release name every object's name starts with.", valueName: "name"))
    var release: String = "floe"

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("A directory to write one file per template into (default: stdout, documents separated by ---).",
                                                                   valueName: "dir"))
    var output: String?

    func run() throws {
        var layers = [try options.values(command: "deploy render")]
        var problems: [Diagnostic] = []
        for file in valueFiles {
            let (yaml, _, diagnostics) = YAMLLoader().load(contentsOf: URL(fileURLWithPath: file), displayPath: file)
            problems += diagnostics.filter { $0.severity == .error }
            guard let yaml else { continue }
            problems += DeployValues.problems(inFile: yaml)
            layers.append(TemplateValue(yaml))
        }
        let chart = HelmChart.floe
        let values: TemplateValue
        do {
            values = try chart.values(layers)
        } catch {
            Console.standardError.line("error: \(error)")
            throw FloeExit(.failed)
        }
        if problems.isEmpty { problems = DeployValues.problems(in: values, source: "values") }
        guard problems.isEmpty else {
            Console.standardError.report(problems)
            throw FloeExit(.invalidConfiguration)
        }
        let manifests: [HelmChart.Manifest]
        do {
            manifests = try chart.render(values: values, release: release, namespace: values["product"]["namespace"].printed)
        } catch {
            Console.standardError.line("error: \(error)")
            throw FloeExit(.invalidConfiguration)
        }
        guard let output else {
            let text = manifests.map { "---\n# Source: floe/\($0.template)\n\($0.text)" }.joined()
            return Console.standardOutput.write(Data(text.utf8))
        }
        var byTemplate: [String: [String]] = [:]
        for manifest in manifests { byTemplate[manifest.template, default: []].append(manifest.text) }
        for (template, documents) in byTemplate.sorted(by: { $0.key < $1.key }) {
            let path = (output as NSString).appendingPathComponent((template as NSString).lastPathComponent)
            try DeployCommand.write(documents.joined(separator: "---\n"), to: path)
            Console.standardOutput.line("wrote \(path)")
        }
    }
}

struct DeploySchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of the chart's values (charts/floe/values.schema.json is this).")

    func run() throws {
        Console.standardOutput.write(DeployValuesShape.schema().prettyData() + Data("\n".utf8))
    }
}
