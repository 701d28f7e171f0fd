import Dispatch

/// Frees large values on another thread. Tearing down a large compile's working state (hundreds
/// of thousands of strings and arrays) is slow on the thread that is about to write the plan or
/// exit; handed here, it is freed on a core that is otherwise idle, or not at all when the
/// process exits first.
public enum BackgroundRelease {
    /// Takes the caller's reference to `value`; drop any other reference before the call (for a
    /// variable, `release(consume x)`) so that this one is the last.
    public static func release<Value>(_ value: consuming Value) {
        let box = Box(value)
        queue.async { box.drop() }
    }

    private static let queue = DispatchQueue(label: "floe.background-release", qos: .utility)

    private final class Box<Value>: @unchecked Sendable {
        var value: Value?
        init(_ value: Value) { self.value = value }
        func drop() { value = nil }
    }
}
