import FloeCore
import FloePackageSpec
import Foundation

/// A package in the project's install path (`dbt_packages/` unless dbt_project.yml says other):
/// its own dbt_project.yml and where its files are.
struct InstalledPackage {
    var project: DbtProjectFile
    var root: URL
    /// The package's directory as messages print it and as the plan records it, ending in `/`.
    var displayPrefix: String
    var planPrefix: String
}

enum InstalledPackages {
    /// Every installed package, by directory name, and the problems found: a package listed in
    /// packages.yml but not installed, two packages of one name, a package's project file that
    /// does not load. Warnings about a package's own files are left out: its users cannot act on them.
    static func find(for project: DbtProjectFile, root: URL, displayPrefix: String, planPrefix: String) -> ([InstalledPackage], [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let (listed, listDiagnostics) = PackagesFile.load(directory: root, displayPrefix: displayPrefix)
        diagnostics += listDiagnostics.filter { $0.severity == .error }
        let installPath = project.packagesInstallPath.hasSuffix("/") ? String(project.packagesInstallPath.dropLast()) : project.packagesInstallPath
        let directory = root.appendingPathComponent(installPath)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var packages: [InstalledPackage] = []
        var byName: [String: String] = [:]
        for name in names {
            let packageRoot = directory.appendingPathComponent(name)
            let projectURL = packageRoot.appendingPathComponent("dbt_project.yml")
            guard FileManager.default.fileExists(atPath: projectURL.path) else { continue }
            let display = "\(displayPrefix)\(installPath)/\(name)/"
            let (loaded, loadDiagnostics) = DbtProjectFile.load(from: projectURL, displayPath: display + "dbt_project.yml")
            diagnostics += loadDiagnostics.filter { $0.severity == .error }
            guard let loaded else { continue }
            if loaded.name == project.name {
                diagnostics.append(.error(at: .file(display + "dbt_project.yml"), path: "name",
                                          "the installed package '\(name)' has the root project's name, '\(project.name)'",
                                          hint: "a project cannot depend on itself; remove it from packages.yml and run `floe deps`"))
                continue
            }
            if let earlier = byName.updateValue(display, forKey: loaded.name) {
                diagnostics.append(.error(at: .file(display + "dbt_project.yml"), path: "name", "two installed packages are named '\(loaded.name)'",
                                          hint: "the other is \(earlier); run `floe deps` to install the packages anew"))
                continue
            }
            packages.append(InstalledPackage(project: loaded, root: packageRoot, displayPrefix: display,
                                             planPrefix: "\(planPrefix)\(installPath)/\(name)/"))
        }
        if let listed {
            let installed = Set(packages.map(\.project.name))
            let unnamed = listed.requirements.filter { $0.expectedName == nil }
            let missing = listed.requirements.filter { requirement in requirement.expectedName.map { !installed.contains($0) } ?? false }
            if !missing.isEmpty || (packages.count < unnamed.count && packages.count < listed.requirements.count) {
                let what = missing.isEmpty ? "\(listed.requirements.count) packages are listed, \(packages.count) installed"
                    : "package\(missing.count == 1 ? "" : "s") \(missing.map { "'\($0.label)'" }.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not installed"
                diagnostics.append(.error(at: missing.first?.location ?? .file(listed.display), "\(what) (in \(installPath)/)",
                                          hint: "run `floe deps` to install the packages \(listed.display) lists"))
            }
        }
        return (packages, diagnostics)
    }
}
