import FloeContract
import FloeCore
import FloeEngine
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Rows for `COPY … FROM STDIN`, written in PostgreSQL's text format and streamed to the server
/// while they are made: the caller's thread encodes buffers of about 256 KiB and hands them to the
/// driver's task, at most a few ahead of it, so a table of any size needs little memory.
struct PostgresCopy {
    static let bufferBytes = 256 * 1024
    /// Buffers encoded but not yet sent.
    static let buffersAhead = 4

    let connection: PostgresConnection
    let logger: Logger

    /// Copies `rows` into `table` (unqualified: the search path names its schema) and returns how many.
    func copy(into table: String, columns: [String], rows: some Sequence<[SQLValue]>) throws -> Int {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let handoff = Handoff(slots: Self.buffersAhead)
        let connection = connection, logger = logger
        Task.detached(executorPreference: DriverThread.shared) {
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    for try await buffer in stream {
                        try await writer.write(buffer)
                        handoff.sent()
                    }
                }
                handoff.finish(nil)
            } catch {
                handoff.finish(error)
            }
        }
        var count = 0
        var buffer = ByteBuffer()
        buffer.reserveCapacity(Self.bufferBytes + 4096)
        var stopped = false
        for row in rows {
            Self.append(row, to: &buffer)
            count += 1
            if buffer.readableBytes >= Self.bufferBytes {
                guard handoff.waitForSlot() else { stopped = true; break }
                continuation.yield(buffer)
                buffer = ByteBuffer()
                buffer.reserveCapacity(Self.bufferBytes + 4096)
            }
        }
        if !stopped, buffer.readableBytes > 0, handoff.waitForSlot() { continuation.yield(buffer) }
        continuation.finish()
        if let error = handoff.waitForEnd() { throw error }
        return count
    }

    /// One row: values separated by tabs, `\N` for null, backslash, tab, newline and carriage
    /// return escaped; blobs as bytea's `\x…` hex.
    static func append(_ row: [SQLValue], to buffer: inout ByteBuffer) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            switch value {
            case .null: buffer.writeStaticString("\\N")
            case .integer(let number): buffer.writeString(String(number))
            case .real(let number): buffer.writeString(number.isFinite ? String(number) : (number.isNaN ? "NaN" : number > 0 ? "Infinity" : "-Infinity"))
            case .text(let text): writeEscaped(text, to: &buffer)
            case .blob(let bytes): buffer.writeStaticString("\\\\x"); buffer.writeString(Hex.string(bytes))
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    private static func writeEscaped(_ text: String, to buffer: inout ByteBuffer) {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
            buffer.writeString(text)
            return
        }
        for byte in utf8 {
            switch byte {
            case 0x5C: buffer.writeStaticString("\\\\")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }
}

/// Back pressure between the encoding thread and the driver's task.
private final class Handoff: @unchecked Sendable {
    private let condition = NSCondition()
    private var free: Int
    private var ended = false
    private var failure: (any Error)?

    init(slots: Int) { free = slots }

    /// The task sent a buffer: one more may be encoded.
    func sent() {
        condition.lock()
        free += 1
        condition.signal()
        condition.unlock()
    }

    func finish(_ error: (any Error)?) {
        condition.lock()
        ended = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until a buffer may be handed over; false when the copy already ended (it failed).
    func waitForSlot() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while free == 0 && !ended { condition.wait() }
        guard !ended else { return false }
        free -= 1
        return true
    }

    func waitForEnd() -> (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        while !ended { condition.wait() }
        return failure
    }
}
