import Foundation
import Testing

/// `--log-format json`: every event of a run as one JSON object, on stderr and in
/// target/floe.log, shaped as dbt's structured logs (`info.{name,level,ts,msg}` and `data`).
struct LogFormatTests {
    @Test func eachEventIsOneDbtShapedObject() throws {
        let directory = try LineageCommandTests.project()
        let run = try FloeBinary.run(["build", "--log-format", "json", "--exclude", "unreadable"], in: directory)
        #expect(run.status == 0, "\(run.all)")
        let lines = run.stderr.split(separator: "\n").map(String.init)
        let events = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not one JSON object: \(line)")
        }
        let infos = events.map { $0["info"] as? [String: Any] ?? [:] }
        for info in infos {
            #expect(info["name"] is String && info["level"] is String && info["ts"] is String && info["msg"] is String, "\(info)")
        }
        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("target/floe_run_results.json")))
        let invocation = ((results as? [String: Any])?["metadata"] as? [String: Any])?["invocation_id"] as? String
        #expect(infos.allSatisfy { $0["invocation_id"] as? String == invocation })
        #expect(infos.first?["name"] as? String == "RunStarted" && infos.last?["name"] as? String == "RunFinished")
        #expect((infos.last?["msg"] as? String)?.hasPrefix("Done in") == true)
        let finished = events.filter { ($0["info"] as? [String: Any])?["name"] as? String == "NodeFinished" }
        let nodes = finished.compactMap { ($0["data"] as? [String: Any])?["node_info"] as? [String: Any] }
        #expect(nodes.contains { $0["unique_id"] as? String == "model.shop.revenue" && $0["node_status"] as? String == "success"
            && $0["materialized"] as? String == "table" && $0["node_path"] as? String == "dbt/models/revenue.sql" }, "\(nodes)")
        let log = try String(contentsOf: directory.appendingPathComponent("target/floe.log"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == lines.count)

        // A refused run says why in the same shape, and nothing else.
        let wrong = try FloeBinary.run(["build", "--log-format", "json", "--select", "nothing_here"], in: directory)
        let warning = wrong.stderr.split(separator: "\n").first { $0.contains("\"name\":\"Warning\"") }
        #expect(warning != nil && wrong.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("{") }, "\(wrong.stderr)")
    }

    @Test func serveLogsEachRequestAsAnObject() throws {
        let demo = try ServeCommandTests.builtDemo()
        let environment = ["FLOE_SECRET_CUBE_API_JWT_SECRET": ServeCommandTests.secret]
        let serve = try ServeProcess(["--log-format", "json"], in: demo, environment: environment)
        let token = try FloeBinary.run(["serve", "--token", #"{"role": "admin"}"#], in: demo, environment: environment)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(serve.load(#"{"measures": ["Orders.count"], "dimensions": ["Orders.status"]}"#, token: token).status == 200)
        serve.stop()
        let events = try serve.log.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not one JSON object: \(line)")
        }
        let request = try #require(events.first { ($0["info"] as? [String: Any])?["name"] as? String == "RequestServed" })
        let data = request["data"] as? [String: String]
        #expect(data?["endpoint"] == "load" && data?["status"] == "200" && data?["members"] == "Orders.count,Orders.status"
                && data?["answered_by"]?.hasPrefix("rollup ") == true, "\(request)")
    }
}
