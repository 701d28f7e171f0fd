import FloeEngine
import GRDBSQLite

/// `floe_row_signature(a, b, …)`: an aggregate that sums a 64-bit FNV-1a hash of each row's
/// values (wrapping, so the order of rows does not matter), as text. Two sets of rows with the
/// same signature and count are, but for a 1 in 2^64 chance, the same rows: a rollup partition
/// whose source rows keep their signature is not rebuilt.
enum SQLiteRowSignature {
    static func register(on db: OpaquePointer) -> Int32 {
        sqlite3_create_function_v2(db, "floe_row_signature", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, nil, step, final, nil)
    }

    private static let step: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, count, arguments in
        guard let sum = sqlite3_aggregate_context(context, Int32(MemoryLayout<UInt64>.size))?.assumingMemoryBound(to: UInt64.self) else {
            return sqlite3_result_error_nomem(context)
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        for index in 0..<Int(count) {
            let value = arguments?[index]
            // A type tag before each value, so NULL, '' and 0 differ, then its text.
            mix(UInt8(truncatingIfNeeded: sqlite3_value_type(value)))
            if sqlite3_value_type(value) != SQLITE_NULL, let text = sqlite3_value_text(value) {
                for offset in 0..<Int(sqlite3_value_bytes(value)) { mix(text[offset]) }
            }
            mix(0x1f)
        }
        sum.pointee = sum.pointee &+ hash
    }

    private static let final: @convention(c) (OpaquePointer?) -> Void = { context in
        let sum = sqlite3_aggregate_context(context, 0)?.assumingMemoryBound(to: UInt64.self).pointee ?? 0
        sqlite3_result_text(context, String(sum), -1, SQLiteConnection.transient)
    }
}
