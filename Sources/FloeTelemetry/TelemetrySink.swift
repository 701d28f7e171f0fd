import Foundation

/// Where telemetry payloads go: an HTTP endpoint, a file, the console. A sink delivers one
/// payload at a time, from the delivery queue's worker threads, never from the run's.
public protocol TelemetrySink: Sendable {
    /// The destination as messages name it (a URL, a path).
    var destination: String { get }

    /// Delivers `payload`, or throws why it was not.
    func deliver(_ payload: Data) throws(DeliveryFailure)
}

/// Why a payload was not delivered, and whether trying again could help.
public struct DeliveryFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// A refused connection, a timeout, a 5xx: worth another attempt. A 4xx is not.
    public var retryable: Bool

    public init(_ message: String, retryable: Bool) {
        self.message = message
        self.retryable = retryable
    }

    public var description: String { message }
}
