import Foundation

/// Runs `git` and `tar` as child processes, found on PATH.
enum ExternalTool {
    /// Runs `command` with `arguments` in `directory`; returns its standard output. A non-zero exit
    /// is an error with the last lines the tool wrote to standard error.
    @discardableResult
    static func run(_ command: String, _ arguments: [String], in directory: URL? = nil,
                    environment extra: [String: String] = [:]) throws(PackagesError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { _, new in new }
        process.environment = environment
        // Standard error goes to a file, so a chatty tool cannot fill a pipe nobody reads yet.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("floe-deps-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try? FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw PackagesError(.tool, "cannot start \(command): \(error.localizedDescription)", hint: "install \(command) and put it on PATH")
        }
        let text = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorText = FileManager.default.contents(atPath: errorFile.path) ?? Data()
        guard process.terminationStatus == 0 else {
            let lines = String(decoding: errorText, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: "; ")
            throw PackagesError(.tool, "\(command) \(arguments.first ?? "") failed (exit \(process.terminationStatus))\(lines.isEmpty ? "" : ": \(lines)")")
        }
        return String(decoding: text, as: UTF8.self)
    }
}
