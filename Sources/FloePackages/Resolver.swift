import FloeCore
import FloePackageSpec
import FloeYAML
import Foundation

/// Works out which package to install for each requirement and fetches it into the staging
/// directory: requirements of the fetched packages are followed in turn, and every range asked
/// of one hub package must admit the version chosen.
struct Resolver {
    /// A package fetched (or, for a local one, found) and ready to be put in place.
    struct Staged {
        var name: String
        /// The package's root: in the staging directory, or a local package's own directory.
        var directory: URL
        /// A local package: linked from the install path, not moved there.
        var linked: Bool
        var entry: PackageLock.Entry
        var pinned: String
        var source: String
        /// For a hub package, the version fetched; for a git package, the revision asked for.
        var version: SemanticVersion?
        var revision: String?
    }

    let staging: URL
    var hub: HubClient
    let timeout: TimeInterval
    /// By source (`hub:dbt-labs/dbt_utils`, `git:<url>#<subdirectory>`, `local:<path>`), in the order first asked for.
    private var staged: [String: Staged] = [:]
    private var order: [String] = []
    /// By hub package: each range asked of it and who asked.
    private var ranges: [String: [(constraints: [SemanticVersion.Constraint], by: String, prerelease: Bool)]] = [:]
    private var fetches = 0

    init(staging: URL, hub: HubClient, timeout: TimeInterval) {
        self.staging = staging
        self.hub = hub
        self.timeout = timeout
    }

    /// Resolves `requirements` (written in the project or package at `base`) and everything they
    /// need, until nothing new is asked.
    mutating func resolve(_ requirements: [PackageRequirement], base: URL, requiredBy: String) throws(PackagesError) {
        var queue = requirements.map { ($0, base, requiredBy) }
        var changedHub: [String] = []
        while !queue.isEmpty || !changedHub.isEmpty {
            while !queue.isEmpty {
                let (requirement, base, by) = queue.removeFirst()
                switch requirement.source {
                case .hub(let name, let versions):
                    if !order.contains("hub:\(name)") { order.append("hub:\(name)") }
                    let constraints = versions.compactMap(SemanticVersion.Constraint.init)
                    ranges[name, default: []].append((constraints, by, requirement.installPrerelease))
                    if !changedHub.contains(name) { changedHub.append(name) }
                case .git(let url, let revision, let subdirectory):
                    let key = "git:\(url)#\(subdirectory ?? "")"
                    if let existing = staged[key] {
                        guard existing.revision == revision else {
                            throw PackagesError(.unresolvable, "\(url) is asked for at two revisions: \(existing.revision ?? "the default branch") and \(revision ?? "the default branch") (\(by))",
                                                hint: "ask for one revision everywhere")
                        }
                        continue
                    }
                    let package = try fetchGit(url: url, revision: revision, subdirectory: subdirectory)
                    queue += try add(package, key: key)
                case .local(let path):
                    let directory = URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL
                    let key = "local:\(directory.path)"
                    guard staged[key] == nil else { continue }
                    let package = try local(path: path, directory: directory, by: by)
                    queue += try add(package, key: key)
                case .tarball(let url, let name):
                    let key = "tarball:\(url)"
                    guard staged[key] == nil else { continue }
                    var package = try fetchArchive(url, what: "package \(name)")
                    package.entry = PackageLock.Entry(name: package.name, source: .tarball(url: url, name: name))
                    queue += try add(package, key: key)
                }
            }
            // Each hub package asked for anew: the highest version every range admits, fetched
            // when it is not the one fetched already.
            for name in changedHub {
                let asked = ranges[name] ?? []
                let releases = try hub.releases(of: name)
                let prerelease = asked.contains { $0.prerelease }
                guard let best = SemanticVersion.best(of: releases.map(\.version), within: asked.flatMap(\.constraints), prerelease: prerelease),
                      let release = releases.first(where: { $0.version == best }) else {
                    let wanted = asked.map { "\($0.constraints.map(\.description).joined(separator: ", ")) (\($0.by))" }.joined(separator: "; ")
                    let available = releases.filter { !$0.version.isPrerelease || prerelease }.map(\.version.description)
                    throw PackagesError(.unresolvable, "no version of \(name) satisfies \(wanted)",
                                        hint: available.isEmpty ? "the hub lists no release of \(name)"
                                            : "the hub has \(available.suffix(8).joined(separator: ", "))")
                }
                let key = "hub:\(name)"
                if staged[key]?.version == best { continue }
                if let previous = staged[key] { try? FileManager.default.removeItem(at: previous.directory) }
                var package = try fetchArchive(release.tarball, what: "\(name) \(best)")
                package.entry = PackageLock.Entry(name: package.name, source: .hub(name: name, versions: [best.description]))
                package.pinned = best.description
                package.source = name
                package.version = best
                queue += try add(package, key: key)
            }
            changedHub = []
        }
    }

    /// Fetches exactly what a lock names, without following requirements: the lock lists them all.
    mutating func stage(locked entries: [PackageLock.Entry], base: URL) throws(PackagesError) {
        for entry in entries {
            var package: Staged
            switch entry.source {
            case .hub(let name, let versions):
                guard let version = versions.first.flatMap(SemanticVersion.init),
                      let release = try hub.releases(of: name).first(where: { $0.version == version }) else {
                    throw PackagesError(.unresolvable, "\(PackageLock.fileName) pins \(name) at \(versions.first ?? "?"), which the hub does not list",
                                        hint: "run `floe deps --upgrade` to resolve the versions again")
                }
                package = try fetchArchive(release.tarball, what: "\(name) \(version)")
                package.pinned = version.description
                package.source = name
            case .git(let url, let revision, let subdirectory):
                package = try fetchGit(url: url, revision: revision, subdirectory: subdirectory)
            case .local(let path):
                package = try local(path: path, directory: URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL, by: PackageLock.fileName)
            case .tarball(let url, let name):
                package = try fetchArchive(url, what: "package \(name)")
            }
            package.entry = PackageLock.Entry(name: package.name, source: entry.source)
            _ = try add(package, key: "\(order.count)")
        }
    }

    /// The packages in the order first asked for; two of one name are an error.
    func finished() throws(PackagesError) -> [Staged] {
        var byName: [String: String] = [:]
        for package in order.compactMap({ staged[$0] }) {
            if let other = byName.updateValue(package.source, forKey: package.name) {
                throw PackagesError(.unresolvable, "two packages install as '\(package.name)': \(other) and \(package.source)",
                                    hint: "list one of them only")
            }
        }
        return order.compactMap { staged[$0] }
    }

    // MARK: Fetching

    /// Records a staged package; returns what its own package list asks for.
    private mutating func add(_ package: Staged, key: String) throws(PackagesError) -> [(PackageRequirement, URL, String)] {
        if !order.contains(key) { order.append(key) }
        staged[key] = package
        let (listed, diagnostics) = PackagesFile.load(directory: package.directory, displayPrefix: "\(package.source) (\(package.name))/")
        guard !diagnostics.hasErrors else {
            throw PackagesError(.invalidSpec, "the package list of \(package.name) has errors", diagnostics: diagnostics)
        }
        return (listed?.requirements ?? []).map { ($0, package.directory, "\(package.name)'s packages.yml") }
    }

    private mutating func nextDirectory() -> URL {
        fetches += 1
        return staging.appendingPathComponent("fetch-\(fetches)")
    }

    private mutating func fetchGit(url: String, revision: String?, subdirectory: String?) throws(PackagesError) -> Staged {
        let clone = nextDirectory()
        // No terminal prompt: a repository that needs credentials fails instead of waiting.
        let quiet = ["GIT_TERMINAL_PROMPT": "0"]
        do {
            try ExternalTool.run("git", ["clone", "--quiet", url, clone.path], environment: quiet)
            if let revision { try ExternalTool.run("git", ["checkout", "--quiet", revision], in: clone, environment: quiet) }
        } catch {
            throw PackagesError(.tool, "cannot fetch \(url)\(revision.map { " at \($0)" } ?? ""): \(error.message)",
                                hint: "check the URL and the revision (a tag, a branch or a commit)")
        }
        let commit = try ExternalTool.run("git", ["rev-parse", "HEAD"], in: clone).trimmingCharacters(in: .whitespacesAndNewlines)
        try? FileManager.default.removeItem(at: clone.appendingPathComponent(".git"))
        let root = subdirectory.map { clone.appendingPathComponent($0) } ?? clone
        let name = try projectName(in: root, what: subdirectory.map { "\(url) (subdirectory \($0))" } ?? url)
        return Staged(name: name, directory: root, linked: false,
                      entry: PackageLock.Entry(name: name, source: .git(url: url, revision: commit, subdirectory: subdirectory)),
                      pinned: String(commit.prefix(7)), source: url, revision: revision)
    }

    private mutating func fetchArchive(_ url: String, what: String) throws(PackagesError) -> Staged {
        let directory = nextDirectory()
        let archive = directory.appendingPathExtension("tar.gz")
        let data = try HubClient.get(url, timeout: timeout, what: what)
        do {
            try data.write(to: archive)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw PackagesError(.files, "cannot keep the download of \(what): \(error.localizedDescription)")
        }
        do {
            try ExternalTool.run("tar", ["-xzf", archive.path, "-C", directory.path])
        } catch {
            throw PackagesError(.tool, "the download of \(what) (\(url)) is not a .tar.gz archive: \(error.message)")
        }
        // A release archive holds one folder (`dbt-utils-1.3.0/`): that is the package.
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }
        let root = entries.count == 1 ? directory.appendingPathComponent(entries[0]) : directory
        let name = try projectName(in: root, what: what)
        return Staged(name: name, directory: root, linked: false, entry: PackageLock.Entry(name: name, source: .tarball(url: url, name: name)),
                      pinned: "", source: url)
    }

    private func local(path: String, directory: URL, by: String) throws(PackagesError) -> Staged {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("dbt_project.yml").path) else {
            throw PackagesError(.unresolvable, "local package '\(path)' (\(by)) has no dbt_project.yml at \(directory.path)",
                                hint: "local paths are relative to the project that lists them")
        }
        let name = try projectName(in: directory, what: path)
        return Staged(name: name, directory: directory, linked: true, entry: PackageLock.Entry(name: name, source: .local(path: path)),
                      pinned: path, source: "local")
    }

    /// The `name` of the dbt_project.yml in `directory`: what the package installs as.
    private func projectName(in directory: URL, what: String) throws(PackagesError) -> String {
        let loaded = YAMLLoader().load(contentsOf: directory.appendingPathComponent("dbt_project.yml"), displayPath: "dbt_project.yml")
        guard let name = loaded.value?["name"]?.string, !name.isEmpty else {
            throw PackagesError(.unresolvable, "\(what) is not a dbt package: it has no dbt_project.yml with a `name`",
                                hint: "point at the repository (or `subdirectory:`) that holds the package's dbt_project.yml")
        }
        return name
    }
}
