import CZlib
import Foundation

/// gzip (RFC 1952) over the system's zlib, for request bodies sent with `Content-Encoding: gzip`.
public enum Gzip {
    /// `data` compressed; nil only when zlib fails.
    public static func compress(_ data: Data) -> Data? {
        let capacity = floe_gzip_bound(data.count)
        var output = Data(count: capacity)
        let written = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { buffer in
                floe_gzip(input.bindMemory(to: UInt8.self).baseAddress, data.count,
                          buffer.bindMemory(to: UInt8.self).baseAddress, capacity)
            }
        }
        guard written >= 0 else { return nil }
        output.count = written
        return output
    }
}
