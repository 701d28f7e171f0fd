import FloeContract
import Foundation

/// Writes through a temporary file beside the destination and a rename, so a reader never sees
/// half a file, and a failed write leaves whatever was there before.
enum AtomicFile {
    static func write(_ data: Data, to path: String) throws {
        try write(EncodedDocument(data), to: path)
    }

    /// Writes the document's pieces one after another, without joining them first.
    static func write(_ document: EncodedDocument, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw Self.lastError() }
        do {
            try document.write(toFileDescriptor: descriptor)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard close(descriptor) == 0, rename(temporary, path) == 0 else {
            let error = Self.lastError()
            unlink(temporary)
            throw error
        }
    }

    private static func lastError() -> POSIXError {
        POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
}
