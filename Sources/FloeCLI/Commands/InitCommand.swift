import ArgumentParser
import Foundation

/// `floe init [DIR]`: scaffold a data product that compiles and runs on the embedded SQLite.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new data product (floe.yaml, platform.yaml, a dbt project) that compiles.",
        discussion: "Never overwrites: stops with exit 2 if any of the files already exists.")

    @Argument(help: ArgumentHelp("The directory to create the project in.", valueName: "dir"))
    var directory: String = "."

    @Option(help: "The data product's name: letters, digits, '-' and '_', starting with a letter (default: the directory's name).")
    var name: String?

    func run() throws {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        let wanted = name ?? root.lastPathComponent
        let productName = InitTemplate.productName(wanted)
        if productName != wanted {
            if name != nil {
                // A name typed on purpose is not changed behind the user's back.
                Console.standardError.line("error: --name: '\(wanted)' is not a valid product name: use letters, digits, '-' and '_', "
                    + "starting with a letter\n  hint: --name \(productName)")
                throw FloeExit(.usage)
            }
            Console.standardOutput.line("note: the directory's name '\(wanted)' is not a valid product name; "
                + "the product is named '\(productName)' (change it in floe.yaml, or pass --name)")
        }
        let files = InitTemplate.files(productName: productName)
        let existing = files.map(\.path).filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path)
        }
        guard existing.isEmpty else {
            Console.standardError.line("error: \(directory) already has \(existing.joined(separator: ", ")); nothing was written")
            throw FloeExit(.usage)
        }
        for file in files {
            let url = root.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents.utf8).write(to: url)
            Console.standardOutput.line("created \(ShellQuoting.quoted((directory as NSString).appendingPathComponent(file.path)))")
        }
        Console.standardOutput.line("""

            Next: cd \(ShellQuoting.quoted(directory)) && floe build
            """)
    }
}

/// The files `floe init` writes.
enum InitTemplate {
    /// A valid product name from a directory name: letters, digits, `_` and `-`, starting with a letter.
    static func productName(_ raw: String) -> String {
        let cleaned = String(raw.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        let trimmed = cleaned.drop { !$0.isLetter }
        return trimmed.isEmpty ? "my-data-product" : String(trimmed.prefix(100))
    }

    static func files(productName: String) -> [(path: String, contents: String)] {
        [
            ("floe.yaml", """
                # yaml-language-server: $schema=https://floe.dev/schemas/floe.schema.json
                # The data product: names and logic only. Credentials and endpoints live in platform.yaml.
                name: \(productName)
                version: "0.1.0"
                description: A new floe data product.
                compute: default          # logical profile names, resolved by platform.yaml
                storage: default
                catalog: default
                transforms:
                  - type: dbt
                    path: dbt
                vars:
                  start_date: "2024-01-01"

                """),
            ("platform.yaml", """
                # yaml-language-server: $schema=https://floe.dev/schemas/platform.schema.json
                # Infrastructure, owned by the platform team. Every credential is a secret reference.
                version: "1"
                compute:
                  default:
                    type: sqlite
                    path: ".floe/{namespace}.db"    # one file per namespace: test gets a fresh one each compile
                storage:
                  default:
                    type: local
                    path: ".floe/{environment}/storage"
                catalogs:
                  default:
                    type: none
                environments:
                  dev:
                    namespace: "floe-{environment}"
                  test:
                    namespace: "floe-test-{uuid}"    # fresh per compile

                """),
            ("dbt/dbt_project.yml", """
                name: \(productName.replacingOccurrences(of: "-", with: "_"))
                version: "0.1.0"
                model-paths: ["models"]
                seed-paths: ["seeds"]
                test-paths: ["tests"]
                macro-paths: ["macros"]
                models:
                  \(productName.replacingOccurrences(of: "-", with: "_")):
                    +materialized: view

                """),
            ("dbt/models/example.sql", """
                {# A first model. Replace it with your own; refer to others with {{ ref('name') }}. #}
                select 1 as id, 'hello' as greeting

                """),
            ("dbt/models/schema.yml", """
                version: 2
                models:
                  - name: example
                    description: A first model.
                    columns:
                      - name: id
                        data_tests: [not_null, unique]

                """),
            (".gitignore", """
                .floe/
                target/

                """),
        ]
    }
}
