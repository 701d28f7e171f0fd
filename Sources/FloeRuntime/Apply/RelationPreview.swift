import FloeContract
import FloeCore
import FloeEngine

/// The rows of one built node, for `floe show`: a model, seed or source by name. An ephemeral
/// model has no table, so its SQL is run instead.
public enum RelationPreview {
    public enum Failure: Error, CustomStringConvertible {
        case unknown(name: String, suggestion: String?)
        case notBuilt(name: String, relation: String)
        case apply(ApplyFailure)
        case query(String)

        public var description: String {
            switch self {
            case .unknown(let name, let suggestion):
                "the plan has no model, seed or source named '\(name)'" + (suggestion.map { "; \($0)" } ?? "")
            case .notBuilt(let name, let relation):
                "\(name) is not built yet (no \(relation)); run floe apply first"
            case .apply(let failure): failure.description
            case .query(let message): message
            }
        }
    }

    /// At most `limit` rows (nil = all).
    public static func rows(
        of name: String, in plan: CompiledArtifacts, limit: Int?, projectDirectory: String, environment: [String: String]
    ) throws(Failure) -> ResultSet {
        let model = plan.models.first { $0.name == name || $0.uniqueID == name }
        let relation = model?.relation
            ?? plan.seeds.first { $0.name == name || $0.uniqueID == name }?.relation
            ?? plan.sources.first { $0.name == name || $0.uniqueID == name || "\($0.sourceName).\($0.name)" == name }?.relation
        guard let relation else {
            let names = plan.models.map(\.name) + plan.seeds.map(\.name) + plan.sources.map(\.name)
            throw .unknown(name: name, suggestion: Suggestions.didYouMean(name, in: names))
        }
        let secrets = SecretResolver(settings: plan.secrets, environment: environment)
        do {
            let engine = try EngineFactory.engine(for: plan, projectDirectory: projectDirectory, secrets: secrets)
            let connection = try engine.connect()
            if let model, model.materialized == .ephemeral {
                return try connection.query("select * from (\n\(model.sql)\n) as floe_preview", limit: limit)
            }
            guard try connection.relationKind(relation) != nil else {
                throw Failure.notBuilt(name: name, relation: relation.description)
            }
            return try connection.query(engine.dialect.selectAll(relation, limit: nil), limit: limit)
        } catch let failure as Failure {
            throw failure
        } catch let failure as EngineFactory.Failure {
            switch failure {
            case .secret(let secret): throw .apply(.secret(secret.description))
            case .unsupported(let message): throw .apply(.engine(message))
            }
        } catch {
            throw .apply(PlanRunner.failure(error, hint: nil))
        }
    }
}
