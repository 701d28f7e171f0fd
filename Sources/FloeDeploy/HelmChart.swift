import FloeCore
import FloeYAML
import Foundation

/// A Helm chart rendered as `helm template` renders it, without Helm: the chart's values.yaml
/// under the values given, `.Release` and `.Chart`, every template under templates/ (partials
/// starting with `_` only define), split into its YAML documents. `floe deploy render` renders
/// `charts/floe` this way, from the same template files Helm reads (embedded in floe).
public struct HelmChart: Sendable {
    /// Path within the chart → text (`Chart.yaml`, `values.yaml`, `templates/…`).
    public let files: [String: String]

    public init(files: [String: String]) {
        self.files = files
    }

    /// The chart in a directory (`charts/floe`).
    public init(directory: URL) throws {
        var files: [String: String] = [:]
        let base = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: base) else {
            throw DeployError("\(base): not a chart directory")
        }
        while let relative = walker.nextObject() as? String {
            let path = base + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files[relative] = try String(contentsOfFile: path, encoding: .utf8)
        }
        self.files = files
    }

    /// One rendered object document, with the template it came from.
    public struct Manifest: Sendable, Equatable {
        public var template: String
        public var text: String
    }

    public func metadata() throws -> YAMLValue {
        try Self.yaml(files["Chart.yaml"] ?? "", name: "Chart.yaml")
    }

    /// values.yaml with `overrides` laid over it, in order.
    public func values(_ overrides: [TemplateValue]) throws -> TemplateValue {
        let defaults = TemplateValue(try Self.yaml(files["values.yaml"] ?? "", name: "values.yaml"))
        return overrides.reduce(defaults, TemplateValue.merged)
    }

    /// Every object the chart renders with `values` (already merged), in template order.
    public func render(values: TemplateValue, release: String, namespace: String) throws -> [Manifest] {
        let chart = try metadata()
        let chartValue: TemplateValue = .map([
            "Name": .string(chart["name"]?.string ?? ""), "Version": .string(chart["version"]?.string ?? ""),
            "AppVersion": .string(chart["appVersion"]?.string ?? ""), "Description": .string(chart["description"]?.string ?? ""),
        ])
        let release: TemplateValue = .map([
            "Name": .string(release), "Namespace": .string(namespace), "Service": .string("Helm"),
            "IsInstall": .bool(true), "IsUpgrade": .bool(false), "Revision": .int(1),
        ])
        let templates = files.keys.filter { $0.hasPrefix("templates/") }.sorted()
        var definitions: [String: [TemplateNode]] = [:]
        var parsed: [(String, [TemplateNode])] = []
        for path in templates {
            var parser = TemplateParser(name: path, text: files[path]!)
            let nodes = try parser.parse()
            definitions.merge(parser.definitions) { _, new in new }
            let file = (path as NSString).lastPathComponent
            if !file.hasPrefix("_"), file != "NOTES.txt", path.hasSuffix(".yaml") || path.hasSuffix(".yml") { parsed.append((path, nodes)) }
        }
        var manifests: [Manifest] = []
        for (path, nodes) in parsed {
            let root: TemplateValue = .map([
                "Values": values, "Release": release, "Chart": chartValue,
                "Template": .map(["Name": .string("\(chart["name"]?.string ?? "chart")/\(path)"), "BasePath": .string("templates")]),
            ])
            var evaluator = TemplateEvaluator(definitions: definitions, template: path)
            let text = try evaluator.render(nodes, dot: root, root: root)
            for document in Self.documents(text) { manifests.append(Manifest(template: path, text: document)) }
        }
        return manifests
    }

    /// The YAML documents of a rendered template, without the empty ones.
    static func documents(_ text: String) -> [String] {
        var documents: [String] = []
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "---" || line.hasPrefix("--- ") {
                documents.append(current.joined(separator: "\n"))
                current = []
            } else {
                current.append(line)
            }
        }
        documents.append(current.joined(separator: "\n"))
        return documents.compactMap { document in
            let meaningful = document.split(separator: "\n").contains { line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return !trimmed.isEmpty && !trimmed.hasPrefix("#")
            }
            return meaningful ? document.trimmingCharacters(in: .newlines) + "\n" : nil
        }
    }

    static func yaml(_ text: String, name: String) throws -> YAMLValue {
        let (value, diagnostics) = YAMLLoader().load(data: Data(text.utf8), displayPath: name)
        if let problem = diagnostics.first(where: { $0.severity == .error }) { throw DeployError(problem.headline) }
        return value ?? YAMLValue(.mapping([]), at: SourceLocation(file: name, line: 1, column: 1))
    }
}

public struct DeployError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
