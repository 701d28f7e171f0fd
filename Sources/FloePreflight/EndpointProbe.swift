import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Whether a network endpoint answers, without any service's SDK: a TCP connection, or an HTTP
/// GET whose status code is read (over TLS for `https`, certificates checked).
enum EndpointProbe {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Opens a TCP connection to `host:port` and closes it.
    static func connect(host: String, port: Int, timeout: Double) throws {
        let channel = try bootstrap(timeout: timeout).connect(host: host, port: port).wait()
        try? channel.close().wait()
    }

    /// The status code of `GET url`.
    static func status(of url: URL, timeout: Double) throws -> Int {
        guard let host = url.host, let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw Failure(description: "\(url.absoluteString) is not an http or https address")
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.any().makePromise(of: Int.self)
        let tls: NIOSSLContext?
        do {
            tls = try scheme == "https" ? NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        } catch {
            promise.fail(error)
            throw error
        }
        let bootstrap = Self.bootstrap(timeout: timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(StatusReader(promise: promise))
                }
            }
        let channel: any Channel
        do {
            channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            promise.fail(error)  // a promise must be completed, or NIO reports it leaked
            throw error
        }
        defer { try? channel.close().wait() }
        let deadline = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            promise.fail(Failure(description: "no answer within \(Int(timeout)) s"))
        }
        defer { deadline.cancel() }
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query { path += "?" + query }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
        head.headers.add(name: "User-Agent", value: "floe-preflight")
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { promise.fail($0) }
        return try promise.futureResult.wait()
    }

    private static func bootstrap(timeout: Double) -> ClientBootstrap {
        ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(.milliseconds(Int64(timeout * 1000)))
    }

    /// Reads the response's status line and lets the rest go.
    private final class StatusReader: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        let promise: EventLoopPromise<Int>

        init(promise: EventLoopPromise<Int>) {
            self.promise = promise
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head(let head) = unwrapInboundIn(data) { promise.succeed(Int(head.status.code)) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            promise.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.fail(Failure(description: "the connection closed before an answer"))
        }
    }
}
