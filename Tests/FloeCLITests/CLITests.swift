import Foundation
import Testing

@Suite struct CLITests {
    static let demoSpec = "demo/data_engineering/ecommerce/floe.yaml"

    @Test func versionAndHelp() throws {
        let version = try FloeBinary.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "floe 0.1.0\n")
        let help = try FloeBinary.run(["--help"])
        #expect(help.status == 0)
        for word in ["init", "validate", "compile", "schema", "Exit codes"] { #expect(help.stdout.contains(word)) }
        let compileHelp = try FloeBinary.run(["compile", "--help"])
        #expect(compileHelp.stdout.contains("--spec <file>"))
        #expect(compileHelp.stdout.contains("--env <name>"))
    }

    @Test func usageErrorsExitTwo() throws {
        let result = try FloeBinary.run(["compile", "--bogus"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("Unknown option '--bogus'"))
        #expect(try FloeBinary.run(["frobnicate"]).status == 2)
    }

    @Test func missingSpecExitsThree() throws {
        let result = try FloeBinary.run(["validate", "--spec", "no/such/floe.yaml"])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("no/such/floe.yaml:1:1: error: file not found"))
        let platform = try FloeBinary.run(["validate", "--spec", Self.demoSpec, "--platform", "nope.yaml"])
        #expect(platform.status == 3)
    }

    @Test func platformIsFoundAboveTheSpec() throws {
        let result = try FloeBinary.run(["validate", "--spec", Self.demoSpec])
        #expect(result.status == 0, "\(result.all)")
        #expect(result.stdout == "\(Self.demoSpec): valid (environment dev)\n")
        let viaEnvironment = try FloeBinary.run(["validate", "--spec", Self.demoSpec],
                                                environment: ["FLOE_PLATFORM_FILE": "demo/platform/platform.yaml", "FLOE_ENV": "prod"])
        #expect(viaEnvironment.stdout == "\(Self.demoSpec): valid (environment prod)\n")
    }

    @Test func invalidConfigurationExitsFourWithLocatedErrors() throws {
        let directory = try FloeBinary.temporaryDirectory()
        try Data("name: shop\nversion: \"1.0.0\"\npassword: hunter2hunter2\nendpoint: http://db:5432\n".utf8)
            .write(to: directory.appendingPathComponent("floe.yaml"))
        try Data("version: \"1\"\ncompute:\n  default: { type: sqlite, path: x.db }\n".utf8)
            .write(to: directory.appendingPathComponent("platform.yaml"))
        let result = try FloeBinary.run(["compile"], in: directory)
        #expect(result.status == 4)
        #expect(result.stderr.contains("floe.yaml:3:1: error: password: floe.yaml must not hold credentials"))
        #expect(result.stderr.contains("floe.yaml:4:1: error: endpoint: floe.yaml must not name a host or endpoint"))
        #expect(result.stderr.hasSuffix("2 errors\n"))
        #expect(!result.all.contains("hunter2"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("target/artifacts.json").path))
    }

    @Test func brokenDbtProjectsExitFourAndVarsComeFromTheCommandLine() throws {
        let directory = try FloeBinary.temporaryDirectory()
        func write(_ path: String, _ text: String) throws {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try write("floe.yaml", "name: shop\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n")
        try write("platform.yaml", "version: \"1\"\ncompute:\n  default: { type: sqlite, path: x.db }\n")
        try write("dbt/dbt_project.yml", "name: shop\n")
        try write("dbt/models/a.sql", "select {{ var('n') }} as n from {{ ref('b') }}")
        try write("dbt/models/b.sql", "select * from {{ ref('a') }}")
        let cycle = try FloeBinary.run(["compile", "--vars", "{n: 1}"], in: directory)
        #expect(cycle.status == 4)
        #expect(cycle.stderr.hasPrefix("dbt/models/a.sql:1:36: error: dependency cycle: a → b → a"), "\(cycle.stderr)")
        try write("dbt/models/b.sql", "select 1 as x")
        let compiled = try FloeBinary.run(["compile", "--vars", "{n: 41}"], in: directory)
        #expect(compiled.status == 0, "\(compiled.all)")
        let plan = try String(contentsOf: directory.appendingPathComponent("target/artifacts.json"), encoding: .utf8)
        // A view on SQLite names its own schema's relations unqualified (docs/apply.md).
        #expect(plan.contains("select 41 as n from \\\"b\\\""))
        let missingVar = try FloeBinary.run(["validate"], in: directory)
        #expect(missingVar.status == 4)
        #expect(missingVar.stderr.contains("dbt/models/a.sql:1:11: error: required var 'n' is not defined"))
    }

    @Test func validateSpeaksJSON() throws {
        let directory = try FloeBinary.temporaryDirectory()
        try Data("name: shop\nversion: \"1.0.0\"\ntransfroms: []\n".utf8).write(to: directory.appendingPathComponent("floe.yaml"))
        try Data("version: \"1\"\ncompute:\n  default: { type: sqlite, path: x.db }\n".utf8)
            .write(to: directory.appendingPathComponent("platform.yaml"))
        let result = try FloeBinary.run(["validate", "--format", "json"], in: directory)
        #expect(result.status == 4)
        let json = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["valid"] as? Bool == false)
        #expect(json["errors"] as? Int == 1)
        let first = try #require((json["diagnostics"] as? [[String: Any]])?.first)
        #expect(first["file"] as? String == "floe.yaml")
        #expect(first["line"] as? Int == 3)
        #expect(first["column"] as? Int == 1)
        #expect(first["path"] as? String == "transfroms")
        #expect(first["hint"] as? String == "did you mean 'transforms'?")
    }

    @Test func compileIsByteIdenticalWithSourceDateEpoch() throws {
        let directory = try FloeBinary.temporaryDirectory()
        let a = directory.appendingPathComponent("a.json").path, b = directory.appendingPathComponent("b.json").path
        let environment = ["SOURCE_DATE_EPOCH": "1700000000"]
        #expect(try FloeBinary.run(["compile", "--spec", Self.demoSpec, "-o", a], environment: environment).status == 0)
        #expect(try FloeBinary.run(["compile", "--spec", Self.demoSpec, "-o", b], environment: environment).status == 0)
        let first = try Data(contentsOf: URL(fileURLWithPath: a))
        #expect(first == (try Data(contentsOf: URL(fileURLWithPath: b))))
        #expect(String(decoding: first, as: UTF8.self).contains("\"compiled_at\" : \"2023-11-14T22:13:20Z\""))
    }

    /// The plan goes through a temporary file and a rename: a second compile replaces it whole
    /// and leaves nothing beside it, and a destination that cannot be written is an error (exit 1)
    /// that creates nothing.
    @Test func aPlanIsReplacedWholeAndNothingIsLeftBeside() throws {
        let directory = try FloeBinary.temporaryDirectory()
        let plan = directory.appendingPathComponent("plan.json").path
        let environment = ["SOURCE_DATE_EPOCH": "1700000000"]
        #expect(try FloeBinary.run(["compile", "--spec", Self.demoSpec, "-o", plan], environment: environment).status == 0)
        let first = try Data(contentsOf: URL(fileURLWithPath: plan))
        #expect(try FloeBinary.run(["compile", "--spec", Self.demoSpec, "-o", plan], environment: ["SOURCE_DATE_EPOCH": "1700000100"]).status == 0)
        let second = try Data(contentsOf: URL(fileURLWithPath: plan))
        #expect(second != first && second.count > 10_000 && second.last == 0x0A)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["plan.json"])

        // A file where a directory of the destination should be.
        let blocked = directory.appendingPathComponent("plan.json/inside/plan.json").path
        let failed = try FloeBinary.run(["compile", "--spec", Self.demoSpec, "-o", blocked])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("error: cannot write \(blocked)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: plan)) == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["plan.json"])
    }

    @Test func testEnvironmentGetsTwoDifferentNamespaces() throws {
        let directory = try FloeBinary.temporaryDirectory()
        var namespaces: [String] = []
        for name in ["a", "b"] {
            let path = directory.appendingPathComponent("\(name).json").path
            let result = try FloeBinary.run(["compile", "--spec", Self.demoSpec, "--env", "test", "-o", path])
            #expect(result.status == 0)
            let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            namespaces.append(((plan?["environment"] as? [String: Any])?["namespace"] as? String) ?? "")
        }
        #expect(namespaces[0].hasPrefix("floe-test-"))
        #expect(namespaces[0] != namespaces[1])
    }

    @Test func secretMarkersNeverAppearInAnyOutput() throws {
        let directory = try FloeBinary.temporaryDirectory()
        let markers = [
            "FLOE_SECRET_WAREHOUSE_DB_PASSWORD": "marker-one-8c1f",
            "FLOE_SECRET_S3_CREDENTIALS_SECRET_ACCESS_KEY": "marker-two-77d2",
            "FLOE_SECRET_POLARIS_CLIENT_SECRET": "marker-three-a9e0",
            "FLOE_SECRET_CUBE_API_JWT_SECRET": "marker-four-3b6c",
        ]
        var everything = ""
        for environment in ["dev", "staging", "prod", "test", "nope"] {
            let plan = directory.appendingPathComponent("\(environment).json").path
            for command in [["compile", "-o", plan], ["validate"], ["validate", "--format", "json"]] {
                let result = try FloeBinary.run(command + ["--spec", Self.demoSpec, "--env", environment], environment: markers)
                everything += result.all
            }
            everything += (try? String(contentsOfFile: plan, encoding: .utf8)) ?? ""
        }
        #expect(everything.contains("secret_ref"))
        for marker in markers.values { #expect(!everything.contains(marker), "\(marker) leaked") }
    }

    @Test func noColorIsHonoured() throws {
        let result = try FloeBinary.run(["validate", "--spec", "missing.yaml"], environment: ["NO_COLOR": "1"])
        #expect(!result.all.contains("\u{1B}["))
    }

    @Test func initCreatesAProjectThatCompilesAndValidatesAgainstTheSchemas() throws {
        let directory = try FloeBinary.temporaryDirectory().appendingPathComponent("my shop")
        let created = try FloeBinary.run(["init", directory.path])
        #expect(created.status == 0, "\(created.all)")
        #expect(created.stdout.hasPrefix("note: the directory's name 'my shop' is not a valid product name; the product is named 'my-shop'"))
        #expect(created.stdout.contains("created '\(directory.path)/floe.yaml'"), "\(created.stdout)")
        #expect(created.stdout.hasSuffix("Next: cd '\(directory.path)' && floe build\n"))
        let compiled = try FloeBinary.run(["compile"], in: directory)
        #expect(compiled.status == 0, "\(compiled.all)")
        #expect(compiled.stdout.hasPrefix("compiled my-shop 0.1.0 for dev (namespace floe-dev) → target/artifacts.json"))
        // The test environment gets a fresh namespace, and so a file of its own, every time.
        for _ in 0..<2 {
            let test = try FloeBinary.run(["build", "--env", "test"], in: directory)
            #expect(test.status == 0, "\(test.all)")
        }
        let named = try FloeBinary.run(["init", "--name", "9 lives", try FloeBinary.temporaryDirectory().path])
        #expect(named.status == 2)
        #expect(named.stderr.contains("error: --name: '9 lives' is not a valid product name"))
        let again = try FloeBinary.run(["init", directory.path])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already has floe.yaml"))

        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", FloeBinary.repositoryRoot.appendingPathComponent("scripts/check-schemas.py").path,
                           FloeBinary.repositoryRoot.appendingPathComponent("schemas").path,
                           directory.appendingPathComponent("floe.yaml").path,
                           directory.appendingPathComponent("platform.yaml").path,
                           directory.appendingPathComponent("target/artifacts.json").path]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0)
    }

    @Test func schemaWritesTheThreeSchemasAndTheyMatchTheCommittedOnes() throws {
        let directory = try FloeBinary.temporaryDirectory()
        let result = try FloeBinary.run(["schema", "-o", directory.path])
        #expect(result.status == 0)
        for file in ["platform.schema.json", "floe.schema.json", "artifacts.schema.json"] {
            let written = try Data(contentsOf: directory.appendingPathComponent(file))
            let committed = try Data(contentsOf: FloeBinary.repositoryRoot.appendingPathComponent("schemas/\(file)"))
            #expect(written == committed)
        }
    }
}

/// What no command foresaw still ends in one line and exit 1, not a usage error.
@Suite struct UnexpectedErrorTests {
    @Test func anUnforeseenFailureIsExitOneInOneLine() throws {
        let result = try FloeBinary.run(["init", "/proc/floe-cannot-write-here"])
        #expect(result.status == 1, "\(result.all)")
        #expect(result.stderr.hasPrefix("error: /proc/floe-cannot-write-here: ") && !result.stderr.contains("Domain="), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
