import FloeSemantic
import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import HTTPTypes
import Logging

/// `floe serve`: Cube's REST API (`/cubejs-api/v1/load`, `/meta`, `/sql`, `/dry-run`) and
/// health checks (`/livez`, `/readyz`) over the plan's cubes, on Hummingbird. Queries run on
/// NIO's blocking thread pool, each on a pooled read connection. SIGINT and SIGTERM stop taking
/// requests, let running ones finish, then stop.
public struct SemanticServer: Sendable {
    /// Request bodies above this are answered 413.
    public static let maximumBodyBytes = 1 << 20

    let configuration: ServeConfiguration
    let source: PlanSource
    let tokens = TokenCache()
    let log: @Sendable (String) -> Void

    /// Loads the plan now, so a plan or secret that cannot be served fails before listening.
    public init(configuration: ServeConfiguration, log: @escaping @Sendable (String) -> Void) throws(ServeError) {
        self.configuration = configuration
        self.log = log
        source = try PlanSource(configuration: configuration, log: log)
    }

    /// The application, for running and for Hummingbird's testing client. `onRunning` gets the
    /// port it listens on (useful with port 0).
    public func application(onRunning: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: CORSMiddleware(
            allowOrigin: .all, allowHeaders: [.accept, .authorization, .contentType, .origin, HTTPField.Name("x-request-id")!],
            allowMethods: [.get, .post, .options], maxAge: .seconds(600)))
        router.get("/livez") { _, _ in Self.json(200, .object([("health", .string("HEALTH"))])) }
        router.get("/readyz") { _, _ in await self.ready() }
        for endpoint in ["load", "sql", "dry-run"] {
            router.get("/cubejs-api/v1/\(endpoint)") { request, _ in
                await self.handle(endpoint, request: request, body: request.uri.queryParameters["query"].map(String.init))
            }
            router.post("/cubejs-api/v1/\(endpoint)") { request, _ in
                var request = request
                let bytes: ByteBuffer
                do {
                    bytes = try await request.collectBody(upTo: Self.maximumBodyBytes)
                } catch {
                    return Self.json(413, .object([("error", .string("the request body is larger than \(Self.maximumBodyBytes) bytes"))]))
                }
                return await self.handle(endpoint, request: request, body: String(buffer: bytes), posted: true)
            }
        }
        router.get("/cubejs-api/v1/meta") { request, _ in await self.handle("meta", request: request, body: nil) }
        // floe prints its own startup line; Hummingbird's logger says only what goes wrong.
        var logger = Logger(label: "floe serve")
        logger.logLevel = .warning
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "floe"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// Serves until SIGINT or SIGTERM.
    public func run(onRunning: @escaping @Sendable (Int) -> Void) async throws {
        try await application(onRunning: onRunning).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// A token signed with the API secret for `claims`, expiring `lifetime` seconds from now
    /// unless the claims give `exp` (`floe serve --token`). nil when the API has no secret.
    public func token(claims: JSONValue, lifetime: TimeInterval) async throws -> String? {
        guard let secret = source.current().apiSecret else { return nil }
        var members = claims.objectValue ?? []
        if !members.contains(where: { $0.0 == "exp" }) {
            members.append(("exp", .number(String(Int64(Date().timeIntervalSince1970 + lifetime)))))
        }
        return try await tokens.verifier(for: secret).sign(.object(members))
    }

    /// Whether the API secret is set: the startup line says which.
    public var requiresTokens: Bool { source.current().apiSecret != nil }

    private func handle(_ endpoint: String, request: Request, body: String?, posted: Bool = false) async -> Response {
        let served = source.current()
        var security: SecurityContext?
        if let secret = served.apiSecret {
            do {
                security = try await tokens.verifier(for: secret).verify(request.headers[.authorization])
            } catch {
                return Self.json(403, .object([("error", .string(error.message))]))
            }
        }
        let api = CubeAPI(served: served, security: security, log: log)
        if endpoint == "meta" { return Self.reply(api.meta()) }
        guard let body, !body.isEmpty else {
            return Self.json(400, .object([("error", .string(posted ? "send the query as JSON: {\"query\": {...}}" : "give the query: ?query={...}"))]))
        }
        let value: JSONValue
        do {
            let parsed = try JSONValue.parse(body)
            value = posted ? (parsed["query"] ?? parsed) : parsed
        } catch {
            return Self.json(400, .object([("error", .string("the query is not JSON: \(error.description)"))]))
        }
        do {
            let reply = try await NIOThreadPool.singleton.runIfActive { () -> CubeAPI.Reply in
                switch endpoint {
                case "sql": api.sql(value)
                case "dry-run": api.dryRun(value)
                default: api.load(value)
                }
            }
            return Self.reply(reply)
        } catch {
            log("floe serve: \(error)")
            return Self.json(503, .object([("error", .string("the server is stopping"))]))
        }
    }

    private func ready() async -> Response {
        let served = source.current()
        do {
            _ = try await NIOThreadPool.singleton.runIfActive {
                try served.withConnection { try $0.query("select 1", limit: 1) }
            }
            return Self.json(200, .object([("health", .string("HEALTH"))]))
        } catch {
            log("floe serve: not ready: \(error)")
            return Self.json(503, .object([("health", .string("DOWN")), ("error", .string("the warehouse cannot be reached"))]))
        }
    }

    static func reply(_ reply: CubeAPI.Reply) -> Response { json(reply.status, text: reply.text ?? reply.body.text) }

    static func json(_ status: Int, _ body: JSONValue) -> Response { json(status, text: body.text) }

    static func json(_ status: Int, text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// One token verifier per API secret (a reloaded plan may bring another).
actor TokenCache {
    private var verifiers: [String: TokenVerifier] = [:]

    func verifier(for secret: String) async -> TokenVerifier {
        if let known = verifiers[secret] { return known }
        let made = await TokenVerifier(secret: secret)
        verifiers = [secret: made]
        return made
    }
}
