import Dispatch
import FloeRuntime
import Foundation

/// Turns SIGINT and SIGTERM into a cancellation of the running apply, so it can roll back what is
/// in flight, record the run as cancelled and write its results before the process exits. After
/// the first signal the default action comes back: a second Ctrl-C ends the process at once
/// (the warehouse stays consistent either way: every build is one transaction).
final class SignalForwarding {
    private var sources: [any DispatchSourceSignal] = []

    init(to cancellation: RunCancellation, announce: @escaping @Sendable (RunCancellation.Reason) -> Void) {
        for (number, reason) in [(SIGINT, RunCancellation.Reason.interrupt), (SIGTERM, .terminate)] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                signal(SIGINT, SIG_DFL)
                signal(SIGTERM, SIG_DFL)
                announce(reason)
                cancellation.cancel(reason)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Gives the signals their default actions back.
    func remove() {
        for source in sources { source.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
