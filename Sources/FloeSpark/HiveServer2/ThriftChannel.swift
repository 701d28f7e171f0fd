import FloeEngine
import Foundation
import NIOCore
import NIOPosix

/// One TCP connection to a Thrift server (NOSASL: messages back to back, unframed), used one call
/// at a time: ``call(_:_:timeout:)`` sends a message and waits for the reply with the same
/// sequence id. Its I/O runs on SwiftNIO's shared event loops; callers block on the reply.
final class ThriftChannel: @unchecked Sendable {
    private let channel: any Channel
    private let handler: ReplyHandler
    private let lock = NSLock()
    private var sequence: Int32 = 0
    let host: String
    let port: Int

    /// Connects, or throws an `unreachable` error naming the address.
    init(host: String, port: Int, connectTimeout: TimeAmount) throws {
        self.host = host
        self.port = port
        let handler = ReplyHandler()
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
    }

    /// Sends `method(arguments)` and returns the reply's result struct.
    func call(_ method: String, _ arguments: ThriftValue, timeout: TimeAmount) throws -> ThriftValue {
        lock.lock()
        defer { lock.unlock() }
        sequence &+= 1
        let message = ThriftMessage(name: method, kind: .call, sequence: sequence, body: arguments)
        let promise = channel.eventLoop.makePromise(of: ThriftMessage.self)
        handler.expect(promise)
        var buffer = channel.allocator.buffer(capacity: 256)
        buffer.writeBytes(ThriftBinary.encode(message))
        channel.writeAndFlush(buffer, promise: nil)
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(EngineError(.unreachable, "the Spark Thrift server at \(self.host):\(self.port) did not answer \(method) in time"))
        }
        defer { timer.cancel() }
        let reply: ThriftMessage
        do {
            reply = try promise.futureResult.wait()
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.unreachable, "the connection to the Spark Thrift server at \(host):\(port) failed: \(Self.reason(error))")
        }
        if reply.kind == .exception {
            throw EngineError(.statement, "the Spark Thrift server refused \(method): \(reply.body[1]?.text ?? "an application error")")
        }
        guard reply.name == method, reply.sequence == sequence, let result = reply.body[0] else {
            throw EngineError(.unreachable, "the Spark Thrift server answered \(method) with something else (\(reply.name))")
        }
        return result
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
        private var received: [UInt8] = []
        private var pending: EventLoopPromise<ThriftMessage>?

        func expect(_ promise: EventLoopPromise<ThriftMessage>) {
            promise.futureResult.eventLoop.execute { self.pending = promise }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received += buffer.readBytes(length: buffer.readableBytes) ?? []
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
            pending?.fail(EngineError(.unreachable, "the Spark Thrift server closed the connection"))
            pending = nil
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            pending?.fail(error)
            pending = nil
            context.close(promise: nil)
        }
    }
}
