import NIOCore

/// What a PostgreSQL client sends (protocol 3.0): the untyped messages that open a connection,
/// then typed ones (a type byte, a length, a body).
public enum FrontendMessage: Sendable, Equatable {
    /// `StartupMessage`: the protocol version and the parameters (`user`, `database`, `options`, …).
    case startup(parameters: [String: String])
    /// `SSLRequest`: the client asks for TLS before its startup message.
    case sslRequest
    /// `GSSENCRequest`: answered with 'N' like a refused SSL request.
    case gssEncryptionRequest
    /// `CancelRequest`, sent on a new connection: the key data of the session to interrupt.
    case cancel(processID: Int32, secretKey: Int32)
    /// `PasswordMessage`, `SASLInitialResponse` and `SASLResponse` share type 'p'; which one it is
    /// depends on the authentication asked for, so the body is kept raw.
    case password(ByteBuffer)
    case query(String)
    case parse(name: String, query: String, parameterTypes: [UInt32])
    case bind(portal: String, statement: String, parameterFormats: [Int16], parameters: [ByteBuffer?], resultFormats: [Int16])
    case describe(PortalOrStatement, name: String)
    case execute(portal: String, maxRows: Int32)
    case close(PortalOrStatement, name: String)
    case sync
    case flush
    case terminate
    /// A message of a type this server does not take (`CopyData`, `FunctionCall`): its type byte.
    case unsupported(UInt8)

    public enum PortalOrStatement: Sendable, Equatable {
        case portal, statement
    }
}

/// Cuts the byte stream into ``FrontendMessage``s. The first message of a connection has no type
/// byte; after an SSL or GSS request is answered the client sends another untyped one.
public struct FrontendMessageDecoder: ByteToMessageDecoder {
    public typealias InboundOut = FrontendMessage

    /// Messages larger than this are refused (a bound parameter or a query of more is not a BI
    /// tool's); the connection is closed.
    public static let maximumMessageBytes = 16 << 20

    private var expectingStartup = true

    public init() {}

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if expectingStartup {
            guard let length: Int32 = buffer.getInteger(at: buffer.readerIndex) else { return .needMoreData }
            guard length >= 8, Int(length) <= 10_000 else { throw FrontendMessageError.malformed("a startup packet of \(length) bytes") }
            guard buffer.readableBytes >= Int(length) else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: 4)
            guard var body = buffer.readSlice(length: Int(length) - 4), let code: Int32 = body.readInteger() else { return .needMoreData }
            let message = try Self.startup(code: code, body: &body)
            // After an SSL/GSS answer the client sends its startup message, untyped again.
            if message != .sslRequest && message != .gssEncryptionRequest { expectingStartup = false }
            context.fireChannelRead(wrapInboundOut(message))
            return .continue
        }
        guard buffer.readableBytes >= 5, let type: UInt8 = buffer.getInteger(at: buffer.readerIndex),
              let length: Int32 = buffer.getInteger(at: buffer.readerIndex + 1) else { return .needMoreData }
        guard length >= 4, Int(length) <= Self.maximumMessageBytes else {
            throw FrontendMessageError.malformed("a message of \(length) bytes")
        }
        guard buffer.readableBytes >= Int(length) + 1 else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 5)
        var body = buffer.readSlice(length: Int(length) - 4)!
        context.fireChannelRead(wrapInboundOut(try Self.typed(type, body: &body)))
        return .continue
    }

    private static func startup(code: Int32, body: inout ByteBuffer) throws -> FrontendMessage {
        switch code {
        case 80_877_103: return .sslRequest
        case 80_877_104: return .gssEncryptionRequest
        case 80_877_102:
            guard let process: Int32 = body.readInteger(), let key: Int32 = body.readInteger() else {
                throw FrontendMessageError.malformed("a cancel request")
            }
            return .cancel(processID: process, secretKey: key)
        case 196_608:
            var parameters: [String: String] = [:]
            while let name = body.readNullTerminatedString(), !name.isEmpty {
                parameters[name] = body.readNullTerminatedString() ?? ""
            }
            return .startup(parameters: parameters)
        default:
            throw FrontendMessageError.unsupportedProtocol(major: Int(code >> 16), minor: Int(code & 0xFFFF))
        }
    }

    private static func typed(_ type: UInt8, body: inout ByteBuffer) throws -> FrontendMessage {
        func string() throws -> String {
            guard let value = body.readNullTerminatedString() else { throw FrontendMessageError.malformed("a string without its terminator") }
            return value
        }
        func int16() throws -> Int16 {
            guard let value: Int16 = body.readInteger() else { throw FrontendMessageError.malformed("a message cut short") }
            return value
        }
        func int32() throws -> Int32 {
            guard let value: Int32 = body.readInteger() else { throw FrontendMessageError.malformed("a message cut short") }
            return value
        }
        func target() throws -> FrontendMessage.PortalOrStatement {
            guard let kind: UInt8 = body.readInteger(), kind == UInt8(ascii: "P") || kind == UInt8(ascii: "S") else {
                throw FrontendMessageError.malformed("a Describe or Close of neither a portal nor a statement")
            }
            return kind == UInt8(ascii: "P") ? .portal : .statement
        }
        switch type {
        case UInt8(ascii: "p"): return .password(body)
        case UInt8(ascii: "Q"): return .query(try string())
        case UInt8(ascii: "P"):
            let name = try string()
            let query = try string()
            let count = Int(try int16())
            var types: [UInt32] = []
            for _ in 0..<max(count, 0) { types.append(UInt32(bitPattern: try int32())) }
            return .parse(name: name, query: query, parameterTypes: types)
        case UInt8(ascii: "B"):
            let portal = try string()
            let statement = try string()
            var formats: [Int16] = []
            for _ in 0..<max(Int(try int16()), 0) { formats.append(try int16()) }
            var parameters: [ByteBuffer?] = []
            for _ in 0..<max(Int(try int16()), 0) {
                let length = try int32()
                if length < 0 {
                    parameters.append(nil)
                } else {
                    guard let value = body.readSlice(length: Int(length)) else { throw FrontendMessageError.malformed("a parameter cut short") }
                    parameters.append(value)
                }
            }
            var results: [Int16] = []
            for _ in 0..<max(Int(try int16()), 0) { results.append(try int16()) }
            return .bind(portal: portal, statement: statement, parameterFormats: formats, parameters: parameters, resultFormats: results)
        case UInt8(ascii: "D"):
            let kind = try target()
            return .describe(kind, name: try string())
        case UInt8(ascii: "E"):
            let portal = try string()
            return .execute(portal: portal, maxRows: try int32())
        case UInt8(ascii: "C"):
            let kind = try target()
            return .close(kind, name: try string())
        case UInt8(ascii: "S"): return .sync
        case UInt8(ascii: "H"): return .flush
        case UInt8(ascii: "X"): return .terminate
        default: return .unsupported(type)
        }
    }
}

public enum FrontendMessageError: Error, CustomStringConvertible {
    case malformed(String)
    case unsupportedProtocol(major: Int, minor: Int)

    public var description: String {
        switch self {
        case .malformed(let what): "malformed message: \(what)"
        case .unsupportedProtocol(let major, let minor): "unsupported frontend protocol \(major).\(minor): the server supports 3.0"
        }
    }
}
