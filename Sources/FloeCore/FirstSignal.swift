import Dispatch
import Foundation

/// SIGINT and SIGTERM, handled once: the first one calls `handler` with its number; from then on
/// both have their default actions again, so a second one ends the process at once.
public final class FirstSignal: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    public init(_ handler: @escaping @Sendable (Int32) -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                signal(SIGINT, SIG_DFL)
                signal(SIGTERM, SIG_DFL)
                handler(number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Gives the signals their default actions back.
    public func remove() {
        for source in sources { source.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// `SIGINT` or `SIGTERM`.
    public static func name(_ number: Int32) -> String { number == SIGINT ? "SIGINT" : "SIGTERM" }
}
