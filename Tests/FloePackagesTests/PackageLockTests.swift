@testable import FloeCompiler
import FloeCore
import FloePackageSpec
@testable import FloePackages
import Foundation
import Testing

/// `package-lock.yml` as dbt writes it: read back as written, its hash independent of the
/// package list's order, and local packages installed (and their own packages after them)
/// without a network.
@Suite struct PackageLockTests {
    static func requirement(_ source: PackageRequirement.Source, line: String) -> PackageRequirement {
        PackageRequirement(source: source, location: .file("packages.yml"), lockLine: line)
    }

    @Test func aLockIsReadBackAsItWasWritten() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let lock = PackageLock(entries: [
            .init(name: "dbt_utils", source: .hub(name: "dbt-labs/dbt_utils", versions: ["1.3.0"])),
            .init(name: "audit", source: .git(url: "https://example.com/audit.git", revision: "0123abcd", subdirectory: "pkg dir")),
            .init(name: "local_macros", source: .local(path: "../macros: shared")),
        ], sha1: "5c8f27a6d5d4b5fa4a2d2c38e1e2d6c1a9b3f0e1")
        try Data(lock.yaml.utf8).write(to: directory.appendingPathComponent(PackageLock.fileName))
        #expect(PackageLock.read(in: directory) == lock, "\(lock.yaml)")
        try Data("packages: [{name: x}]\nsha1_hash: abc\n".utf8).write(to: directory.appendingPathComponent(PackageLock.fileName))
        #expect(PackageLock.read(in: directory) == nil, "an entry of no known kind: resolved again")
    }

    @Test func theHashIsOfTheListNotItsOrder() {
        let utils = Self.requirement(.hub(name: "dbt-labs/dbt_utils", versions: [">=1.0.0"]), line: #"{"package": "dbt-labs/dbt_utils"}"#)
        let local = Self.requirement(.local(path: "../shared"), line: #"{"local": "../shared"}"#)
        #expect(PackageLock.hash([utils, local]) == PackageLock.hash([local, utils]))
        #expect(PackageLock.hash([utils]) != PackageLock.hash([utils, local]))
        #expect(PackageLock.hash([utils]).count == 40, "SHA-1, as dbt writes it")
    }

    @Test func localPackagesAndTheirOwnAreInstalledAndLocked() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("floe-deps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        func write(_ path: String, _ text: String) throws {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try write("project/dbt_project.yml", "name: shop\n")
        try write("project/packages.yml", "packages:\n  - local: ../first\n")
        try write("first/dbt_project.yml", "name: first\n")
        try write("first/packages.yml", "packages:\n  - local: ../second\n")
        try write("second/dbt_project.yml", "name: second\n")
        let report = try PackageInstaller.install(project: root.appendingPathComponent("project"), displayPrefix: "",
                                                  options: .init(hubURL: "http://127.0.0.1:9", timeout: 2))
        #expect(report.installed.map(\.name).sorted() == ["first", "second"])
        #expect(report.lockWritten)
        let lock = try #require(PackageLock.read(in: root.appendingPathComponent("project")))
        #expect(lock.entries.map(\.name).sorted() == ["first", "second"])
        let again = try PackageInstaller.install(project: root.appendingPathComponent("project"), displayPrefix: "",
                                                 options: .init(hubURL: "http://127.0.0.1:9", timeout: 2))
        #expect(again.fromLock, "the lock decides while packages.yml hashes the same")
    }
}
