import FloeCompiler
import FloeContract
import FloeCore
import FloePackageSpec
import Testing

/// Installed packages (what `floe deps` puts in `dbt_packages/`) compile with the project as dbt
/// compiles them: macros under their package's namespace, models and seeds with their own ids,
/// package-scoped vars and configs, and `adapter.dispatch` with a search order.
@Suite struct DbtPackageTests {
    /// The root project `shop` with two installed packages: `util_pkg` (macros, a model, a seed, a
    /// generic test) and `other_pkg` (a macro of the same name as one of util_pkg's).
    static let files: [String: String] = [
        "packages.yml": "packages:\n  - local: ../util_pkg\n  - package: acme/other_pkg\n    version: [\">=1.0.0\", \"<2.0.0\"]\n",
        "dbt_packages/util_pkg/dbt_project.yml": """
            name: util_pkg
            vars:
              greeting: hello
              "util_pkg:unit": cents
            models:
              util_pkg:
                +materialized: table

            """,
        "dbt_packages/util_pkg/macros/text.sql": """
            {% macro shout(word) %}{{ word | upper }}{{ suffix() }}{% endmacro %}
            {% macro suffix() %}!{% endmacro %}
            {% macro label() %}util{% endmacro %}
            {% macro fmt(x) %}{{ return(adapter.dispatch('fmt', 'util_pkg')(x)) }}{% endmacro %}
            {% macro default__fmt(x) %}default({{ x }}){% endmacro %}
            {% macro sqlite__fmt(x) %}sqlite({{ x }}){% endmacro %}
            {% macro pad(x) %}{{ return(adapter.dispatch('pad', 'util_pkg')(x)) }}{% endmacro %}
            {% macro default__pad(x) %}pad({{ x }}){% endmacro %}
            {% test is_positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endtest %}
            """,
        "dbt_packages/util_pkg/models/calendar.sql": "select '{{ var('greeting') }}' as greeting, '{{ var('util_pkg:unit') }}' as unit",
        "dbt_packages/util_pkg/seeds/units.csv": "unit\ncents\n",
        "dbt_packages/other_pkg/dbt_project.yml": "name: other_pkg\n",
        "dbt_packages/other_pkg/macros/label.sql": "{% macro label() %}other{% endmacro %}",
        "macros/local.sql": "{% macro label() %}root{% endmacro %}\n{% macro default__pad(x) %}root_pad({{ x }}){% endmacro %}",
        "models/greetings.sql": """
            select '{{ util_pkg.shout('hi') }}' as loud, '{{ util_pkg.label() }}' as a, '{{ other_pkg.label() }}' as b,
                   '{{ label() }}' as c, '{{ shop.label() }}' as d, '{{ util_pkg.fmt(1) }}' as e, '{{ util_pkg.pad(2) }}' as f,
                   '{{ var('greeting', 'none') }}' as g
            from {{ ref('calendar') }} join {{ ref('util_pkg', 'units') }} using (unit)
            """,
        "models/greetings.yml": "models:\n  - name: greetings\n    columns:\n      - name: e\n        data_tests: [util_pkg.is_positive]\n",
    ]

    static let projectConfig = """
        vars:
          util_pkg:
            greeting: howdy
        models:
          util_pkg:
            +schema: utils
        dispatch:
          - macro_namespace: util_pkg
            search_order: [shop, util_pkg]

        """

    func plan(_ project: TestProject) throws -> CompiledArtifacts {
        let output = project.compile()
        let errors = output.diagnostics.filter { $0.severity == .error }
        try #require(errors.isEmpty, "\(errors)")
        return try #require(output.artifacts)
    }

    @Test func macrosResolveByNamespaceAndSearchOrder() throws {
        let plan = try plan(TestProject.dbt(Self.files, projectExtra: Self.projectConfig))
        let greetings = try #require(plan.models.first { $0.name == "greetings" })
        // A package's macro calls its sibling unqualified; the same name in two packages and the
        // root is three macros; the root's `dispatch:` search order puts its own `default__pad`
        // first, while `fmt` finds the package's adapter-specific `sqlite__fmt`.
        #expect(greetings.sql.contains("select 'HI!' as loud, 'util' as a, 'other' as b,"))
        #expect(greetings.sql.contains("'root' as c, 'root' as d, 'sqlite(1)' as e, 'root_pad(2)' as f,"))
        #expect(greetings.sql.contains("'none' as g"), "a package's own vars are not the root project's")
        #expect(greetings.uniqueID == "model.shop.greetings")
        #expect(greetings.dependsOn == ["model.util_pkg.calendar", "seed.util_pkg.units"])
    }

    @Test func packageNodesTakeTheirOwnConfigUnderTheRootProjects() throws {
        let plan = try plan(TestProject.dbt(Self.files, projectExtra: Self.projectConfig))
        let calendar = try #require(plan.models.first { $0.name == "calendar" })
        #expect(calendar.uniqueID == "model.util_pkg.calendar")
        #expect(calendar.materialized == .table, "the package's own dbt_project.yml")
        #expect(calendar.relation == Relation(schema: "floe-dev_utils", name: "calendar"), "the root project's `models: util_pkg:`")
        #expect(calendar.path == "dbt/dbt_packages/util_pkg/models/calendar.sql")
        // The root's `vars: {util_pkg: …}` is over the package's own; a colon-named var is the package's.
        #expect(calendar.sql.contains("select 'howdy' as greeting, 'cents' as unit"))
        #expect(plan.seeds.map(\.uniqueID) == ["seed.util_pkg.units"])
        let test = try #require(plan.tests.first)
        #expect(test.uniqueID == "test.shop.util_pkg_is_positive_greetings_e")
        #expect(test.sql.contains("where e <= 0"))
    }

    @Test func packagesListedButNotInstalledAreAnError() throws {
        let project = try TestProject.dbt([
            "packages.yml": "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n",
            "models/a.sql": "select {{ dbt_utils.star(ref('b')) }} from {{ ref('b') }}",
            "models/b.sql": "select 1 as id",
        ])
        #expect(project.messages() == [
            "dbt/packages.yml:2:5: error: package 'dbt-labs/dbt_utils' is not installed (in dbt_packages/)\n"
                + "  hint: run `floe deps` to install the packages dbt/packages.yml lists",
        ])
    }

    @Test func packageErrorsNameThePackage() throws {
        let project = try TestProject.dbt([
            "dbt_packages/util_pkg/dbt_project.yml": "name: util_pkg\n",
            "dbt_packages/util_pkg/macros/m.sql": "{% macro fmt(x) %}{{ return(adapter.dispatch('fmt', 'util_pkg')(x)) }}{% endmacro %}",
            "models/a.sql": "select 1 from {{ ref('utils', 'b') }}",
            "models/b.sql": "select {{ util_pkg.fmt(1) }} as x",
        ])
        #expect(project.messages() == [
            "dbt/dbt_packages/util_pkg/macros/m.sql:1:36: error: adapter.dispatch found no macro for 'fmt' in namespace 'util_pkg' (rendering dbt/models/b.sql)\n"
                + "  hint: define `default__fmt` or `sqlite__fmt` in shop or util_pkg",
            "dbt/models/a.sql:1:18: error: package 'utils' is not part of this project\n"
                + "  hint: the project is 'shop'; a package must be listed in packages.yml and installed by `floe deps`",
        ])
    }

    /// What dbt reads and floe does not build yet is a located warning, never a silent drop.
    @Test func unsupportedResourcesAreSaidNotDropped() throws {
        let project = try TestProject.dbt([
            "models/a.sql": "select 1 as id",
            "models/a.yml": "saved_queries:\n  - name: q\n    query_params: {metrics: [m]}\n",
            "models/b.py": "def model(dbt, session):\n    return None\n",
        ])
        #expect(project.messages() == [
            "dbt/models/a.yml:3:30: error: saved_queries[0].query_params.metrics: saved query 'q' names metric 'm', which is not defined",
            "dbt/models/b.py:1:1: warning: Python models are not supported; 'b' is skipped",
        ])
    }

    /// Each entry as dbt-core 1.11 hashes it for the lock (`json.dumps(package.to_dict(), sort_keys=True)`).
    @Test func packageEntriesHashAsDbts() throws {
        let project = try TestProject.dbt(["packages.yml": """
            packages:
              - package: dbt-labs/dbt_utils
                version: 1.3.3
              - package: godatadriven/dbt_date
                version: [">=0.17.0", "<0.18.0"]
              - git: "https://github.com/dbt-labs/dbt-audit-helper.git"
                revision: main
            """])
        let (listed, diagnostics) = PackagesFile.load(directory: project.directory.appendingPathComponent("dbt"), displayPrefix: "dbt/")
        #expect(diagnostics.isEmpty)
        #expect(listed?.requirements.map(\.lockLine) == [
            #"{"install_prerelease": false, "package": "dbt-labs/dbt_utils", "unrendered": {}, "version": "1.3.3"}"#,
            #"{"install_prerelease": false, "package": "godatadriven/dbt_date", "unrendered": {}, "version": [">=0.17.0", "<0.18.0"]}"#,
            #"{"git": "https://github.com/dbt-labs/dbt-audit-helper.git", "revision": "main", "subdirectory": null, "unrendered": {}, "warn-unpinned": null}"#,
        ])
    }

    @Test func packageVersionsCompareAsSemanticVersions() {
        let versions = ["0.9.0", "0.10.0", "1.0.0-rc1", "1.0.0", "1.2.3", "2.0.0"].compactMap(SemanticVersion.init)
        let range = ["<2.0.0", ">=0.9.0"].compactMap(SemanticVersion.Constraint.init)
        #expect(SemanticVersion.best(of: versions, within: range, prerelease: false)?.description == "1.2.3")
        #expect(SemanticVersion.best(of: versions, within: ["<1.0.0"].compactMap(SemanticVersion.Constraint.init), prerelease: false)?.description == "0.10.0")
        #expect(SemanticVersion.best(of: versions, within: ["<1.0.0", ">0.10.0"].compactMap(SemanticVersion.Constraint.init), prerelease: true)?.description == "1.0.0-rc1")
        #expect(SemanticVersion.best(of: versions, within: ["1.0.0-rc1"].compactMap(SemanticVersion.Constraint.init), prerelease: false)?.description == "1.0.0-rc1")
        #expect(SemanticVersion("1.x") == nil)
        #expect(SemanticVersion("v1.2")?.description == "1.2.0")
    }
}
