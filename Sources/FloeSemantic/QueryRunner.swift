import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// Answers Cube queries over a plan's cubes on one engine connection.
public struct QueryRunner: Sendable {
    public let compiler: QueryCompiler
    /// SQL already generated, for queries that do not depend on the clock: a dashboard asks the
    /// same few queries over and over, and translating one costs more than running a small one.
    private let generated = BoundedCache<String, GeneratedQuery>(capacity: 4_096)

    /// Refuses a plan without cubes or whose engine has no SQL dialect here.
    public init(plan: CompiledArtifacts) throws(SemanticError) {
        guard let cubes = plan.cubes, !cubes.isEmpty else {
            throw SemanticError(.badQuery, "the plan has no cubes: add Cube data-model files under floe.yaml's semantic.path and compile again")
        }
        guard let dialect = SQLDialects.named(plan.profiles.compute.type) else {
            throw SemanticError(.engine, "the plan's engine '\(plan.profiles.compute.type)' has no SQL dialect in this version of floe")
        }
        compiler = QueryCompiler(catalog: SemanticCatalog(cubes: cubes, views: plan.views ?? []), dialect: dialect)
    }

    /// `rollups`: the built and current ones, which answer the query when they can.
    public func generate(
        _ query: CubeQuery, rollups: [RollupDefinition] = [], security: SecurityContext? = nil, now: Date = Date()
    ) throws(SemanticError) -> GeneratedQuery {
        // One entry per query whatever its limit and offset (bound values the entry's SQL takes
        // again): a client paging through an answer, or asking with ever new limits, reuses it.
        var shape = query
        shape.limit = nil
        shape.offset = (query.offset ?? 0) > 0 ? 1 : nil
        let key = cacheKey(shape, rollups: rollups, security: security)
        if let key, let known = generated[key] { return known.paging(query) }
        let made = try compiler.generate(query, now: now, rollups: rollups, security: security)
        if let key, made.limitParameter != nil { generated[key] = made }
        return made
    }

    /// What fixes a query's SQL and answer besides the warehouse's data: the query, the token's
    /// claims and which rollups are current. nil for a query with a relative date range ("last
    /// 7 days"), which moves with the clock.
    public func cacheKey(_ query: CubeQuery, rollups: [RollupDefinition], security: SecurityContext?) -> String? {
        let relative = query.timeDimensions.contains { time in
            if case .relative = time.dateRange { return true }
            return time.compareDateRange?.contains { if case .relative = $0 { true } else { false } } ?? false
        }
        guard !relative else { return nil }
        return query.json.text + "\u{0}" + (security?.claims.text ?? "-") + "\u{0}" + rollups.map(\.key).joined(separator: ",")
    }

    public func load(
        _ query: CubeQuery, on connection: any EngineConnection, rollups: [RollupDefinition] = [], security: SecurityContext? = nil,
        now: Date = Date()
    ) throws(SemanticError) -> LoadResult {
        let generated = try generate(query, rollups: rollups, security: security, now: now)
        do {
            let rows = try connection.query(generated.sql, parameters: generated.parameters, limit: nil)
            var total: Int?
            if let totalSQL = generated.totalSQL {
                let counted = try connection.query(totalSQL, parameters: Array(generated.parameters.prefix(generated.totalParameterCount)), limit: 1)
                if case .integer(let count) = counted.rows.first?.first { total = Int(count) }
            }
            return LoadResult(query: query, generated: generated, rows: rows, total: total, lastRefreshTime: now, dbType: compiler.dialect.name)
        } catch let error as EngineError {
            throw SemanticError(error.kind == .unreachable ? .unreachable : .engine, Self.explain(error), sql: generated.sql)
        } catch {
            throw SemanticError(.engine, "the query failed: \(error)", sql: generated.sql)
        }
    }

    /// The engine's message, with what to do when the models are not built.
    static func explain(_ error: EngineError) -> String {
        let message = error.message
        if error.kind == .unreachable { return message }
        if message.contains("no such table") || message.contains("does not exist") {
            return "the warehouse has no table the cubes read (\(message)); run floe apply first"
        }
        return "the warehouse refused the query: \(message)"
    }
}

