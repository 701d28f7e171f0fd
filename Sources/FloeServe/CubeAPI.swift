import FloeEngine
import FloeRuntime
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

        static func error(_ status: Int, _ message: String) -> Reply { Reply(status: status, body: .object([("error", .string(message))])) }
    }

    /// The queries of a request: one, or a list; a query with `compareDateRange` is one per range.
    enum Batch {
        case single(CubeQuery)
        case list([CubeQuery])
        case compare([CubeQuery])
    }

    static func batch(_ value: JSONValue) throws(SemanticError) -> Batch {
        if let items = value.arrayValue {
            guard !items.isEmpty, items.count <= 20 else { throw SemanticError(.badQuery, "send 1 to 20 queries at once") }
            return .list(try items.map { item throws(SemanticError) in try CubeQuery(json: item) })
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
        return .single(query)
    }

    func load(_ value: JSONValue) -> Reply {
        answer(value) { result in result.json }
    }

    /// Cube's `/sql`: the SQL and bound values that would answer the query.
    func sql(_ value: JSONValue) -> Reply {
        do {
            guard case .single(let query) = try Self.batch(value) else {
                return .error(400, "/sql takes one query without compareDateRange")
            }
            let generated = try served.withConnection { connection throws in
                try served.runner.generate(query, rollups: served.rollupState.current(connection), security: security)
            }
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
            let queries: [CubeQuery] = switch batch {
            case .single(let query): [query]
            case .list(let list), .compare(let list): list
            }
            for query in queries { _ = try served.runner.generate(query, security: security) }
            let type = switch batch {
            case .single: "regularQuery"
            case .list: "multiQuery"
            case .compare: "compareDateRangeQuery"
            }
            let order = queries.first.map { query in
                JSONValue.array(query.order.map { .object([("id", .string($0.member)), ("desc", .bool($0.descending))]) })
            } ?? .array([])
            return Reply(status: 200, body: .object([
                ("queryType", .string(type)), ("normalizedQueries", .array(queries.map(\.json))), ("queryOrder", order),
                ("pivotQuery", queries.first?.json ?? .null),
            ]))
        } catch {
            return failure(error)
        }
    }

    func meta() -> Reply {
        Reply(status: 200, body: served.runner.meta(security: security))
    }

    private func answer(_ value: JSONValue, _ shape: (LoadResult) -> JSONValue) -> Reply {
        do {
            let batch = try Self.batch(value)
            return try served.withConnection { connection in
                let rollups = served.rollupState.current(connection)
                func run(_ query: CubeQuery) throws(SemanticError) -> JSONValue {
                    shape(try served.runner.load(query, on: connection, rollups: rollups, security: security))
                }
                switch batch {
                case .single(let query):
                    // The same query, claims and rollups on an unchanged warehouse: the same answer.
                    let stamp = served.stamp(connection)
                    let key = stamp == nil ? nil : served.runner.cacheKey(query, rollups: rollups, security: security)
                    if let stamp, let key, let body = served.answer(for: key, on: connection, stamp: stamp) {
                        return Reply(status: 200, body: .null, text: body)
                    }
                    let body = try run(query)
                    let text = body.text
                    if let stamp, let key { served.remember(text, for: key, on: connection, stamp: stamp) }
                    return Reply(status: 200, body: body, text: text)
                case .list(let queries):
                    return Reply(status: 200, body: .object([("queryType", .string("multiQuery")), ("results", .array(try queries.map(run)))]))
                case .compare(let queries):
                    return Reply(status: 200, body: .object([("queryType", .string("compareDateRangeQuery")), ("results", .array(try queries.map(run)))]))
                }
            }
        } catch {
            return failure(error)
        }
    }

    /// 400 for a bad query, 403 for what the token may not see, 500 with a plain message for the rest.
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
                ? "the warehouse is not built yet: run floe apply" : "the warehouse could not answer the query; the server's log has the details")
        }
    }
}
