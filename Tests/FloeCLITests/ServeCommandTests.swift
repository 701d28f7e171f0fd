import Foundation
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

        let serve = try ServeProcess([], in: demo, environment: environment)
        #expect(serve.log.hasPrefix("floe serve: listening on http://127.0.0.1:") && serve.log.contains("requests need Authorization"), "\(serve.log)")
        #expect(serve.get("/livez").status == 200)
        let query = "{\"measures\":[\"Customers.count\"],\"dimensions\":[\"Customers.region\"]}"
        #expect(serve.load(query).status == 403)
        let answer = serve.load(query, token: token.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(answer.status == 200 && answer.body.contains(#""Customers.region":"EMEA""#) && !answer.body.contains(#""Customers.region":"NA""#), "\(answer.body)")

        serve.stop(SIGTERM)
        #expect(serve.process.terminationStatus == 0 && serve.log.contains("floe serve: stopped"), "\(serve.process.terminationStatus) \(serve.log)")
    }
}
