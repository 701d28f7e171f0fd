import FloeCore
import FloeRuntime
import Foundation

/// Prints an apply as it goes: one line per finished node, and on a terminal a live line
/// naming what runs now, redrawn in place. Silent in `--format json`, where only the results print.
final class RunReporter: ApplyObserver, @unchecked Sendable {
    private let console = Console.standardError
    private let quiet: Bool
    private let live: Bool
    private let painter: DiagnosticRenderer
    private let lock = NSLock()

    init(quiet: Bool) {
        self.quiet = quiet
        live = !quiet && Console.standardError.isCapableTerminal
        painter = DiagnosticRenderer(useColor: Console.standardError.useColor)
    }

    /// A signal arrived: say what happens now, on its own line.
    func cancelling(_ reason: RunCancellation.Reason) {
        lock.lock()
        defer { lock.unlock() }
        let clear = live ? "\r\u{1B}[2K" : ""
        console.line("\(clear)floe: \(reason.rawValue) received: stopping; statements in flight roll back (again to quit at once)")
    }

    func warned(_ message: String) {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        console.line("warning: \(message)")
    }

    func began(_ description: String) {
        guard !quiet else { return }
        console.line("floe: \(description)")
    }

    func started(_ name: String, id: String, type: NodeResult.ResourceType, index: Int, total: Int) {
        guard live else { return }
        lock.lock()
        defer { lock.unlock() }
        console.write("\r\u{1B}[2K[\(index)/\(total)] running \(type.rawValue) \(name)…")
    }

    func finished(_ result: NodeResult, index: Int, total: Int) {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        let clear = live ? "\r\u{1B}[2K" : ""
        let width = String(total).count
        let counter = String(repeating: " ", count: max(0, width - String(index).count)) + "\(index) of \(total)"
        let label = "\(result.resourceType.rawValue) \(result.name)"
        let dots = String(repeating: ".", count: max(3, 52 - label.count))
        let time = String(format: "%.2fs", result.executionTime)
        let detail = result.message.flatMap { $0.lowercased() == Self.word(result.status).lowercased() ? nil : "(\($0)) " } ?? ""
        console.line("\(clear)  \(counter)  \(label) \(dots) \(Self.painted(result.status, painter)) \(detail)in \(time)")
    }

    /// The statement that failed and where the whole of what ran is. When the engine named the
    /// failing line, the lines around it, marked; else the statement's first lines. Lines are
    /// numbered as in the compiled file (target/compiled/) when the statement holds the model's
    /// SELECT, else as in the statement.
    static func excerpt(of sql: String, for result: NodeResult) -> [String] {
        let lines = sql.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Where the compiled SELECT starts in the statement, to number lines as its file does.
        var shift = 0
        if let code = result.compiledCode?.trimmingCharacters(in: .whitespacesAndNewlines), !code.isEmpty,
           let range = sql.range(of: code) {
            shift = sql[..<range.lowerBound].reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
        }
        let first = lines.firstIndex { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? 0
        let last = lines.lastIndex { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? max(0, lines.count - 1)
        let failing = result.failedSQLLine.map { $0 - 1 }.flatMap { lines.indices.contains($0) ? $0 : nil }
        let shown: ClosedRange<Int>
        if let failing {
            shown = max(first, failing - 3)...min(last, failing + 3)
        } else {
            shown = first...min(last, first + 11)
        }
        let number = { (index: Int) -> String in
            let line = index - shift + 1
            return line >= 1 ? String(line) : ""
        }
        let width = shown.map { number($0).count }.max() ?? 1
        var output = [failing == nil ? "    failed SQL:" : "    failed SQL, at line \(number(failing!).isEmpty ? String(failing! + 1) : number(failing!)):"]
        if shown.lowerBound > first { output.append("      …") }
        for index in shown {
            let mark = index == failing ? ">" : " "
            let label = number(index)
            output.append("    \(mark) " + String(repeating: " ", count: width - label.count) + label + " | " + lines[index])
        }
        if shown.upperBound < last { output.append("      … \(last - shown.upperBound) more line\(last - shown.upperBound == 1 ? "" : "s")") }
        if result.resourceType == .model || result.resourceType == .snapshot, let path = result.path {
            output.append("    compiled: target/compiled/\(path); as run: target/run/\(path)")
        }
        return output
    }

    /// The status word in its colour: green done, cyan up to date, yellow warned or not run, red failed.
    static func painted(_ status: NodeResult.Status, _ painter: DiagnosticRenderer) -> String {
        let code = switch status {
        case .success, .pass: "32"
        case .upToDate: "36"
        case .warn, .skipped, .cancelled: "33"
        case .error, .fail: "1;31"
        }
        return painter.paint(word(status), code: code)
    }

    static func word(_ status: NodeResult.Status) -> String {
        switch status {
        case .success: "OK"
        case .upToDate: "UP TO DATE"
        case .error: "ERROR"
        case .skipped: "SKIP"
        case .pass: "PASS"
        case .warn: "WARN"
        case .fail: "FAIL"
        case .cancelled: "CANCELLED"
        }
    }

    /// The closing summary: counts, then every error, failure and warning by name.
    static func summary(_ results: RunResults, useColor: Bool = false) -> String {
        let painter = DiagnosticRenderer(useColor: useColor)
        let counts = results.counts
        var parts: [String] = []
        if counts.built > 0 { parts.append("\(counts.built) built") }
        if counts.upToDate > 0 { parts.append("\(counts.upToDate) up to date") }
        if counts.errors > 0 { parts.append("\(counts.errors) error\(counts.errors == 1 ? "" : "s")") }
        if counts.skipped > 0 { parts.append("\(counts.skipped) skipped") }
        if counts.cancelled > 0 { parts.append("\(counts.cancelled) cancelled") }
        let tests = counts.passed + counts.warned + counts.failed
        if tests > 0 { parts.append("tests: \(counts.passed) pass, \(counts.warned) warn, \(counts.failed) fail") }
        let outcome = switch results.cancelledBy {
        case RunCancellation.Reason.failFast.rawValue?: "Stopped at the first failure (--fail-fast)"
        case let reason?: "Cancelled by \(reason)"
        case nil: results.success ? "Done" : "Failed"
        }
        var lines = ["\(painter.paint(outcome, code: results.success ? "1;32" : "1;31")) in \(String(format: "%.2f", results.elapsedTime))s: "
            + (parts.isEmpty ? "nothing ran" : parts.joined(separator: "; "))]
        var injected = InjectedDefects()
        for result in results.results {
            guard let defects = result.injected else { continue }
            injected.nulls += defects.nulls
            injected.duplicates += defects.duplicates
            injected.lateArrivals += defects.lateArrivals
        }
        if !injected.isEmpty { lines.append("  synthetic data quality defects injected: \(injected.description)") }
        if results.cancelledBy != nil {
            lines.append("  nodes that had not started did not run; what was built stays: run the same command again to finish")
        }
        for result in results.results where [.error, .fail, .warn, .skipped, .cancelled].contains(result.status) {
            let place = result.path ?? result.relation
            lines.append("  \(painted(result.status, painter)) \(result.resourceType.rawValue) \(result.name)"
                + (place.map { " (\($0))" } ?? "") + ": \(result.message ?? "")")
            if result.status == .error, let sql = result.failedSQL {
                lines.append(contentsOf: excerpt(of: sql, for: result))
            }
        }
        return lines.joined(separator: "\n")
    }
}
