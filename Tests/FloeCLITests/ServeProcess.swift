import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `floe serve` as a real process on a free loopback port, its log collected, stopped by a signal.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    /// The SQL API's port, when it was started (`--sql-port`).
    let sqlPort: Int?
    private let logLock = NSLock()
    private var logText = ""
    private let reader: Thread

    /// Starts `floe COMMAND --port 0 ARGUMENTS` (`floe serve` unless told) in `directory` and
    /// waits for its startup line.
    init(_ arguments: [String], command: [String] = ["serve"], in directory: URL, environment: [String: String]) throws {
        process.executableURL = FloeBinary.executable
        process.arguments = command + ["--port", "0"] + arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment
        for key in merged.keys where key.hasPrefix("FLOE_") { merged[key] = nil }
        process.environment = merged.merging(environment) { _, new in new }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The HTTP listener's line, and the SQL API's when it was asked for (in either order).
        let wantsSQL = arguments.contains("--sql-port")
        var startup = Data()
        func complete() -> Bool {
            let text = String(decoding: startup, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if lines.contains(where: { $0.hasPrefix("error") }) { return true }
            let http = lines.contains { $0.contains("listening on http://") }
            return http && (!wantsSQL || lines.contains { $0.contains("SQL API on postgresql://") })
        }
        while !complete() {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            startup += chunk
        }
        let text = String(decoding: startup, as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.contains("listening on http://") }.map(String.init) ?? text
        let handle = err.fileHandleForReading
        nonisolated(unsafe) var owner: ServeProcess?
        reader = Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                owner?.append(String(decoding: chunk, as: UTF8.self))
            }
        }
        guard let range = line.range(of: "127.0.0.1:"), let port = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "floe serve did not start: \(line)"])
        }
        self.port = port
        if let sqlLine = text.split(separator: "\n").first(where: { $0.contains("SQL API on postgresql://127.0.0.1:") }),
           let range = sqlLine.range(of: "postgresql://127.0.0.1:") {
            sqlPort = Int(sqlLine[range.upperBound...].prefix { $0.isNumber })
        } else {
            sqlPort = nil
        }
        logText = text
        owner = self
        reader.start()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private func append(_ text: String) {
        logLock.lock()
        logText += text
        logLock.unlock()
    }

    /// Everything the server wrote to its standard error so far.
    var log: String {
        logLock.lock()
        defer { logLock.unlock() }
        return logText
    }

    /// GETs `path`; the status (0 when no answer came within `timeout`), the body and how long it took.
    func get(_ path: String, token: String? = nil, headers: [String: String] = [:], timeout: Double = 60) -> (status: Int, body: String, seconds: Double) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.timeoutInterval = timeout
        if let token { request.setValue(token, forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        nonisolated(unsafe) var result: (Int, String) = (0, "")
        let done = DispatchSemaphore(value: 0)
        let started = Date()
        URLSession.shared.dataTask(with: request) { data, response, _ in
            result = ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self))
            done.signal()
        }.resume()
        done.wait()
        return (result.0, result.1, Date().timeIntervalSince(started))
    }

    /// GETs Cube's `/load` with `query` percent-encoded.
    func load(_ query: String, token: String? = nil, headers: [String: String] = [:], timeout: Double = 60) -> (status: Int, body: String, seconds: Double) {
        get("/cubejs-api/v1/load?query=" + (query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), token: token, headers: headers,
            timeout: timeout)
    }

    /// Sends `signal` and waits for the process to end; how long that took.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) -> Double {
        let started = Date()
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        while reader.isExecuting { Thread.sleep(forTimeInterval: 0.01) }
        return Date().timeIntervalSince(started)
    }
}
