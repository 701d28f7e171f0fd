import Foundation

/// A dictionary behind a lock, for what a server remembers between requests; when it holds
/// `capacity` entries it forgets them all, so its memory stays bounded without bookkeeping.
public final class BoundedCache<Key: Hashable, Value>: @unchecked Sendable {
    private let capacity: Int
    private let lock = NSLock()
    private var entries: [Key: Value] = [:]

    public init(capacity: Int) {
        self.capacity = capacity
    }

    public subscript(key: Key) -> Value? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return entries[key]
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            if newValue != nil, entries[key] == nil, entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = newValue
        }
    }
}
