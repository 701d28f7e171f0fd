import Foundation

/// Appends each payload as one line to a file (JSON lines), creating it and its directory.
public final class FileSink: TelemetrySink, @unchecked Sendable {
    public let path: String
    private let lock = NSLock()

    public init(path: String) {
        self.path = path
    }

    public var destination: String { path }

    public func deliver(_ payload: Data) throws(DeliveryFailure) {
        lock.lock()
        defer { lock.unlock() }
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: payload + Data([0x0A]))
        } catch {
            throw DeliveryFailure("cannot append to \(path): \(error.localizedDescription)", retryable: false)
        }
    }
}

/// Writes each payload as one line to standard error, for a look at what would be sent.
public final class ConsoleSink: TelemetrySink, @unchecked Sendable {
    private let lock = NSLock()

    public init() {}

    public var destination: String { "the console" }

    public func deliver(_ payload: Data) throws(DeliveryFailure) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(payload + Data([0x0A]))
    }
}
