import Foundation
import Testing

/// Runs and `floe serve` requests as OTLP traces (and a run's metrics), received by a loopback
/// collector that decodes every request with PyPI's opentelemetry-proto
/// (`Clients/otlp_receiver.py`).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FLOE_TEST_OBSERVABILITY_PYTHON"] != nil,
                             "no opentelemetry-proto: ./scripts/test.sh installs it from PyPI and sets FLOE_TEST_OBSERVABILITY_PYTHON"))
struct TracingTests {
    /// The collector (`Clients/otlp_receiver.py`).
    final class Collector {
        let server: LoopbackServer
        let requests: URL

        init(_ options: [String] = []) throws {
            nonisolated(unsafe) var file = URL(fileURLWithPath: "/")
            server = try LoopbackServer("otlp_receiver.py") { portFile in
                file = URL(fileURLWithPath: portFile).deletingLastPathComponent().appendingPathComponent("requests.jsonl")
                return [portFile, file.path] + options
            }
            requests = file
        }

        var url: String { server.url }

        /// Each request: its path, protobuf's JSON mapping of it, the problems found, its headers.
        func received() throws -> [(path: String, request: [String: Any], errors: [String], headers: [String: String])] {
            guard let text = try? String(contentsOf: requests, encoding: .utf8) else { return [] }
            return try text.split(separator: "\n").map { line in
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return (object["path"] as? String ?? "", object["request"] as? [String: Any] ?? [:], object["errors"] as? [String] ?? [],
                        object["headers"] as? [String: String] ?? [:])
            }
        }

        /// Every span received, flattened, with its resource's attributes.
        func spans() throws -> [[String: Any]] {
            try received().filter { $0.path == "/v1/traces" }.flatMap { request in
                (request.request["resourceSpans"] as? [[String: Any]] ?? []).flatMap { resource in
                    (resource["scopeSpans"] as? [[String: Any]] ?? []).flatMap { $0["spans"] as? [[String: Any]] ?? [] }.map { span in
                        var span = span
                        span["resource"] = Self.attributes((resource["resource"] as? [String: Any])?["attributes"])
                        return span
                    }
                }
            }
        }

        /// OTLP's key-value list as a dictionary of plain values.
        static func attributes(_ list: Any?) -> [String: Any] {
            var result: [String: Any] = [:]
            for entry in list as? [[String: Any]] ?? [] {
                guard let key = entry["key"] as? String, let value = entry["value"] as? [String: Any] else { continue }
                result[key] = value["stringValue"] ?? value["intValue"].flatMap { Int("\($0)") } ?? value["boolValue"] ?? value["doubleValue"]
            }
            return result
        }

        static func hex(_ base64: Any?) -> String {
            Data(base64Encoded: base64 as? String ?? "").map { $0.map { String(format: "%02x", $0) }.joined() } ?? ""
        }
    }

    @Test func aRunIsATraceOfPhasesAndNodes() throws {
        let collector = try Collector()
        let directory = try LineageCommandTests.project()
        let run = try FloeBinary.run(["build", "--exclude", "unreadable", "--otlp", collector.url, "--log-format", "json"], in: directory,
                                     environment: ["OTEL_SERVICE_NAME": "shop-pipeline"])
        #expect(run.status == 0, "\(run.all)")
        let received = try collector.received()
        let problems = received.flatMap(\.errors)
        #expect(problems.isEmpty, "\(problems)")
        #expect(Set(received.map(\.path)) == ["/v1/traces", "/v1/metrics"])
        let spans = try collector.spans()
        let names = spans.map { $0["name"] as? String ?? "" }
        #expect(Set(names).isSuperset(of: ["floe build", "compile", "build", "seed orders", "seed customers", "model revenue"]), "\(names)")
        let root = try #require(spans.first { $0["name"] as? String == "floe build" })
        #expect(root["parentSpanId"] == nil)
        #expect((root["resource"] as? [String: Any])?["service.name"] as? String == "shop-pipeline")
        let trace = Collector.hex(root["traceId"])
        #expect(spans.allSatisfy { Collector.hex($0["traceId"]) == trace }, "one trace")
        let phase = try #require(spans.first { $0["name"] as? String == "build" })
        #expect(Collector.hex(phase["parentSpanId"]) == Collector.hex(root["spanId"]))
        let model = try #require(spans.first { $0["name"] as? String == "model revenue" })
        #expect(Collector.hex(model["parentSpanId"]) == Collector.hex(phase["spanId"]))
        let attributes = Collector.attributes(model["attributes"])
        #expect(attributes["floe.node"] as? String == "model.shop.revenue" && attributes["floe.materialization"] as? String == "table"
                && attributes["floe.engine"] as? String == "sqlite" && attributes["floe.up_to_date"] as? Bool == false
                && (attributes["floe.statements"] as? Int ?? 0) > 0 && attributes["floe.rows"] as? Int == 1, "\(attributes)")

        // The log's events carry the trace.
        let started = try #require(run.stderr.split(separator: "\n").first { $0.contains("\"name\":\"RunStarted\"") })
        #expect(started.contains("\"trace_id\":\"\(trace)\""), "\(started)")

        // The run's metrics.
        let metrics = try #require(received.first { $0.path == "/v1/metrics" }?.request)
        let names2 = ((metrics["resourceMetrics"] as? [[String: Any]])?.first?["scopeMetrics"] as? [[String: Any]])?.first?["metrics"] as? [[String: Any]]
        #expect(Set(names2?.compactMap { $0["name"] as? String } ?? []) == ["floe.run.duration", "floe.run.nodes", "floe.run.rows",
                                                                        "floe.run.statements", "floe.node.duration"])
    }

    @Test func aFailingNodeIsAnErrorSpanWithItsSQL() throws {
        let collector = try Collector()
        let directory = try LineageTests.project(lineage: "    transport: console\n    namespace: shop")
        let run = try FloeBinary.run(["run", "--vars", "{break: true}", "--lineage", "off"], in: directory,
                                     environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": collector.url])
        #expect(run.status == 1, "\(run.all)")
        let spans = try collector.spans()
        let failed = try #require(spans.first { $0["name"] as? String == "model maybe_broken" })
        let status = failed["status"] as? [String: Any]
        #expect(status?["code"] as? String == "STATUS_CODE_ERROR" && (status?["message"] as? String)?.contains("no_such_column") == true, "\(failed)")
        let exception = (failed["events"] as? [[String: Any]])?.first
        #expect(exception?["name"] as? String == "exception")
        #expect((Collector.attributes(exception?["attributes"])["db.query.text"] as? String)?.contains("no_such_column") == true)
        let root = try #require(spans.first { $0["name"] as? String == "floe run" })
        #expect((root["status"] as? [String: Any])?["code"] as? String == "STATUS_CODE_ERROR")
        #expect(try FloeBinary.run(["run", "--otlp", "off"], in: directory, environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"])
            .stderr.contains("not delivered") == false)
    }

    /// `floe serve`: a server span per request in the caller's trace (its traceparent), and the
    /// query's SQL as a client span under it.
    @Test func serveJoinsTheCallersTraceAndShowsTheSQL() throws {
        let collector = try Collector()
        let demo = try ServeCommandTests.builtDemo()
        let environment = ["FLOE_SECRET_CUBE_API_JWT_SECRET": ServeCommandTests.secret]
        let serve = try ServeProcess(["--otlp", collector.url], in: demo, environment: environment)
        let token = try FloeBinary.run(["serve", "--token", #"{"role": "admin"}"#], in: demo, environment: environment)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let caller = "0af7651916cd43dd8448eb211c80319c", callerSpan = "b7ad6b7169203331"
        let answer = serve.load(#"{"measures": ["Orders.count"], "dimensions": ["Orders.region"]}"#, token: token,
                                headers: ["traceparent": "00-\(caller)-\(callerSpan)-01"])
        #expect(answer.status == 200, "\(answer.body)")
        serve.stop()
        let spans = try collector.spans()
        let server = try #require(spans.first { $0["kind"] as? String == "SPAN_KIND_SERVER" }, "\(spans)")
        #expect(Collector.hex(server["traceId"]) == caller && Collector.hex(server["parentSpanId"]) == callerSpan)
        let attributes = Collector.attributes(server["attributes"])
        #expect(attributes["http.route"] as? String == "/cubejs-api/v1/load" && attributes["http.response.status_code"] as? Int == 200, "\(attributes)")
        let sql = try #require(spans.first { $0["kind"] as? String == "SPAN_KIND_CLIENT" }, "\(spans)")
        #expect(Collector.hex(sql["traceId"]) == caller && Collector.hex(sql["parentSpanId"]) == Collector.hex(server["spanId"]))
        let query = Collector.attributes(sql["attributes"])
        #expect((query["db.query.text"] as? String)?.lowercased().contains("select") == true && query["db.system.name"] as? String == "sqlite"
                && query["floe.answered_by"] as? String == "models", "\(query)")
    }

    /// A collector that accepts connections and never answers costs the run under a second.
    @Test func aDeadCollectorDoesNotSlowTheRun() throws {
        let hanging = try Collector(["--hang"])
        let directory = try LineageCommandTests.project()
        #expect(try FloeBinary.run(["build", "--exclude", "unreadable"], in: directory).status == 0)
        func timed(_ otlp: String) throws -> (Double, FloeBinary.Result) {
            let start = Date()
            let result = try FloeBinary.run(["build", "--full-refresh", "--exclude", "unreadable", "--otlp", otlp], in: directory)
            return (Date().timeIntervalSince(start), result)
        }
        let (baseline, _) = try timed("off")
        let (dead, result) = try timed(hanging.url)
        #expect(result.status == 0)
        #expect(dead - baseline < 1, "\(dead) s against \(baseline) s")
        #expect(result.stderr.contains("were not delivered to \(hanging.url)/v1/traces") || result.stderr.contains("was not delivered to \(hanging.url)/v1/traces"),
                "\(result.stderr)")
    }
}
