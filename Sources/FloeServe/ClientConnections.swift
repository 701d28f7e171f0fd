import Foundation
import NIOCore

/// Tells a running request that its client went away. Hummingbird lets an HTTP/1 client close its
/// side of the connection (remote half-closure), which NIO reports as `inputClosed`; a reset
/// connection goes inactive. A handler in each connection's pipeline notices either and calls what
/// the request registered, so a query nobody waits for is interrupted instead of running on.
final class ClientConnections: @unchecked Sendable {
    private let lock = NSLock()
    private var watches: [ObjectIdentifier: ClientWatch] = [:]

    /// The handler to put in a new connection's pipeline.
    func handler() -> ClientWatchHandler { ClientWatchHandler(connections: self) }

    /// The watch of the connection `channel`; nil for a channel without the handler (Hummingbird's
    /// test client) or already closed.
    func watch(_ channel: any Channel) -> ClientWatch? {
        lock.lock()
        defer { lock.unlock() }
        return watches[ObjectIdentifier(channel)]
    }

    fileprivate func add(_ watch: ClientWatch, for channel: any Channel) {
        lock.lock()
        watches[ObjectIdentifier(channel)] = watch
        lock.unlock()
    }

    fileprivate func remove(_ channel: any Channel) {
        lock.lock()
        watches[ObjectIdentifier(channel)] = nil
        lock.unlock()
    }
}

/// Whether one connection's client is still there, and what to do when it leaves.
final class ClientWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var gone = false
    private var actions: [Int: @Sendable () -> Void] = [:]
    private var nextToken = 0

    /// Calls `action` once the client has gone (at once when it already has). Returns a token for
    /// ``cancel(_:)``.
    func onGone(_ action: @escaping @Sendable () -> Void) -> Int {
        lock.lock()
        if gone {
            lock.unlock()
            action()
            return -1
        }
        nextToken += 1
        let token = nextToken
        actions[token] = action
        lock.unlock()
        return token
    }

    func cancel(_ token: Int) {
        lock.lock()
        actions[token] = nil
        lock.unlock()
    }

    fileprivate func leave() {
        lock.lock()
        gone = true
        let pending = actions.values
        actions = [:]
        lock.unlock()
        for action in pending { action() }
    }
}

/// The pipeline handler behind ``ClientConnections``: passes everything on, and notes the client's
/// end of input or the connection's end.
final class ClientWatchHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    /// Every part is passed on untouched.
    typealias InboundIn = NIOAny

    private let connections: ClientConnections
    private let watch = ClientWatch()

    fileprivate init(connections: ClientConnections) {
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connections.add(watch, for: context.channel)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        connections.remove(context.channel)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { watch.leave() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        watch.leave()
        connections.remove(context.channel)
        context.fireChannelInactive()
    }
}
