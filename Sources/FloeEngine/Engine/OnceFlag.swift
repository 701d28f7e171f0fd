import Foundation

/// Runs a piece of set-up once per engine, on whichever connection comes first; a failure lets
/// the next connection try again.
public final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    public init() {}

    public func run(_ body: () throws -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        try body()
        done = true
    }
}
