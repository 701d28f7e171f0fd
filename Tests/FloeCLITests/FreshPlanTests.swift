import Foundation
import Testing

/// The commands that read the project never run a stale plan: without a plan named they compile
/// first, with one named they refuse it when a file it was compiled from changed; `ls` lists
/// what `build` runs.
@Suite struct FreshPlanTests {
    static let staging = "dbt/models/staging/_staging.yml"

    /// A test added to a properties file after the build: `floe test` runs it with no compile in between.
    @Test func testRunsATestAddedSinceTheLastCompile() throws {
        let demo = try ServeCommandTests.builtDemo()
        let file = demo.appendingPathComponent(Self.staging)
        let text = try String(contentsOf: file, encoding: .utf8)
        let added = text.replacingOccurrences(of: "      - name: order_id\n        data_tests: [unique, not_null]\n      - name: status\n",
                                              with: "      - name: order_id\n        data_tests: [unique, not_null]\n      - name: customer_id\n        data_tests: [not_null]\n      - name: status\n")
        #expect(added != text)
        try added.write(to: file, atomically: true, encoding: .utf8)
        // The old plan, named, is refused with the file that changed.
        let stale = try FloeBinary.run(["test", "target/artifacts.json"], in: demo)
        #expect(stale.status == 4, "\(stale.all)")
        #expect(stale.stderr.hasPrefix("target/artifacts.json: error: the plan is stale: \(Self.staging) changed since it was compiled\n"
            + "  hint: compile it again (floe compile), or name no plan and floe test compiles the project first"), "\(stale.stderr)")
        let tested = try FloeBinary.run(["test", "-s", "stg_orders"], in: demo)
        #expect(tested.status == 0, "\(tested.all)")
        #expect(tested.all.contains("test not_null_stg_orders_customer_id ") && tested.all.contains("PASS"), "\(tested.all)")
        // show and query read the plan just compiled, too.
        #expect(try FloeBinary.run(["show", "stg_orders", "--limit", "1"], in: demo).status == 0)
        #expect(try FloeBinary.run(["query", #"{"measures": ["Orders.count"]}"#], in: demo).status == 0)
    }

    /// An unchanged project compiled again leaves the plan file as it was (a server following it
    /// does not reload), and a changed one rewrites it.
    @Test func anUnchangedPlanIsNotRewritten() throws {
        let demo = try ApplyCommandTests.demoCopy()
        #expect(try FloeBinary.run(["compile"], in: demo).status == 0)
        let plan = demo.appendingPathComponent("target/artifacts.json")
        let first = try Data(contentsOf: plan)
        let firstTime = try FileManager.default.attributesOfItem(atPath: plan.path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try FloeBinary.run(["compile"], in: demo).status == 0)
        #expect(try Data(contentsOf: plan) == first)
        #expect(try FileManager.default.attributesOfItem(atPath: plan.path)[.modificationDate] as? Date == firstTime)
        let file = demo.appendingPathComponent(Self.staging)
        try (try String(contentsOf: file, encoding: .utf8) + "\n# changed\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(try FloeBinary.run(["compile"], in: demo).status == 0)
        #expect(try Data(contentsOf: plan) != first)
    }

    /// `floe ls -s X` lists the tests `floe build -s X` runs (dbt's ls does too).
    @Test func lsListsTheTestsBuildRuns() throws {
        let demo = try ServeCommandTests.builtDemo()
        let listed = try FloeBinary.run(["ls", "-s", "stg_orders", "--output", "name"], in: demo)
        #expect(listed.status == 0, "\(listed.all)")
        let built = try FloeBinary.run(["build", "-s", "stg_orders"], in: demo)
        let ran = built.all.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: " test ") else { return nil }
            return line[range.upperBound...].split(separator: " ").first.map(String.init)
        }
        #expect(ran.count == 5, "\(built.all)")
        #expect(Set(listed.stdout.split(separator: "\n").map(String.init)) == Set(["stg_orders"] + ran), "\(listed.stdout)")
    }

    /// A column renamed (mistyped) in a mart that a cube reads: a warning at the cube member
    /// naming the model's file and column, every model still builds, and only that member's
    /// queries fail.
    @Test func aMartColumnACubeReadsIsAWarningAndEverythingBuilds() throws {
        let demo = try ApplyCommandTests.demoCopy()
        let mart = demo.appendingPathComponent("dbt/models/marts/mart_product_analytics.sql")
        let text = try String(contentsOf: mart, encoding: .utf8)
        let typo = text.replacingOccurrences(of: "as numeric), 2) as revenue,", with: "as numeric), 2) as revnue,")
        #expect(typo != text)
        try typo.write(to: mart, atomically: true, encoding: .utf8)
        let build = try FloeBinary.run(["build"], in: demo)
        #expect(build.status == 0, "\(build.all)")
        #expect(build.stderr.hasPrefix("cubes/products.yml:12:9: warning: cubes[0].measures[1]: 'revenue' reads column 'revenue', "
            + "which model 'mart_product_analytics' does not give: queries and rollups that use it fail until the two agree\n"
            + "  hint: the model gives 'revnue': if that is a typo, fix it in dbt/models/marts/mart_product_analytics.sql; else change this member's sql\n"),
            "\(build.stderr)")
        #expect(build.all.contains("model mart_product_analytics ....") && !build.all.contains("ERROR"), "\(build.all)")
        let broken = try FloeBinary.run(["query", #"{"measures": ["Products.revenue"]}"#], in: demo)
        #expect(broken.status == 1 && broken.stderr.contains("no such column"), "\(broken.all)")
        #expect(try FloeBinary.run(["query", #"{"measures": ["Products.units_sold"]}"#], in: demo).status == 0)
    }

    /// Each `--env test` build makes a fresh `{uuid}` namespace with its own file: `floe clean`
    /// removes those, and leaves the dev warehouse.
    @Test func cleanRemovesPerCompileTestWarehouses() throws {
        let demo = try ApplyCommandTests.demoCopy()
        #expect(try FloeBinary.run(["build"], in: demo).status == 0)
        for _ in 0..<2 {
            let test = try FloeBinary.run(["build", "--env", "test"], in: demo)
            #expect(test.status == 0, "\(test.all)")
        }
        let warehouse = demo.appendingPathComponent(".floe")
        let before = try FileManager.default.contentsOfDirectory(atPath: warehouse.path)
        #expect(before.filter { $0.hasPrefix("test-floe-test-") && $0.hasSuffix(".db") }.count == 2, "\(before)")
        let clean = try FloeBinary.run(["clean"], in: demo)
        #expect(clean.status == 0 && clean.stdout.hasPrefix("removed the warehouse files of 2 per-compile test namespaces under .floe/\n"), "\(clean.all)")
        let after = try FileManager.default.contentsOfDirectory(atPath: warehouse.path)
        #expect(after.allSatisfy { !$0.hasPrefix("test-floe-test-") } && after.contains("dev.db"), "\(after)")
    }

    /// `floe demo` after `floe clean` compiles, as every command that reads the project does.
    @Test func demoAfterCleanCompilesFirst() throws {
        let demo = try ApplyCommandTests.demoCopy()
        #expect(try FloeBinary.run(["clean"], in: demo).status == 0)
        let cycle = try FloeBinary.run(["demo", "--cycles", "1"], in: demo)
        #expect(cycle.status == 0 && cycle.stdout.contains("cycle 1"), "\(cycle.all)")
    }
}
