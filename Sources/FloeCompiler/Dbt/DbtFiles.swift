#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One file of the dbt project, with the three ways it is named.
struct ProjectFile: Sendable {
    /// The file system path, for reading.
    var path: String
    /// Relative to the directory of dbt_project.yml: `models/staging/stg_orders.sql`.
    var relative: String
    /// As messages print it (relative to where floe was run, like the spec path the user gave).
    var display: String
    /// As the plan records it: relative to the directory of floe.yaml.
    var planPath: String
    /// Folders between the resource path and the file: `["staging"]`.
    var folders: [String]
    /// The file name without its extension: the node's name.
    var stem: String
    /// The dbt project the file belongs to: the root project's name, or an installed package's.
    var package: String
    /// A snapshot (`{% snapshot %}` in the snapshot paths), compiled as a model is.
    var isSnapshot = false
    /// The template of a node defined in YAML rather than in a file of its own (a snapshot's
    /// `relation:`); `path` is then the YAML file's.
    var inlineSource: String?
}

/// Every file of a dbt project that floe reads, found under the paths dbt_project.yml names.
struct DbtFiles {
    var models: [ProjectFile] = []
    var pythonModels: [ProjectFile] = []
    var seeds: [ProjectFile] = []
    var singularTests: [ProjectFile] = []
    /// Macro files, and generic test files under `tests/generic/`.
    var macros: [ProjectFile] = []
    var properties: [ProjectFile] = []
    /// Markdown files, for their `{% docs %}` blocks (dbt reads them from every resource path).
    var docs: [ProjectFile] = []
    /// Unit test fixtures (`fixture: name`), under a test path's `fixtures/`: `.csv` and `.sql` files.
    var fixtures: [ProjectFile] = []
    /// Snapshot and analysis files, which floe does not build yet: only counted.
    var snapshots: [ProjectFile] = []
    var analyses: [ProjectFile] = []

    /// `displayPrefix` and `planPrefix` are the project directory as messages and the plan name it,
    /// each empty or ending in `/`.
    init() {}

    /// Adds another project's files (an installed package's) after these.
    mutating func append(_ other: DbtFiles) {
        models += other.models
        pythonModels += other.pythonModels
        seeds += other.seeds
        singularTests += other.singularTests
        macros += other.macros
        properties += other.properties
        docs += other.docs
        fixtures += other.fixtures
        snapshots += other.snapshots
        analyses += other.analyses
    }

    init(project: DbtProjectFile, root: URL, displayPrefix: String, planPrefix: String) {
        let rootPath = root.path
        let package = project.name
        func scan(_ paths: [String], _ handle: (ProjectFile, String) -> Void) {
            for base in paths {
                let relatives = Shared(value: Self.files(under: root.appendingPathComponent(base)))
                // Named on every core: a model path holds thousands of files.
                let named = Parallel.map(count: relatives.value.count) {
                    { Self.file(relatives.value[$0], base: base, rootPath: rootPath, displayPrefix: displayPrefix, planPrefix: planPrefix,
                                package: package) }
                }
                for (file, fileExtension) in named { handle(file, fileExtension) }
            }
        }
        scan(project.modelPaths) { file, fileExtension in
            switch fileExtension {
            case "sql": models.append(file)
            case "py": pythonModels.append(file)
            case "yml", "yaml": properties.append(file)
            case "md": docs.append(file)
            default: break
            }
        }
        scan(project.seedPaths) { file, fileExtension in
            switch fileExtension {
            case "csv": seeds.append(file)
            case "yml", "yaml": properties.append(file)
            case "md": docs.append(file)
            default: break
            }
        }
        scan(project.testPaths) { file, fileExtension in
            if file.folders.first == "fixtures" {
                if fileExtension == "sql" || fileExtension == "csv" { fixtures.append(file) }
                return
            }
            guard fileExtension == "sql" else { return }
            if file.folders.first == "generic" { macros.append(file) } else { singularTests.append(file) }
        }
        scan(project.snapshotPaths) { file, fileExtension in
            switch fileExtension {
            case "sql":
                var snapshot = file
                snapshot.isSnapshot = true
                snapshots.append(snapshot)
            case "yml", "yaml": properties.append(file)
            default: break
            }
        }
        scan(project.analysisPaths) { file, fileExtension in
            if fileExtension == "sql" { analyses.append(file) }
        }
        scan(project.macroPaths) { file, fileExtension in
            switch fileExtension {
            case "sql": macros.append(file)
            case "yml", "yaml": properties.append(file)
            case "md": docs.append(file)
            default: break
            }
        }
    }

    /// The file at `relative` (to the resource path `base`) and its extension, lower-cased.
    /// Built from UTF-8 bytes: by Character and String.append, 10,000 paths cost more than
    /// reading the files.
    private static func file(_ relative: [UInt8], base: String, rootPath: String, displayPrefix: String,
                             planPrefix: String, package: String) -> (ProjectFile, String) {
        let parts = relative.split(separator: UInt8(ascii: "/"))
        let name = parts.last!
        // After the last dot, as NSString's pathExtension (a leading dot starts no extension).
        let dot = name.lastIndex(of: UInt8(ascii: ".")).flatMap { $0 > name.startIndex ? $0 : nil }
        let fileExtension = dot.map { String(decoding: name[name.index(after: $0)...], as: UTF8.self).lowercased() } ?? ""
        let projectRelative = concatenated(Array(base.utf8), [UInt8(ascii: "/")], relative)
        let file = ProjectFile(
            path: string(rootPath.utf8, [UInt8(ascii: "/")], projectRelative),
            relative: string(projectRelative),
            display: string(displayPrefix.utf8, projectRelative),
            planPath: string(planPrefix.utf8, projectRelative),
            folders: parts.dropLast().map { String(decoding: $0, as: UTF8.self) },
            stem: String(decoding: dot.map { name[..<$0] } ?? name, as: UTF8.self), package: package)
        return (file, fileExtension)
    }

    /// Every regular file under `directory`, relative to it as UTF-8 bytes, sorted by those bytes;
    /// hidden files and folders skipped. Uses `readdir` and its entry types: Foundation's per-file
    /// `fileExists` is slow over 10,000 files.
    static func files(under directory: URL) -> [[UInt8]] {
        var result: [[UInt8]] = []
        func walk(_ path: String, _ prefix: [UInt8]) {
            guard let handle = opendir(path) else { return }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
                guard name.first != UInt8(ascii: ".") else { continue }
                var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
                if entry.pointee.d_type == UInt8(DT_UNKNOWN) || entry.pointee.d_type == UInt8(DT_LNK) {
                    var info = stat()
                    guard stat(string(path.utf8, [UInt8(ascii: "/")], name), &info) == 0 else { continue }
                    isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
                }
                if isDirectory {
                    walk(string(path.utf8, [UInt8(ascii: "/")], name), prefix + name + [UInt8(ascii: "/")])
                } else {
                    result.append(prefix + name)
                }
            }
        }
        walk(directory.path, [])
        return result.sorted { left, right in
            let common = min(left.count, right.count)
            let order = common == 0 ? 0 : left.withUnsafeBufferPointer { l in right.withUnsafeBufferPointer { r in memcmp(l.baseAddress!, r.baseAddress!, common) } }
            return order != 0 ? order < 0 : left.count < right.count
        }
    }

    private static func concatenated(_ parts: [UInt8]...) -> [UInt8] {
        parts.reduce(into: []) { $0 += $1 }
    }

    /// The parts one after another, as a string made in one allocation.
    private static func string<Prefix: Collection<UInt8>>(_ prefix: Prefix, _ parts: [UInt8]...) -> String {
        let count = parts.reduce(prefix.count) { $0 + $1.count }
        return String(unsafeUninitializedCapacity: count) { buffer in
            var position = buffer.initialize(fromContentsOf: prefix)
            for part in parts {
                position = buffer[position...].initialize(fromContentsOf: part)
            }
            return position
        }
    }
}
