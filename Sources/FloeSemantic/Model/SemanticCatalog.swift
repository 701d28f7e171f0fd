import FloeContract
import FloeCore

/// The plan's cubes by name, and the lookup of `Cube.member` names with did-you-mean.
public struct SemanticCatalog: Sendable {
    public let cubes: [CompiledCube]
    public let views: [CompiledView]
    private let byName: [String: CompiledCube]
    private let viewsByName: [String: CompiledView]

    public init(cubes: [CompiledCube], views: [CompiledView] = []) {
        self.cubes = cubes
        self.views = views
        var byName: [String: CompiledCube] = [:]
        for cube in cubes { byName[cube.name] = cube }
        self.byName = byName
        viewsByName = Dictionary(views.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func cube(named name: String) -> CompiledCube? { byName[name] }
    public func view(named name: String) -> CompiledView? { viewsByName[name] }

    /// What a member name must be where it is used.
    enum Kind: String {
        case measure, dimension, segment
        /// A dimension of type `time`.
        case timeDimension = "time dimension"
        /// A measure or a dimension (a filter's member).
        case measureOrDimension = "measure or dimension"
    }

    /// `Cube.member` resolved; the failure names what exists with did-you-mean.
    func member(_ path: String, as kind: Kind, at location: String) throws(SemanticError) -> MemberReference {
        let pieces = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty else {
            throw .badQuery("\(location): '\(path)' is not a member name; members are written Cube.member (e.g. \(example(kind)))")
        }
        guard let cube = byName[pieces[0]] else {
            if let view = viewsByName[pieces[0]] {
                let names = view.members.map(\.name)
                throw .badQuery("\(location): view '\(view.name)' has no member '\(pieces[1])'"
                    + hint(Suggestions.closest(to: pieces[1], in: names).map { "did you mean '\(view.name).\($0)'?" } ?? "its members: " + names.joined(separator: ", ")))
            }
            throw .badQuery("\(location): no cube or view named '\(pieces[0])'"
                + hint(Suggestions.didYouMean(pieces[0], in: cubes.map(\.name) + views.map(\.name))))
        }
        let name = pieces[1]
        if kind == .measure || kind == .measureOrDimension, let measure = cube.measures.first(where: { $0.name == name }) {
            return MemberReference(cube: cube, member: .measure(measure))
        }
        if kind != .measure, kind != .segment, let dimension = cube.dimensions.first(where: { $0.name == name }) {
            if kind == .timeDimension, dimension.type != "time" {
                throw .badQuery("\(location): '\(path)' is a \(dimension.type) dimension, not a time dimension")
            }
            return MemberReference(cube: cube, member: .dimension(dimension))
        }
        if kind == .segment, let segment = cube.segments.first(where: { $0.name == name }) {
            return MemberReference(cube: cube, member: .segment(segment))
        }
        let candidates: [String] = switch kind {
        case .measure: cube.measures.map(\.name)
        case .dimension: cube.dimensions.map(\.name)
        case .timeDimension: cube.dimensions.filter { $0.type == "time" }.map(\.name)
        case .segment: cube.segments.map(\.name)
        case .measureOrDimension: cube.measures.map(\.name) + cube.dimensions.map(\.name)
        }
        let other = (cube.measures.map(\.name) + cube.dimensions.map(\.name) + cube.segments.map(\.name)).contains(name)
        let message = other ? "'\(path)' is not a \(kind.rawValue)" : "cube '\(cube.name)' has no \(kind.rawValue) '\(name)'"
        let suggestion = Suggestions.closest(to: name, in: candidates).map { "did you mean '\(cube.name).\($0)'?" }
        let known = candidates.isEmpty ? "it has none" : "its \(kind.rawValue)s: " + candidates.map { "\(cube.name).\($0)" }.joined(separator: ", ")
        throw .badQuery("\(location): \(message)" + hint(suggestion ?? known))
    }

    private func hint(_ text: String?) -> String { text.map { "; \($0)" } ?? "" }

    private func example(_ kind: Kind) -> String {
        switch kind {
        case .measure, .measureOrDimension: "Orders.count"
        case .dimension: "Orders.status"
        case .timeDimension: "Orders.created_at"
        case .segment: "Orders.completed"
        }
    }
}

/// A member of a cube, found.
struct MemberReference {
    enum Member {
        case measure(CubeMeasure)
        case dimension(CubeDimension)
        case segment(CubeSegment)
    }

    let cube: CompiledCube
    let member: Member

    var name: String {
        switch member {
        case .measure(let measure): measure.name
        case .dimension(let dimension): dimension.name
        case .segment(let segment): segment.name
        }
    }

    /// `Cube.member`.
    var path: String { cube.name + "." + name }
}
