import FloePGWire
import FloeSQL

extension CatalogSQL {
    /// The functions catalog queries call, answered in SQLite or in place.
    func function(_ call: SQLFunctionCall, _ scope: Scope) throws(PGError) -> Typed {
        let name = call.baseName
        var arguments: [Typed] = []
        for argument in call.arguments { arguments.append(try expression(argument, scope)) }
        func argument(_ index: Int) throws(PGError) -> String {
            guard index < arguments.count else {
                throw PGError(PGError.undefinedFunction, "function \(name) with \(arguments.count) arguments does not exist")
            }
            return arguments[index].sql
        }
        func constant(_ index: Int) throws(PGError) -> String {
            guard index < call.arguments.count, case .literal(.string(let text)) = call.arguments[index] else {
                throw PGError(PGError.featureNotSupported, "\(name)() takes a constant name here")
            }
            return text
        }
        let window = try call.window.map { window throws(PGError) in try windowClause(window, scope) } ?? ""
        switch name {
        case "pg_table_is_visible", "pg_type_is_visible", "pg_function_is_visible", "pg_opclass_is_visible", "pg_collation_is_visible",
             "has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_column_privilege", "has_any_column_privilege",
             "has_function_privilege", "pg_has_role":
            return ("1", .bool)
        case "pg_is_other_temp_schema", "pg_is_in_recovery", "pg_relation_is_publishable":
            return ("0", .bool)
        case "pg_get_userbyid": return (Self.literal(session.user), .name)
        case "to_regclass": return (Self.relationLookup(try argument(0)), .oid)
        case "to_regtype": return (Self.typeLookup(try argument(0)), .oid)
        case "format_type":
            return ("(SELECT display FROM main.floe_type_names WHERE oid = \(try argument(0)))", .text)
        case "obj_description":
            return ("(SELECT description FROM pg_catalog.pg_description WHERE objoid = \(try argument(0)) AND objsubid = 0)", .text)
        case "col_description":
            return ("(SELECT description FROM pg_catalog.pg_description WHERE objoid = \(try argument(0)) AND objsubid = \(try argument(1)))", .text)
        case "shobj_description", "pg_get_expr", "pg_get_constraintdef", "pg_get_indexdef", "pg_get_viewdef", "pg_get_triggerdef",
             "pg_get_ruledef", "pg_get_partkeydef", "pg_get_serial_sequence", "pg_get_statisticsobjdef_columns", "pg_get_function_result",
             "pg_get_function_arguments", "pg_get_partition_constraintdef", "inet_server_addr", "inet_client_addr":
            return ("NULL", .text)
        case "pg_relation_size", "pg_total_relation_size", "pg_table_size", "pg_indexes_size", "pg_database_size":
            return ("0", .int8)
        case "pg_encoding_to_char": return ("'UTF8'", .name)
        case "current_database", "current_catalog": return (Self.literal(session.database), .name)
        case "current_schema": return ("'public'", .name)
        case "current_schemas": return ("'{public}'", .nameArray)
        case "current_user", "session_user", "user", "current_role", "getpgusername": return (Self.literal(session.user), .name)
        case "version": return (Self.literal(session.version), .text)
        case "current_setting":
            let setting = try constant(0)
            guard let value = session.setting(setting.lowercased()) else {
                if call.arguments.count > 1, case .literal(.boolean(true)) = call.arguments[1] { return ("NULL", .text) }
                throw PGError(PGError.undefinedObject, "unrecognized configuration parameter \"\(setting)\"")
            }
            return (Self.literal(value), .text)
        case "set_config": return (try argument(1), .text)
        case "pg_backend_pid": return ("0", .int4)
        case "pg_my_temp_schema": return ("0", .oid)
        case "txid_current": return ("1", .int8)
        case "now", "current_timestamp", "statement_timestamp", "transaction_timestamp", "clock_timestamp", "pg_postmaster_start_time",
             "localtimestamp":
            return ("strftime('%Y-%m-%d %H:%M:%f', 'now')", .timestamptz)
        case "current_date": return ("date('now')", .date)
        case "coalesce", "nullif", "greatest", "least":
            let type = arguments.first { $0.sql != "NULL" }?.type ?? .text
            let sqliteName = name == "greatest" ? "max" : name == "least" ? "min" : name
            return ("\(sqliteName)(\(arguments.map(\.sql).joined(separator: ", ")))", type)
        case "lower", "upper", "trim", "ltrim", "rtrim", "replace":
            return ("\(name)(\(arguments.map(\.sql).joined(separator: ", ")))", .text)
        case "btrim": return ("trim(\(arguments.map(\.sql).joined(separator: ", ")))", .text)
        case "length", "char_length", "character_length", "octet_length": return ("length(\(try argument(0)))", .int4)
        case "substring", "substr": return ("substr(\(arguments.map(\.sql).joined(separator: ", ")))", .text)
        case "strpos": return ("instr(\(try argument(0)), \(try argument(1)))", .int4)
        case "left": return ("substr(\(try argument(0)), 1, \(try argument(1)))", .text)
        case "right": return ("substr(\(try argument(0)), -(\(try argument(1))))", .text)
        case "concat": return ("(" + arguments.map { "coalesce(CAST(\($0.sql) AS TEXT), '')" }.joined(separator: " || ") + ")", .text)
        case "quote_ident": return (try argument(0), .text)
        case "quote_literal": return ("('''' || replace(\(try argument(0)), '''', '''''') || '''')", .text)
        case "array_to_string": return ("replace(trim(\(try argument(0)), '{}'), ',', \(try argument(1)))", .text)
        case "array_length", "array_upper", "cardinality":
            return ("nullif(json_array_length(\(Self.arrayAsJSON(try argument(0)))), 0)", .int4)
        case "array_lower": return ("1", .int4)
        case "array_agg":
            let type = Self.arrayType(of: arguments.first?.type ?? .text)
            return ("('{' || coalesce(group_concat(\(try argument(0)), ','), '') || '}')", type)
        case "string_agg": return ("group_concat(\(try argument(0)), \(try argument(1)))", .text)
        case "json_build_object", "jsonb_build_object": return ("json_object(\(arguments.map(\.sql).joined(separator: ", ")))", .json)
        case "json_agg", "jsonb_agg": return ("json_group_array(\(try argument(0)))", .json)
        case "count":
            if call.star { return ("count(*)\(window)", .int8) }
            return ("count(\(call.distinct ? "DISTINCT " : "")\(try argument(0)))\(window)", .int8)
        case "sum", "avg": return ("\(name)(\(try argument(0)))\(window)", .numeric)
        case "min", "max": return ("\(name)(\(try argument(0)))\(window)", arguments.first?.type ?? .text)
        case "bool_and", "every": return ("min(\(try argument(0)))\(window)", .bool)
        case "bool_or": return ("max(\(try argument(0)))\(window)", .bool)
        case "row_number", "rank", "dense_rank": return ("\(name)()\(window)", .int8)
        case "abs", "round": return ("\(name)(\(arguments.map(\.sql).joined(separator: ", ")))", arguments.first?.type ?? .numeric)
        default:
            throw PGError(PGError.undefinedFunction, "function \(call.name.joined(separator: ".")) does not exist",
                          hint: "the SQL API answers the catalog functions clients use to browse the cubes; this one is not among them")
        }
    }

    private func windowClause(_ window: SQLWindow, _ scope: Scope) throws(PGError) -> String {
        var parts: [String] = []
        if !window.partitionBy.isEmpty {
            var printed: [String] = []
            for term in window.partitionBy { printed.append(try expression(term, scope).sql) }
            parts.append("PARTITION BY " + printed.joined(separator: ", "))
        }
        if !window.orderBy.isEmpty {
            var printed: [String] = []
            for term in window.orderBy { printed.append(try expression(term.expression, scope).sql + (term.descending ? " DESC" : "")) }
            parts.append("ORDER BY " + printed.joined(separator: ", "))
        }
        if let frame = window.frame { parts.append(frame) }
        return " OVER (" + parts.joined(separator: " ") + ")"
    }
}
