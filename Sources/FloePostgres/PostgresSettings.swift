import FloeContract
import FloeEngine
import Foundation
import NIOSSL
import PostgresNIO

/// A `type: postgres` compute profile, its secrets resolved: where the server is, who connects,
/// and how. The password is only ever handed to the driver, never to a message.
struct PostgresSettings: Sendable {
    var host: String
    var port: Int
    var database: String
    var user: String
    var password: String?
    /// libpq's modes: `disable`, `prefer` (the default), `require` (encrypted, certificate not
    /// checked), `verify-ca` and `verify-full` (certificate checked against the system's roots).
    var sslmode: String
    /// The schema unqualified names resolve to (the session's `search_path`); the namespace when absent.
    var searchSchema: String
    var connectTimeout: Double
    var threads: Int

    init(_ settings: [String: ConfigValue], namespace: String) throws {
        let text = settings.settingText
        host = text("host") ?? "localhost"
        port = settings["port"]?.intValue ?? 5432
        guard let database = text("database") else { throw EngineError(.unreachable, "the compute profile names no database") }
        guard let user = text("user") else { throw EngineError(.unreachable, "the compute profile names no user") }
        self.database = database
        self.user = user
        password = text("password")
        sslmode = text("sslmode") ?? "prefer"
        searchSchema = text("schema") ?? namespace
        connectTimeout = Double(settings["connect_timeout"]?.intValue ?? 10)
        threads = settings["threads"]?.intValue ?? 4
    }

    /// `host:port`, as messages name the server.
    var address: String { "\(host):\(port)" }

    func configuration() throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: try tls())
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        configuration.options.additionalStartupParameters = [("application_name", "floe")]
        return configuration
    }

    private func tls() throws -> PostgresConnection.Configuration.TLS {
        guard sslmode != "disable" else { return .disable }
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        switch sslmode {
        case "verify-full": tlsConfiguration.certificateVerification = .fullVerification
        case "verify-ca": tlsConfiguration.certificateVerification = .noHostnameVerification
        default: tlsConfiguration.certificateVerification = .none
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tlsConfiguration)
        } catch {
            throw EngineError(.unreachable, "cannot set up TLS (sslmode \(sslmode)) for \(address): \(error)")
        }
        return sslmode == "prefer" ? .prefer(context) : .require(context)
    }
}
