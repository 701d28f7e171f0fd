import FloeContract

/// A query that names view members (`OrdersView.status`) restated over the cubes
/// (`Orders.status`), with the names to give the answer's columns back and the cube every
/// member of the view is reached from: a view's rows are its first cube's, joined along the
/// view's join paths, whichever of its members a query asks for.
struct ViewTranslation {
    var query: CubeQuery
    /// `Cube.member` → the `View.member` the query used.
    var viewNames: [String: String] = [:]
    /// The view's first cube, when the query uses a view.
    var root: String?

    init(_ original: CubeQuery, catalog: SemanticCatalog) throws(SemanticError) {
        query = original
        guard !catalog.views.isEmpty else { return }
        var names: [String: String] = [:]
        var roots: Set<String> = []
        func map(_ name: String) -> String {
            let pieces = name.split(separator: ".", maxSplits: 1).map(String.init)
            guard pieces.count == 2, catalog.cube(named: pieces[0]) == nil, let view = catalog.view(named: pieces[0]),
                  let member = view.members.first(where: { $0.name == pieces[1] }) else { return name }
            names[member.member] = name
            if let first = member.joinPath.first { roots.insert(first) }
            return member.member
        }
        func mapFilter(_ filter: QueryFilter) -> QueryFilter {
            switch filter {
            case .member(let name, let operation, let values): .member(map(name), operation, values)
            case .and(let children): .and(children.map(mapFilter))
            case .or(let children): .or(children.map(mapFilter))
            }
        }
        query.measures = query.measures.map(map)
        query.dimensions = query.dimensions.map(map)
        query.segments = query.segments.map(map)
        query.timeDimensions = query.timeDimensions.map { time in
            var time = time
            time.dimension = map(time.dimension)
            return time
        }
        query.filters = query.filters.map(mapFilter)
        query.order = query.order.map { term in
            var term = term
            let pieces = term.member.split(separator: ".").map(String.init)
            // `View.member.granularity` keeps its granularity.
            if pieces.count == 3 {
                term.member = map(pieces[0] + "." + pieces[1]) + "." + pieces[2]
            } else {
                term.member = map(term.member)
            }
            return term
        }
        guard roots.count <= 1 else {
            throw .badQuery("the query uses views with different first cubes (\(roots.sorted().joined(separator: ", "))); query one view at a time")
        }
        viewNames = names
        root = roots.first
    }

    /// The answer's columns named as the query named them.
    func rename(_ generated: GeneratedQuery) -> GeneratedQuery {
        guard !viewNames.isEmpty else { return generated }
        var renamed = generated
        renamed.columns = generated.columns.map { column in
            guard let name = viewNames[column.member] else { return column }
            var column = column
            column.member = name
            return column
        }
        return renamed
    }
}
