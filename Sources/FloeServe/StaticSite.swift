import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `floe docs serve`: the docs site's directory over HTTP (its `index.html` at `/`), until SIGINT
/// or SIGTERM. `floe serve` serves the same directory at `/docs/` (``SemanticServer``).
public enum StaticSite {
    public static func application(directory: String, host: String, port: Int, onRunning: @escaping @Sendable (Int) -> Void)
        -> some ApplicationProtocol {
        var logger = Logger(label: "floe docs serve")
        logger.logLevel = .warning
        let router = Router()
        router.add(middleware: FileMiddleware(directory, searchForIndexHtml: true, logger: logger))
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "floe"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    public static func run(directory: String, host: String, port: Int, onRunning: @escaping @Sendable (Int) -> Void) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [application(directory: directory, host: host, port: port, onRunning: onRunning)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "floe docs serve", factory: { _ in SwiftLogNoOpLogHandler() })))
        try await group.run()
    }
}

/// `/docs` → `/docs/`, so the site's relative links resolve under it.
struct DirectoryRedirect<Context: RequestContext>: RouterMiddleware {
    let path: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path == path else { return try await next(request, context) }
        return Response(status: .movedPermanently, headers: [.location: path + "/"])
    }
}
