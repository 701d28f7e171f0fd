/// A table that exists before the run (loaded by someone else, or generated synthetic data).
public struct CompiledSource: Codable, Sendable, Equatable {
    public var uniqueID: String
    public var sourceName: String
    public var name: String
    public var relation: Relation
    public var columns: [ColumnSpec]

    public init(uniqueID: String, sourceName: String, name: String, relation: Relation, columns: [ColumnSpec] = []) {
        self.uniqueID = uniqueID
        self.sourceName = sourceName
        self.name = name
        self.relation = relation
        self.columns = columns
    }

    enum CodingKeys: String, CodingKey {
        case uniqueID = "unique_id"
        case sourceName = "source_name"
        case name, relation, columns
    }
}
