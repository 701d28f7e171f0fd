import FloeRuntime
import FloeSemantic

extension FloeExitCode {
    /// The documented exit code of a run the executor refused (ApplyFailure's cases name theirs).
    init(refused failure: ApplyFailure) {
        switch failure {
        case .secret: self = .secretNotResolvable
        case .engine: self = .engineUnreachable
        case .selection, .usage: self = .usage
        case .locked, .state: self = .failed
        case .invalidPlan: self = .invalidConfiguration
        }
    }

    /// The exit code of `floe show` and `floe restore` when they cannot read what was asked:
    /// an unresolvable secret or an unreachable engine keep their codes, anything else is 1.
    init(preview failure: RelationPreview.Failure) {
        switch failure {
        case .apply(.secret): self = .secretNotResolvable
        case .apply(.engine): self = .engineUnreachable
        default: self = .failed
        }
    }

    /// The exit code of a semantic-layer failure: a query the cubes cannot answer or may not
    /// see is a usage error; a warehouse that refuses it is a failed run.
    init(query failure: SemanticError) {
        switch failure.kind {
        case .badQuery, .forbidden: self = .usage
        case .engine: self = .failed
        }
    }
}
