import ArgumentParser
import FloeCompiler
import FloeCore
import Foundation

/// `floe clean`: removes what compiles and runs write beside floe.yaml, as dbt clean does.
struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Remove target/ (the plan, compiled SQL, run results, floe.log) beside the nearest floe.yaml.",
        discussion: "The warehouse (for SQLite, the files under .floe/) is data, not a build product: clean leaves it alone, "
            + "except the files of per-compile test namespaces ({uuid}), which no later compile can reach again.")

    @Option(help: ArgumentHelp("The data product's floe.yaml (default: the nearest floe.yaml here or in a directory above).",
                               valueName: "file"))
    var spec: String?

    func run() throws {
        guard let spec = spec ?? ProjectLocator.nearestSpec() else {
            Console.standardError.line("error: no floe.yaml here or in a directory above\n  hint: run in a data product's directory, or pass --spec PATH")
            throw FloeExit(.fileNotFound)
        }
        let target = URL(fileURLWithPath: CompileCommand.defaultOutput(forSpec: spec)).deletingLastPathComponent()
        let throwaway = Self.throwawayWarehouseFiles(beside: target.deletingLastPathComponent())
        for file in throwaway {
            do {
                try FileManager.default.removeItem(at: file)
            } catch {
                Console.standardError.line("error: cannot remove \(RelativePath.shown(file)): \(error.localizedDescription)")
                throw FloeExit(.failed)
            }
        }
        if !throwaway.isEmpty {
            let namespaces = Set(throwaway.map { Self.uuidPrefix(of: $0.lastPathComponent) })
            Console.standardOutput.line("removed the warehouse files of \(counted(namespaces.count, "per-compile test namespace")) under .floe/")
        }
        guard FileManager.default.fileExists(atPath: target.path) else {
            if throwaway.isEmpty { Console.standardOutput.line("nothing to clean: \(RelativePath.shown(target)) does not exist") }
            return
        }
        do {
            try FileManager.default.removeItem(at: target)
        } catch {
            Console.standardError.line("error: cannot remove \(RelativePath.shown(target)): \(error.localizedDescription)")
            throw FloeExit(.failed)
        }
        Console.standardOutput.line("removed \(RelativePath.shown(target))/")
    }

    /// The SQLite files (database, WAL, shared memory, lock) under `.floe/` beside floe.yaml whose
    /// names hold a UUID: the warehouses of `{uuid}` namespaces, fresh at each compile, so that
    /// nothing compiled later reads them again.
    static func throwawayWarehouseFiles(beside project: URL) -> [URL] {
        let directory = project.appendingPathComponent(".floe")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            [".db", ".db-wal", ".db-shm", ".db.lock", ".db-journal"].contains { name.hasSuffix($0) } && uuidRange(in: name) != nil
        }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// The name up to the end of its UUID, which the files of one namespace share.
    static func uuidPrefix(of name: String) -> String {
        uuidRange(in: name).map { String(name[..<$0.upperBound]) } ?? name
    }

    /// Where a lowercase canonical UUID (8-4-4-4-12 hex digits) stands in `name`.
    static func uuidRange(in name: String) -> Range<String.Index>? {
        name.range(of: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", options: .regularExpression)
    }
}
