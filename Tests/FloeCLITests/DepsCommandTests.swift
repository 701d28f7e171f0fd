import Foundation
import Testing

/// `floe deps` with the real binary: local packages (and the packages they list), hub packages
/// from a local fixture hub (the hub's JSON API and tarballs), git packages from a repository made
/// here, package-lock.yml, and what goes wrong.
@Suite(.serialized) struct DepsCommandTests {
    let directory: URL

    init() throws {
        directory = try FloeBinary.temporaryDirectory()
        try write("product/floe.yaml", "name: shop\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n")
        try write("product/platform.yaml", "version: \"1\"\ncompute: { default: { type: sqlite, path: floe.db } }\n")
        try write("product/dbt/dbt_project.yml", "name: shop\n")
    }

    func write(_ path: String, _ text: String) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: directory.appendingPathComponent(path).path).map { String(decoding: $0, as: UTF8.self) }
    }

    func deps(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> FloeBinary.Result {
        try FloeBinary.run(["deps"] + arguments, in: directory.appendingPathComponent("product"), environment: environment)
    }

    /// A package `name` at `path` whose macro `version()` returns `version`, listing `packages`.
    func package(_ path: String, name: String, version: String, packages: String? = nil) throws {
        try write("\(path)/dbt_project.yml", "name: \(name)\n")
        try write("\(path)/macros/version.sql", "{% macro version() %}\(version){% endmacro %}")
        if let packages { try write("\(path)/packages.yml", packages) }
    }

    func shell(_ command: String, in path: String) throws {
        let result = try FloeBinary.run(program: URL(fileURLWithPath: "/bin/sh"), ["-c", command], in: directory.appendingPathComponent(path))
        try #require(result.status == 0, "\(command): \(result.all)")
    }

    @Test func localPackagesAreLinkedWithThePackagesTheyList() throws {
        try package("shared/base", name: "base", version: "base-1")
        try package("shared/util", name: "util", version: "util-1", packages: "packages:\n  - local: ../base\n")
        try write("product/dbt/packages.yml", "packages:\n  - local: ../../shared/util\n")
        try write("product/dbt/models/a.sql", "select '{{ util.version() }}' as u, '{{ base.version() }}' as b")
        let result = try deps()
        #expect(result.status == 0, "\(result.all)")
        #expect(result.stdout == """
            floe deps: 2 packages into dbt/dbt_packages/, resolved
              util  ../../shared/util  local
              base  ../base            local
            wrote dbt/package-lock.yml

            """)
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: directory.appendingPathComponent("product/dbt/dbt_packages/util").path)
        #expect(link.hasSuffix("shared/util"))
        // The hash dbt-core 1.11 gives this package list (its `_create_sha1_hash`), so dbt and floe honour each other's lock.
        #expect(read("product/dbt/package-lock.yml") == "packages:\n  - name: util\n    local: ../../shared/util\n  - name: base\n    local: ../base\n"
            + "sha1_hash: 3212616882dd47958143c6ad62ed07b892d04009\n")
        // Output into a pipe whose reader leaves early ends quietly, never with a trap.
        let piped = try FloeBinary.run(program: URL(fileURLWithPath: "/bin/sh"), ["-c", "'\(FloeBinary.executable.path)' deps | head -c 10"],
                                       in: directory.appendingPathComponent("product"))
        #expect(!piped.all.contains("Fatal error") && !piped.all.contains("crashed"), "\(piped.all)")
        // What was installed compiles with the project.
        let compiled = try FloeBinary.run(["compile", "--show", "--select", "a"], in: directory.appendingPathComponent("product"))
        #expect(compiled.status == 0, "\(compiled.all)")
        #expect(compiled.stdout.contains("select 'util-1' as u, 'base-1' as b"), "\(compiled.stdout)")
    }

    @Test func hubPackagesTakeTheHighestVersionInRangeAndTheLockKeepsIt() throws {
        let hub = directory.appendingPathComponent("hub")
        for version in ["0.9.0", "1.0.0", "1.1.0", "2.0.0"] {
            try package("releases/dbt-tools-\(version)", name: "tools", version: version)
        }
        try shell("mkdir -p ../hub && for v in 0.9.0 1.0.0 1.1.0 2.0.0; do tar -czf ../hub/tools-$v.tar.gz dbt-tools-$v; done", in: "releases")
        let server = try FixtureServer.http(serving: hub)
        defer { server.stop() }
        func publish(_ versions: [String]) throws {
            let entries = versions.map { "\"\($0)\": {\"downloads\": {\"tarball\": \"http://127.0.0.1:\(server.port)/tools-\($0).tar.gz\"}}" }
            try write("hub/api/v1/acme/tools.json", "{\"name\": \"tools\", \"versions\": {\(entries.joined(separator: ", "))}}")
        }
        try publish(["0.9.0", "1.0.0", "2.0.0"])
        let environment = ["DBT_PACKAGE_HUB_URL": "http://127.0.0.1:\(server.port)"]
        try write("product/dbt/packages.yml", "packages:\n  - package: acme/tools\n    version: [\">=1.0.0\", \"<2.0.0\"]\n")
        let first = try deps(environment: environment)
        #expect(first.status == 0, "\(first.all)")
        #expect(first.stdout.contains("  tools  1.0.0  acme/tools\n"), "\(first.stdout)")
        #expect(read("product/dbt/dbt_packages/tools/macros/version.sql")?.contains("1.0.0") == true)
        #expect(read("product/dbt/package-lock.yml")?.hasPrefix("packages:\n  - name: tools\n    package: acme/tools\n    version: 1.0.0\n") == true)

        // A newer release in range: the lock keeps 1.0.0 until --upgrade.
        try publish(["0.9.0", "1.0.0", "1.1.0", "2.0.0"])
        let locked = try deps(environment: environment)
        #expect(locked.stdout.hasPrefix("floe deps: 1 package into dbt/dbt_packages/, as package-lock.yml pins them\n  tools  1.0.0"), "\(locked.all)")
        let upgraded = try deps(["--upgrade"], environment: environment)
        #expect(upgraded.stdout.contains("  tools  1.1.0  acme/tools\n"), "\(upgraded.all)")
        #expect(read("product/dbt/package-lock.yml")?.contains("version: 1.1.0") == true)

        // A range nothing satisfies, and a hub that does not answer.
        try write("product/dbt/packages.yml", "packages:\n  - package: acme/tools\n    version: \">=3.0.0\"\n")
        let impossible = try deps(environment: environment)
        #expect(impossible.status == 4)
        #expect(impossible.stderr == "error: no version of acme/tools satisfies >=3.0.0 (dbt/packages.yml)\n  hint: the hub has 0.9.0, 1.0.0, 1.1.0, 2.0.0\n")
        #expect(read("product/dbt/dbt_packages/tools/macros/version.sql")?.contains("1.1.0") == true, "a failed install leaves the last one")
        server.stop()
        let unreachable = try deps(environment: environment)
        #expect(unreachable.status == 6, "\(unreachable.all)")
        #expect(unreachable.stderr == "error: the hub's entry for acme/tools: cannot fetch http://127.0.0.1:\(server.port)/api/v1/acme/tools.json: "
            + "connection refused\n  hint: check the network, or set DBT_PACKAGE_HUB_URL to a hub you can reach\n")
    }

    @Test func gitPackagesAreFetchedAtTheirRevisionAndPinnedToTheCommit() throws {
        try package("repo/packages/tools", name: "tools", version: "one")
        try shell("git init -q && git add -A && git -c user.email=t@t -c user.name=t commit -qm one && git tag v1", in: "repo")
        try package("repo/packages/tools", name: "tools", version: "two")
        try shell("git add -A && git -c user.email=t@t -c user.name=t commit -qm two", in: "repo")
        let repository = directory.appendingPathComponent("repo").path
        try write("product/dbt/packages.yml", "packages:\n  - git: \(repository)\n    revision: v1\n    subdirectory: packages/tools\n")
        let result = try deps()
        #expect(result.status == 0, "\(result.all)")
        #expect(read("product/dbt/dbt_packages/tools/macros/version.sql")?.contains("one") == true)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("product/dbt/dbt_packages/tools/.git").path) == false)
        let commit = try FloeBinary.run(program: URL(fileURLWithPath: "/usr/bin/git"), ["-C", repository, "rev-parse", "v1"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(read("product/dbt/package-lock.yml")?.contains("    revision: \(commit)\n    subdirectory: packages/tools\n") == true)
        #expect(result.stdout.contains("  tools  \(commit.prefix(7))  \(repository)\n"), "\(result.stdout)")

        try write("product/dbt/packages.yml", "packages:\n  - git: \(repository)\n    revision: no-such-tag\n")
        let missing = try deps()
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: cannot fetch \(repository) at no-such-tag: git checkout failed"), "\(missing.stderr)")
    }

    @Test func aWrongPackageListIsALocatedError() throws {
        try write("product/dbt/packages.yml", "packages:\n  - package: dbt_utils\n    version: 1.0\n  - git: x\n    local: y\n  - local: ../nowhere\n")
        let result = try deps()
        #expect(result.status == 4)
        #expect(result.stderr == """
            dbt/packages.yml:2:14: error: packages[0].package: expected a hub package as `<owner>/<name>`, got 'dbt_utils'
              hint: such as `dbt-labs/dbt_utils`
            dbt/packages.yml:4:5: error: packages[1]: the entry names 2 package sources
              hint: give exactly one of `package:`, `git:`, `local:` or `tarball:`
            2 errors

            """)
        try write("product/dbt/packages.yml", "packages:\n  - local: ../nowhere\n")
        let nowhere = try deps()
        #expect(nowhere.status == 4)
        #expect(nowhere.stderr.hasPrefix("error: local package '../nowhere' (dbt/packages.yml) has no dbt_project.yml at "), "\(nowhere.stderr)")
    }
}
