import FloeCore
import FloePackageSpec
import FloeYAML
import Foundation

/// `floe deps`: installs the packages a dbt project's packages.yml (or dependencies.yml) lists,
/// and the packages those list, into its install path (`dbt_packages/`), as `dbt deps` does:
/// hub packages at the highest version every range admits, git packages at their revision
/// (through the `git` binary), local packages linked. `package-lock.yml` pins what was
/// installed; while the package list is unchanged, the lock is what is installed.
public enum PackageInstaller {
    /// The lock's file name, beside packages.yml.
    public static let lockFileName = PackageLock.fileName

    public struct Options: Sendable {
        /// The package hub's base URL.
        public var hubURL: String
        /// Resolve again even when the lock matches the package list (`dbt deps --upgrade`).
        public var upgrade: Bool
        public var timeout: TimeInterval

        public init(hubURL: String? = nil, upgrade: Bool = false, timeout: TimeInterval = 60) {
            self.hubURL = hubURL ?? HubClient.defaultURL
            self.upgrade = upgrade
            self.timeout = timeout
        }

        /// dbt's variable for another hub, `DBT_PACKAGE_HUB_URL`, when it is set.
        public static func hubURL(from environment: [String: String]) -> String? {
            environment["DBT_PACKAGE_HUB_URL"].flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    public struct Installed: Sendable, Equatable {
        public var name: String
        /// A hub package's version, a git package's commit (short), a local package's path.
        public var pinned: String
        /// Where it came from: `dbt-labs/dbt_utils`, a git URL, a path.
        public var source: String
    }

    public struct Report: Sendable {
        public var installed: [Installed] = []
        /// The install path, as messages name it (`dbt/dbt_packages`).
        public var installPath: String
        /// Whether the lock decided the versions (false: they were resolved and the lock written).
        public var fromLock = false
        public var lockWritten = false
        /// Problems that did not stop the install (unknown keys in packages.yml).
        public var warnings: [Diagnostic] = []
    }

    /// Installs the packages of the dbt project in `project`; `displayPrefix` is that directory
    /// as messages name it, empty or ending in `/`.
    public static func install(project: URL, displayPrefix: String, options: Options) throws(PackagesError) -> Report {
        let installPath = Self.installPath(of: project)
        var report = Report(installPath: displayPrefix + installPath)
        let (listed, diagnostics) = PackagesFile.load(directory: project, displayPrefix: displayPrefix)
        guard !diagnostics.hasErrors else {
            throw PackagesError(.invalidSpec, "the package list has errors", diagnostics: diagnostics)
        }
        report.warnings = diagnostics
        let target = project.appendingPathComponent(installPath)
        guard let listed, !listed.requirements.isEmpty else { return report }
        let staging = project.appendingPathComponent(".floe-deps-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw PackagesError(.files, "cannot create \(displayPrefix)\(staging.lastPathComponent): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: staging) }
        var resolver = Resolver(staging: staging, hub: HubClient(base: options.hubURL, timeout: options.timeout), timeout: options.timeout)
        let hash = PackageLock.hash(listed.requirements)
        let lock = PackageLock.read(in: project)
        if !options.upgrade, let lock, lock.sha1 == hash {
            try resolver.stage(locked: lock.entries, base: project)
            report.fromLock = true
        } else {
            try resolver.resolve(listed.requirements, base: project, requiredBy: listed.display)
        }
        let packages = try resolver.finished()
        try place(packages, at: target, staging: staging, display: report.installPath)
        let newLock = PackageLock(entries: packages.map(\.entry), sha1: hash)
        if newLock != lock {
            do {
                try Data(newLock.yaml.utf8).write(to: project.appendingPathComponent(PackageLock.fileName), options: .atomic)
            } catch {
                throw PackagesError(.files, "cannot write \(displayPrefix)\(PackageLock.fileName): \(error.localizedDescription)")
            }
            report.lockWritten = true
        }
        report.installed = packages.map { Installed(name: $0.name, pinned: $0.pinned, source: $0.source) }
        return report
    }

    /// dbt_project.yml's `packages-install-path`, or `dbt_packages`.
    static func installPath(of project: URL) -> String {
        let loaded = YAMLLoader().load(contentsOf: project.appendingPathComponent("dbt_project.yml"), displayPath: "dbt_project.yml")
        let path = loaded.value?["packages-install-path"]?.string ?? "dbt_packages"
        return path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// Moves the staged packages into a fresh directory (local ones linked) and puts it in place of
    /// the install path, so packages no longer listed are gone.
    private static func place(_ packages: [Resolver.Staged], at target: URL, staging: URL, display: String) throws(PackagesError) {
        let fresh = staging.appendingPathComponent("installed")
        let files = FileManager.default
        do {
            try files.createDirectory(at: fresh, withIntermediateDirectories: true)
            for package in packages {
                let destination = fresh.appendingPathComponent(package.name)
                if package.linked {
                    try files.createSymbolicLink(at: destination, withDestinationURL: package.directory)
                } else {
                    try files.moveItem(at: package.directory, to: destination)
                }
            }
            if files.fileExists(atPath: target.path) || (try? files.destinationOfSymbolicLink(atPath: target.path)) != nil {
                try files.removeItem(at: target)
            }
            try files.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try files.moveItem(at: fresh, to: target)
        } catch {
            throw PackagesError(.files, "cannot install the packages into \(display): \(error.localizedDescription)")
        }
    }
}
