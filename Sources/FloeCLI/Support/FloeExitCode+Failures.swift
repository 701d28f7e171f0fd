import FloeConnect
import FloeRuntime
import FloeSemantic

extension FloeExitCode {
    /// The documented exit code of every failure the executor reports (ExecutorError's kinds
    /// name theirs): the one place they are decided.
    init(_ failure: ExecutorError) {
        switch failure.kind {
        case .secret: self = .secretNotResolvable
        case .unreachable: self = .engineUnreachable
        case .selection, .usage: self = .usage
        case .invalidPlan: self = .invalidConfiguration
        case .locked, .notFound, .statement, .build, .state: self = .failed
        }
    }

    /// The exit code of a semantic-layer failure: a query the cubes cannot answer or may not
    /// see is a usage error; a warehouse that refuses it is a failed run; one that
    /// cannot be reached is exit 6.
    init(query failure: SemanticError) {
        switch failure.kind {
        case .badQuery, .forbidden: self = .usage
        case .engine: self = .failed
        case .unreachable: self = .engineUnreachable
        }
    }
}
