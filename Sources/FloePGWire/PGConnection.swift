import Crypto
import Foundation
import NIOCore

/// One client connection: startup and authentication, then the query protocols, one message at
/// a time. Replies are gathered and written at each `Sync`, `Flush` or simple query's end.
struct PGConnection {
    let server: PGWireServer

    typealias Inbound = NIOAsyncChannelInboundStream<FrontendMessage>
    typealias Outbound = NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// A bound statement: its values and result formats, and the rows not yet sent when an
    /// `Execute` with a row limit suspended it.
    struct Portal {
        var statement: PGStatement
        var parameters: [String?]
        var resultFormats: [Int16]
        var pending: [[String?]]?
        var tag = ""
    }

    /// The salts and salted passwords of SCRAM users, computed once per password: PBKDF2's 4096
    /// rounds would otherwise cost every connection a few milliseconds.
    private static let scramSalts = ScramSaltCache()

    func serve(_ channel: NIOAsyncChannel<FrontendMessage, ByteBuffer>) async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                var messages = inbound.makeAsyncIterator()
                guard let session = try await start(&messages, outbound) else { return }
                let keys = server.sessions.register(session)
                defer {
                    server.sessions.remove(keys.processID)
                    session.close()
                }
                var greeting: [BackendMessage] = [.authenticationOk]
                for status in session.parameterStatus { greeting.append(.parameterStatus(name: status.name, value: status.value)) }
                greeting.append(.backendKeyData(processID: keys.processID, secretKey: keys.secretKey))
                greeting.append(.readyForQuery(.idle))
                try await outbound.send(greeting)
                var state = QueryProtocol(session: session)
                while let message = try await messages.next() {
                    if case .terminate = message { return }
                    let replies = await state.handle(message)
                    if !replies.isEmpty { try await outbound.send(replies) }
                }
            }
        } catch {
            // A client that went away or sent bytes that are not the protocol: the connection ends.
        }
    }

    /// The startup message and authentication; nil when the connection ends there (a cancel
    /// request, a refused user, a wrong password).
    private func start(_ messages: inout Inbound.AsyncIterator, _ outbound: Outbound) async throws -> (any PGSession)? {
        guard let first = try await messages.next() else { return nil }
        var parameters: [String: String]
        switch first {
        case .cancel(let processID, let secretKey):
            server.sessions.cancel(processID: processID, secretKey: secretKey)
            return nil
        case .startup(let given):
            parameters = given
        default:
            try await outbound.send([.error(PGError(PGError.protocolViolation, "expected a startup message", severity: "FATAL"))])
            return nil
        }
        guard let user = parameters["user"], !user.isEmpty else {
            try await outbound.send([.error(PGError(PGError.invalidAuthorization, "no PostgreSQL user name specified in startup packet", severity: "FATAL"))])
            return nil
        }
        let database = parameters["database"] ?? user
        parameters["user"] = nil
        parameters["database"] = nil
        func refuse(_ error: PGError) async throws -> (any PGSession)? {
            var fatal = error
            fatal.severity = "FATAL"
            try await outbound.send([.error(fatal)])
            return nil
        }
        let wrongPassword = PGError(PGError.invalidPassword, "password authentication failed for user \"\(user)\"")
        var cleartext: String?
        do {
            switch try server.backend.authentication(user: user, database: database) {
            case .trust:
                break
            case .cleartext:
                try await outbound.send([.authenticationCleartextPassword])
                guard case .password(var body)? = try await messages.next(), let password = body.readNullTerminatedString() else {
                    return try await refuse(wrongPassword)
                }
                cleartext = password
            case .md5(let password):
                let salt = (0..<4).map { _ in UInt8.random(in: 0...255) }
                try await outbound.send([.authenticationMD5Password(salt: salt)])
                guard case .password(var body)? = try await messages.next(), let answer = body.readNullTerminatedString(),
                      answer == MD5Password.expected(password: password, user: user, salt: salt) else {
                    return try await refuse(wrongPassword)
                }
            case .scramSHA256(let password):
                let (salt, salted) = Self.scramSalts.salted(password)
                var exchange = SCRAMExchange(salted: salted, salt: salt)
                try await outbound.send([.authenticationSASL(mechanisms: [SCRAMExchange.mechanism])])
                guard case .password(var initial)? = try await messages.next(), initial.readNullTerminatedString() == SCRAMExchange.mechanism,
                      let length: Int32 = initial.readInteger(), let clientFirst = initial.readString(length: Int(max(length, 0))),
                      let serverFirst = exchange.start(clientFirst: clientFirst) else {
                    return try await refuse(PGError(PGError.protocolViolation, "malformed SCRAM message"))
                }
                try await outbound.send([.authenticationSASLContinue(Array(serverFirst.utf8))])
                guard case .password(var response)? = try await messages.next(), let clientFinal = response.readString(length: response.readableBytes),
                      let serverFinal = exchange.finish(clientFinal: clientFinal) else {
                    return try await refuse(wrongPassword)
                }
                try await outbound.send([.authenticationSASLFinal(Array(serverFinal.utf8))])
            }
            return try await server.backend.open(user: user, database: database, password: cleartext, parameters: parameters)
        } catch let error as PGError {
            return try await refuse(error)
        }
    }
}

extension NIOAsyncChannelOutboundWriter<ByteBuffer> {
    /// Writes `messages` in one buffer: one write and one flush for a whole reply, however many
    /// rows it has.
    func send(_ messages: [BackendMessage]) async throws {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(64 * messages.count)
        for message in messages { message.write(into: &buffer) }
        try await write(buffer)
    }
}

/// Salts and salted passwords for SCRAM, one per password.
final class ScramSaltCache: @unchecked Sendable {
    private let lock = NSLock()
    private var known: [String: (salt: [UInt8], salted: SymmetricKey)] = [:]

    func salted(_ password: String) -> (salt: [UInt8], salted: SymmetricKey) {
        let digest = SHA256.hash(data: Data(password.utf8)).map { String(format: "%02x", $0) }.joined()
        lock.lock()
        if let found = known[digest] {
            lock.unlock()
            return found
        }
        lock.unlock()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
        let made = (salt, SCRAMExchange.salted(password, salt: salt))
        lock.lock()
        if known.count > 1_000 { known.removeAll() }
        known[digest] = made
        lock.unlock()
        return made
    }
}
