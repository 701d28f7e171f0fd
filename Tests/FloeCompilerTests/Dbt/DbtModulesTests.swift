import FloeCompiler
import FloeContract
import Testing

/// dbt's `modules.datetime` and `modules.re`, `run_started_at` as a datetime, and `flags`.
@Suite struct DbtModulesTests {
    func sql(_ template: String) throws -> String {
        let project = try TestProject.dbt(["models/m.sql": template])
        let output = project.compile(environment: "dev", vars: nil)
        let errors = output.diagnostics.filter { $0.severity == .error }
        try #require(errors.isEmpty, "\(errors)")
        return try #require(output.artifacts?.models.first?.sql)
    }

    @Test func datetimeModule() throws {
        #expect(try sql("{{ modules.datetime.date(2024, 1, 31).strftime('%Y-%m-%d %A %a %B %b %j') }}")
            == "2024-01-31 Wednesday Wed January Jan 031")
        #expect(try sql("{{ modules.datetime.datetime(2024, 2, 29, 13, 5, 9) }}|{{ modules.datetime.date(2024, 3, 1).weekday() }}")
            == "2024-02-29 13:05:09|4")
        // now() is the compile's time, so the same inputs make the same plan.
        #expect(try sql("{{ modules.datetime.datetime.now().isoformat() }}") == "2023-11-14T22:13:20")
    }

    @Test func runStartedAtAndFlags() throws {
        #expect(try sql("{{ run_started_at }}|{{ run_started_at.strftime('%Y%m%d') }}|{{ run_started_at.year }}")
            == "2023-11-14T22:13:20Z|20231114|2023")
        #expect(try sql("{{ flags.WHICH }} {{ flags.FULL_REFRESH }}") == "run False")
    }

    @Test func reModule() throws {
        #expect(try sql("{{ modules.re.sub('([a-z]+)_id', '\\\\1_key', 'order_id, customer_id') }}") == "order_key, customer_key")
        #expect(try sql("{{ modules.re.search('[0-9]+', 'v12').group() }}|{{ modules.re.match('[0-9]+', 'v12') is none }}") == "12|True")
        #expect(try sql("{{ modules.re.findall('[0-9]+', 'a1b22') | join(',') }}|{{ modules.re.split(',\\\\s*', 'a, b,c') | join('|') }}")
            == "1,22|a|b|c")
        #expect(try sql("{% set p = modules.re.compile('^stg_') %}{{ p.match('stg_orders') is not none }}") == "True")
    }
}
