import FloeCore
import FloeSemantic
import FloeTestSupport
import Foundation
import Testing

/// Cube queries fuzzed over the e-commerce demo, as a client exploring `/meta` would write them:
/// members drawn from the API's own metadata (cubes and the view), granularities, date ranges,
/// filters, orders and limits, then sometimes mutated (a member misspelled, a wrong type, a key
/// dropped). Every query must get an answer (200) or a 400 that says why, never a 500 (SQL the
/// warehouse refused), and within the query timeout. Seeded (`FLOE_FUZZ_SEED`); bounded by
/// `FLOE_FUZZ_ITERATIONS` (default 300 queries) and a minute; `scripts/fuzz.sh` runs it longer.
///
/// The server is a `floe serve` process and the client curl, which times each request itself:
/// a server inside the test process would share its threads with every other suite, whose
/// blocking calls held an answer back long past its bound (58 s against 10 once), which says
/// nothing of `floe serve`.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "curl is not installed: ./scripts/test.sh installs it"))
struct QueryFuzzTests {
    struct Members {
        var measures: [String] = []
        var dimensions: [String] = []
        var times: [String] = []
        var segments: [String] = []
    }

    static func members(_ meta: JSONValue) -> Members {
        var found = Members()
        for cube in meta["cubes"]?.arrayValue ?? [] {
            for measure in cube["measures"]?.arrayValue ?? [] { if let name = measure["name"]?.stringValue { found.measures.append(name) } }
            for dimension in cube["dimensions"]?.arrayValue ?? [] {
                guard let name = dimension["name"]?.stringValue else { continue }
                if dimension["type"]?.stringValue == "time" { found.times.append(name) } else { found.dimensions.append(name) }
            }
            for segment in cube["segments"]?.arrayValue ?? [] { if let name = segment["name"]?.stringValue { found.segments.append(name) } }
        }
        return found
    }

    static let granularities = ["second", "minute", "hour", "day", "week", "month", "quarter", "year"]
    static let ranges: [JSONValue] = [
        .string("last 7 days"), .string("this year"), .string("from 400 days ago to now"), .string("yesterday"),
        .array([.string("2024-01-01"), .string("2024-03-31")]), .array([.string("2024-02-01")]),
        .array([.string("2024-05-01T10:00:00"), .string("2024-05-02T09:59:59")]),
    ]
    static let operators = ["equals", "notEquals", "contains", "notContains", "startsWith", "endsWith", "gt", "gte", "lt", "lte",
                            "set", "notSet", "inDateRange", "notInDateRange", "beforeDate", "afterDate"]
    static let values = ["EMEA", "paid", "1", "100.5", "2024-01-01", "x'y", "%", "_", "", "2024-13-45"]

    static func pick<T>(_ items: [T], _ random: inout RandomSource) -> T? {
        items.isEmpty ? nil : items[Int(random.next() % UInt64(items.count))]
    }

    static func some<T>(_ items: [T], upTo count: Int, _ random: inout RandomSource) -> [T] {
        (0..<Int(random.next() % UInt64(count + 1))).compactMap { _ in pick(items, &random) }
    }

    /// One query a client could send: valid in shape, its members from `/meta`.
    static func query(_ members: Members, _ random: inout RandomSource) -> [(String, JSONValue)] {
        var query: [(String, JSONValue)] = []
        let measures = some(members.measures, upTo: 3, &random)
        let dimensions = some(members.dimensions, upTo: 2, &random)
        if !measures.isEmpty { query.append(("measures", .array(measures.map(JSONValue.string)))) }
        if !dimensions.isEmpty { query.append(("dimensions", .array(dimensions.map(JSONValue.string)))) }
        if random.next() % 2 == 0, let time = pick(members.times, &random) {
            var fields: [(String, JSONValue)] = [("dimension", .string(time))]
            if random.next() % 3 != 0, let granularity = pick(granularities, &random) { fields.append(("granularity", .string(granularity))) }
            if random.next() % 2 == 0, let range = pick(ranges, &random) { fields.append(("dateRange", range)) }
            query.append(("timeDimensions", .array([.object(fields)])))
        }
        if random.next() % 2 == 0 {
            let filters: [JSONValue] = some(members.dimensions + members.measures, upTo: 2, &random).map { member in
                let op = pick(operators, &random) ?? "equals"
                let count = op.hasSuffix("DateRange") ? 2 : (op == "set" || op == "notSet") ? 0 : 1 + Int(random.next() % 2)
                return .object([("member", .string(member)), ("operator", .string(op)),
                                ("values", .array((0..<count).compactMap { _ in pick(values, &random) }.map(JSONValue.string)))])
            }
            if !filters.isEmpty { query.append(("filters", .array(filters))) }
        }
        if random.next() % 4 == 0, let segment = pick(members.segments, &random) { query.append(("segments", .array([.string(segment)]))) }
        if random.next() % 3 == 0, let member = pick(measures + dimensions, &random) {
            query.append(("order", .object([(member, .string(random.next() % 2 == 0 ? "asc" : "desc"))])))
        }
        if random.next() % 3 == 0 { query.append(("limit", .number(String(random.next() % 200)))) }
        if random.next() % 5 == 0 { query.append(("ungrouped", .bool(true))) }
        if random.next() % 5 == 0 { query.append(("total", .bool(true))) }
        return query
    }

    /// The query with one thing wrong: a member misspelled, a value of the wrong type, a key removed or unknown.
    static func mutate(_ query: [(String, JSONValue)], _ random: inout RandomSource) -> [(String, JSONValue)] {
        var query = query
        guard !query.isEmpty else { return [("measures", .string("Orders.count"))] }
        let index = Int(random.next() % UInt64(query.count))
        switch random.next() % 4 {
        case 0: query.remove(at: index)
        case 1: query[index].1 = pick([.null, .number("-1"), .string("x"), .bool(true), .object([]), .array([.number("1")])], &random) ?? .null
        case 2: query.append(("mesures", .array([.string("Orders.count")])))
        default:
            if case .array(let items) = query[index].1, !items.isEmpty {
                var changed = items
                changed[0] = .string(pick(["Orders.cont", "Nope.count", "Orders", "", "Orders.count.extra", "OrdersOverview.status"], &random) ?? "")
                query[index].1 = .array(changed)
            }
        }
        return query
    }

    /// GETs `path` with curl; the status, the body and the seconds curl measured.
    static func get(_ port: Int, _ path: String) throws -> (status: Int, body: String, seconds: Double) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("floe-fuzz-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try FloeBinary.run(program: URL(fileURLWithPath: "/usr/bin/curl"), [
            "-s", "-o", output.path, "-w", "%{http_code} %{time_total}", "--max-time", "120", "http://127.0.0.1:\(port)\(path)",
        ])
        let parts = result.stdout.split(separator: " ")
        let body = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return (parts.first.flatMap { Int($0) } ?? 0, body, parts.last.flatMap { Double($0) } ?? .infinity)
    }

    @Test func fuzzedQueriesGetAnAnswerOrA400InTime() throws {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["FLOE_FUZZ_ITERATIONS"].flatMap(Int.init).map { $0 / 20 } ?? 300
        let seed = environment["FLOE_FUZZ_SEED"].flatMap(Int.init) ?? 1
        let trace = environment["FLOE_FUZZ_TRACE"] != nil
        // The e-commerce demo, open: its platform without the semantic API's secret.
        let demo = try DemoProduct("ecommerce", platformEdits: [("semantic:", "# semantic:"), ("  api_secret:", "#  api_secret:")])
        defer { demo.remove() }
        let build = try FloeBinary.run(["build"], in: demo.directory)
        try #require(build.status == 0, "\(build.all)")
        let timeout = 10.0
        let serve = try ServeProcess(["--query-timeout", "10", "--continue-wait", "60"], in: demo.directory, environment: [:])
        defer { serve.stop() }
        var random = RandomSource(seed: seed, stream: "query-fuzz")
        let members = Self.members(try JSONValue.parse(Self.get(serve.port, "/cubejs-api/v1/meta").body))
        #expect(members.measures.count > 5 && members.times.contains("OrdersOverview.order_date"))
        var answered = 0, refused = 0
        // A minute at most, but never fewer than 40 queries (a loaded machine answers slowly).
        let deadline = Date().addingTimeInterval(60)
        for index in 0..<iterations where index < 40 || Date() < deadline {
            var query = Self.query(members, &random)
            if random.next() % 4 == 0 { query = Self.mutate(query, &random) }
            let text = JSONValue.object(query).text
            if trace { FileHandle.standardError.write(Data("query fuzz: \(text)\n".utf8)) }
            let reply = try Self.get(serve.port, "/cubejs-api/v1/load?query=" + (text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            #expect(reply.status == 200 || reply.status == 400, "\(reply.status) for \(text): \(reply.body)")
            let error = (try? JSONValue.parse(reply.body))?["error"]?.stringValue ?? ""
            #expect(reply.status != 400 || !error.isEmpty, "a 400 says why: \(text)")
            #expect(reply.seconds < timeout + 2, "\(reply.seconds) s for \(text)")
            if reply.status == 200 { answered += 1 } else { refused += 1 }
        }
        #expect(answered > 0 && refused > 0, "answered \(answered), refused \(refused)")
    }
}
