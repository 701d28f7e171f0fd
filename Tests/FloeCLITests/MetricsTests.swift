import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `floe serve`'s `/metrics`, scraped by a real Prometheus (Debian's `prometheus` package,
/// started on a loopback port with a throwaway data directory and stopped by its pid), and its
/// exposition checked by Prometheus' own `promtool check metrics`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FLOE_TEST_PROMETHEUS"] != nil,
                "no Prometheus: ./scripts/test.sh installs Debian's prometheus and sets FLOE_TEST_PROMETHEUS"))
struct MetricsTests {
    /// A free loopback port, as the kernel hands one out.
    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Prometheus scraping `target` every second.
    final class Prometheus {
        let process = Process()
        let port: Int

        init(scraping target: String) throws {
            let binary = ProcessInfo.processInfo.environment["FLOE_TEST_PROMETHEUS"]!
            let directory = try FloeBinary.temporaryDirectory()
            let config = directory.appendingPathComponent("prometheus.yml")
            try Data("""
                global: { scrape_interval: 1s, evaluation_interval: 1s }
                scrape_configs:
                  - job_name: floe
                    static_configs: [{ targets: ["\(target)"] }]
                """.utf8).write(to: config)
            port = try MetricsTests.freePort()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                                 "--web.listen-address=127.0.0.1:\(port)"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGTERM)
                process.waitUntilExit()
            }
        }

        /// An instant query's samples: each series' labels and value.
        func query(_ promQL: String) -> [(labels: [String: String], value: Double)] {
            var components = URLComponents(string: "http://127.0.0.1:\(port)/api/v1/query")!
            components.queryItems = [URLQueryItem(name: "query", value: promQL)]
            nonisolated(unsafe) var body = Data()
            let done = DispatchSemaphore(value: 0)
            URLSession.shared.dataTask(with: components.url!) { data, _, _ in
                body = data ?? Data()
                done.signal()
            }.resume()
            done.wait()
            let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            let results = ((object?["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
            return results.map { result in
                let value = (result["value"] as? [Any])?.last as? String
                return (result["metric"] as? [String: String] ?? [:], Double(value ?? "") ?? .nan)
            }
        }

        /// Waits until `promQL` has a sample for which `condition` holds.
        func wait(for promQL: String, timeout: Double = 60, _ condition: ([(labels: [String: String], value: Double)]) -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if condition(query(promQL)) { return true }
                Thread.sleep(forTimeInterval: 0.5)
            }
            return false
        }
    }

    @Test func prometheusScrapesWhatServeAnswered() throws {
        let demo = try ServeCommandTests.builtDemo()
        let environment = ["FLOE_SECRET_CUBE_API_JWT_SECRET": ServeCommandTests.secret]
        let serve = try ServeProcess([], in: demo, environment: environment)
        defer { serve.stop() }
        let token = try FloeBinary.run(["serve", "--token", #"{"role": "admin"}"#], in: demo, environment: environment)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let byStatus = #"{"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "month"}], "dimensions": ["Orders.status"]}"#
        let byRegion = #"{"measures": ["Orders.count"], "dimensions": ["Orders.region"]}"#
        for query in [byStatus, byStatus, byRegion] {
            let answer = serve.load(query, token: token)
            #expect(answer.status == 200, "\(answer.body)")
        }
        #expect(serve.load(#"{"measures": ["Orders.nope"]}"#, token: token).status == 400)
        #expect(serve.get("/cubejs-api/v1/meta", token: token).status == 200)

        // The exposition as Prometheus' own linter reads it.
        let exposition = serve.get("/metrics")
        #expect(exposition.status == 200)
        let file = try FloeBinary.temporaryDirectory().appendingPathComponent("metrics.txt")
        try Data(exposition.body.utf8).write(to: file)
        let promtool = URL(fileURLWithPath: ProcessInfo.processInfo.environment["FLOE_TEST_PROMETHEUS"]!)
            .deletingLastPathComponent().appendingPathComponent("promtool")
        let lint = try FloeBinary.run(program: URL(fileURLWithPath: "/bin/sh"), ["-c", "\"$0\" check metrics < \"$1\"", promtool.path, file.path])
        #expect(lint.status == 0, "promtool: \(lint.all)\n\(exposition.body)")

        let prometheus = try Prometheus(scraping: "127.0.0.1:\(serve.port)")
        #expect(prometheus.wait(for: #"up{job="floe"}"#) { $0.first?.value == 1 }, "Prometheus never scraped floe serve")
        #expect(prometheus.wait(for: #"floe_serve_requests_total{endpoint="load",status="200"}"#) { $0.first?.value == 3 })
        #expect(prometheus.query(#"floe_serve_requests_total{endpoint="load",status="400"}"#).first?.value == 1)
        #expect(prometheus.query(#"floe_serve_requests_total{endpoint="meta",status="200"}"#).first?.value == 1)
        let hits = prometheus.query("floe_serve_rollup_hits_total")
        #expect(hits.count == 1 && hits.first?.labels["rollup"] == "Orders.by_status_and_month" && hits.first?.value == 1, "\(hits)")
        #expect(prometheus.query("floe_serve_answer_cache_hits_total").first?.value == 1)
        #expect(prometheus.query("floe_serve_rollup_misses_total").first?.value == 1)
        #expect(prometheus.query("floe_serve_queries_in_flight").first?.value == 0)
        let latency = prometheus.query(#"histogram_quantile(0.5, sum by (le) (floe_serve_request_duration_seconds_bucket{endpoint="load"}))"#)
        #expect((latency.first?.value ?? .nan) > 0 && (latency.first?.value ?? .nan) < 5, "\(latency)")
        #expect(prometheus.query("floe_serve_engine_errors_total").isEmpty, "no query failed on the warehouse")
    }
}
