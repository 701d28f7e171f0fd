import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `floe query` and `floe serve` as a user runs them, on a built copy of the e-commerce demo:
/// a real process on a real socket, stopped by SIGTERM.
@Suite struct ServeCommandTests {
    static let secret = "cli-test-secret-0123456789abcdef0123456789"

    /// A built copy of the demo.
    static func builtDemo() throws -> URL {
        let demo = try ApplyCommandTests.demoCopy()
        let build = try FloeBinary.run(["build"], in: demo)
        #expect(build.status == 0, "\(build.all)")
        return demo
    }

    @Test func queryAnswersOnTheCommandLine() throws {
        let demo = try Self.builtDemo()
        let table = try FloeBinary.run(["query", #"{"measures": ["Orders.count"], "dimensions": ["Orders.status"], "order": {"Orders.status": "asc"}}"#], in: demo)
        #expect(table.status == 0, "\(table.all)")
        #expect(table.stdout.hasPrefix("Orders.status | Orders.count\n") && table.stdout.contains("(5 rows)"), "\(table.stdout)")
        let sql = try FloeBinary.run(["query", "--sql", #"{"measures": ["Orders.count"], "filters": [{"member": "Orders.status", "operator": "equals", "values": ["x'y"]}]}"#], in: demo)
        #expect(sql.stdout.contains("-- ?1 = 'x''y'") && !sql.stdout.contains("= 'x'y'"), "\(sql.stdout)")
        let wrong = try FloeBinary.run(["query", #"{"measures": ["Orders.cont"]}"#], in: demo)
        #expect(wrong.status == 2)
        #expect(wrong.stderr == "error: measures[0]: cube 'Orders' has no measure 'cont'; did you mean 'Orders.count'?\n")
        let notJSON = try FloeBinary.run(["query", "{measures"], in: demo)
        #expect(notJSON.status == 2 && notJSON.stderr.hasPrefix("error: the query is not JSON: invalid JSON at byte 1"))
    }

    @Test func serveRefusesASecretItCannotUseAndNeverShowsIt() throws {
        let demo = try ApplyCommandTests.demoCopy()
        #expect(try FloeBinary.run(["compile"], in: demo).status == 0)
        let missing = try FloeBinary.run(["serve"], in: demo)
        #expect(missing.status == 5 && missing.stderr.contains("secret 'cube-api' key 'jwt_secret' is not set"), "\(missing.all)")
        let short = try FloeBinary.run(["serve"], in: demo, environment: ["FLOE_SECRET_CUBE_API_JWT_SECRET": "hunter2"])
        #expect(short.status == 5 && short.stderr.contains("is 7 bytes; HS256 tokens need a secret of at least 32 bytes"))
        #expect(!short.all.contains("hunter2"))
    }

    @Test func serveAnswersOverASocketAndStopsOnSIGTERM() throws {
        let demo = try Self.builtDemo()
        let environment = ["FLOE_SECRET_CUBE_API_JWT_SECRET": Self.secret]
        let token = try FloeBinary.run(["serve", "--token", #"{"region": "EMEA"}"#], in: demo, environment: environment)
        #expect(token.status == 0 && token.stdout.split(separator: ".").count == 3)

        let process = Process()
        process.executableURL = FloeBinary.executable
        process.arguments = ["serve", "--port", "0"]
        process.currentDirectoryURL = demo
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // The startup line names the port.
        var startup = Data()
        while !startup.contains(UInt8(ascii: "\n")) {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            startup += chunk
        }
        let line = String(decoding: startup, as: UTF8.self)
        #expect(line.hasPrefix("floe serve: listening on http://127.0.0.1:") && line.contains("requests need Authorization"), "\(line)")
        let port = try #require(line.range(of: "127.0.0.1:").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) })

        func get(_ path: String, token: String? = nil) throws -> (Int, String) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            if let token { request.setValue(token, forHTTPHeaderField: "Authorization") }
            nonisolated(unsafe) var result: (Int, String) = (0, "")
            let done = DispatchSemaphore(value: 0)
            URLSession.shared.dataTask(with: request) { data, response, _ in
                result = ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self))
                done.signal()
            }.resume()
            done.wait()
            return result
        }
        #expect(try get("/livez").0 == 200)
        let query = "{\"measures\":[\"Customers.count\"],\"dimensions\":[\"Customers.region\"]}".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(try get("/cubejs-api/v1/load?query=\(query)").0 == 403)
        let (status, body) = try get("/cubejs-api/v1/load?query=\(query)", token: token.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(status == 200 && body.contains(#""Customers.region":"EMEA""#) && !body.contains(#""Customers.region":"NA""#), "\(body)")

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        let rest = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0 && rest.contains("floe serve: stopped"), "\(process.terminationStatus) \(rest)")
    }
}
