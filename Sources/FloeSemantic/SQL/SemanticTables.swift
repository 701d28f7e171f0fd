import FloeContract

/// The cubes and views as SQL clients see them, as Cube's SQL API shows them: every public cube
/// and view a table, its public dimensions, measures and segments its columns (in that order),
/// minus what the security context's access policies hide.
public struct SemanticTables: Sendable {
    public struct Table: Sendable {
        public var name: String
        public var isView: Bool
        public var description: String?
        public var columns: [Column]

        public func column(_ name: String) -> Column? { columns.first { $0.name == name } }
    }

    public struct Column: Sendable {
        public enum Kind: Sendable, Equatable {
            /// A dimension of Cube's type (`string`, `number`, `time`, `boolean`).
            case dimension(type: String)
            /// A measure of Cube's type (`count`, `sum`, …).
            case measure(type: String)
            /// A segment: a boolean column only WHERE reads.
            case segment
        }

        public var name: String
        /// `Cube.member` (or `View.member`) as a Cube query names it.
        public var member: String
        public var kind: Kind
        public var description: String?

        /// Cube's value type: `number` for measures, the dimension's type, `boolean` for segments.
        public var valueType: String {
            switch kind {
            case .dimension(let type): type
            case .measure: "number"
            case .segment: "boolean"
            }
        }
    }

    public let tables: [Table]
    private let byName: [String: Int]

    public init(catalog: SemanticCatalog, security: SecurityContext?) {
        let access = security.map { AccessControl(catalog: catalog, context: $0) }
        var tables: [Table] = []
        for cube in catalog.cubes where cube.isPublic && (access?.canSee(cube) ?? true) {
            func visible(_ name: String) -> Bool { access?.canUse("\(cube.name).\(name)") ?? true }
            var columns: [Column] = []
            for dimension in cube.dimensions where dimension.isPublic && visible(dimension.name) {
                columns.append(Column(name: dimension.name, member: "\(cube.name).\(dimension.name)", kind: .dimension(type: dimension.type),
                                      description: dimension.description))
            }
            for measure in cube.measures where measure.isPublic && visible(measure.name) {
                columns.append(Column(name: measure.name, member: "\(cube.name).\(measure.name)", kind: .measure(type: measure.type),
                                      description: measure.description))
            }
            for segment in cube.segments where visible(segment.name) {
                columns.append(Column(name: segment.name, member: "\(cube.name).\(segment.name)", kind: .segment))
            }
            tables.append(Table(name: cube.name, isView: false, description: cube.description, columns: columns))
        }
        for view in catalog.views where view.isPublic {
            var columns: [Column] = []
            for member in view.members where access?.canUse(member.member) ?? true {
                guard let reference = (try? catalog.member(member.member, as: .measureOrDimension, at: ""))
                    ?? (try? catalog.member(member.member, as: .segment, at: "")) else { continue }
                let kind: Column.Kind = switch reference.member {
                case .measure(let measure): .measure(type: measure.type)
                case .dimension(let dimension): .dimension(type: dimension.type)
                case .segment: .segment
                }
                columns.append(Column(name: member.name, member: "\(view.name).\(member.name)", kind: kind))
            }
            tables.append(Table(name: view.name, isView: true, description: view.description, columns: columns))
        }
        self.tables = tables
        var byName: [String: Int] = [:]
        for (index, table) in tables.enumerated() where byName[table.name] == nil { byName[table.name] = index }
        self.byName = byName
    }

    public func table(_ name: String) -> Table? { byName[name].map { tables[$0] } }
}
