/// The documented exit codes (README, docs/architecture.md "Errors and exit codes").
public enum FloeExitCode: Int32, Sendable {
    case ok = 0
    case failed = 1
    case usage = 2
    case fileNotFound = 3
    case invalidConfiguration = 4
    case secretNotResolvable = 5
    case engineUnreachable = 6
    /// Cancelled by SIGINT (128 + 2), as shells report it.
    case interrupted = 130
    /// Cancelled by SIGTERM (128 + 15).
    case terminated = 143
}

/// Thrown by a command to end the process with a code after it has printed what went wrong.
struct FloeExit: Error {
    var code: FloeExitCode

    init(_ code: FloeExitCode) {
        self.code = code
    }
}
