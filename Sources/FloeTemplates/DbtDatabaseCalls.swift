import FloeJinja
import FloeContract
import FloeCore
import FloeEngine

/// How a template's calls that need the database are answered: `run_query`, `statement` and
/// `load_result`, `adapter.get_columns_in_relation`, `adapter.get_relation`, `load_relation`,
/// `adapter.execute`.
public enum DatabaseAccess {
    /// At compile: such a call stops the rendering, and the model is rendered at apply time.
    case deferred
    /// dbt's parse (`execute` is false): the calls answer nothing, so a template can still name
    /// what it refers to.
    case none
    /// At apply: the calls run on this connection, after the model's upstream is built.
    case live(any EngineConnection)
}

extension DatabaseAccess {
    var answersNothing: Bool {
        if case .none = self { return true }
        return false
    }
}

extension DbtRenderContext {
    /// The connection to run a call on; nil while parsing; at compile, a stop.
    private func connection(for call: String, at location: SourceLocation) throws(TemplateError) -> (any EngineConnection)? {
        switch databaseAccess {
        case .live(let connection): return connection
        case .none: return nil
        case .deferred:
            throw .needingDatabase("\(call) needs the database", at: location)
        }
    }

    /// The calls, as globals; the adapter's members are in ``adapterDatabaseMembers()``.
    func databaseBuiltins() -> [String: JinjaValue] {
        func function(_ name: String, _ body: @escaping JinjaCallable.Body) -> JinjaValue {
            .callable(JinjaCallable(name, body))
        }
        return [
            "run_query": function("run_query") { [unowned self] arguments, keywords, context in
                let sql = arguments.first?.rendered ?? keywords.first { $0.0 == "sql" }?.1.rendered ?? ""
                guard let connection = try self.connection(for: "run_query()", at: context.location) else { return .none }
                return try Self.table(self.run(sql, on: connection, at: context.location))
            },
            // `{% call statement('name', fetch_result=True) %}select …{% endcall %}`, then `load_result('name')`.
            "statement": function("statement") { [unowned self] arguments, keywords, context in
                let name = arguments.first?.rendered ?? keywords.first { $0.0 == "name" }?.1.rendered ?? "statement"
                let fetch = (arguments.count > 1 ? arguments[1] : keywords.first { $0.0 == "fetch_result" }?.1)?.isTruthy ?? false
                guard case .callable(let caller)? = keywords.first(where: { $0.0 == "caller" })?.1 else {
                    throw TemplateError("statement() is called as a block: {% call statement('name') %}…{% endcall %}", at: context.location)
                }
                guard let connection = try self.connection(for: "statement('\(name)')", at: context.location) else { return .string("") }
                let sql = try caller.body([], [], context).rendered
                let result = fetch ? try self.run(sql, on: connection, at: context.location) : nil
                if result == nil { _ = try self.execute(sql, on: connection, at: context.location) }
                self.statementResults[name] = .dict([
                    ("response", .dict([("code", .string(fetch ? "SELECT" : "OK")), ("rows_affected", .integer(result?.rows.count ?? 0))])),
                    ("data", .list((result?.rows ?? []).map { .list($0.map(Self.value)) })),
                    ("table", try result.map(Self.table) ?? .none),
                ])
                return .string("")
            },
            "load_result": function("load_result") { [unowned self] arguments, _, _ in
                self.statementResults[arguments.first?.rendered ?? ""] ?? .none
            },
            // A unit test (``UnitTestSQL``), written once its inputs exist: the template floe makes
            // for it passes the inputs' relations; the rest is under the node's `floe_unit_test`.
            // `model_sql=` is the model's SQL rendered now (a model rendered at apply time), whose
            // inputs' relations are named for their fixtures here.
            "floe_unit_test": function("floe_unit_test") { [unowned self] arguments, keywords, context in
                guard let connection = try self.connection(for: "a unit test", at: context.location) else { return .string("") }
                guard case .dict(let node)? = self.environment.globals["model"], let spec = node["floe_unit_test"].map(ConfigInput.init),
                      case .map(let parts) = spec, case .string(var model)? = parts["model_sql"], case .list(let given)? = parts["given"],
                      let expect = parts["expect"], case .list(let inputs)? = arguments.first else {
                    throw TemplateError("floe_unit_test() is floe's own, for the unit tests it writes", at: context.location)
                }
                let rendered = keywords.first { $0.0 == "model_sql" }?.1.rendered
                if let rendered { model = rendered.trimmingCharacters(in: .whitespacesAndNewlines) }
                var selects: [String] = []
                for (position, (fixture, input)) in zip(given, inputs.items).enumerated() {
                    guard case .dict(let relation) = input else { continue }
                    let target = Relation(schema: relation["schema"]?.rendered ?? "", name: relation["identifier"]?.rendered ?? "")
                    if rendered != nil {
                        model = model.replacingOccurrences(of: self.inputs.dialect.relation(schema: target.schema, name: target.name),
                                                           with: UnitTestSQL.inputName(position))
                    }
                    let columns: [ColumnSpec]
                    do {
                        columns = try connection.columns(of: target)
                    } catch {
                        throw TemplateError("cannot read the columns of \(target): \(Self.message(error))", at: context.location,
                                            hint: "build the unit test's inputs first (dbt build runs them in order)")
                    }
                    selects.append(try UnitTestSQL.given(UnitTestSQL.Fixture(fixture, at: context.location), columns: columns,
                                                         dialect: self.inputs.dialect, input: target.description, at: context.location))
                }
                return .string(try UnitTestSQL.sql(model: model, given: selects, expect: UnitTestSQL.Fixture(expect, at: context.location),
                                                   dialect: self.inputs.dialect, at: context.location))
            },
            "load_relation": function("load_relation") { [unowned self] arguments, _, context in
                guard case .dict(let box)? = arguments.first else { return .none }
                guard let connection = try self.connection(for: "load_relation()", at: context.location) else { return .none }
                return try self.existing(schema: box["schema"]?.rendered ?? "", identifier: box["identifier"]?.rendered ?? "",
                                         on: connection, at: context.location)
            },
        ]
    }

    /// `adapter.get_columns_in_relation`, `adapter.get_relation`, `adapter.execute`.
    func adapterDatabaseMembers() -> [(String, JinjaValue)] {
        func function(_ name: String, _ body: @escaping JinjaCallable.Body) -> JinjaValue {
            .callable(JinjaCallable(name, body))
        }
        return [
            ("get_columns_in_relation", function("get_columns_in_relation") { [unowned self] arguments, keywords, context in
                guard let connection = try self.connection(for: "adapter.get_columns_in_relation()", at: context.location) else { return .list([]) }
                guard case .dict(let box)? = arguments.first ?? keywords.first(where: { $0.0 == "relation" })?.1 else {
                    throw TemplateError("adapter.get_columns_in_relation() takes a relation, such as ref('orders'), got "
                                        + (arguments.first ?? .none).typeName, at: context.location)
                }
                let relation = Relation(schema: box["schema"]?.rendered ?? "", name: box["identifier"]?.rendered ?? "")
                let columns: [ColumnSpec]
                do {
                    columns = try connection.columns(of: relation)
                } catch {
                    throw TemplateError("adapter.get_columns_in_relation(\(relation)): \(error)", at: context.location)
                }
                return .list(columns.map { Self.column($0, dialect: self.inputs.dialect) })
            }),
            ("get_relation", function("get_relation") { [unowned self] arguments, keywords, context in
                func argument(_ position: Int, _ name: String) -> String {
                    (arguments.count > position ? arguments[position] : keywords.first { $0.0 == name }?.1)?.rendered ?? ""
                }
                guard let connection = try self.connection(for: "adapter.get_relation()", at: context.location) else { return .none }
                return try self.existing(schema: argument(1, "schema"), identifier: argument(2, "identifier"), on: connection, at: context.location)
            }),
            // `adapter.commit()`: what a template sends outside a build commits as it runs (a
            // model's own statements commit with its build), so there is nothing left to commit.
            ("commit", function("commit") { _, _, _ in .string("") }),
            // `adapter.check_schema_exists(database, schema)`.
            ("check_schema_exists", function("check_schema_exists") { [unowned self] arguments, keywords, context in
                let schema = (arguments.count > 1 ? arguments[1] : keywords.first { $0.0 == "schema" }?.1)?.rendered ?? ""
                guard let connection = try self.connection(for: "adapter.check_schema_exists()", at: context.location) else { return .bool(false) }
                return .bool(!(try self.run(self.inputs.dialect.schemaExistsQuery(schema), on: connection, at: context.location).rows.isEmpty))
            }),
            ("execute", function("execute") { [unowned self] arguments, keywords, context in
                let sql = arguments.first?.rendered ?? ""
                let fetch = keywords.first { $0.0 == "fetch" }?.1.isTruthy ?? false
                guard let connection = try self.connection(for: "adapter.execute()", at: context.location) else { return .list([.none, .none]) }
                if fetch {
                    let result = try self.run(sql, on: connection, at: context.location)
                    return .list([.dict([("code", .string("SELECT"))]), try Self.table(result)])
                }
                let count = try self.execute(sql, on: connection, at: context.location)
                return .list([.dict([("code", .string("OK")), ("rows_affected", .integer(count))]), .none])
            }),
        ]
    }

    /// Runs a query a template sends, in the engine's spelling (``SQLDialect/nativeFunctions(_:)``),
    /// as a model's SQL is.
    private func run(_ sql: String, on connection: any EngineConnection, at location: SourceLocation) throws(TemplateError) -> ResultSet {
        do {
            let native = inputs.dialect.nativeFunctions(sql)
            var result = try connection.query(native, limit: nil)
            // An empty result still has its columns (`run_query(…).columns[0].values()` is empty).
            if result.rows.isEmpty, result.columns.isEmpty, native.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().hasPrefix("select"),
               let probe = inputs.dialect.columnsOfEmptyResult(native) {
                result.columns = try connection.query(probe, limit: nil).columns
            }
            return result
        } catch {
            throw TemplateError("the query failed: \(Self.message(error))\n\(sql.trimmingCharacters(in: .whitespacesAndNewlines))", at: location)
        }
    }

    private func execute(_ sql: String, on connection: any EngineConnection, at location: SourceLocation) throws(TemplateError) -> Int {
        do {
            return try connection.execute(inputs.dialect.nativeFunctions(sql))
        } catch {
            throw TemplateError("the statement failed: \(Self.message(error))\n\(sql.trimmingCharacters(in: .whitespacesAndNewlines))", at: location)
        }
    }

    private static func message(_ error: any Error) -> String {
        (error as? EngineError)?.message ?? "\(error)"
    }

    /// The relation when the warehouse has it, else none.
    private func existing(schema: String, identifier: String, on connection: any EngineConnection,
                          at location: SourceLocation) throws(TemplateError) -> JinjaValue {
        let relation = Relation(schema: schema, name: identifier)
        // A name still holding a template would find nothing, and the caller would go on as if
        // the relation did not exist: a silently empty result.
        if JinjaTemplate.mayHoldTags(schema) || JinjaTemplate.mayHoldTags(identifier) {
            throw TemplateError("cannot look up \(relation): its name holds a template that was never rendered", at: location,
                                hint: "render the source's schema or identifier (floe does for properties files); a name passed here must be final")
        }
        do {
            guard try connection.relationKind(relation) != nil else { return .none }
        } catch {
            throw TemplateError("cannot look up \(relation): \(Self.message(error))", at: location)
        }
        return relationObject(relation)
    }

    /// A query's result as dbt's agate table: `rows` (each a row: by position and by column
    /// name), `columns` (each with `name` and `values()`), `column_names`; iterating it, or
    /// `length`, goes over the rows.
    static func table(_ result: ResultSet) throws(TemplateError) -> JinjaValue {
        let rows: [JinjaValue] = result.rows.map { row in
            let values = row.map(value)
            let box = JinjaValue.DictBox(Array(zip(result.columns, values)))
            box.sequence = values
            return .dict(box)
        }
        let columns: [JinjaValue] = result.columns.enumerated().map { position, name in
            let values = JinjaValue.list(result.rows.map { value($0[position]) })
            return .dict([("name", .string(name)), ("values", .callable(JinjaCallable("values") { _, _, _ in values }))])
        }
        // agate's columns are a mapped sequence: by position, by name, and `items()`.
        let byName = JinjaValue.DictBox(Array(zip(result.columns, columns)))
        byName.sequence = columns
        // agate's `rename(column_names)`: by a mapping of old names to new, or a list of new names.
        let rename = JinjaCallable("rename") { arguments, keywords, _ in
            var columns = result.columns
            switch arguments.first ?? keywords.first(where: { $0.0 == "column_names" })?.1 {
            case .dict(let names)?: columns = columns.map { names[$0]?.rendered ?? $0 }
            case .list(let names)?: columns = zip(columns, names.items + Array(repeating: .none, count: max(0, columns.count - names.items.count))).map {
                if case .none = $1 { $0 } else { $1.rendered }
            }
            default: break
            }
            return try Self.table(ResultSet(columns: columns, rows: result.rows))
        }
        let table = JinjaValue.DictBox([("rows", .list(rows)), ("columns", .dict(byName)),
                                        ("column_names", .list(result.columns.map(JinjaValue.string))), ("rename", .callable(rename))])
        table.sequence = rows
        return .dict(table)
    }

    static func value(_ value: SQLValue) -> JinjaValue {
        switch value {
        case .null: .none
        case .integer(let number): .integer(Int(number))
        case .real(let number): .number(number)
        case .text(let text): .string(text)
        case .blob: .string(value.displayText ?? "")
        }
    }

    /// dbt's Column: `name`, `column`, `data_type`, `dtype`, `quoted`, `char_size`, and `is_string()`,
    /// `is_number()`, `is_integer()`, `is_float()`, `string_size()`.
    static func column(_ column: ColumnSpec, dialect: any SQLDialect) -> JinjaValue {
        let type = column.type ?? ""
        let lowered = type.lowercased()
        let isString = ["char", "text", "string", "clob"].contains { lowered.contains($0) }
        let isNumber = ["int", "real", "float", "double", "numeric", "decimal", "number"].contains { lowered.contains($0) }
        // `character varying(255)`: the length in parentheses.
        let size = lowered.firstIndex(of: "(").flatMap { open in
            Int(lowered[lowered.index(after: open)...].prefix { $0.isNumber })
        }
        return .dict([
            ("name", .string(column.name)), ("column", .string(column.name)), ("data_type", .string(type)), ("dtype", .string(type)),
            ("quoted", .string(dialect.quoteIdentifier(column.name))),
            ("is_string", .callable(JinjaCallable("is_string") { _, _, _ in .bool(isString) })),
            ("is_number", .callable(JinjaCallable("is_number") { _, _, _ in .bool(isNumber) })),
            ("is_numeric", .callable(JinjaCallable("is_numeric") { _, _, _ in .bool(isNumber) })),
            ("is_integer", .callable(JinjaCallable("is_integer") { _, _, _ in .bool(lowered.contains("int")) })),
            ("is_float", .callable(JinjaCallable("is_float") { _, _, _ in
                .bool(["real", "float", "double"].contains { lowered.contains($0) })
            })),
            ("char_size", size.map(JinjaValue.integer) ?? .none),
            // A struct column's fields (BigQuery's); none on these engines.
            ("fields", .list([])),
            // As dbt's Column: a string column's declared length, 256 when it declares none.
            ("string_size", .callable(JinjaCallable("string_size") { _, _, context in
                guard isString else { throw TemplateError("string_size() of \(column.name), which is not a string column (\(type))", at: context.location) }
                return .integer(size ?? 256)
            })),
        ])
    }
}
