import FloeCore
import Foundation
import FloeRuntime

/// Turns SIGINT and SIGTERM into a cancellation of the running apply, so it can roll back what is
/// in flight, record the run as cancelled and write its results before the process exits. After
/// the first signal the default action comes back: a second Ctrl-C ends the process at once
/// (the warehouse stays consistent either way: every build is one transaction).
final class SignalForwarding {
    private let signals: FirstSignal

    init(to cancellation: RunCancellation, announce: @escaping @Sendable (RunCancellation.Reason) -> Void) {
        signals = FirstSignal { number in
            let reason: RunCancellation.Reason = number == SIGINT ? .interrupt : .terminate
            announce(reason)
            cancellation.cancel(reason)
        }
    }

    /// Gives the signals their default actions back.
    func remove() {
        signals.remove()
    }
}
