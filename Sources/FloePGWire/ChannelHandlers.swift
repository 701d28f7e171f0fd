import NIOCore
import NIOSSL

/// Answers an `SSLRequest` (or `GSSENCRequest`) before anything else reads the connection: 'S'
/// and TLS from then on when the server has a certificate, 'N' otherwise (the client then goes
/// on in clear or gives up, as its `sslmode` says). Leaves the pipeline at the first other message.
final class SSLNegotiationHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let tls: NIOSSLContext?
    private var buffered: ByteBuffer?

    init(tls: NIOSSLContext?) {
        self.tls = tls
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var earlier = buffered {
            earlier.writeBuffer(&bytes)
            bytes = earlier
            buffered = nil
        }
        guard bytes.readableBytes >= 8 else {
            buffered = bytes
            return
        }
        let length: Int32 = bytes.getInteger(at: bytes.readerIndex)!
        let code: Int32 = bytes.getInteger(at: bytes.readerIndex + 4)!
        let isSSL = length == 8 && code == 80_877_103
        let isGSS = length == 8 && code == 80_877_104
        guard isSSL || isGSS else {
            context.fireChannelRead(wrapInboundOut(bytes))
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
            return
        }
        bytes.moveReaderIndex(forwardBy: 8)
        var answer = context.channel.allocator.buffer(capacity: 1)
        if isSSL, let tls {
            answer.writeInteger(UInt8(ascii: "S"))
            // The client starts its handshake only once it has read 'S': TLS goes in front first.
            context.writeAndFlush(NIOAny(answer), promise: nil)
            let handler = NIOSSLServerHandler(context: tls)
            try? context.pipeline.syncOperations.addHandler(handler, position: .first)
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
            if bytes.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(bytes)) }
            return
        }
        answer.writeInteger(UInt8(ascii: "N"))
        context.writeAndFlush(NIOAny(answer), promise: nil)
        if bytes.readableBytes > 0 { channelRead(context: context, data: wrapInboundOut(bytes)) }
    }
}
