import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a file. The kernel releases it when the process ends, however it ends,
/// so a `kill -9` never leaves a stale lock behind. The holder's pid and start time are written
/// into the file so a refused apply can say who holds it.
public final class FileLock: NamespaceLock, @unchecked Sendable {
    private var descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Takes the lock, polling until `timeout` seconds have passed.
    public static func acquire(path: String, what: String, timeout: Double) throws -> FileLock {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw EngineError(.unreachable, "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(max(0, timeout))
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                close(descriptor)
                throw EngineError(.locked, "\(what) is being applied by another floe process"
                    + (holder.isEmpty ? "" : " (\(holder))"))
            }
            usleep(50_000)
        }
        let note = "pid \(getpid()), since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(descriptor, 0)
        _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return FileLock(descriptor: descriptor)
    }

    public func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
