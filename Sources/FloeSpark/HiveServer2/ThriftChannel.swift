import FloeEngine
import Foundation
import NIOCore
import NIOPosix

/// One TCP connection to a Thrift server, used one call at a time: ``call(_:_:timeout:)`` sends
/// a message and waits for the reply with the same sequence id. Its I/O runs on SwiftNIO's shared
/// event loops; callers block on the reply.
///
/// Without SASL (HiveServer2's NOSASL) messages go back to back. With SASL PLAIN (its NONE, LDAP
/// and CUSTOM authentication) the connection first says the mechanism and the credentials, as
/// Thrift's TSaslClientTransport does, and then every message travels in a frame with its length.
final class ThriftChannel: @unchecked Sendable {
    enum Security {
        case none
        case plain(user: String, password: String)
    }

    private let channel: any Channel
    private let handler: ReplyHandler
    private let lock = NSLock()
    private var sequence: Int32 = 0
    private let framed: Bool
    let host: String
    let port: Int

    /// Connects (and, with SASL, authenticates), or throws an `unreachable` error naming the
    /// address; a refused login is a `state` error that never names the password.
    init(host: String, port: Int, connectTimeout: TimeAmount, security: Security = .none) throws {
        self.host = host
        self.port = port
        if case .plain = security { framed = true } else { framed = false }
        let handler = ReplyHandler(framed: framed)
        self.handler = handler
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in channel.pipeline.addHandler(handler) }
        do {
            channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            throw EngineError(.unreachable, "cannot connect to the Spark Thrift server at \(host):\(port): \(Self.reason(error))")
        }
        if case .plain(let user, let password) = security {
            do {
                try authenticate(user: user, password: password, timeout: connectTimeout)
            } catch {
                close()
                throw error
            }
        }
    }

    /// SASL PLAIN: START with the mechanism, then the credentials; the server answers COMPLETE,
    /// or BAD or ERROR with its reason.
    private func authenticate(user: String, password: String, timeout: TimeAmount) throws {
        func negotiation(_ status: UInt8, _ payload: [UInt8]) -> [UInt8] {
            var bytes = [status]
            withUnsafeBytes(of: Int32(payload.count).bigEndian) { bytes.append(contentsOf: $0) }
            return bytes + payload
        }
        let credentials = [0] + Array(user.utf8) + [0] + Array(password.utf8)
        let promise = channel.eventLoop.makePromise(of: (UInt8, [UInt8]).self)
        handler.expectNegotiation(promise)
        let (status, payload) = try send(negotiation(1, Array("PLAIN".utf8)) + negotiation(2, credentials), awaiting: promise,
                                         timeout: timeout, answering: "the login", exchange: "the login to")
        guard status == 5 else {
            let reason = String(decoding: payload, as: UTF8.self)
            throw EngineError(.unreachable, "the Spark Thrift server at \(host):\(port) refused the login of user '\(user)'"
                + (reason.isEmpty ? "" : ": \(reason)"))
        }
    }

    /// Sends `method(arguments)` and returns the reply's result struct.
    func call(_ method: String, _ arguments: ThriftValue, timeout: TimeAmount) throws -> ThriftValue {
        lock.lock()
        defer { lock.unlock() }
        sequence &+= 1
        let message = ThriftMessage(name: method, kind: .call, sequence: sequence, body: arguments)
        let promise = channel.eventLoop.makePromise(of: ThriftMessage.self)
        handler.expect(promise)
        let encoded = ThriftBinary.encode(message)
        let frame = framed ? withUnsafeBytes(of: Int32(encoded.count).bigEndian) { Array($0) } : []
        let reply = try send(frame + encoded, awaiting: promise, timeout: timeout, answering: method, exchange: "the connection to")
        if reply.kind == .exception {
            throw EngineError(.statement, "the Spark Thrift server refused \(method): \(reply.body[1]?.text ?? "an application error")")
        }
        guard reply.name == method, reply.sequence == sequence, let result = reply.body[0] else {
            throw EngineError(.unreachable, "the Spark Thrift server answered \(method) with something else (\(reply.name))")
        }
        return result
    }

    /// Writes `bytes` and waits for what `promise` is given (the handler fulfils it), failing it
    /// when `timeout` passes; a failure other than floe's own is an `unreachable` error.
    private func send<Answer>(_ bytes: [UInt8], awaiting promise: EventLoopPromise<Answer>, timeout: TimeAmount,
                              answering what: String, exchange: String) throws -> Answer {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        channel.writeAndFlush(buffer, promise: nil)
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(EngineError(.unreachable, "the Spark Thrift server at \(self.host):\(self.port) did not answer \(what) in time"))
        }
        defer { timer.cancel() }
        do {
            return try promise.futureResult.wait()
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.unreachable, "\(exchange) the Spark Thrift server at \(host):\(port) failed: \(Self.reason(error))")
        }
    }

    func close() {
        _ = try? channel.close().wait()
    }

    private static func reason(_ error: any Error) -> String {
        if let connect = error as? NIOConnectionError {
            return connect.connectionErrors.first.map { "\($0.error)" } ?? "\(connect)"
        }
        return "\(error)"
    }

    /// Gathers the bytes that arrive until they make one message, and hands it to the waiting call.
    private final class ReplyHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        /// Messages come in frames, each after its length (after a SASL login).
        let framed: Bool
        /// Bytes as they arrive, and (when framed) the frames' contents.
        private var arriving: [UInt8] = []
        private var received: [UInt8] = []
        private var pending: EventLoopPromise<ThriftMessage>?
        private var negotiating: EventLoopPromise<(UInt8, [UInt8])>?

        init(framed: Bool) {
            self.framed = framed
        }

        /// Set when the connection closed: a call made after that fails at once (a reply never comes).
        private var closed = false

        func expect(_ promise: EventLoopPromise<ThriftMessage>) {
            promise.futureResult.eventLoop.execute {
                guard !self.closed else {
                    return promise.fail(EngineError(.unreachable, "the Spark Thrift server closed the connection"))
                }
                self.pending = promise
            }
        }

        func expectNegotiation(_ promise: EventLoopPromise<(UInt8, [UInt8])>) {
            promise.futureResult.eventLoop.execute { self.negotiating = promise }
        }

        private static func length(_ bytes: [UInt8], at offset: Int) -> Int {
            bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            guard framed else {
                received += bytes
                return decode(context: context)
            }
            arriving += bytes
            if let negotiation = negotiating {
                // A SASL message: status, length, payload.
                guard arriving.count >= 5 else { return }
                let count = Self.length(arriving, at: 1)
                guard arriving.count >= 5 + count else { return }
                negotiation.succeed((arriving[0], Array(arriving[5..<(5 + count)])))
                negotiating = nil
                arriving.removeFirst(5 + count)
            }
            while arriving.count >= 4, arriving.count >= 4 + Self.length(arriving, at: 0) {
                let count = Self.length(arriving, at: 0)
                received += arriving[4..<(4 + count)]
                arriving.removeFirst(4 + count)
            }
            decode(context: context)
        }

        private func decode(context: ChannelHandlerContext) {
            guard !received.isEmpty else { return }
            do {
                let (message, used) = try ThriftBinary.decode(received)
                received.removeFirst(used)
                pending?.succeed(message)
                pending = nil
            } catch .incomplete {
                return
            } catch {
                pending?.fail(EngineError(.unreachable, "the Spark Thrift server sent what is not a Thrift reply: \(error)"))
                pending = nil
                context.close(promise: nil)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            closed = true
            pending?.fail(EngineError(.unreachable, "the Spark Thrift server closed the connection"))
            pending = nil
            negotiating?.fail(EngineError(.unreachable, "the Spark Thrift server closed the connection during the login"))
            negotiating = nil
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            pending?.fail(error)
            pending = nil
            context.close(promise: nil)
        }
    }
}
