import Foundation

/// What `floe serve` listens on and answers from.
public struct ServeConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The plan file; a newer file is picked up without a restart.
    public var planPath: String
    /// The directory of floe.yaml (anchors a relative SQLite path).
    public var projectDirectory: String
    /// The process environment: secrets are resolved from it.
    public var environment: [String: String]

    public init(host: String, port: Int, planPath: String, projectDirectory: String, environment: [String: String]) {
        self.host = host
        self.port = port
        self.planPath = planPath
        self.projectDirectory = projectDirectory
        self.environment = environment
    }
}
