import FloeContract
import FloeEngine
import Foundation

/// A `type: spark` compute profile, its secrets resolved: where the Thrift server is, who logs
/// in, and how tables are written. The password is only ever handed to the SASL login, never to
/// a message.
struct SparkSettings: Sendable {
    var host: String
    var port: Int
    var user: String
    /// nil: `auth: nosasl`; given: `auth: plain`.
    var password: String?
    /// The database unqualified names resolve to (`use`); the namespace when absent.
    var schema: String
    /// What tables are written as: `parquet` (default), `orc`, `delta`, `iceberg`, `hudi`.
    var fileFormat: String
    var threads: Int
    var connectTimeout: Double
    var queryTimeout: Double
    /// Where seeds and synthetic rows are written as files for Spark to load: the storage
    /// profile's directory when it is `local`; nil otherwise (rows are then sent as INSERTs).
    var stageDirectory: String?

    init(_ settings: [String: ConfigValue], namespace: String, stageDirectory: String?) throws {
        let text = settings.settingText
        host = text("host") ?? "localhost"
        port = settings["port"]?.intValue ?? 10000
        user = text("user") ?? "floe"
        let auth = text("auth") ?? (settings["password"] == nil ? "nosasl" : "plain")
        switch auth {
        case "nosasl": password = nil
        case "plain": password = text("password") ?? ""
        default: throw EngineError(.unreachable, "auth '\(auth)' is not one floe speaks to a Spark Thrift server; use nosasl or plain")
        }
        schema = text("schema") ?? namespace
        fileFormat = (text("file_format") ?? "parquet").lowercased()
        threads = settings["threads"]?.intValue ?? 4
        connectTimeout = Double(settings["connect_timeout"]?.intValue ?? 10)
        queryTimeout = Double(settings["query_timeout"]?.intValue ?? 3600)
        self.stageDirectory = stageDirectory
    }

    /// `host:port`, as messages name the server.
    var address: String { "\(host):\(port)" }
}
