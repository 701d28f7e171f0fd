import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A PostgreSQL protocol 3.0 server: it accepts connections, negotiates SSL, authenticates
/// users as the ``PGBackend`` says, and runs the simple and extended query protocols against
/// each connection's ``PGSession``. It knows nothing of what the queries mean.
public struct PGWireServer: Sendable {
    public let host: String
    public let port: Int
    let backend: any PGBackend
    let tls: NIOSSLContext?
    let sessions = SessionRegistry()
    let log: @Sendable (String) -> Void

    public init(host: String, port: Int, backend: any PGBackend, tls: NIOSSLContext? = nil, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.backend = backend
        self.tls = tls
        self.log = log
    }

    /// Listens until the calling task is cancelled, then closes the listener and every connection.
    /// `onListening` gets the port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let tls = tls
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(SSLNegotiationHandler(tls: tls))
                    try handlers.addHandler(ByteToMessageHandler(FrontendMessageDecoder()))
                    return try NIOAsyncChannel<FrontendMessage, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        onListening(listener.channel.localAddress?.port ?? port)
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask {
                        await PGConnection(server: self).serve(connection)
                    }
                }
            }
        }
    }
}

/// The sessions open now, by their key data, so that a `CancelRequest` on another connection
/// finds the one to interrupt.
final class SessionRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var sessions: [Int32: (key: Int32, session: any PGSession)] = [:]
    private var lastProcessID: Int32 = 10_000

    /// A new process ID and secret key for `session`.
    func register(_ session: any PGSession) -> (processID: Int32, secretKey: Int32) {
        lock.lock()
        defer { lock.unlock() }
        lastProcessID = lastProcessID == Int32.max ? 10_001 : lastProcessID + 1
        let key = Int32.random(in: Int32.min...Int32.max)
        sessions[lastProcessID] = (key, session)
        return (lastProcessID, key)
    }

    func remove(_ processID: Int32) {
        lock.lock()
        sessions[processID] = nil
        lock.unlock()
    }

    /// Cancels the session with this key data; a wrong key does nothing, as in PostgreSQL.
    func cancel(processID: Int32, secretKey: Int32) {
        lock.lock()
        let found = sessions[processID]
        lock.unlock()
        if let found, found.key == secretKey { found.session.cancel() }
    }
}
