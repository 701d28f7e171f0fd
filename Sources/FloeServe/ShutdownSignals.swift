import Dispatch
import Foundation

/// SIGINT and SIGTERM for `floe serve`: the first one calls `stop` with its name; from then on the
/// signals have their default actions again, so a second one ends the process at once.
final class ShutdownSignals: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    init(stop: @escaping @Sendable (String) -> Void) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                signal(SIGINT, SIG_DFL)
                signal(SIGTERM, SIG_DFL)
                stop(name)
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
