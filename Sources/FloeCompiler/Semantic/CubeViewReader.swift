import FloeContract
import FloeCore
import FloeYAML
import Foundation

/// Cube views as read from the files, resolved against every cube once all files are read:
/// each `join_path` must follow joins the cubes declare from the view's first cube, each included
/// member must exist, and no two members may end up with one name.
enum CubeViewReader {
    /// A view as written, with where its parts are, for messages.
    struct ReadView {
        var name: String
        var title: String?
        var description: String?
        var isPublic: Bool
        var cubes: [Part]
        var file: String
        var path: String
        var location: SourceLocation
        var planPath: String

        struct Part {
            var joinPath: String
            /// nil: every public member (`includes: "*"` or none given).
            var includes: [Included]?
            var excludes: [String]
            var prefix: Bool
            var alias: String?
            var location: SourceLocation
            var path: String
        }

        struct Included {
            var name: String
            var alias: String?
            var title: String?
            var location: SourceLocation
        }
    }

    static func read(_ value: YAMLValue, path: String, file: String, planPath: String, diagnostics: inout [Diagnostic]) -> ReadView {
        let parts = (value["cubes"]?.items ?? []).enumerated().map { index, item -> ReadView.Part in
            let partPath = "\(path).cubes[\(index)]"
            var includes: [ReadView.Included]?
            if let given = item["includes"], given.scalarText != "*" {
                if let items = given.items {
                    includes = items.compactMap { entry in
                        if let name = entry.scalarText { return ReadView.Included(name: name, location: entry.location) }
                        if let name = entry["name"]?.scalarText {
                            return ReadView.Included(name: name, alias: entry["alias"]?.scalarText, title: entry["title"]?.scalarText, location: entry.location)
                        }
                        diagnostics.append(.error(at: entry.location, path: partPath + ".includes", "expected a member name or {name, alias, title}",
                                                  hint: "write includes: [status, {name: count, alias: order_count}]"))
                        return nil
                    }
                } else {
                    diagnostics.append(.error(at: given.location, path: partPath + ".includes",
                                              "expected \"*\" or a list of members, found \(given.kindDescription)", hint: "write includes: \"*\""))
                }
            }
            return ReadView.Part(
                joinPath: item["join_path"]?.scalarText ?? "", includes: includes,
                excludes: (item["excludes"]?.items ?? []).compactMap(\.scalarText), prefix: item["prefix"]?.bool ?? false,
                alias: item["alias"]?.scalarText, location: item["join_path"]?.location ?? item.location, path: partPath)
        }
        return ReadView(
            name: value["name"]?.scalarText ?? "", title: value["title"]?.scalarText, description: value["description"]?.scalarText,
            isPublic: value["public"]?.bool ?? value["shown"]?.bool ?? true, cubes: parts, file: file, path: path,
            location: value.location, planPath: planPath)
    }

    /// The views with their members resolved, and every problem found.
    static func resolve(_ views: [ReadView], cubes: [CompiledCube], unreadable: Set<String>) -> (views: [CompiledView], diagnostics: [Diagnostic]) {
        let byName = Dictionary(cubes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var diagnostics: [Diagnostic] = []
        var resolved: [CompiledView] = []
        var seen: [String: String] = [:]
        for view in views {
            func error(_ location: SourceLocation, _ path: String, _ message: String, hint: String? = nil) {
                diagnostics.append(.error(at: location, path: path, message, hint: hint))
            }
            if byName[view.name] != nil {
                error(view.location, view.path, "view '\(view.name)' has the name of a cube", hint: "give the view its own name")
            } else if let other = seen[view.name] {
                error(view.location, view.path, "view '\(view.name)' is already defined in \(other)", hint: "give each view its own name")
            }
            seen[view.name] = view.file
            var members: [ViewMember] = []
            var owners: [String: String] = [:]
            var root: String?
            for part in view.cubes {
                let path = part.joinPath.split(separator: ".").map(String.init)
                guard !path.isEmpty else { continue }
                if path.contains(where: { unreadable.contains($0) }) { continue }
                if let missing = path.first(where: { byName[$0] == nil }) {
                    error(part.location, part.path + ".join_path", "join_path '\(part.joinPath)' names no cube '\(missing)'",
                          hint: Suggestions.didYouMean(missing, in: byName.keys))
                    continue
                }
                if let broken = zip(path, path.dropFirst()).first(where: { from, to in !(byName[from]?.joins.contains { $0.name == to } ?? false) }) {
                    error(part.location, part.path + ".join_path", "join_path '\(part.joinPath)': cube '\(broken.0)' has no join to '\(broken.1)'",
                          hint: "a join path follows the joins the cubes declare, in their direction")
                    continue
                }
                if let root, root != path[0] {
                    error(part.location, part.path + ".join_path", "join_path '\(part.joinPath)' starts at '\(path[0])', and the view's first path at '\(root)'",
                          hint: "every join path of a view starts at the same cube")
                    continue
                }
                root = root ?? path[0]
                guard let cube = path.last.flatMap({ byName[$0] }) else { continue }
                let available = cube.measures.filter(\.isPublic).map(\.name) + cube.dimensions.filter(\.isPublic).map(\.name) + cube.segments.map(\.name)
                let all = cube.measures.map(\.name) + cube.dimensions.map(\.name) + cube.segments.map(\.name)
                let included = part.includes ?? available.map { ReadView.Included(name: $0, location: part.location) }
                for member in included where !part.excludes.contains(member.name) {
                    guard all.contains(member.name) else {
                        error(member.location, part.path + ".includes", "'\(member.name)' is no member of cube '\(cube.name)'",
                              hint: Suggestions.didYouMean(member.name, in: all))
                        continue
                    }
                    let base = member.alias ?? member.name
                    let name = part.prefix ? "\(part.alias ?? cube.name)_\(base)" : base
                    if let owner = owners[name] {
                        error(member.location, part.path + ".includes", "view '\(view.name)' has two members named '\(name)' (from \(owner) and \(cube.name))",
                              hint: "set prefix: true, or give one an alias")
                        continue
                    }
                    owners[name] = cube.name
                    members.append(ViewMember(name: name, member: "\(cube.name).\(member.name)", joinPath: path, title: member.title))
                }
                for excluded in part.excludes where !all.contains(excluded) {
                    error(part.location, part.path + ".excludes", "'\(excluded)' is no member of cube '\(cube.name)'",
                          hint: Suggestions.didYouMean(excluded, in: all))
                }
            }
            resolved.append(CompiledView(name: view.name, path: view.planPath, title: view.title, description: view.description,
                                         isPublic: view.isPublic, members: members))
        }
        return (resolved.sorted { $0.name < $1.name }, diagnostics)
    }
}
