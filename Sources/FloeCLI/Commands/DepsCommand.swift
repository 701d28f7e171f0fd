import ArgumentParser
import FloeCompiler
import FloeCore
import FloePackages
import Foundation

/// `floe deps`: installs the packages of the product's dbt projects, as `dbt deps` does.
struct DepsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deps",
        abstract: "Install the packages a dbt project's packages.yml lists into its dbt_packages/, pinned by package-lock.yml.",
        discussion: """
            Hub packages come from the dbt package hub ($DBT_PACKAGE_HUB_URL, else https://hub.getdbt.com/), git packages \
            through the git binary, local packages are linked. While packages.yml is unchanged, package-lock.yml decides \
            the versions; --upgrade resolves them again. Exit 0 when installed, 3 when no floe.yaml or dbt project is \
            found, 4 when a package list is wrong or cannot be satisfied, 6 when the hub or a download cannot be reached, \
            1 when git or tar fails.
            """)

    @Option(help: ArgumentHelp("The data product's floe.yaml (default: the nearest floe.yaml here or in a directory above).",
                               valueName: "file"))
    var spec: String?

    @Option(help: ArgumentHelp("A dbt project's directory, instead of the projects floe.yaml names.", valueName: "dir"))
    var projectDir: String?

    @Flag(help: "Resolve the versions again, ignoring package-lock.yml, and write a new lock.")
    var upgrade = false

    func run() throws {
        let projects = try Self.projects(spec: spec, projectDir: projectDir)
        let options = PackageInstaller.Options(hubURL: PackageInstaller.Options.hubURL(from: ProcessInfo.processInfo.environment),
                                               upgrade: upgrade)
        let out = Console.standardOutput
        for project in projects {
            let report: PackageInstaller.Report
            do {
                report = try PackageInstaller.install(project: project.directory, displayPrefix: project.displayPrefix, options: options)
            } catch {
                Console.standardError.report(error.diagnostics)
                if error.kind != .invalidSpec || error.diagnostics.isEmpty {
                    Console.standardError.line("error: \(error.message)" + (error.hint.map { "\n  hint: \($0)" } ?? ""))
                }
                throw FloeExit(Self.exitCode(error.kind))
            }
            Console.standardError.report(report.warnings)
            guard !report.installed.isEmpty else {
                out.line("floe deps: \(project.displayPrefix.isEmpty ? "the project" : project.displayPrefix) lists no packages")
                continue
            }
            let how = report.fromLock ? "as \(PackageInstaller.lockFileName) pins them" : "resolved"
            out.line("floe deps: \(report.installed.count) package\(report.installed.count == 1 ? "" : "s") into \(report.installPath)/, \(how)")
            let width = report.installed.map(\.name.count).max() ?? 0, pinnedWidth = report.installed.map(\.pinned.count).max() ?? 0
            for package in report.installed {
                out.line("  \(package.name.padding(toLength: width, withPad: " ", startingAt: 0))  "
                    + "\(package.pinned.padding(toLength: pinnedWidth, withPad: " ", startingAt: 0))  \(package.source)")
            }
            if report.lockWritten { out.line("wrote \(project.displayPrefix)\(PackageInstaller.lockFileName)") }
        }
    }

    static func exitCode(_ kind: PackagesError.Kind) -> FloeExitCode {
        switch kind {
        case .invalidSpec, .unresolvable: .invalidConfiguration
        case .unreachable: .engineUnreachable
        case .tool, .files: .failed
        }
    }

    /// `--project-dir`, else the dbt projects of floe.yaml.
    static func projects(spec: String?, projectDir: String?) throws -> [DbtProjectDirectories.Project] {
        if let projectDir {
            let directory = URL(fileURLWithPath: projectDir)
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("dbt_project.yml").path) else {
                Console.standardError.line("error: \(projectDir) has no dbt_project.yml\n  hint: pass the directory that holds dbt_project.yml")
                throw FloeExit(.fileNotFound)
            }
            return [DbtProjectDirectories.Project(directory: directory, displayPrefix: projectDir.hasSuffix("/") ? projectDir : projectDir + "/")]
        }
        guard let spec = spec ?? ProjectLocator.nearestSpec(), FileManager.default.fileExists(atPath: spec) else {
            Console.standardError.line("error: no floe.yaml here or in a directory above\n  hint: run in a data product's directory, pass --spec PATH, or --project-dir DIR for a dbt project")
            throw FloeExit(.fileNotFound)
        }
        let (projects, diagnostics) = DbtProjectDirectories.of(specPath: spec)
        Console.standardError.report(diagnostics)
        if diagnostics.hasErrors { throw FloeExit(.fileNotFound) }
        if projects.isEmpty {
            Console.standardOutput.line("floe deps: \(spec) names no dbt project")
        }
        return projects
    }
}
