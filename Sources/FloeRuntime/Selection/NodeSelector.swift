import FloeConnect
import FloeContract
import FloeCore
import Foundation

/// dbt's node selection syntax: `--select` and `--exclude` take space-separated selectors
/// (union); a selector joins criteria with `,` (intersection); a criterion is a node name (shell
/// wildcards allowed) or `method:value` (`tag:`, `path:`, `resource_type:`, `source:`,
/// `config.materialized:`, `test_type:`, `test_name:`), with graph operators `+name`
/// (ancestors), `name+` (descendants), `2+name`/`name+1` (to a depth) and `@name` (descendants
/// and their ancestors).
struct NodeSelector {
    /// What `--select` and `--exclude` come to.
    struct Resolution {
        /// The nodes to run, excluded ones taken out.
        var selected: Set<String>
        /// What `--exclude` named: a test is never run when it or a node it tests is here.
        var excluded: Set<String>
        /// A criterion that matched no node, with what it might have meant, as dbt warns.
        var warnings: [String]
        /// Which tests of selected nodes run without being selected themselves.
        var indirect: IndirectSelection = .eager
        /// The ancestors of the selected nodes (worked out for `buildable` only).
        var upstream: Set<String> = []

        /// Whether `test` runs: when it is selected itself, or when the nodes it tests are as
        /// `indirect` asks (eager: any of them, dbt's default), unless it, or a node it tests, was
        /// excluded or is in `unbuilt` (left alone by this run): it would test a table the run did
        /// not touch.
        func runs(_ test: CompiledTest, graph: PlanGraph, unbuilt: Set<String> = []) -> Bool {
            guard !excluded.contains(test.uniqueID), !test.dependsOn.contains(where: excluded.contains),
                  !test.dependsOn.contains(where: unbuilt.contains) else { return false }
            if selected.contains(test.uniqueID) { return true }
            // A source is never built, so selecting one does not pick its tests, nor is it waited for.
            let tested = test.dependsOn.filter { graph.byID[$0]?.type != .source }
            switch indirect {
            case .eager:
                return tested.contains(where: selected.contains)
            case .cautious:
                return !tested.isEmpty && tested.allSatisfy(selected.contains)
            case .buildable:
                return tested.contains(where: selected.contains) && tested.allSatisfy { selected.contains($0) || upstream.contains($0) }
            case .empty:
                return false
            }
        }
    }

    struct Invalid: Error, CustomStringConvertible {
        var selector: String
        var reason: String
        var description: String { "invalid selector '\(selector)': \(reason)" }
    }

    let graph: PlanGraph

    /// The nodes `select` picks (all when it is empty), minus those `exclude` picks.
    func resolve(select: [String], exclude: [String]) throws(Invalid) -> Set<String> {
        try resolution(select: select, exclude: exclude).selected
    }

    func resolution(select: [String], exclude: [String], indirect: IndirectSelection = .eager) throws(Invalid) -> Resolution {
        var warnings: [String] = []
        let everything = Set(graph.nodes.map(\.uniqueID))
        var chosen = select.isEmpty ? everything : try union(select, warnings: &warnings)
        let excluded = exclude.isEmpty ? [] : try union(exclude, warnings: &warnings)
        chosen.subtract(excluded)
        let upstream = indirect == .buildable
            ? chosen.reduce(into: Set<String>()) { $0.formUnion(graph.reachable(from: $1, upward: true, depth: nil)) } : []
        return Resolution(selected: chosen, excluded: excluded, warnings: warnings, indirect: indirect, upstream: upstream)
    }

    private func union(_ arguments: [String], warnings: inout [String]) throws(Invalid) -> Set<String> {
        var result: Set<String> = []
        for argument in arguments {
            for selector in argument.split(whereSeparator: \.isWhitespace) {
                result.formUnion(try intersection(String(selector), warnings: &warnings))
            }
        }
        return result
    }

    private func intersection(_ selector: String, warnings: inout [String]) throws(Invalid) -> Set<String> {
        var result: Set<String>?
        for criterion in selector.split(separator: ",", omittingEmptySubsequences: false) {
            guard !criterion.isEmpty else { throw Invalid(selector: selector, reason: "an empty criterion around ','") }
            let matched = try nodes(for: String(criterion))
            if matched.isEmpty { warnings.append(noMatch(String(criterion))) }
            result = result.map { $0.intersection(matched) } ?? matched
        }
        return result ?? []
    }

    /// dbt's warning for a criterion that matched nothing, with the closest name that exists.
    private func noMatch(_ criterion: String) -> String {
        let bare = criterion.trimmingCharacters(in: CharacterSet(charactersIn: "+@0123456789"))
        let (method, value) = bare.firstIndex(of: ":").map { (String(bare[..<$0]), String(bare[bare.index(after: $0)...])) }
            ?? ("fqn", bare)
        let candidates: [String] = switch method {
        case "tag": Array(Set(graph.nodes.flatMap(\.tags))).sorted()
        case "resource_type": PlanGraph.ResourceType.allCases.map(\.rawValue)
        case "test_type": ["singular", "generic", "unit"]
        case "exposure": graph.nodes.filter { $0.type == .exposure }.map(\.name)
        case "test_name": Array(Set(graph.nodes.compactMap(\.testName))).sorted()
        case "config.materialized": Materialization.allCases.map(\.rawValue)
        case "source": graph.nodes.compactMap(\.sourceName)
        case "path": Array(Set(graph.nodes.compactMap(\.path))).sorted()
        default: graph.nodes.map(\.name)
        }
        var message = "the selection criterion '\(criterion)' does not match any node"
        if let suggestion = Suggestions.closest(to: value, in: candidates) {
            message += "; did you mean '\(method == "fqn" ? "" : method + ":")\(suggestion)'?"
        }
        return message
    }

    private func nodes(for criterion: String) throws(Invalid) -> Set<String> {
        var text = Substring(criterion)
        var atOperator = false
        var ancestors: Int?? = .none
        var descendants: Int?? = .none
        if text.hasPrefix("@") {
            atOperator = true
            text = text.dropFirst()
        } else if let plus = text.firstIndex(of: "+"), text[..<plus].allSatisfy(\.isNumber),
                  !text[..<plus].contains(":") {
            let digits = text[..<plus]
            ancestors = .some(digits.isEmpty ? nil : Int(digits))
            text = text[text.index(after: plus)...]
        }
        if let plus = text.lastIndex(of: "+"), text[text.index(after: plus)...].allSatisfy(\.isNumber) {
            let digits = text[text.index(after: plus)...]
            descendants = .some(digits.isEmpty ? nil : Int(digits))
            text = text[..<plus]
        }
        guard !text.isEmpty else { throw Invalid(selector: criterion, reason: "no node name or method") }
        let base = try match(String(text), criterion: criterion)
        var result = base
        for id in base {
            if atOperator {
                let below = graph.reachable(from: id, upward: false, depth: nil)
                result.formUnion(below)
                for child in below.union([id]) { result.formUnion(graph.reachable(from: child, upward: true, depth: nil)) }
                continue
            }
            if case .some(let depth) = ancestors { result.formUnion(graph.reachable(from: id, upward: true, depth: depth)) }
            if case .some(let depth) = descendants { result.formUnion(graph.reachable(from: id, upward: false, depth: depth)) }
        }
        return result
    }

    private static let methods = ["tag", "path", "resource_type", "source", "exposure", "config.materialized", "fqn", "test_type", "test_name"]

    private func match(_ text: String, criterion: String) throws(Invalid) -> Set<String> {
        let method: String
        let value: String
        if let colon = text.firstIndex(of: ":") {
            method = String(text[..<colon])
            value = String(text[text.index(after: colon)...])
            guard Self.methods.contains(method) else {
                throw Invalid(selector: criterion, reason: "unknown method '\(method)'; use one of \(Self.methods.joined(separator: ", "))")
            }
            guard !value.isEmpty else { throw Invalid(selector: criterion, reason: "'\(method):' needs a value") }
        } else {
            method = "fqn"
            value = text
        }
        let matched: [PlanGraph.Node]
        switch method {
        case "tag":
            matched = graph.nodes.filter { $0.tags.contains { Self.glob(value, $0) } }
        case "path":
            let prefix = value.hasSuffix("/") ? String(value.dropLast()) : value
            matched = graph.nodes.filter { node in
                guard let path = node.path else { return false }
                let candidates = [path] + graph.projectRoots.filter { path.hasPrefix($0) }.map { String(path.dropFirst($0.count)) }
                return candidates.contains { $0 == prefix || $0.hasPrefix(prefix + "/") || Self.glob(prefix, $0) }
            }
        case "resource_type":
            matched = graph.nodes.filter { $0.type.rawValue == value }
        case "source":
            matched = graph.nodes.filter { node in
                guard let name = node.sourceName else { return false }
                return Self.glob(value, name) || Self.glob(value, String(name.prefix { $0 != "." }))
            }
        case "exposure":
            matched = graph.nodes.filter { $0.type == .exposure && Self.glob(value, $0.name) }
        case "config.materialized":
            matched = graph.nodes.filter { $0.materialized?.rawValue == value }
        case "test_type":
            // dbt's types: `singular` (a SQL file), `generic` (`data` is its older name) and `unit`.
            matched = graph.nodes.filter { node in
                guard let name = node.testName else { return false }
                switch value {
                case "singular": return name == "singular"
                case "unit": return name == "unit"
                default: return ["generic", "data"].contains(value) && name != "singular" && name != "unit"
                }
            }
        case "test_name":
            matched = graph.nodes.filter { node in node.testName.map { Self.glob(value, $0) } ?? false }
        default:
            // `dim_customers.v2` picks one version of a versioned model (its unique id ends so), as dbt selects it.
            let version = value.range(of: #"\.v[^.]+$"#, options: .regularExpression) != nil
            matched = graph.nodes.filter { Self.glob(value, $0.name) || $0.uniqueID == value || (version && $0.uniqueID.hasSuffix("." + value)) }
        }
        return Set(matched.map(\.uniqueID))
    }

    /// Shell wildcards (`stg_*`), as dbt allows in node names.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        guard pattern.contains(where: { "*?[".contains($0) }) else { return pattern == text }
        return fnmatch(pattern, text, 0) == 0
    }
}
