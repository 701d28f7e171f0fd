/// A CSV file loaded as a table.
public struct CompiledSeed: Codable, Sendable, Equatable {
    public var uniqueID: String
    public var name: String
    /// Relative to the directory of floe.yaml.
    public var path: String
    public var relation: Relation
    public var columns: [ColumnSpec]
    public var sha256: String
    public var tags: [String]

    public init(
        uniqueID: String, name: String, path: String, relation: Relation, columns: [ColumnSpec],
        sha256: String, tags: [String] = []
    ) {
        self.uniqueID = uniqueID
        self.name = name
        self.path = path
        self.relation = relation
        self.columns = columns
        self.sha256 = sha256
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case uniqueID = "unique_id"
        case name, path, relation, columns, sha256, tags
    }
}
