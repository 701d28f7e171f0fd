import FloeCore
import FloeEngine
import FloeSemantic
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import NIOSSL
import FloeConnect
import FloeTelemetry
import Instrumentation
import Tracing

/// `floe serve`: Cube's REST API (`/cubejs-api/v1/load`, `/meta`, `/sql`, `/dry-run`) and
/// health checks (`/livez`, `/readyz`) over the plan's cubes, on Hummingbird.
///
/// Every request that reads the warehouse is bounded: it runs on a worker thread, on a pooled
/// connection, and is ended — its connection interrupted and closed — when it passes the query
/// timeout (504), when its client goes away, or when the server stops, so neither a slow query
/// nor a warehouse that stopped answering can hold a request, a thread or the shutdown.
public struct SemanticServer: Sendable {
    /// Request bodies above this are answered 413.
    public static let maximumBodyBytes = 1 << 20

    let configuration: ServeConfiguration
    let source: PlanSource
    let tokens = TokenCache()
    let log: @Sendable (String) -> Void
    /// Where request and query lines go with their parts, when the log is structured; nil: `log`.
    let events: (@Sendable (ServeLogEvent) -> Void)?
    let running = RunningQueries()
    let clients = ClientConnections()
    let pending = PendingAnswers()
    let graphQLSchemas = GraphQLSchemaCache()
    let metrics = ServeMetrics()
    /// The SQL API's TLS, when platform.yaml gives it a certificate.
    let tls: NIOSSLContext?
    /// Where the server's spans go, when OTLP is configured (see ``bootstrapTracing()``).
    let traces: OTLPExporter?

    /// Where the queries run: threads that may block on the warehouse's sockets. Shared by every
    /// server of the process; a query that passes its deadline gives its thread back once its
    /// interrupted connection fails.
    static let workers: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()

    /// Where deadlines, departed clients and the drain end queries (interrupting a connection may
    /// block). A queue of its own: GCD's global queues on Linux run no more blocks at once than
    /// there are cores and start none while their threads block, so a deadline sent there could
    /// wait behind blocked work long past its time; a queue made here gets a thread when it needs one.
    static let interrupts = DispatchQueue(label: "floe.serve.interrupts", attributes: .concurrent)

    /// Loads the plan now, so a plan or secret that cannot be served fails before listening.
    public init(configuration: ServeConfiguration, events: (@Sendable (ServeLogEvent) -> Void)? = nil,
                log: @escaping @Sendable (String) -> Void) throws(ServeError) {
        self.configuration = configuration
        self.log = log
        self.events = events
        source = try PlanSource(configuration: configuration, log: log)
        let plan = source.current().plan
        traces = OTLPDestination.resolve(configured: plan.observability.otlp?.endpoint, serviceName: plan.observability.otlp?.serviceName,
                                         flag: configuration.otlp, environment: configuration.environment)?.exporter()
        if let sql = plan.semantic?.sqlAPI, let certificate = sql.tlsCertificate, let key = sql.tlsKey {
            let resolver = SecretResolver(settings: plan.secrets, environment: configuration.environment)
            do {
                tls = try SQLAPITLS.context(certificate: try resolver.resolve(certificate), key: try resolver.resolve(key))
            } catch let error as ServeError {
                throw error
            } catch {
                throw ServeError(.secret, "the SQL API's TLS certificate: \(error)")
            }
        } else {
            tls = nil
        }
    }

    /// The application, for running and for Hummingbird's testing client. `onRunning` gets the
    /// port it listens on (useful with port 0).
    public func application(onRunning: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: ServeRequestContext.self)
        if traces != nil {
            // A server span per request, joining the caller's trace when it sends a traceparent.
            router.add(middleware: TracingMiddleware(recordingHeaders: [HTTPField.Name("x-request-id")!]))
        }
        router.add(middleware: CORSMiddleware(
            allowOrigin: .all, allowHeaders: [.accept, .authorization, .contentType, .origin, HTTPField.Name("x-request-id")!],
            allowMethods: [.get, .post, .options], maxAge: .seconds(600)))
        // The docs site `floe docs generate` wrote beside the plan, at /docs/.
        let docs = URL(fileURLWithPath: configuration.planPath).deletingLastPathComponent().appendingPathComponent("docs").path
        var quiet = Logger(label: "floe serve docs")
        quiet.logLevel = .warning
        router.add(middleware: DirectoryRedirect(path: "/docs"))
        router.add(middleware: FileMiddleware(docs, urlBasePath: "/docs", searchForIndexHtml: true, logger: quiet))
        addUI(to: router)
        router.get("/livez") { _, _ in Self.json(200, .object([("health", .string("HEALTH"))])) }
        router.get("/readyz") { _, _ in
            let started = ContinuousClock.now
            let response = await self.ready()
            self.metrics.request("readyz", status: Int(response.status.code), duration: ContinuousClock.now - started)
            return response
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: self.metrics.exposition(inFlight: self.running.count))))
        }
        for endpoint in ["load", "sql", "dry-run"] {
            router.get("/cubejs-api/v1/\(endpoint)") { request, context in
                let parameters = FormQuery.parameters(request.uri.query)
                return await self.handle(endpoint, request: request, context: context, body: parameters["query"],
                                         multi: parameters["queryType"] == "multi")
            }
            router.post("/cubejs-api/v1/\(endpoint)") { request, context in
                var request = request
                let bytes: ByteBuffer
                do {
                    bytes = try await request.collectBody(upTo: Self.maximumBodyBytes)
                } catch {
                    return Self.json(413, .object([("error", .string("the request body is larger than \(Self.maximumBodyBytes) bytes"))]))
                }
                return await self.handle(endpoint, request: request, context: context, body: String(buffer: bytes), posted: true)
            }
        }
        router.get("/cubejs-api/v1/meta") { request, context in await self.handle("meta", request: request, context: context, body: nil) }
        router.get("/cubejs-api/graphql") { request, _ in
            await self.measured("graphql") { await self.graphQL(request, body: nil) }
        }
        router.post("/cubejs-api/graphql") { request, _ in
            await self.measured("graphql") {
                var request = request
                guard let bytes = try? await request.collectBody(upTo: Self.maximumBodyBytes) else {
                    return Self.json(413, .object([("error", .string("the request body is larger than \(Self.maximumBodyBytes) bytes"))]))
                }
                return await self.graphQL(request, body: String(buffer: bytes))
            }
        }
        // floe prints its own startup line; Hummingbird's logger says only what goes wrong.
        var logger = Logger(label: "floe serve")
        logger.logLevel = .warning
        let clients = clients
        return Application(
            router: router,
            server: .http1(additionalChannelHandlers: [clients.handler()]),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "floe"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// Serves until SIGINT or SIGTERM. The first signal stops taking requests and lets running
    /// ones finish for the drain timeout, then ends them (their clients get 503) and returns;
    /// after it the signals' default actions are back, so a second one ends the process at once.
    /// `onSQLRunning` gets the SQL API's port when it listens (see ``sqlPort``).
    public func run(onRunning: @escaping @Sendable (Int) -> Void, onSQLRunning: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: application(onRunning: onRunning))]
        if let sqlPort {
            services.append(.init(service: SQLAPIService(server: sqlAPI(port: sqlPort), onListening: onSQLRunning)))
        }
        let group = ServiceGroup(configuration: .init(
            services: services, logger: Logger(label: "floe serve", factory: { _ in SwiftLogNoOpLogHandler() })))
        let signals = FirstSignal { number in
            self.log("floe serve: \(FirstSignal.name(number)): stopping; running requests have \(Self.seconds(configuration.drainTimeout)) to finish")
            Task { await group.triggerGracefulShutdown() }
            Self.interrupts.asyncAfter(deadline: .now() + configuration.drainTimeout) {
                let left = running.count
                if left > 0 { log("floe serve: ending \(left) request(s) still running") }
                running.endAll()
            }
        }
        defer { signals.remove() }
        try await group.run()
    }

    /// Makes floe's OTLP tracer the process's (swift-distributed-tracing's `InstrumentationSystem`,
    /// which Hummingbird's tracing middleware asks), when OTLP is configured. Once per process:
    /// the command calls it before serving; a test server does not.
    public func bootstrapTracing() {
        guard let traces else { return }
        InstrumentationSystem.bootstrap(OTLPTracer(exporter: traces))
        traces.flushPeriodically(every: 2)
    }

    /// Sends the spans not yet sent and waits (briefly) for the collector: the warning when
    /// some were not delivered.
    public func closeTracing() -> String? { traces?.close() }

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

    /// The floe environment served.
    public var environment: String { source.environment }

    /// Whether the API secret is set: the startup line says which.
    public var requiresTokens: Bool { source.current().apiSecret != nil }

    private func handle(
        _ endpoint: String, request: Request, context: ServeRequestContext, body: String?, posted: Bool = false, multi multiParameter: Bool = false
    ) async -> Response {
        let started = ContinuousClock.now
        let served = source.current()
        let security: SecurityContext?
        switch await verifiedSecurity(of: request, served) {
        case .success(let context): security = context
        case .failure(let error): return logged(endpoint, started, .error(403, error.message))
        }
        let api = CubeAPI(served: served, security: security, log: log)
        if endpoint == "meta" { return logged(endpoint, started, api.meta()) }
        guard let body, !body.isEmpty else {
            return logged(endpoint, started, .error(400, posted ? "send the query as JSON: {\"query\": {...}}" : "give the query: ?query={...}"))
        }
        let value: JSONValue
        let multi: Bool
        do {
            let parsed = try JSONValue.parse(body)
            value = posted ? (parsed["query"] ?? parsed) : parsed
            multi = posted ? parsed["query"] != nil && parsed["queryType"]?.stringValue == "multi" : multiParameter
        } catch {
            return logged(endpoint, started, .error(400, "the query is not JSON: \(error.description)"))
        }
        if endpoint == "dry-run" { return logged(endpoint, started, api.dryRun(value), query: value) }
        let client = clients.watch(context.channel)
        guard endpoint == "load" else {
            return logged(endpoint, started, await bounded(served, api, client: client) { api.sql(value, on: $0) }, query: value)
        }
        let key = PendingAnswers.Key(endpoint: multi ? "load multi" : "load", request: value.text, claims: security?.claims.text ?? "-")
        let reply = await pending.answer(key, client: client, wait: configuration.continueWait) { query, done in
            self.start(served, api, client: nil, query: query, { api.load(value, multi: multi, on: $0) }, done: done)
        }
        return logged(endpoint, started, reply, query: value)
    }

    /// Runs `work` on a worker thread and a pooled connection, and answers with the first of: its
    /// reply, 504 at the query timeout, nothing useful once the client has gone (the query is
    /// interrupted), 503 when the server stops, or whatever ends `query` from outside.
    func bounded(
        _ served: ServedPlan, _ api: CubeAPI, client: ClientWatch?, timeout: Double? = nil, query: RunningQuery = RunningQuery(),
        _ work: @escaping @Sendable (any EngineConnection) -> CubeAPI.Reply
    ) async -> CubeAPI.Reply {
        await withCheckedContinuation { continuation in
            start(served, api, client: client, timeout: timeout, query: query, work) { continuation.resume(returning: $0) }
        }
    }

    /// The request's token verified with the plan's API secret: its claims, nil for an open API,
    /// or why it is refused.
    func verifiedSecurity(of request: Request, _ served: ServedPlan) async -> Result<SecurityContext?, SemanticError> {
        guard let secret = served.apiSecret else { return .success(nil) }
        do {
            return .success(try await tokens.verifier(for: secret).verify(request.headers[.authorization]))
        } catch {
            return .failure(error)
        }
    }

    /// `/cubejs-api/graphql`: the token checked as for `/v1/load`, then the GraphQL request answered.
    private func graphQL(_ request: Request, body: String?) async -> Response {
        let security: SecurityContext?
        switch await verifiedSecurity(of: request, source.current()) {
        case .success(let context): security = context
        case .failure(let error): return Self.json(403, .object([("error", .string(error.message))]))
        }
        guard let parsed = CubeGraphQLAPI.body(posted: body, parameters: FormQuery.parameters(request.uri.query)) else {
            return Self.json(400, text: CubeGraphQLAPI.errors([body == nil
                ? "give the query: ?query={cube{…}}" : "send the request as JSON: {\"query\": \"{ cube { … } }\", \"variables\": {…}}"]))
        }
        let answer = await CubeGraphQLAPI(server: self, schemas: graphQLSchemas)
            .answer(query: parsed.query, variables: parsed.variables?.dictionary.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key, $0.value) }) } ?? [:],
                    operationName: parsed.operationName, security: security)
        return Self.json(answer.status, text: answer.body)
    }

    /// `bounded`'s work started now, its reply given to `done` (once, from whichever thread
    /// decided it: a worker, a timer's event loop or a client watch).
    func start(
        _ served: ServedPlan, _ api: CubeAPI, client: ClientWatch?, timeout: Double? = nil, query: RunningQuery,
        _ work: @escaping @Sendable (any EngineConnection) -> CubeAPI.Reply, done: @escaping @Sendable (CubeAPI.Reply) -> Void
    ) {
        guard running.insert(query) else { return done(.error(503, "the server is stopping")) }
        // The request's span (task-local here, gone on the worker thread): the SQL's span's parent.
        let parent = traces == nil ? nil : OTLPTracer.identity(of: InstrumentationContext.current)
        let limit = timeout ?? configuration.queryTimeout
        let stopped: @Sendable (RunningQuery.Stop) -> CubeAPI.Reply = { reason in
            switch reason {
            case .deadline:
                return .error(504, "the warehouse \(api.engineName) did not answer within \(Self.seconds(limit)); the query was cancelled")
            case .clientGone: return .error(499, "the client went away; the query was cancelled")
            case .serverStopping: return .error(503, "the server is stopping")
            }
        }
        let running = running
        let answer = FirstAnswer<CubeAPI.Reply> { reply in
            running.remove(query)
            done(reply)
        }
        // Ending a query interrupts its engine connection, which may block: never on an event loop.
        // The answer goes first; ending the query (which may block) comes after.
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .nanoseconds(Int64(limit * 1e9))) {
            answer.resume(stopped(.deadline))
            Self.interrupts.async {
                api.log("floe serve: a query passed the \(Self.seconds(limit)) timeout and was interrupted")
                query.end(.deadline)
            }
        }
        let token = client?.onGone {
            answer.resume(stopped(.clientGone))
            Self.interrupts.async { query.end(.clientGone) }
        }
        Self.workers.submit { state in
            defer {
                timer.cancel()
                if let token { client?.cancel(token) }
            }
            guard case .active = state, query.stopped == nil else {
                answer.resume(stopped(query.stopped ?? .serverStopping))
                return
            }
            let reply: CubeAPI.Reply
            let began = Date()
            do {
                reply = try served.run(query, work)
            } catch {
                reply = api.failure(error)
            }
            self.recordSQLSpans(reply, parent: parent, engine: served.plan.profiles.compute.type, start: began)
            if let reason = query.stopped {
                answer.resume(stopped(reason))
            } else {
                answer.resume(reply)
            }
        }
        // A stop that came while the work waited for a thread.
        if let reason = query.stopped { answer.resume(stopped(reason)) }
    }

    /// The SQL a query ran, as client spans under the request's: `db.query.text`, the engine, the
    /// rows; the error when the warehouse failed it.
    private func recordSQLSpans(_ reply: CubeAPI.Reply, parent: TraceIdentity?, engine: String, start: Date) {
        guard let traces, let parent else { return }
        let end = Date()
        for ran in reply.ran {
            traces.record(SpanData(identity: parent.child(), parentSpanID: parent.spanID, name: "SELECT \(engine)", kind: .client, start: start, end: end,
                                   attributes: [("db.query.text", .string(ran.sql)), ("db.system.name", .string(engine)),
                                                ("db.response.returned_rows", .int(Int64(ran.rows))), ("floe.answered_by", .string(reply.note ?? ""))]))
        }
        if reply.ran.isEmpty, reply.status >= 500, let message = reply.body["error"]?.stringValue {
            traces.record(SpanData(identity: parent.child(), parentSpanID: parent.spanID, name: "SELECT \(engine)", kind: .client, start: start, end: end,
                                   attributes: [("db.system.name", .string(engine))], error: message))
        }
    }

    /// `/readyz`: 200 when the warehouse answers `select 1` within the query timeout (at most 5 s),
    /// 503 naming the engine when it does not.
    private func ready() async -> Response {
        let served = source.current()
        let api = CubeAPI(served: served, security: nil, log: log)
        let reply = await bounded(served, api, client: nil, timeout: min(configuration.queryTimeout, 5)) { connection in
            do {
                _ = try connection.query("select 1", limit: 1)
                return CubeAPI.Reply(status: 200, body: .object([("health", .string("HEALTH"))]))
            } catch {
                return api.failure(SemanticError(.unreachable, "\(error)"))
            }
        }
        guard reply.status == 200 else {
            return Self.json(503, .object([("health", .string("DOWN")), ("error", reply.body["error"] ?? .string("the warehouse cannot be reached"))]))
        }
        return Self.reply(reply)
    }

    /// One line per request in the server's log, as Cube's request log has: the endpoint, the
    /// status, how long it took, the members asked for and what answered (a rollup, the models, a
    /// remembered answer).
    /// A request counted in the metrics by its endpoint and status.
    func measured(_ endpoint: String, _ answer: () async -> Response) async -> Response {
        let started = ContinuousClock.now
        let response = await answer()
        metrics.request(endpoint, status: Int(response.status.code), duration: ContinuousClock.now - started)
        return response
    }

    private func logged(_ endpoint: String, _ started: ContinuousClock.Instant, _ reply: CubeAPI.Reply, query: JSONValue? = nil) -> Response {
        metrics.request(endpoint, status: reply.status, duration: ContinuousClock.now - started)
        metrics.failed(status: reply.status)
        metrics.answered(reply.note)
        let milliseconds = Self.milliseconds(since: started)
        let members = query.map(RequestLogLine.members(of:))
        let error = reply.status >= 400 ? reply.body["error"]?.stringValue : nil
        var line = "floe serve: \(endpoint) \(reply.status) \(milliseconds) ms"
        if let members { line += " " + members }
        if let note = reply.note { line += " (\(note))" }
        if let error { line += ": \(error)" }
        var fields = [("endpoint", endpoint), ("status", String(reply.status)), ("milliseconds", milliseconds)]
        if let members { fields.append(("members", members)) }
        if let note = reply.note { fields.append(("answered_by", note)) }
        if let error { fields.append(("error", error)) }
        emit(ServeLogEvent(name: "request_served", level: reply.status >= 500 ? "error" : reply.status >= 400 ? "warn" : "info",
                           message: line, fields: fields))
        return Self.reply(reply)
    }

    /// A request's or query's line: to the structured log when there is one, else the text log.
    func emit(_ event: ServeLogEvent) {
        if let events { events(event) } else { log(event.message) }
    }

    /// The time since `started`, in milliseconds with one decimal, for the request log.
    static func milliseconds(since started: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - started
        return String(format: "%.1f", Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }

    static func reply(_ reply: CubeAPI.Reply) -> Response { json(reply.status, text: reply.text ?? reply.body.text) }

    static func json(_ status: Int, _ body: JSONValue) -> Response { json(status, text: body.text) }

    static func json(_ status: Int, text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Hummingbird's request context, with the connection a request came on (to notice its client leaving).
struct ServeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
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
