import Foundation
import Testing

/// The docs site `floe docs generate` writes, opened in a real browser (Debian's Chromium,
/// headless) from the file system and from `floe docs serve`: the graph shows every node with the
/// right edges, a selection in dbt's syntax draws exactly its nodes, a node's page shows its
/// columns with the warehouse's types, its tests and row count, and search finds it.
@Suite(.enabled(if: Chromium.available, "no Chromium: ./scripts/test.sh installs Debian's chromium and sets FLOE_TEST_CHROMIUM"),
       .serialized)
struct DocsSiteTests {
    /// The demo built, then documented; its plan read as JSON.
    struct Documented {
        let directory: URL
        let plan: [String: Any]
        var site: URL { directory.appendingPathComponent("target/docs/index.html") }

        init() throws {
            directory = try ApplyCommandTests.demoCopy()
            let build = try FloeBinary.run(["build"], in: directory)
            try #require(build.status == 0, "\(build.all)")
            let generate = try FloeBinary.run(["docs", "generate"], in: directory)
            try #require(generate.status == 0, "\(generate.all)")
            #expect(generate.stdout.contains("wrote target/catalog.json: 12 relations"), "\(generate.stdout)")
            plan = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("target/artifacts.json"))) as? [String: Any])
        }

        func entries(_ key: String) -> [[String: Any]] { plan[key] as? [[String: Any]] ?? [] }

        /// Every node the site draws and the edges between them, from the plan.
        var graph: DrawnGraph {
            var nodes: [String: [String]] = [:]
            for key in ["sources", "seeds", "models", "analyses", "exposures"] {
                for entry in entries(key) { nodes[entry["unique_id"] as! String] = entry["depends_on"] as? [String] ?? [] }
            }
            for cube in entries("cubes") { nodes["cube." + (cube["name"] as! String)] = cube["depends_on"] as? [String] ?? [] }
            var edges = Set<String>()
            for (id, parents) in nodes { for parent in parents where nodes[parent] != nil { edges.insert("\(parent) -> \(id)") } }
            return DrawnGraph(nodes: Set(nodes.keys), edges: edges)
        }
    }

    @Test func theGraphShowsEveryNodeAndEdgeAndSelectsAsDbtDoes() throws {
        let documented = try Documented()
        let chromium = try Chromium()
        let expected = documented.graph
        #expect(expected.nodes.count == 19 && expected.edges.count == 20, "the demo's nodes: \(expected.nodes.count), edges: \(expected.edges.count)")
        let whole = DrawnGraph(dom: try chromium.dom(documented.site.absoluteString + "#!/graph"))
        #expect(whole == expected)

        // `+mart_revenue+`: the model, everything upstream of it, everything downstream.
        let around = DrawnGraph(dom: try chromium.dom(documented.site.absoluteString + "#!/graph?select=%2Bmart_revenue%2B"))
        var upstream: Set<String> = ["model.ecommerce.mart_revenue"]
        var frontier = upstream
        while !frontier.isEmpty {
            let parents = Set(expected.edges.compactMap { edge -> String? in
                let parts = edge.components(separatedBy: " -> ")
                return frontier.contains(parts[1]) ? parts[0] : nil
            })
            frontier = parents.subtracting(upstream)
            upstream.formUnion(parents)
        }
        let downstream = Set(expected.edges.compactMap { edge -> String? in
            let parts = edge.components(separatedBy: " -> ")
            return parts[0] == "model.ecommerce.mart_revenue" ? parts[1] : nil
        })
        #expect(around.nodes == upstream.union(downstream), "\(around.nodes.sorted())")
        #expect(around.edges == expected.edges.filter { edge in
            let parts = edge.components(separatedBy: " -> ")
            return around.nodes.contains(parts[0]) && around.nodes.contains(parts[1])
        })
        // An intersection and a method: the staging models that read a source.
        let staging = DrawnGraph(dom: try chromium.dom(documented.site.absoluteString + "#!/graph?select=path:models/staging,resource_type:model"))
        #expect(staging.nodes == ["model.ecommerce.stg_customers", "model.ecommerce.stg_order_items", "model.ecommerce.stg_orders",
                                  "model.ecommerce.stg_products"])
    }

    @Test func aNodesPageShowsItsColumnsTestsAndWarehouseFacts() throws {
        let documented = try Documented()
        let chromium = try Chromium()
        let page = try chromium.dom(documented.site.absoluteString + "#!/node/model.ecommerce.stg_orders")
        #expect(page.contains(#"<h1 id="node-title">stg_orders"#), "\(page.prefix(3000))")
        let model = try #require(documented.entries("models").first { $0["name"] as? String == "stg_orders" })
        let declared = (model["columns"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        let shown = DrawnGraph.captures(#"<tr data-column="([^"]+)""#, in: page).map { $0[0] }
        #expect(!declared.isEmpty && Set(declared).isSubset(of: Set(shown)), "declared \(declared), shown \(shown)")
        // The type the warehouse reports (SQLite's declared TEXT of a cast), the tests on the column
        // with their last result, the row count and the last run.
        #expect(page.contains(#"<tr data-column="order_id"><td class="name">order_id</td><td class="type">TEXT</td>"#), "\(page)")
        #expect(page.contains(#"class="test status-pass""#))
        #expect(page.contains("<th>In the warehouse</th><td>view, 5000 rows</td>"), "\(page)")
        #expect(page.contains(#"<span class="status status-success">success</span>"#))
        #expect(page.contains("<summary>Compiled SQL</summary>") && page.contains("<summary>Source</summary>"))

        let search = try chromium.dom(documented.site.absoluteString + "#!/search?q=revenue")
        #expect(search.contains(#"<li data-id="model.ecommerce.mart_revenue">"#), "\(search)")

        let cube = try chromium.dom(documented.site.absoluteString + "#!/node/cube.Orders")
        #expect(cube.contains("<h2>Measures</h2>") && cube.contains("<h2>Pre-aggregations</h2>"), "\(cube)")
    }

    /// `floe docs serve` serves the same site, and `floe serve` has it at /docs/.
    @Test func theSiteIsServed() throws {
        let documented = try Documented()
        let chromium = try Chromium()
        let expected = documented.graph
        let docs = try ServeProcess([], command: ["docs", "serve"], in: documented.directory, environment: [:])
        defer { _ = docs.stop() }
        #expect(DrawnGraph(dom: try chromium.dom("http://127.0.0.1:\(docs.port)/#!/graph")) == expected, "\(docs.log)")
        let serve = try ServeProcess([], in: documented.directory, environment: ["FLOE_SECRET_CUBE_API_JWT_SECRET": ServeCommandTests.secret])
        defer { _ = serve.stop() }
        #expect(DrawnGraph(dom: try chromium.dom("http://127.0.0.1:\(serve.port)/docs/#!/graph")) == expected, "\(serve.log)")
    }
}
