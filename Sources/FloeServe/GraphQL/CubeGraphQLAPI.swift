import FloeSemantic
import Foundation
import GraphQL

/// Cube's GraphQL API (`/cubejs-api/graphql`): the request's query run against the schema of the
/// cubes its token may see, each `cube` field answered as `/v1/load` answers (rollups, access
/// policies, the query timeout). Introspection works, so GraphiQL-style clients see the schema.
struct CubeGraphQLAPI {
    let server: SemanticServer
    let schemas: GraphQLSchemaCache

    /// What the `cube` resolver needs of the request.
    struct Context: Sendable {
        let server: SemanticServer
        let served: ServedPlan
        let security: SecurityContext?
        let schema: CubeGraphQLSchema
    }

    /// A POSTed body, or a GET's parameters.
    struct Body: Decodable {
        var query: String
        var variables: Map?
        var operationName: String?
    }

    /// The request's body (POST) or query parameters (GET) read.
    static func body(posted: String?, parameters: [String: String]) -> Body? {
        if let posted {
            return try? JSONDecoder().decode(Body.self, from: Data(posted.utf8))
        }
        guard let query = parameters["query"] else { return nil }
        let variables = parameters["variables"].flatMap { try? JSONDecoder().decode(Map.self, from: Data($0.utf8)) }
        return Body(query: query, variables: variables, operationName: parameters["operationName"])
    }

    /// Answers a GraphQL request body (`{"query": …, "variables": …, "operationName": …}`).
    func answer(query: String, variables: [String: Map], operationName: String?, security: SecurityContext?) async -> (status: Int, body: String) {
        let served = server.source.current()
        let tables = SemanticTables(catalog: served.runner.compiler.catalog, security: security)
        let schema: CubeGraphQLSchema
        do {
            schema = try schemas.schema(for: tables, plan: served)
        } catch {
            server.log("floe serve: graphql: the schema could not be made: \(error)")
            return (500, Self.errors(["the GraphQL schema could not be made; the server's log has the details"]))
        }
        do {
            let result = try await graphql(
                schema: schema.schema, request: query, context: Context(server: server, served: served, security: security, schema: schema),
                variableValues: variables, operationName: operationName)
            let encoder = GraphQLJSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(result)
            return (200, String(decoding: data, as: UTF8.self))
        } catch {
            return (400, Self.errors(["\(error)"]))
        }
    }

    static func errors(_ messages: [String]) -> String {
        JSONValue.object([("errors", .array(messages.map { .object([("message", .string($0))]) }))]).text
    }

    /// The `cube` field: one Cube query, run within the server's bounds.
    static let resolveCube: GraphQLFieldResolve = { _, arguments, context, info in
        guard let context = context as? Context else { throw GraphQLError(message: "no request context") }
        let request = try CubeGraphQLRequest(schema: context.schema, arguments: arguments, info: info)
        guard !request.query.measures.isEmpty || !request.query.dimensions.isEmpty || !request.query.timeDimensions.isEmpty else {
            throw GraphQLError(message: "select at least one member of a cube under cube { … }")
        }
        let started = ContinuousClock.now
        let loaded = await context.server.load(request.query, served: context.served, security: context.security, endpoint: "graphql")
        let status = if case .failure(let failure) = loaded { failure.status } else { 200 }
        context.server.log("floe serve: graphql \(status) \(SemanticServer.milliseconds(since: started)) ms "
            + (request.query.measures + request.query.dimensions + request.query.timeDimensions.map(\.dimension)).joined(separator: ","))
        let result: LoadResult
        switch loaded {
        case .success(let answer): result = answer
        case .failure(let failure): throw GraphQLError(message: failure.message)
        }
        return request.rows(result)
    }
}

/// GraphQL schemas by the cubes and members they show (one per plan and visible shape).
final class GraphQLSchemaCache: Sendable {
    private let schemas = PlanShapedCache<CubeGraphQLSchema>()

    func schema(for tables: SemanticTables, plan: ServedPlan) throws -> CubeGraphQLSchema {
        try schemas.value(plan, tables.shape) { try CubeGraphQLSchema(tables: tables, resolve: CubeGraphQLAPI.resolveCube) }
    }
}
