import Foundation

/// An encoded document as the pieces it was written in, in order. A plan's pieces are written on
/// several threads; keeping them apart lets a writer hand them to the file one after another
/// (``write(toFileDescriptor:)``) instead of first copying 12 MB into one `Data`, which on a VM
/// costs a page fault for every fresh page as well as the copy.
public struct EncodedDocument: Sendable {
    let pieces: [[UInt8]]

    init(pieces: [[UInt8]]) {
        self.pieces = pieces.filter { !$0.isEmpty }
    }

    /// A document already in one piece.
    public init(_ data: Data) {
        self.init(pieces: [Array(data)])
    }

    /// The length in bytes.
    public var count: Int { pieces.reduce(0) { $0 + $1.count } }

    /// The bytes in one piece of memory.
    public var data: Data {
        guard pieces.count != 1 else { return Data(pieces[0]) }
        var data = Data(capacity: count)
        for piece in pieces { data.append(contentsOf: piece) }
        return data
    }

    /// Writes every byte to `descriptor`, retrying short writes and interrupted calls.
    public func write(toFileDescriptor descriptor: Int32) throws {
        for piece in pieces {
            try piece.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                    }
                    offset += written
                }
            }
        }
    }
}
