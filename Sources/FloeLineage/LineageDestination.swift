import FloeConnect
import FloeContract
import FloeTelemetry
import Foundation

/// Where a run's lineage events go: platform.yaml's `observability.lineage`, or what `--lineage`
/// (or `FLOE_LINEAGE`) says for this run: `off`, `console`, `file:PATH`, or an `http(s)://` URL.
public struct LineageDestination: Sendable {
    public var namespace: String
    public var sink: any TelemetrySink

    /// The namespace jobs get when platform.yaml names none (lineage switched on by the flag).
    public static let defaultNamespace = "floe"

    /// nil when lineage is off (not configured and not asked for, or asked off).
    /// Throws `.usage` for an override floe cannot read, `.secret` for an API key it cannot resolve.
    public static func resolve(plan: CompiledArtifacts, override: String?, secrets: SecretResolver,
                               projectDirectory: String) throws(ExecutorError) -> LineageDestination? {
        let settings = plan.observability.lineage
        let namespace = settings?.namespace ?? defaultNamespace
        let relative = { (path: String) in
            path.hasPrefix("/") ? path : URL(fileURLWithPath: projectDirectory).appendingPathComponent(path).standardizedFileURL.path
        }
        if let override = override?.trimmingCharacters(in: .whitespaces), !override.isEmpty {
            switch override {
            case "off": return nil
            case "console": return LineageDestination(namespace: namespace, sink: ConsoleSink())
            case _ where override.hasPrefix("file:"):
                let path = String(override.dropFirst("file:".count))
                guard !path.isEmpty else { throw ExecutorError(.usage, "--lineage file: needs a path, such as file:target/openlineage.jsonl") }
                return LineageDestination(namespace: namespace, sink: FileSink(path: relative(path)))
            case _ where override.hasPrefix("http://") || override.hasPrefix("https://"):
                return LineageDestination(namespace: namespace, sink: try httpSink(endpoint: override, settings: settings, secrets: secrets))
            default:
                throw ExecutorError(.usage, "--lineage '\(override)' is not a destination floe knows; "
                    + "use off, console, file:PATH or an http(s):// URL")
            }
        }
        guard let settings else { return nil }
        switch settings.transport ?? "http" {
        case "console": return LineageDestination(namespace: namespace, sink: ConsoleSink())
        case "file":
            guard let file = settings.file else { return nil }
            return LineageDestination(namespace: namespace, sink: FileSink(path: relative(file)))
        default:
            guard let endpoint = settings.endpoint else { return nil }
            return LineageDestination(namespace: namespace, sink: try httpSink(endpoint: endpoint, settings: settings, secrets: secrets))
        }
    }

    /// OpenLineage's HTTP transport: `<endpoint>/api/v1/lineage` unless the URL has a path of its own.
    static func lineageURL(_ endpoint: String) -> String {
        guard let components = URLComponents(string: endpoint), components.path.isEmpty || components.path == "/" else { return endpoint }
        return (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) + "/api/v1/lineage"
    }

    private static func httpSink(endpoint: String, settings: LineageSettings?, secrets: SecretResolver) throws(ExecutorError) -> HTTPSink {
        var key: String?
        if let reference = settings?.apiKey {
            do {
                key = try secrets.resolve(reference)
            } catch {
                throw ExecutorError(.secret, "the lineage API key: \(error.description)")
            }
        }
        return HTTPSink(url: lineageURL(endpoint), contentType: "application/json", bearer: key,
                        gzip: settings?.compression == "gzip", timeout: settings?.timeoutSeconds ?? 5)
    }
}
