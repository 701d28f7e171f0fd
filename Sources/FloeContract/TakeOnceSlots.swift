/// Results handed between threads, race-free: the compiler's parallel phases and the plan
/// writer's concurrent runs put one value per index, each from one thread, into memory no other
/// thread writes.
/// One value per index, each put by one thread and taken once by another after a
/// synchronisation point (the end of a parallel map, a lock): results handed between threads
/// without an array every thread would write to. Taking moves the value out, so the taker frees it.
package final class TakeOnceSlots<Value>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Value?>

    package init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        _ = storage.deinitialize()
        storage.deallocate()
    }

    package func put(_ value: Value, at index: Int) {
        storage[index] = value
    }

    /// The value at `index`, or nil when none was put or it was taken already.
    package func take(_ index: Int) -> Value? {
        storage[index].take()
    }
}
