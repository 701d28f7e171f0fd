import FloeCore
import Foundation

/// Writes lines to stdout or stderr; knows whether colour is wanted.
struct Console: Sendable {
    let handle: FileHandle
    let fileDescriptor: Int32

    static let standardOutput = Console(handle: .standardOutput, fileDescriptor: STDOUT_FILENO)
    static let standardError = Console(handle: .standardError, fileDescriptor: STDERR_FILENO)

    func line(_ text: String) {
        write(text + "\n")
    }

    func write(_ text: String) {
        handle.write(Data(text.utf8))
    }

    func write(_ data: Data) {
        handle.write(data)
    }

    /// Colour only on a terminal that can show it: never when `NO_COLOR` is set to anything
    /// non-empty, nor when `TERM` is `dumb`.
    var useColor: Bool {
        if let noColor = ProcessInfo.processInfo.environment["NO_COLOR"], !noColor.isEmpty { return false }
        return isCapableTerminal
    }

    /// A terminal that understands cursor movement (the live progress line): a tty whose `TERM` is not `dumb`.
    var isCapableTerminal: Bool {
        isatty(fileDescriptor) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Diagnostics, then their count, on this stream.
    func report(_ diagnostics: [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        line(DiagnosticRenderer(useColor: useColor).render(diagnostics))
    }
}
