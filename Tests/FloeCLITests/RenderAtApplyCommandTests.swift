import Foundation
import Testing

/// A model whose template queries the database, through the real binary: `floe ls` and
/// `floe compile --show` say it is rendered at apply time, and `floe run` renders and builds it.
@Suite struct RenderAtApplyCommandTests {
    let directory: URL

    init() throws {
        directory = try FloeBinary.temporaryDirectory()
        try write("floe.yaml", "name: late\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n")
        try write("platform.yaml", "version: \"1\"\ncompute: { default: { type: sqlite, path: \".floe/{environment}.db\" } }\n")
        try write("dbt/dbt_project.yml", "name: late\n")
        try write("dbt/seeds/kinds.csv", "kind\nbook\ntoy\n")
        try write("dbt/models/by_kind.sql", """
            {% set kinds = run_query('select kind from ' ~ ref('kinds') ~ ' order by 1').columns[0].values() if execute else [] %}
            select {% for kind in kinds %}'{{ kind }}' as {{ kind }}{{ ', ' if not loop.last }}{% else %}null as nothing{% endfor %}
            """)
    }

    func write(_ path: String, _ text: String) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @Test func listedShownAndBuilt() throws {
        let ls = try FloeBinary.run(["ls"], in: directory)
        #expect(ls.status == 0, "\(ls.all)")
        #expect(ls.stdout.contains("model  by_kind  view (rendered at apply)"), "\(ls.stdout)")
        let json = try FloeBinary.run(["ls", "--output", "json", "-s", "by_kind"], in: directory)
        #expect(json.stdout.contains("\"render_at_apply\":true"), "\(json.stdout)")

        let show = try FloeBinary.run(["compile", "-s", "by_kind", "--show"], in: directory)
        #expect(show.status == 0, "\(show.all)")
        #expect(show.stdout.hasPrefix("-- floe renders by_kind at apply time: its template queries the database"), "\(show.stdout)")
        #expect(show.stdout.contains("select null as nothing"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("target/run").path))

        // The ref inside `if execute` is not seen at compile, as in dbt: a located error with dbt's remedy.
        let unseen = try FloeBinary.run(["run"], in: directory)
        #expect(unseen.status == 1)
        #expect(unseen.all.contains("rendering dbt/models/by_kind.sql at apply time: dbt/models/by_kind.sql:1:48: ref('kinds') was not reached "
            + "when the model was compiled, so it is not among its dependencies (a ref() inside `{% if execute %}` is not seen at compile, "
            + "as in dbt: add `-- depends_on: {{ ref('kinds') }}` at the top of the model)"), "\(unseen.all)")
        let model = try String(contentsOf: directory.appendingPathComponent("dbt/models/by_kind.sql"), encoding: .utf8)
        try write("dbt/models/by_kind.sql", "-- depends_on: {{ ref('kinds') }}\n" + model)
        let run = try FloeBinary.run(["run"], in: directory)
        #expect(run.status == 0, "\(run.all)")
        let ran = try String(contentsOf: directory.appendingPathComponent("target/run/dbt/models/by_kind.sql"), encoding: .utf8)
        #expect(ran.contains("select 'book' as book, 'toy' as toy"), "\(ran)")
    }
}
