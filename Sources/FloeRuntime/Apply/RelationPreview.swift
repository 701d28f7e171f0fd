import FloeConnect
import FloeContract
import FloeCore
import FloeEngine

/// The rows of one built node, for `floe show`: a model, seed or source by name. An ephemeral
/// model has no table, so its SQL is run instead.
public enum RelationPreview {
    /// What `floe show` and `floe restore` say when there is nothing to read.
    enum Missing {
        static func unknown(_ name: String, suggestion: String?) -> ExecutorError {
            ExecutorError(.notFound, "the plan has no model, seed or source named '\(name)'" + (suggestion.map { "; \($0)" } ?? ""), node: name)
        }

        static func unknownTest(_ name: String, suggestion: String?) -> ExecutorError {
            ExecutorError(.notFound, "the plan has no test named '\(name)'" + (suggestion.map { "; \($0)" } ?? ""), node: name)
        }

        static func notBuilt(_ name: String, relation: String) -> ExecutorError {
            ExecutorError(.notFound, "\(name) is not built yet (no \(relation)); run floe apply first", node: name)
        }

        static func noFailures(_ test: String, relation: String) -> ExecutorError {
            ExecutorError(.notFound, "no failing rows of \(test) are stored (no \(relation)): it passed when it last ran, or has not run", node: test)
        }

        static func noSnapshot(_ name: String, number: Int, kept: Int) -> ExecutorError {
            ExecutorError(.notFound, "\(name) has no snapshot \(number): " + (kept == 0 ? "none is kept (floe.yaml's snapshots: {keep: N} keeps them)"
                : kept == 1 ? "only snapshot 1 is kept" : "snapshots 1 (the newest) to \(kept) are kept"), node: name)
        }
    }

    /// At most `limit` rows (nil = all). With `failures`, `name` is a test, and its failing rows as
    /// the last run stored them are shown (``TestFailures``).
    public static func rows(
        of name: String, failures: Bool = false, snapshot: Int? = nil, in runnable: RunnablePlan, limit: Int?, projectDirectory: String,
        environment: [String: String]
    ) throws(ExecutorError) -> ResultSet {
        // A cube's rollup is shown like a model.
        let plan = runnable.plan
        if let snapshot {
            guard let model = plan.models.first(where: { $0.name == name || $0.uniqueID == name }) else {
                throw Missing.unknown(name, suggestion: Suggestions.didYouMean(name, in: plan.models.map(\.name)))
            }
            return try withConnection(plan, projectDirectory: projectDirectory, environment: environment) { engine, connection in
                let state = StateStore(namespace: plan.environment.namespace, dialect: engine.dialect)
                try Snapshots.createTable(connection, namespace: state.namespace, dialect: state.dialect)
                let entries = try Snapshots(keep: 0, state: state).entries(of: model, connection: connection)
                guard snapshot >= 1, snapshot <= entries.count else {
                    throw Missing.noSnapshot(model.name, number: snapshot, kept: entries.count)
                }
                return try connection.query(engine.dialect.selectAll(entries[snapshot - 1].relation, limit: nil), limit: limit)
            }
        }
        if failures {
            guard let test = plan.tests.first(where: { $0.name == name || $0.uniqueID == name }) else {
                throw Missing.unknownTest(name, suggestion: Suggestions.didYouMean(name, in: plan.tests.map(\.name)))
            }
            let relation = TestFailures.relation(of: test, namespace: plan.environment.namespace)
            return try read(relation, plan: plan, projectDirectory: projectDirectory, environment: environment, limit: limit,
                            missing: Missing.noFailures(test.name, relation: relation.description))
        }
        let model = plan.models.first { $0.name == name || $0.uniqueID == name }
        let relation = model?.relation
            ?? plan.seeds.first { $0.name == name || $0.uniqueID == name }?.relation
            ?? plan.sources.first { $0.name == name || $0.uniqueID == name || "\($0.sourceName).\($0.name)" == name }?.relation
        guard let relation else {
            let names = plan.models.map(\.name) + plan.seeds.map(\.name) + plan.sources.map(\.name)
            throw Missing.unknown(name, suggestion: Suggestions.didYouMean(name, in: names))
        }
        let ephemeral = model?.materialized == .ephemeral ? model?.sql : nil
        return try read(relation, plan: plan, projectDirectory: projectDirectory, environment: environment, limit: limit,
                        missing: Missing.notBuilt(name, relation: relation.description), ephemeralSQL: ephemeral)
    }

    /// The rows of `relation`, or of `ephemeralSQL` when given; `missing` when the relation does not exist.
    private static func read(
        _ relation: Relation, plan: CompiledArtifacts, projectDirectory: String, environment: [String: String], limit: Int?,
        missing: ExecutorError, ephemeralSQL: String? = nil
    ) throws(ExecutorError) -> ResultSet {
        try withConnection(plan, projectDirectory: projectDirectory, environment: environment) { engine, connection in
            if let ephemeralSQL {
                return try connection.query("select * from (\n\(ephemeralSQL)\n) as floe_preview", limit: limit)
            }
            guard try connection.relationKind(relation) != nil else { throw missing }
            return try connection.query(engine.dialect.selectAll(relation, limit: nil), limit: limit)
        }
    }

    /// Opens the plan's engine (its secrets resolved now) and runs `body` on a connection, with
    /// every failure as an ``ExecutorError``.
    static func withConnection<T>(
        _ plan: CompiledArtifacts, projectDirectory: String, environment: [String: String],
        _ body: (any WarehouseEngine, any EngineConnection) throws -> T
    ) throws(ExecutorError) -> T {
        let opened = try PlanConnection.open(plan, projectDirectory: projectDirectory, environment: environment)
        do {
            return try body(opened.engine, opened.connection)
        } catch {
            throw ExecutorError(error)
        }
    }
}
