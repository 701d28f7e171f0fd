/// Since 2.2: dbt's enforced model contract (`contract: {enforced: true}`): the columns the model
/// promises, in the order its table is created with, each with its declared type, and the
/// constraints that table is created with. Apply checks the model's SQL yields exactly these
/// columns (by name, and by type where the engine can tell) before it builds.
public struct ModelContract: Codable, Sendable, Equatable {
    public var columns: [Column]
    /// Column constraints (each naming its one column) and model-level ones, as declared.
    public var constraints: [Constraint]

    public init(columns: [Column], constraints: [Constraint]) {
        self.columns = columns
        self.constraints = constraints
    }

    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        /// The type as the properties file wrote it (`data_type`), which the table is created with.
        public var dataType: String

        public init(name: String, dataType: String) {
            self.name = name
            self.dataType = dataType
        }

        enum CodingKeys: String, CodingKey {
            case name
            case dataType = "data_type"
        }
    }

    public struct Constraint: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case notNull = "not_null"
            case unique
            case primaryKey = "primary_key"
            case foreignKey = "foreign_key"
            case check
        }

        public var type: Kind
        /// The columns it constrains (a column constraint's own column); empty for a model-level check.
        public var columns: [String]
        /// dbt's `name`: the constraint's name in the table.
        public var name: String?
        /// A check's condition, or what a foreign key references (`schema.table (column)`).
        public var expression: String?

        public init(type: Kind, columns: [String], name: String? = nil, expression: String? = nil) {
            self.type = type
            self.columns = columns
            self.name = name
            self.expression = expression
        }
    }

    /// As a model's fingerprint feeds it (docs/contract.md): `contract `, each column as
    /// `name type` joined by `,`, `;`, each constraint as `type(columns)name=expression` joined by `;`.
    public var fingerprintPart: String {
        "contract " + columns.map { "\($0.name) \($0.dataType)" }.joined(separator: ",") + ";"
            + constraints.map { "\($0.type.rawValue)(\($0.columns.joined(separator: ",")))\($0.name ?? "")=\($0.expression ?? "")" }
                .joined(separator: ";")
    }
}

extension ModelContract: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("columns", columns, in: &object)
        writer.field("constraints", constraints, in: &object)
        writer.close(object)
    }
}

extension ModelContract.Column: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("data_type", dataType, in: &object)
        writer.field("name", name, in: &object)
        writer.close(object)
    }
}

extension ModelContract.Constraint: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("columns", columns, in: &object)
        writer.field("expression", expression, in: &object)
        writer.field("name", name, in: &object)
        writer.field("type", type.rawValue, in: &object)
        writer.close(object)
    }
}

extension ModelContract {
    /// A difference between the contract and the columns a model's SQL returns, as dbt reports it.
    public struct Mismatch: Sendable, Equatable {
        public var column: String
        /// The type the SQL gives it (nil when absent from the SQL, or when the engine cannot tell).
        public var definitionType: String?
        /// The type the contract gives it (nil when absent from the contract).
        public var contractType: String?
        /// dbt's words: `missing in definition`, `missing in contract` or `data type mismatch`.
        public var reason: String
    }

    /// How `found` (the SQL's columns, each with the engine's type when it can tell, in order)
    /// differs from the contract, whose types are given as the engine describes them in
    /// `declaredTypes` (by column; the contract's own words where absent). Names are compared as
    /// the engine folds unquoted identifiers, without regard to case; a type is compared only
    /// when both sides have one.
    public func mismatches(_ found: [(name: String, type: String?)], declaredTypes: [String: String] = [:]) -> [Mismatch] {
        var result: [Mismatch] = []
        let foundByName = Dictionary(found.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        let contracted = Set(columns.map { $0.name.lowercased() })
        for column in columns {
            let declared = declaredTypes[column.name] ?? column.dataType
            guard let sql = foundByName[column.name.lowercased()] else {
                result.append(Mismatch(column: column.name, definitionType: nil, contractType: declared, reason: "missing in definition"))
                continue
            }
            if let type = sql.type, declaredTypes[column.name] != nil, type.lowercased() != declared.lowercased() {
                result.append(Mismatch(column: column.name, definitionType: type, contractType: declared, reason: "data type mismatch"))
            }
        }
        for column in found where !contracted.contains(column.name.lowercased()) {
            result.append(Mismatch(column: column.name, definitionType: column.type, contractType: nil, reason: "missing in contract"))
        }
        return result
    }

    /// dbt's contract error: what failed, and a table of the mismatches.
    public static func describe(_ mismatches: [Mismatch], model: String) -> String {
        let rows = [["column_name", "definition_type", "contract_type", "mismatch_reason"]]
            + mismatches.map { [$0.column, $0.definitionType ?? "", $0.contractType ?? "", $0.reason] }
        let widths = (0..<4).map { index in rows.map { $0[index].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "| " + zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: " | ") + " |"
        }
        return "model '\(model)' has an enforced contract that failed: the name, data_type and number of its columns must match "
            + "the columns its SQL returns\n" + ([line(rows[0]), line(widths.map { String(repeating: "-", count: $0) })]
                + rows.dropFirst().map(line)).joined(separator: "\n")
    }
}
