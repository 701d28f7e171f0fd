import AsyncHTTPClient
import FloePackageSpec
import Foundation
import NIOCore

/// The dbt package hub's HTTP API: `GET <hub>/api/v1/<owner>/<name>.json` lists a package's
/// versions, each with the URL of its tarball. The hub is `https://hub.getdbt.com/` unless
/// `DBT_PACKAGE_HUB_URL` names another (a mirror, or a test's fixture server), as in dbt.
struct HubClient {
    static let defaultURL = "https://hub.getdbt.com/"

    struct Release {
        var version: SemanticVersion
        var tarball: String
    }

    let base: String
    let timeout: TimeInterval
    /// Each package's releases, fetched once per install.
    private var cache: [String: [Release]] = [:]

    init(base: String, timeout: TimeInterval = 60) {
        self.base = base.hasSuffix("/") ? base : base + "/"
        self.timeout = timeout
    }

    /// Every release of `name` (`dbt-labs/dbt_utils`) the hub lists.
    mutating func releases(of name: String) throws(PackagesError) -> [Release] {
        if let cached = cache[name] { return cached }
        let url = "\(base)api/v1/\(name).json"
        let data = try Self.get(url, timeout: timeout, what: "the hub's entry for \(name)")
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let versions = document["versions"] as? [String: Any] else {
            throw PackagesError(.unreachable, "the hub's entry for \(name) (\(url)) is not the hub's JSON",
                                hint: "check DBT_PACKAGE_HUB_URL; the hub answers /api/v1/<owner>/<name>.json")
        }
        var releases: [Release] = []
        for (text, entry) in versions {
            guard let version = SemanticVersion(text), let entry = entry as? [String: Any],
                  let tarball = (entry["downloads"] as? [String: Any])?["tarball"] as? String else { continue }
            releases.append(Release(version: version, tarball: tarball))
        }
        releases.sort { $0.version < $1.version }
        cache[name] = releases
        return releases
    }

    /// The process's client: redirects followed (the hub's tarballs redirect), and a refused or
    /// unreachable server reported after one attempt, not retried until the request's deadline.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(15)))
        configuration.redirectConfiguration = .follow(max: 10, allowCycles: false)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The body of `url`, following redirects. The command is synchronous; the client is not.
    static func get(_ url: String, timeout: TimeInterval, what: String) throws(PackagesError) -> Data {
        final class Outcome: @unchecked Sendable {
            var result: Result<Data, PackagesError> = .failure(PackagesError(.unreachable, "no answer"))
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            defer { done.signal() }
            do {
                let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(Int64(timeout)))
                guard response.status == .ok else {
                    outcome.result = .failure(PackagesError(.unreachable, "\(what): \(url) answered HTTP \(response.status.code)",
                                                            hint: response.status == .notFound ? "check the name and the version" : nil))
                    return
                }
                var body = try await response.body.collect(upTo: 512 * 1024 * 1024)
                outcome.result = .success(Data(body.readBytes(length: body.readableBytes) ?? []))
            } catch {
                outcome.result = .failure(PackagesError(.unreachable, "\(what): cannot fetch \(url): \(reason(error))",
                                                        hint: "check the network, or set DBT_PACKAGE_HUB_URL to a hub you can reach"))
            }
        }
        done.wait()
        return try outcome.result.get()
    }

    /// A failure as a short phrase: NIO's descriptions of socket errors are nested and long.
    private static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("Connection refused") { return "connection refused" }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "no connection within 15 s"
            case .deadlineExceeded, .readTimeout: return "no answer in time"
            default: break
            }
        }
        return text
    }
}
