import Foundation

/// A test server written in Python (`Clients/<script>`, run by the observability venv's Python):
/// it listens on a loopback port it picks and writes to a file, and is stopped by its pid.
final class LoopbackServer {
    let process = Process()
    let port: Int
    /// A throwaway directory of its own, for what it writes.
    let directory: URL

    /// `arguments` are given the port file's path.
    init(_ script: String, arguments: (String) -> [String]) throws {
        directory = try FloeBinary.temporaryDirectory()
        let portFile = directory.appendingPathComponent("port")
        process.executableURL = LineageTests.python
        process.arguments = [FloeBinary.repositoryRoot.appendingPathComponent("Tests/FloeCLITests/Clients/\(script)").path]
            + arguments(portFile.path)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: portFile.path) {
            guard Date() < deadline, process.isRunning else { throw CocoaError(.fileReadNoSuchFile) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        port = Int(try String(contentsOf: portFile, encoding: .utf8)) ?? 0
    }

    deinit { stop() }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
