import FloeConnect
import FloeEngine
import FloeSemantic
import Foundation

/// Cube's REST endpoints over one served plan, without HTTP: each takes the request's query
/// JSON and security context and returns the response body and its status.
struct CubeAPI {
    let served: ServedPlan
    let security: SecurityContext?
    /// Where unexpected failures are written (never in a response).
    let log: @Sendable (String) -> Void

    struct Reply {
        var status: Int
        var body: JSONValue
        /// The body already written, for an answer given before.
        var text: String?
        /// What answered, for the request log: a rollup, the models, a remembered answer.
        var note: String?
        /// The SQL that ran on the warehouse for it, and the rows it gave (for the query's span).
        var ran: [(sql: String, rows: Int)] = []

        static func error(_ status: Int, _ message: String) -> Reply { Reply(status: status, body: .object([("error", .string(message))])) }
    }

    /// The queries of a `/load` request, of Cube's three kinds.
    enum Batch {
        /// One query.
        case regular(CubeQuery)
        /// A list of queries, answered side by side on their time dimension's one granularity.
        case blending([CubeQuery], granularity: String)
        /// A query with `compareDateRange`: once per range.
        case compare([CubeQuery])

        /// Cube's name for the kind (`queryType` in answers).
        var queryType: String {
            switch self {
            case .regular: "regularQuery"
            case .blending: "blendingQuery"
            case .compare: "compareDateRangeQuery"
            }
        }

        var queries: [CubeQuery] {
            switch self {
            case .regular(let query): [query]
            case .blending(let queries, _), .compare(let queries): queries
            }
        }

        /// Cube's `pivotQuery`: the first query, marked with its kind; a blending one has every
        /// query's measures and dimensions and the shared `time` dimension.
        var pivotQuery: JSONValue {
            var members: [(String, JSONValue)]
            switch self {
            case .regular(let query):
                members = query.json.objectValue ?? []
            case .compare(let queries):
                members = queries[0].json.objectValue ?? []
                let dimensions = [JSONValue.string("compareDateRange")] + queries[0].dimensions.map(JSONValue.string)
                members.removeAll { $0.0 == "dimensions" }
                members.insert(("dimensions", .array(dimensions)), at: 0)
            case .blending(let queries, let granularity):
                func union(_ lists: [[String]]) -> JSONValue {
                    var seen: Set<String> = []
                    return .array(lists.joined().filter { seen.insert($0).inserted }.map(JSONValue.string))
                }
                members = [
                    ("measures", union(queries.map(\.measures))), ("dimensions", union(queries.map(\.dimensions))),
                    ("timeDimensions", .array([.object([("dimension", .string("time")), ("granularity", .string(granularity))])])),
                ]
            }
            members.append(("queryType", .string(queryType)))
            return .object(members)
        }
    }

    static let maximumQueries = 20

    static func batch(_ value: JSONValue) throws(SemanticError) -> Batch {
        if let items = value.arrayValue {
            guard !items.isEmpty, items.count <= maximumQueries else { throw SemanticError(.badQuery, "send 1 to \(maximumQueries) queries at once") }
            let queries = try items.map { item throws(SemanticError) in try CubeQuery(json: item) }
            // As Cube: the queries of a blending query meet on one granularity of their first time dimension.
            var granularities: [String] = []
            for (index, query) in queries.enumerated() {
                guard let granularity = query.timeDimensions.first?.granularity?.rawValue else {
                    throw SemanticError(.badQuery, "query \(index + 1) of the list has no time dimension with a granularity: "
                        + "Data blending query without granularity is not supported (each query of a list needs one, the same in all)")
                }
                if !granularities.contains(granularity) { granularities.append(granularity) }
            }
            guard granularities.count == 1 else {
                throw SemanticError(.badQuery, "Data blending query granularities must match: the list has \(granularities.joined(separator: ", "))")
            }
            return .blending(queries, granularity: granularities[0])
        }
        let query = try CubeQuery(json: value)
        if let index = query.timeDimensions.firstIndex(where: { $0.compareDateRange != nil }), let ranges = query.timeDimensions[index].compareDateRange {
            return .compare(ranges.map { range in
                var single = query
                single.timeDimensions[index].compareDateRange = nil
                single.timeDimensions[index].dateRange = range
                return single
            })
        }
        return .regular(query)
    }

    /// Cube's `/load`. `multi` is the client's `queryType: "multi"`: every kind is answered as
    /// `{queryType, results, pivotQuery, slowQuery}`; without it a regular query is answered with
    /// its result alone and the other kinds are refused, as Cube refuses them.
    func load(_ value: JSONValue, multi: Bool, on connection: any EngineConnection) -> Reply {
        do {
            let batch = try Self.batch(value)
            let rollups = served.rollupState.current(connection)
            if case .regular(let query) = batch, !multi { return try answer(query, rollups: rollups, on: connection) }
            guard multi else {
                return .error(400, "'\(batch.queryType)' query type is not supported by the client. Please update the client. "
                    + "(send queryType=multi with it, as Cube's clients do)")
            }
            var results: [JSONValue] = []
            var answeredBy: [String] = []
            var ran: [(sql: String, rows: Int)] = []
            for query in batch.queries {
                let added: LoadResult.AddedColumn?
                switch batch {
                case .regular: added = nil
                case .compare:
                    var label: String?
                    for time in query.timeDimensions where label == nil { label = try time.dateRangeLabel(timezone: query.timezone) }
                    added = .constant("compareDateRange", label.map(JSONValue.string) ?? .null)
                case .blending(_, let granularity):
                    added = query.timeDimensions.first.map { .copy("time.\(granularity)", from: "\($0.dimension).\(granularity)") }
                }
                let result = try served.runner.load(query, on: connection, rollups: rollups, security: security)
                results.append(result.json(adding: added))
                answeredBy.append(Self.answeredBy(result))
                ran.append((result.generated.sql, result.rows.rows.count))
            }
            var reply = Reply(status: 200, body: .object([
                ("queryType", .string(batch.queryType)), ("results", .array(results)), ("pivotQuery", batch.pivotQuery), ("slowQuery", .bool(false)),
            ]), note: answeredBy.joined(separator: "; "))
            reply.ran = ran
            return reply
        } catch {
            return failure(error)
        }
    }

    /// One regular query's answer, remembered: the same query, claims and rollups on an unchanged
    /// warehouse give the same answer without running it again.
    private func answer(_ query: CubeQuery, rollups: [RollupDefinition], on connection: any EngineConnection) throws(SemanticError) -> Reply {
        let stamp = served.stamp(connection)
        let key = stamp == nil ? nil : served.runner.cacheKey(query, rollups: rollups, security: security)
        if let stamp, let key, let body = served.answer(for: key, on: connection, stamp: stamp) {
            return Reply(status: 200, body: .null, text: body, note: "remembered answer")
        }
        let result = try served.runner.load(query, on: connection, rollups: rollups, security: security)
        let text = result.json.text
        if let stamp, let key { served.remember(text, for: key, on: connection, stamp: stamp) }
        var reply = Reply(status: 200, body: .null, text: text, note: Self.answeredBy(result))
        reply.ran = [(result.generated.sql, result.rows.rows.count)]
        return reply
    }

    /// The request log's word for what answered: the rollup's name, or the models.
    static func answeredBy(_ result: LoadResult) -> String {
        result.generated.preAggregation.map { "rollup \($0)" } ?? "models"
    }

    /// Cube's `/sql`: the SQL and bound values that would answer the query.
    func sql(_ value: JSONValue, on connection: any EngineConnection) -> Reply {
        do {
            guard case .regular(let query) = try Self.batch(value) else {
                return .error(400, "/sql takes one query without compareDateRange")
            }
            let generated = try served.runner.generate(query, rollups: served.rollupState.current(connection), security: security)
            let parameters = generated.parameters.map { value -> JSONValue in value.displayText.map(JSONValue.string) ?? .null }
            var aliases: [(String, JSONValue)] = []
            for column in generated.columns { aliases.append((column.alias, .string(column.keys[0]))) }
            let rollups: [JSONValue] = generated.preAggregation.map { [.object([
                ("preAggregationId", .string($0)), ("tableName", .string(generated.preAggregationTable?.description ?? "")),
            ])] } ?? []
            return Reply(status: 200, body: .object([("sql", .object([
                ("sql", .array([.string(generated.sql), .array(parameters)])), ("aliasNameToMember", .object(aliases)),
                ("preAggregations", .array(rollups)), ("dataSource", .string("default")), ("external", .bool(false)),
            ]))]))
        } catch {
            return failure(error)
        }
    }

    /// Cube's `/dry-run`: the query as it would run, checked, without running it.
    func dryRun(_ value: JSONValue) -> Reply {
        do {
            let batch = try Self.batch(value)
            let queries = batch.queries
            for query in queries { _ = try served.runner.generate(query, security: security) }
            let order = queries.first.map { query in
                JSONValue.array(query.order.map { .object([("id", .string($0.member)), ("desc", .bool($0.descending))]) })
            } ?? .array([])
            return Reply(status: 200, body: .object([
                ("queryType", .string(batch.queryType)), ("normalizedQueries", .array(queries.map(\.json))), ("queryOrder", order),
                ("pivotQuery", batch.pivotQuery),
            ]))
        } catch {
            return failure(error)
        }
    }

    func meta() -> Reply {
        Reply(status: 200, body: served.runner.meta(security: security))
    }

    /// The warehouse as replies name it: its engine and compute profile (`(postgres, compute profile 'warehouse')`).
    var engineName: String { "(\(served.plan.profiles.compute.type), compute profile '\(served.plan.profiles.compute.name)')" }

    /// 400 for a bad query, 403 for what the token may not see, 503 for a warehouse that cannot be
    /// reached, 500 with a plain message for the rest.
    func failure(_ error: any Error) -> Reply {
        guard let error = error as? SemanticError else {
            log("floe serve: \(error)")
            return .error(500, "the server could not answer the query; its log has the details")
        }
        switch error.kind {
        case .badQuery: return .error(400, error.message)
        case .forbidden: return .error(403, error.message)
        case .engine:
            log("floe serve: \(error.message)" + (error.sql.map { "\nthe SQL that failed:\n\($0)" } ?? ""))
            return .error(500, error.message.hasPrefix("the warehouse has no table")
                ? "the warehouse is not built yet: run floe apply"
                : "the warehouse \(engineName) could not answer the query; the server's log has the details")
        case .unreachable:
            log("floe serve: the warehouse \(engineName) cannot be reached: \(error.message)")
            return .error(503, "the warehouse \(engineName) cannot be reached; the server's log has the details")
        }
    }
}
