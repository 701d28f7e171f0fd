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
        write(Data(text.utf8))
    }

    /// A reader that went away (`floe ls | head -1`) ends the process quietly, with the status of
    /// one killed by SIGPIPE, as other command-line tools end: never a trap.
    func write(_ data: Data) {
        do {
            try handle.write(contentsOf: data)
        } catch {
            exit(141)
        }
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
