import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// POSTs each payload to a URL (an OpenLineage endpoint, an OTLP collector), optionally gzipped,
/// with a bearer token when one is given; every request ends within `timeout`.
public struct HTTPSink: TelemetrySink {
    public let url: String
    public let contentType: String
    public let gzip: Bool
    public let timeout: Double
    private let bearer: String?
    private let headers: [(String, String)]

    public init(url: String, contentType: String, bearer: String? = nil, headers: [(String, String)] = [], gzip: Bool = false,
                timeout: Double = 5) {
        self.url = url
        self.contentType = contentType
        self.bearer = bearer
        self.headers = headers
        self.gzip = gzip
        self.timeout = timeout
    }

    public var destination: String { url }

    /// One client for every sink of the process, never shut down (it lives as long as the
    /// process). A refused connection fails the request at once: the pool's own retries of a
    /// failed connection would hold it until its deadline, and the delivery queue retries anyway.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public func deliver(_ payload: Data) throws(DeliveryFailure) {
        var request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: url, method: .POST)
        } catch {
            throw DeliveryFailure("not a URL floe can send to: \(url)", retryable: false)
        }
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "User-Agent", value: "floe")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        var body = payload
        if gzip, let compressed = Gzip.compress(payload) {
            body = compressed
            request.headers.add(name: "Content-Encoding", value: "gzip")
        }
        request.body = .bytes(body)
        let response: HTTPClient.Response
        do {
            response = try Self.client.execute(request: request, deadline: .now() + .milliseconds(Int64(timeout * 1000))).wait()
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw DeliveryFailure("no answer within \(Self.seconds(timeout))", retryable: true)
        } catch {
            throw DeliveryFailure(Self.describe(error), retryable: true)
        }
        let status = response.status.code
        guard (200..<300).contains(status) else {
            var text = response.body.map { String(buffer: $0) } ?? ""
            text = String(text.prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw DeliveryFailure("HTTP \(status)" + (text.isEmpty ? "" : ": \(text)"), retryable: status >= 500 || status == 429)
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// A connection error as a short phrase, never the request (which could carry a token).
    private static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("NXDOMAIN") || text.contains("lookup") || text.contains("resolve") { return "the host name does not resolve" }
        return text.count > 160 ? String(text.prefix(160)) + "…" : text
    }
}
