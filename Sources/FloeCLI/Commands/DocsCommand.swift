import ArgumentParser
import FloeArtifacts
import FloeColumnLineage
import FloeConnect
import FloeContract
import FloeCore
import FloeRuntime
import FloeServe
import Foundation

/// `floe docs generate` and `floe docs serve`, as dbt's `docs` commands.
struct DocsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs",
        abstract: "Generate the project's docs site (and dbt's catalog.json), or serve it.",
        subcommands: [Generate.self, Serve.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Compile, read the warehouse's tables into target/catalog.json and write the docs site to target/docs/.",
            discussion: """
                The site opens from the file system (target/docs/index.html), with floe docs serve, and at /docs/ \
                of floe serve. Column types and row counts come from the warehouse (dbt's catalog.json); with \
                --empty-catalog the warehouse is not read and types are as declared. Exit 6 when the warehouse \
                cannot be reached, 4 when the project does not compile.
                """)

        @OptionGroup var project: ProjectOptions

        @Flag(help: "Do not read the warehouse: an empty catalog.json, and the columns' declared types.")
        var emptyCatalog = false

        func run() throws {
            let started = Date()
            let planPath = CompileCommand.defaultOutput(forSpec: project.spec)
            let (declared, dbt) = try CompileCommand.compileAndWriteProject(project, to: planPath, command: "docs")
            if !project.writeJSON {
                // The docs site stands beside dbt's manifest, as dbt's does.
                CompileCommand.writeManifests(declared, project: dbt, in: (planPath as NSString).deletingLastPathComponent,
                                              projectDirectory: (project.spec as NSString).deletingLastPathComponent)
            }
            // The plan as written: cubes' rollups are shown on their cube's page, not as models.
            let plan = declared
            let target = (planPath as NSString).deletingLastPathComponent
            let projectDirectory = PlanFile.projectDirectory(forPlan: planPath)
            var catalog = WarehouseCatalog.Catalog()
            if !emptyCatalog {
                do throws(ExecutorError) {
                    catalog = try WarehouseCatalog.read(plan, projectDirectory: projectDirectory, environment: ProcessInfo.processInfo.environment)
                } catch {
                    Console.standardError.line("error: \(error.description)\n  hint: --empty-catalog writes the site without reading the warehouse")
                    throw FloeExit(FloeExitCode(error))
                }
            }
            let generatedAt = Timestamp.string(started)
            let invocation = UUID().uuidString.lowercased()
            try write(DbtCatalog.data(catalog, plan: plan, generatedAt: generatedAt, invocationID: invocation), to: target + "/catalog.json")
            let lastRun = FileManager.default.contents(atPath: target + "/floe_run_results.json")
                .flatMap { try? JSONDecoder().decode(RunResults.self, from: $0) }
            let lineage = ProjectColumnLineage(plan: plan, rendered: LineageCommand.lastRendering(of: plan, spec: project.spec))
            let site = target + "/docs"
            try? FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
            for file in DocsSite.files(.init(plan: plan, project: dbt, projectDirectory: projectDirectory, catalog: emptyCatalog ? nil : catalog,
                                             lastRun: lastRun, lineage: lineage, generatedAt: generatedAt)) {
                try write(file.bytes, to: site + "/" + file.name)
            }
            Console.standardOutput.line("wrote \(target)/catalog.json: \(catalog.entries.count) relations"
                + (catalog.missing.isEmpty ? "" : ", \(catalog.missing.count) not built yet (floe build builds them)")
                + (emptyCatalog ? " (--empty-catalog: the warehouse was not read)" : ""))
            for error in catalog.errors { Console.standardError.line("warning: \(error)") }
            Console.standardOutput.line("wrote \(site)/index.html; open it, or run floe docs serve")
        }

        private func write(_ bytes: [UInt8], to path: String) throws {
            do {
                try AtomicFile.write(Data(bytes), to: path)
            } catch {
                Console.standardError.line("error: cannot write \(path): \(error.localizedDescription)")
                throw FloeExit(.failed)
            }
        }
    }

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve", abstract: "Serve the docs site floe docs generate wrote (target/docs/) over HTTP.")

        @OptionGroup var project: ProjectOptions

        @Option(help: "The address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "The port to listen on (0: any free port).")
        var port = 8080

        func run() throws {
            let site = (CompileCommand.defaultOutput(forSpec: project.spec) as NSString).deletingLastPathComponent + "/docs"
            guard FileManager.default.fileExists(atPath: site + "/index.html") else {
                Console.standardError.line("error: no docs site at \(site)\n  hint: run floe docs generate first")
                throw FloeExit(.fileNotFound)
            }
            let host = self.host
            let outcome = ServeCommand.waitFor {
                try await StaticSite.run(directory: site, host: host, port: port) { port in
                    Console.standardError.line("floe docs serve: listening on http://\(host):\(port)/ (serving \(site); Ctrl-C stops)")
                }
            }
            if case .failure(let failure) = outcome {
                Console.standardError.line("error: cannot serve on \(host):\(port): \(failure)")
                throw FloeExit(.failed)
            }
        }
    }
}
