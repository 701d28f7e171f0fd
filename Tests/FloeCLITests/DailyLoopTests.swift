import Foundation
import Testing

/// The commands a dbt user reaches for every day, on a copy of the e-commerce demo, run from
/// inside the project as a user would: build, seed, ls, compile --select/--show, show, debug,
/// clean, and the plan found without naming it.
@Suite struct DailyLoopTests {
    @Test func buildLsCompileShowAndCleanFromInsideTheProject() throws {
        let demo = try ApplyCommandTests.demoCopy()
        let models = demo.appendingPathComponent("dbt/models")
        // floe.yaml is found by searching up from the working directory.
        let build = try FloeBinary.run(["build"], in: models)
        #expect(build.status == 0, "\(build.all)")
        #expect(build.stderr.contains("Done in"))
        #expect(build.stderr.contains("13 built; tests: 22 pass, 0 warn, 0 fail"), "\(build.stderr)")
        let log = try String(contentsOf: demo.appendingPathComponent("target/floe.log"), encoding: .utf8)
        #expect(log.contains(" info run_finished ") && log.contains("command=build success=true"), "\(log)")

        // The plan is found the same way.
        let apply = try FloeBinary.run(["apply", "-s", "mart_revenue"], in: models)
        #expect(apply.status == 0, "\(apply.all)")
        #expect(apply.stderr.contains("model mart_revenue") && apply.stderr.contains("UP TO DATE"))
        let show = try FloeBinary.run(["show", "mart_revenue", "--limit", "1", "--format", "csv"], in: models)
        #expect(show.status == 0 && show.stdout.split(separator: "\n").count == 2, "\(show.all)")

        let seed = try FloeBinary.run(["seed", "--full-refresh"], in: demo)
        #expect(seed.status == 0)
        #expect(seed.stderr.contains("seed order_statuses") && !seed.stderr.contains("model "), "\(seed.stderr)")

        let names = try FloeBinary.run(["ls", "-s", "+mart_revenue", "--output", "name"], in: demo)
        #expect(names.stdout == """
            raw_customers
            raw_products
            raw_orders
            raw_order_items
            order_statuses
            raw.raw_customers
            raw.raw_order_items
            raw.raw_orders
            raw.raw_products
            stg_customers
            stg_order_items
            stg_orders
            stg_products
            int_order_items_enriched
            mart_revenue
            accepted_values_stg_customers_region__NA__EMEA__APAC__LATAM
            accepted_values_stg_orders_status__pending__processing__shipped__delivered__cancelled
            assert_revenue_by_region_sums_to_total
            not_null_mart_revenue_order_month
            not_null_order_statuses_status
            not_null_stg_customers_customer_id
            not_null_stg_order_items_order_item_id
            not_null_stg_orders_order_id
            relationships_stg_order_items_order_id__order_id__ref_stg_orders_
            relationships_stg_orders_status__status__ref_order_statuses_
            unique_mart_revenue_order_month
            unique_order_statuses_status
            unique_stg_customers_customer_id
            unique_stg_order_items_order_item_id
            unique_stg_orders_order_id

            """, "\(names.all)")
        let table = try FloeBinary.run(["ls", "-s", "tag:marts", "resource_type:seed,tag:reference"], in: demo)
        // The tests build runs for the selection are listed too; NAME is as wide as the longest.
        let header = try #require(table.stdout.split(separator: "\n").first.map(String.init))
        let width = try #require(header.range(of: "MATERIALIZED")).lowerBound.utf16Offset(in: header) - 7
        #expect(header == "TYPE   " + "NAME".padding(toLength: width, withPad: " ", startingAt: 0) + "MATERIALIZED  TAGS       PATH", "\(table.stdout)")
        #expect(table.stdout.contains("\nmodel  " + "mart_customer_segments".padding(toLength: width, withPad: " ", startingAt: 0)
            + "table         marts      dbt/models/marts/mart_customer_segments.sql\n"), "\(table.stdout)")
        #expect(table.stdout.contains("\ntest   unique_order_statuses_status"), "\(table.stdout)")
        // One object per line, as dbt ls: the model, then the tests build runs with it.
        let json = try FloeBinary.run(["ls", "-s", "mart_revenue", "--output", "json"], in: demo)
        let lines = json.stdout.split(separator: "\n")
        #expect(lines.count == 4, "\(json.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any])
        #expect(object["materialized"] as? String == "incremental")
        #expect(object["path"] as? String == "dbt/models/marts/mart_revenue.sql")
        let typo = try FloeBinary.run(["ls", "-s", "mart_revenu"], in: demo)
        #expect(typo.stderr.contains("warning: the selection criterion 'mart_revenu' does not match any node; did you mean 'mart_revenue'?"))

        let shown = try FloeBinary.run(["compile", "-s", "stg_products", "--show"], in: demo)
        #expect(shown.status == 0)
        #expect(shown.stdout.hasPrefix("-- One row per product, categorized") && shown.stdout.contains("from \"raw_products\""), "\(shown.stdout)")
        let written = try FloeBinary.run(["compile", "-s", "tag:marts"], in: demo)
        #expect(written.stdout.contains("wrote target/compiled/dbt/models/marts/mart_customer_segments.sql"), "\(written.all)")
        #expect(FileManager.default.fileExists(atPath: demo.appendingPathComponent("target/compiled/dbt/models/marts/mart_revenue.sql").path))
        let two = try FloeBinary.run(["compile", "-s", "tag:marts", "--show"], in: demo)
        #expect(two.status == 2 && two.stderr.contains("--show prints one model's SQL"))

        let clean = try FloeBinary.run(["clean"], in: models)
        #expect(clean.status == 0 && clean.stdout == "removed ../../target/\n", "\(clean.all)")
        #expect(!FileManager.default.fileExists(atPath: demo.appendingPathComponent("target").path))
        #expect(FileManager.default.fileExists(atPath: demo.appendingPathComponent(".floe/dev.db").path), "the warehouse stays")
    }

    /// debug says where each secret would come from and never prints its value.
    @Test func debugReportsWithoutShowingSecrets() throws {
        let demo = try ApplyCommandTests.demoCopy()
        let value = "s3cr3t-value-that-must-not-show"
        let ok = try FloeBinary.run(["debug"], in: demo, environment: ["FLOE_SECRET_CUBE_API_JWT_SECRET": value])
        #expect(ok.status == 0, "\(ok.all)")
        #expect(ok.stdout.contains("secret        OK      secret 'cube-api' key 'jwt_secret' resolves from the environment variable "
            + "FLOE_SECRET_CUBE_API_JWT_SECRET (used by the query API, for floe serve)"), "\(ok.stdout)")
        #expect(ok.stdout.contains("compute       OK      default (sqlite): SQLite "))
        #expect(ok.stdout.contains("ok: 10 models, 1 seed, 4 sources, ") && ok.stdout.hasSuffix("All checks passed.\n"))
        #expect(!ok.all.contains(value))
        // A secret preflight needs is missing: debug fails as preflight does (it said "All checks passed").
        let noSecret = try FloeBinary.run(["debug"], in: demo)
        let preflight = try FloeBinary.run(["preflight", "--format", "json"], in: demo)
        #expect(noSecret.status == 5 && noSecret.stdout.hasSuffix("Some checks failed.\n"), "\(noSecret.all)")
        #expect(noSecret.stdout.contains("secret        ERROR   secret 'cube-api' key 'jwt_secret' cannot be resolved (used by the query API, for floe serve)"))
        #expect(preflight.status == 1 && preflight.stdout.contains(#""overall_status" : "fail""#), "\(preflight.all)")
        // prod needs the warehouse password for apply: missing, exit 5, both places named.
        let prod = try FloeBinary.run(["debug", "--env", "prod"], in: demo, environment: ["FLOE_SECRET_CUBE_API_JWT_SECRET": value])
        #expect(prod.status == 5, "\(prod.all)")
        #expect(prod.stdout.contains("secret 'warehouse-db' key 'password' cannot be resolved (used by the compute profile, for floe apply)"), "\(prod.stdout)")
        #expect(!prod.all.contains(value))
    }
}

/// The smaller things a first trial hit: typos, help, one spelling of `error:`, colour only where
/// a terminal shows it, paths as the user would type them.
@Suite struct CommandLineManners {
    @Test func typosGetDidYouMeanAndUnknownHelpFails() throws {
        let typo = try FloeBinary.run(["biuld"])
        #expect(typo.status == 2)
        #expect(typo.stderr == "error: unknown command 'biuld'\n  hint: did you mean 'build'?\n")
        let help = try FloeBinary.run(["help", "bogus"])
        #expect(help.status == 2 && help.stderr.hasPrefix("error: unknown command 'bogus'"))
        let known = try FloeBinary.run(["help", "build"])
        #expect(known.status == 0 && known.stdout.contains("USAGE: floe build"))
        let usage = try FloeBinary.run(["apply", "--threads", "0"])
        #expect(usage.status == 2 && usage.stderr.hasPrefix("error: --threads must be at least 1"), "\(usage.stderr)")
        // The optional plan before the query or name reads as it is typed.
        #expect(try FloeBinary.run(["help", "query"]).stdout.contains("USAGE: floe query [<artifacts.json>] <query> [--format <format>]"))
        #expect(try FloeBinary.run(["help", "show"]).stdout.contains("USAGE: floe show [<artifacts.json>] <name> [--failures]"))
        // dbt has both `ls` and `list`; a typo of either gets its did-you-mean.
        #expect(try FloeBinary.run(["help", "list"]).stdout.contains("USAGE: floe ls"))
        #expect(try FloeBinary.run(["lsit"]).stderr == "error: unknown command 'lsit'\n  hint: did you mean 'list'?\n")
    }

    /// A model failing deep in its SQL shows the lines around the failing one, numbered as in its
    /// compiled file, with the failing one marked.
    @Test func aFailingModelShowsTheLinesAroundItsError() throws {
        let demo = try ApplyCommandTests.demoCopy()
        let model = demo.appendingPathComponent("dbt/models/staging/stg_orders.sql")
        let text = try String(contentsOf: model, encoding: .utf8)
        try text.replacingOccurrences(of: "select order_id, customer_id, status, total_amount, order_date, shipped_date\n",
                                      with: "select order_id, customer_id, status, total_amount, order_date,\n    shiped_date\n")
            .write(to: model, atomically: true, encoding: .utf8)
        let build = try FloeBinary.run(["build", "-s", "stg_orders"], in: demo)
        #expect(build.status == 1)
        let compiled = try String(contentsOf: demo.appendingPathComponent("target/compiled/dbt/models/staging/stg_orders.sql"), encoding: .utf8)
        let line = try #require(compiled.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("shiped_date") }) + 1
        #expect(line > 12, "deeper than the first lines an excerpt used to show")
        #expect(build.stderr.contains("    failed SQL, at line \(line):\n"), "\(build.stderr)")
        #expect(build.stderr.contains("    > \(line) |     shiped_date\n"), "\(build.stderr)")
        #expect(build.stderr.contains("      \(line - 1) | select order_id, customer_id, status, total_amount, order_date,\n"), "\(build.stderr)")
    }

    /// Under a real terminal (script(1) gives one) statuses are coloured like diagnostics, and
    /// TERM=dumb gets neither colour nor the live line.
    @Test func colourFollowsTheTerminal() throws {
        let script = URL(fileURLWithPath: "/usr/bin/script")
        guard FileManager.default.isExecutableFile(atPath: script.path) else { return }
        let demo = try ApplyCommandTests.demoCopy()
        let command = "\(FloeBinary.executable.path) build -s stg_orders"
        let colour = try FloeBinary.run(program: script, ["-qc", command, "/dev/null"], in: demo, environment: ["TERM": "xterm"])
        #expect(colour.stdout.contains("\u{1B}[32mOK\u{1B}[0m"), "\(colour.stdout)")
        #expect(colour.stdout.contains("\u{1B}[2K"), "the live line")
        let dumb = try FloeBinary.run(program: script, ["-qc", command, "/dev/null"], in: demo, environment: ["TERM": "dumb"])
        #expect(dumb.stdout.contains("UP TO DATE"), "\(dumb.stdout)")
        #expect(!dumb.stdout.contains("\u{1B}["), "\(dumb.stdout)")
    }

    @Test func messagesNameFilesAsTheUserWouldTypeThem() throws {
        let demo = try ApplyCommandTests.demoCopy()
        #expect(try FloeBinary.run(["run"], in: demo).status == 0)
        try Data("status,is_final,counts_as_revenue,sort_order\nnew,false,false,1\n".utf8)
            .write(to: demo.appendingPathComponent("dbt/seeds/order_statuses.csv"))
        let changed = try FloeBinary.run(["apply"], in: demo)
        #expect(changed.stderr.contains("the seed file dbt/seeds/order_statuses.csv changed since the plan was compiled; run floe compile again"),
                "\(changed.stderr)")
    }
}

/// `floe demo` in burst mode: three cycles grow the sources by three batches and the incremental
/// mart follows; Ctrl-C ends the loop with 130.
@Suite struct LiveDemoTests {
    func count(_ table: String, in demo: URL) throws -> Int {
        let result = try FloeBinary.run(program: URL(fileURLWithPath: "/usr/bin/sqlite3"),
                                        [demo.appendingPathComponent(".floe/dev.db").path, "select count(*) from \(table)"])
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test func threeBurstCyclesAddThreeBatchesAndTheMartsFollow() throws {
        // Burst mode from the command line: floe.yaml keeps `burst_mode: { enabled: false }`.
        let demo = try ApplyCommandTests.demoCopy()
        #expect(try String(contentsOf: demo.appendingPathComponent("floe.yaml"), encoding: .utf8).contains("burst_mode: { enabled: false"))
        #expect(try FloeBinary.run(["build"], in: demo).status == 0)
        let orders = try count("raw_orders", in: demo)
        let units = { try FloeBinary.run(program: URL(fileURLWithPath: "/usr/bin/sqlite3"),
                                         [demo.appendingPathComponent(".floe/dev.db").path, "select sum(units_sold) from mart_revenue"]).stdout }
        let unitsBefore = try units()
        let run = try FloeBinary.run(["demo", "--cycles", "3", "--burst", "5000"], in: demo)
        #expect(run.status == 0, "\(run.all)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("floe demo: ecommerce-analytics, 50 rows a table per batch, burst mode, 5000 rows/s") == true)
        #expect(lines.filter { $0.hasPrefix("cycle ") }.count == 3, "\(run.stdout)")
        #expect(lines.dropFirst().allSatisfy { $0.contains("tests 22 pass, 0 warn, 0 fail") }, "\(run.stdout)")
        // 50 new orders and one duplicate (2%) a batch.
        #expect(try count("raw_orders", in: demo) == orders + 3 * 51)
        #expect(try units() != unitsBefore, "the incremental mart takes the new orders")
    }

    @Test func ctrlCStopsTheLoop() throws {
        let demo = try ApplyCommandTests.demoCopy()
        let spec = demo.appendingPathComponent("floe.yaml")
        let text = try String(contentsOf: spec, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "burst_mode: { enabled: false, records_per_second: 500 }",
                                           with: "burst_mode: { enabled: true, records_per_second: 100 }").utf8).write(to: spec)
        #expect(try FloeBinary.run(["compile"], in: demo).status == 0)
        let process = Process()
        process.executableURL = FloeBinary.executable
        process.arguments = ["demo"]
        process.currentDirectoryURL = demo
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ctrl-C once the second cycle has begun (however long the machine takes to get there).
        var seen = Data()
        let deadline = Date().addingTimeInterval(60)
        while !String(decoding: seen, as: UTF8.self).contains("cycle 2 "), Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        kill(process.processIdentifier, SIGINT)
        let text2 = String(decoding: seen + output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(text2)")
        #expect(text2.contains("cycle 2 "), "\(text2)")
        #expect(try FloeBinary.run(["apply"], in: demo).status == 0, "the next apply completes")
    }
}
