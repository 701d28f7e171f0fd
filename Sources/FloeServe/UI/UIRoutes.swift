import FloeContract
import FloeSemantic
import FloeWebAssets
import Foundation
import Hummingbird
import NIOCore

/// `floe serve`'s UI: the page at `/` and its script and style (no data in them, so no token is
/// asked for them), and the JSON it reads under `/ui/api/`, authorized as the REST API is (the
/// page sends the token the user typed; the server keeps none).
extension SemanticServer {
    func addUI(to router: Router<ServeRequestContext>) {
        router.get("/") { _, _ in Self.asset(UIPage.html, type: "text/html; charset=utf-8") }
        router.get("/ui/floe.css") { _, _ in Self.asset(PageStyle.source, type: "text/css; charset=utf-8") }
        router.get("/ui/graph.js") { _, _ in Self.asset(GraphScript.source, type: "text/javascript; charset=utf-8") }
        router.get("/ui/ui.js") { _, _ in Self.asset(UIScript.source, type: "text/javascript; charset=utf-8") }
        router.get("/ui/api/overview") { request, context in
            await self.measured("ui") {
                await self.uiRead(request, context) { served, history in
                    .object([("project", Self.project(served.plan)), ("nodes", .array(Self.nodes(served.plan))),
                             ("tests", .array(Self.tests(served.plan))), ("latest", .object(try history?.latest() ?? []))])
                }
            }
        }
        router.get("/ui/api/runs") { request, context in
            await self.measured("ui") {
                await self.uiRead(request, context) { _, history in .object([("runs", .array(try history?.runs() ?? []))]) }
            }
        }
        router.get("/ui/api/runs/:run") { request, context in
            let run = context.parameters.get("run") ?? ""
            return await self.measured("ui") {
                await self.uiRead(request, context) { _, history in
                    .object([("run_id", .string(run)), ("nodes", .array(try history?.nodes(ofRun: run) ?? []))])
                }
            }
        }
    }

    /// The token checked, then `read` on a pooled connection, bounded as every query is.
    private func uiRead(_ request: Request, _ context: ServeRequestContext,
                        _ read: @escaping @Sendable (ServedPlan, RunHistory?) throws -> JSONValue) async -> Response {
        let served = source.current()
        let security: SecurityContext?
        switch await verifiedSecurity(of: request, served) {
        case .success(let context): security = context
        case .failure(let error): return Self.json(403, .object([("error", .string(error.message))]))
        }
        let api = CubeAPI(served: served, security: security, log: log)
        let reply = await bounded(served, api, client: clients.watch(context.channel)) { connection in
            do {
                return CubeAPI.Reply(status: 200, body: try read(served, RunHistory(plan: served.plan, connection: connection)))
            } catch {
                return .error(500, "cannot read floe's run history from \(api.engineName): \(error)")
            }
        }
        return Self.reply(reply)
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func project(_ plan: CompiledArtifacts) -> JSONValue {
        .object([
            ("product", .string(plan.product.name)), ("version", .string(plan.product.version)),
            ("environment", .string(plan.environment.name)), ("namespace", .string(plan.environment.namespace)),
            ("engine", .string(plan.profiles.compute.type)), ("compiled_at", .string(plan.metadata.compiledAt)),
            ("cubes", .number(String(plan.cubes?.count ?? 0))),
        ])
    }

    /// The asset graph's nodes: sources (with the synthetic table that loads one, whose run
    /// status is the source's), seeds, models and snapshots, exposures, cubes.
    static func nodes(_ plan: CompiledArtifacts) -> [JSONValue] {
        func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
        var nodes: [JSONValue] = []
        let synthetic = Dictionary(plan.synthetic.map { ($0.name, $0.uniqueID) }, uniquingKeysWith: { first, _ in first })
        for source in plan.sources {
            var entry: [(String, JSONValue)] = [("id", .string(source.uniqueID)), ("type", .string("source")), ("name", .string(source.name)),
                                                ("source_name", .string(source.sourceName)), ("depends_on", .array([])),
                                                ("relation", .string(source.relation.description))]
            if source.relation.schema == plan.environment.namespace, let loader = synthetic[source.relation.name] {
                entry.append(("loaded_by", .string(loader)))
            }
            nodes.append(.object(entry))
        }
        for seed in plan.seeds {
            nodes.append(.object([("id", .string(seed.uniqueID)), ("type", .string("seed")), ("name", .string(seed.name)),
                                  ("path", .string(seed.path)), ("depends_on", .array([])), ("relation", .string(seed.relation.description))]))
        }
        for model in plan.models {
            nodes.append(.object([
                ("id", .string(model.uniqueID)), ("type", .string(model.materialized == .snapshot ? "snapshot" : "model")),
                ("name", .string(model.name)), ("path", .string(model.path)), ("materialized", .string(model.materialized.rawValue)),
                ("depends_on", strings(model.dependsOn)), ("tags", strings(model.tags)),
                ("relation", model.materialized == .ephemeral ? .null : .string(model.relation.description)),
                ("compiled_file", .string("target/compiled/" + model.path)), ("run_file", .string("target/run/" + model.path)),
                ("compiled", .string(model.sql)),
            ]))
        }
        for exposure in plan.exposures ?? [] {
            nodes.append(.object([("id", .string(exposure.uniqueID)), ("type", .string("exposure")), ("name", .string(exposure.name)),
                                  ("depends_on", strings(exposure.dependsOn))]))
        }
        for cube in plan.cubes ?? [] {
            nodes.append(.object([("id", .string("cube." + cube.name)), ("type", .string("cube")), ("name", .string(cube.name)),
                                  ("depends_on", strings(cube.dependsOn))]))
        }
        return nodes
    }

    static func tests(_ plan: CompiledArtifacts) -> [JSONValue] {
        plan.tests.map { test -> JSONValue in
            let attached: JSONValue = test.attachedNode.map(JSONValue.string) ?? .null
            let column: JSONValue = test.column.map(JSONValue.string) ?? .null
            return .object([("id", .string(test.uniqueID)), ("name", .string(test.name)), ("test_name", .string(test.testName)),
                            ("attached", attached), ("column", column), ("severity", .string(test.severity.rawValue)),
                            ("compiled", .string(test.sql))])
        }
    }
}
