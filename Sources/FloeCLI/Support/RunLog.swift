import FloeConnect
import FloeRuntime
import Foundation

/// `target/floe.log`: one line per event of every apply, appended, for people and log shippers:
/// `<time> <level> <event> key=value …`, values quoted when they hold spaces. It holds what the
/// terminal shows and never a secret value (engine messages never carry one; plans hold none).
final class RunLog: ApplyObserver, @unchecked Sendable {
    private let handle: FileHandle?
    private let lock = NSLock()

    /// Opens (or creates) `path` for appending; a log that cannot be opened is skipped, not fatal.
    init(path: String) {
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
    }

    deinit {
        try? handle?.close()
    }

    func write(_ level: String, _ event: String, _ fields: [(String, String?)]) {
        let parts = fields.compactMap { key, value in value.map { "\(key)=\(Self.quoted($0))" } }
        let line = ([Self.now(), level, event] + parts).joined(separator: " ") + "\n"
        lock.lock()
        defer { lock.unlock() }
        try? handle?.write(contentsOf: Data(line.utf8))
    }

    func began(_ description: String) { write("info", "run_started", [("what", description)]) }

    func started(_ name: String, id: String, type: NodeResult.ResourceType, index: Int, total: Int) {
        write("debug", "node_started", [("node", name), ("type", type.rawValue), ("index", "\(index)/\(total)")])
    }

    func finished(_ result: NodeResult, index: Int, total: Int) {
        let level = [.error, .fail, .cancelled].contains(result.status) ? "error" : result.status == .warn ? "warn" : "info"
        write(level, "node_finished", [
            ("node", result.uniqueID), ("status", result.status.rawValue), ("seconds", String(format: "%.3f", result.executionTime)),
            ("rows", result.rowsAffected.map(String.init)), ("failures", result.failures.map(String.init)),
            ("path", result.path), ("message", result.message),
        ])
    }

    func warned(_ message: String) { write("warn", "warning", [("message", message)]) }

    func finishedRun(_ results: RunResults) {
        let counts = results.counts
        write(results.success ? "info" : "error", "run_finished", [
            ("invocation_id", results.metadata.invocationID), ("command", results.metadata.command),
            ("success", "\(results.success)"), ("cancelled_by", results.cancelledBy),
            ("built", "\(counts.built)"), ("up_to_date", "\(counts.upToDate)"), ("errors", "\(counts.errors)"),
            ("skipped", "\(counts.skipped)"), ("passed", "\(counts.passed)"), ("warned", "\(counts.warned)"),
            ("failed", "\(counts.failed)"), ("seconds", String(format: "%.3f", results.elapsedTime)),
        ])
    }

    private static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        return "\"\(escaped)\""
    }

    private static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}

/// Tells each of its observers everything, in order.
final class ObserverGroup: ApplyObserver, @unchecked Sendable {
    let observers: [any ApplyObserver]

    init(_ observers: [any ApplyObserver]) {
        self.observers = observers
    }

    func began(_ description: String) { for observer in observers { observer.began(description) } }
    func started(_ name: String, id: String, type: NodeResult.ResourceType, index: Int, total: Int) {
        for observer in observers { observer.started(name, id: id, type: type, index: index, total: total) }
    }
    func finished(_ result: NodeResult, index: Int, total: Int) {
        for observer in observers { observer.finished(result, index: index, total: total) }
    }
    func warned(_ message: String) { for observer in observers { observer.warned(message) } }
    func runStarting(runID: String, command: String, at start: Date, nominalStart: Date?) {
        for observer in observers { observer.runStarting(runID: runID, command: command, at: start, nominalStart: nominalStart) }
    }
    func runEnded(_ results: RunResults) { for observer in observers { observer.runEnded(results) } }
    func runRefused(_ error: ExecutorError) { for observer in observers { observer.runRefused(error) } }
}
