import FloePGWire
import NIOSSL
import ServiceLifecycle

extension SemanticServer {
    /// The port the SQL API listens on: `--sql-port`, else platform.yaml's; nil: no SQL API.
    public var sqlPort: Int? {
        configuration.sqlPort ?? source.current().plan.semantic?.sqlAPI?.port
    }

    /// Whether clients may ask for TLS (platform.yaml gives a certificate and key).
    public var sqlTLS: Bool { tls != nil }

    /// The SQL API's server on `port`, answering from this server's plan.
    func sqlAPI(port: Int) -> PGWireServer {
        PGWireServer(host: configuration.host, port: port, backend: SQLAPIBackend(server: self), tls: tls, log: log)
    }
}

/// The SQL API as one of `floe serve`'s services: it listens until the graceful shutdown starts.
struct SQLAPIService: Service {
    let server: PGWireServer
    let onListening: @Sendable (Int) -> Void

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await server.run(onListening: onListening)
        }
    }
}

/// The TLS context of platform.yaml's `semantic.sql_api.tls_certificate` and `tls_key`.
enum SQLAPITLS {
    static func context(certificate: String, key: String) throws(ServeError) -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { NIOSSLCertificateSource.certificate($0) }
            guard !chain.isEmpty else { throw ServeError(.secret, "the SQL API's tls_certificate holds no PEM certificate") }
            let privateKey = try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem)
            let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey))
            return try NIOSSLContext(configuration: configuration)
        } catch let error as ServeError {
            throw error
        } catch {
            throw ServeError(.secret, "the SQL API's tls_certificate and tls_key cannot be used: \(error)")
        }
    }
}
