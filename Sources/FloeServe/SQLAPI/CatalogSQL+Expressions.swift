import FloePGWire
import FloeSQL

extension CatalogSQL {
    typealias Typed = (sql: String, type: PGType)

    func expression(_ expression: SQLExpression, _ scope: Scope) throws(PGError) -> Typed {
        switch expression {
        case .column(let parts):
            let reference = Array(parts.suffix(2))
            guard let type = scope.type(of: reference) else {
                throw PGError(PGError.undefinedColumn, "column \(parts.joined(separator: ".")) does not exist")
            }
            return (reference.map(Self.quote).joined(separator: "."), type)
        case .literal(let literal):
            switch literal {
            case .string(let text): return (Self.literal(text), .text)
            case .number(let text):
                if let value = Int64(text) { return (text, Int32(exactly: value) != nil ? .int4 : .int8) }
                return (text, .numeric)
            case .boolean(let truth): return (truth ? "1" : "0", .bool)
            case .null: return ("NULL", .text)
            }
        case .parameter(let index):
            parameters.note(index)
            return ("?\(index)", parameterTypes[index] ?? .text)
        case .typedLiteral(let type, let value):
            return (Self.literal(value), PGType.named(type) ?? .text)
        case .unary(let op, let operand):
            let inner = try self.expression(operand, scope)
            return ("(\(op)\(inner.sql))", inner.type)
        case .binary(let left, let op, let right):
            return try binary(left, op, right, scope)
        case .and(let left, let right):
            return ("(\(try self.expression(left, scope).sql) AND \(try self.expression(right, scope).sql))", .bool)
        case .or(let left, let right):
            return ("(\(try self.expression(left, scope).sql) OR \(try self.expression(right, scope).sql))", .bool)
        case .not(let inner):
            return ("(NOT \(try self.expression(inner, scope).sql))", .bool)
        case .function(let call):
            return try function(call, scope)
        case .cast(let inner, let type):
            return try cast(inner, to: type, scope)
        case .isNull(let inner, let negated):
            return ("(\(try self.expression(inner, scope).sql) IS \(negated ? "NOT " : "")NULL)", .bool)
        case .isBoolean(let inner, let truth, let negated):
            let word = truth.map { $0 ? "TRUE" : "FALSE" } ?? "NULL"
            return ("(\(try self.expression(inner, scope).sql) IS \(negated ? "NOT " : "")\(word))", .bool)
        case .isDistinctFrom(let left, let right, let negated):
            return ("(\(try self.expression(left, scope).sql) IS \(negated ? "" : "NOT ")\(try self.expression(right, scope).sql))", .bool)
        case .inList(let inner, let items, let negated):
            var printed: [String] = []
            for item in items { printed.append(try self.expression(item, scope).sql) }
            return ("(\(try self.expression(inner, scope).sql) \(negated ? "NOT " : "")IN (\(printed.joined(separator: ", "))))", .bool)
        case .inQuery(let inner, let query, let negated):
            let (sql, _) = try translate(query, outer: scope)
            return ("(\(try self.expression(inner, scope).sql) \(negated ? "NOT " : "")IN (\(sql)))", .bool)
        case .between(let inner, let low, let high, let negated):
            return ("(\(try self.expression(inner, scope).sql) \(negated ? "NOT " : "")BETWEEN \(try self.expression(low, scope).sql) AND \(try self.expression(high, scope).sql))", .bool)
        case .like(let inner, let kind, let pattern, let negated, let escape):
            var left = try self.expression(inner, scope).sql
            var right = try self.expression(pattern, scope).sql
            switch kind {
            case .like: break
            case .ilike:
                left = "lower(\(left))"
                right = "lower(\(right))"
            case .similar:
                throw PGError(PGError.featureNotSupported, "SIMILAR TO is not supported in queries of the system catalogs")
            }
            let escaped = try escape.map { value throws(PGError) in " ESCAPE " + (try self.expression(value, scope).sql) } ?? ""
            return ("(\(left) \(negated ? "NOT " : "")LIKE \(right)\(escaped))", .bool)
        case .caseWhen(let operand, let branches, let otherwise):
            var text = "CASE"
            if let operand { text += " " + (try self.expression(operand, scope).sql) }
            var type: PGType?
            for branch in branches {
                let result = try self.expression(branch.result, scope)
                if type == nil || type == .text, result.sql != "NULL" { type = result.type }
                text += " WHEN \(try self.expression(branch.condition, scope).sql) THEN \(result.sql)"
            }
            if let otherwise { text += " ELSE " + (try self.expression(otherwise, scope).sql) }
            return (text + " END", type ?? .text)
        case .exists(let query):
            return ("EXISTS (\(try translate(query, outer: scope).sql))", .bool)
        case .subquery(let query):
            let (sql, columns) = try translate(query, outer: scope)
            return ("(\(sql))", columns.first?.type ?? .text)
        case .array(let items):
            guard !items.isEmpty else { return ("'{}'", .textArray) }
            var parts: [String] = []
            var type = PGType.text
            for item in items {
                let printed = try self.expression(item, scope)
                parts.append(printed.sql)
                type = printed.type
            }
            return ("('{' || " + parts.joined(separator: " || ',' || ") + " || '}')", Self.arrayType(of: type))
        case .arrayQuery(let query):
            let (sql, columns) = try translate(query, outer: scope)
            let column = Self.quote(columns.first?.name ?? "?column?")
            return ("(SELECT '{' || coalesce(group_concat(\(column), ','), '') || '}' FROM (\(sql)))", Self.arrayType(of: columns.first?.type ?? .text))
        case .quantified(let left, let op, let all, let right):
            return try quantified(left, op, all: all, right, scope)
        case .element(let array, let index):
            let (arraySQL, type) = try self.expression(array, scope)
            let (indexSQL, _) = try self.expression(index, scope)
            return ("json_extract(\(Self.arrayAsJSON(arraySQL)), '$[' || ((\(indexSQL)) - 1) || ']')", Self.elementType(of: type))
        case .collate(let inner, _):
            return try self.expression(inner, scope)
        case .row(let items):
            var printed: [String] = []
            for item in items { printed.append(try self.expression(item, scope).sql) }
            return ("(" + printed.joined(separator: ", ") + ")", .record)
        case .extract(let field, _):
            throw PGError(PGError.featureNotSupported, "EXTRACT(\(field) FROM …) is not supported in queries of the system catalogs")
        case .atTimeZone(let inner, _):
            return try self.expression(inner, scope)
        }
    }

    private func binary(_ left: SQLExpression, _ op: String, _ right: SQLExpression, _ scope: Scope) throws(PGError) -> Typed {
        let (leftSQL, leftType) = try expression(left, scope)
        let (rightSQL, _) = try expression(right, scope)
        switch op {
        case "+", "-", "*", "/", "%": return ("(\(leftSQL) \(op) \(rightSQL))", leftType)
        case "||": return ("(\(leftSQL) || \(rightSQL))", leftType.category == "A" ? leftType : .text)
        case "=", "<", ">", "<=", ">=", "<>": return ("(\(leftSQL) \(op) \(rightSQL))", .bool)
        case "!=": return ("(\(leftSQL) <> \(rightSQL))", .bool)
        case "~": return ("(\(leftSQL) REGEXP \(rightSQL))", .bool)
        case "~*": return ("(\(leftSQL) REGEXP ('(?i)' || \(rightSQL)))", .bool)
        case "!~": return ("(NOT (\(leftSQL) REGEXP \(rightSQL)))", .bool)
        case "!~*": return ("(NOT (\(leftSQL) REGEXP ('(?i)' || \(rightSQL))))", .bool)
        case "~~": return ("(\(leftSQL) LIKE \(rightSQL))", .bool)
        case "!~~": return ("(\(leftSQL) NOT LIKE \(rightSQL))", .bool)
        case "~~*": return ("(lower(\(leftSQL)) LIKE lower(\(rightSQL)))", .bool)
        case "!~~*": return ("(lower(\(leftSQL)) NOT LIKE lower(\(rightSQL)))", .bool)
        default:
            throw PGError(PGError.undefinedFunction, "operator does not exist: \(leftType.displayName) \(op) …",
                          hint: "the system catalogs here take comparisons, arithmetic, ||, LIKE and the ~ regular-expression operators")
        }
    }

    private func quantified(_ left: SQLExpression, _ op: String, all: Bool, _ right: SQLExpression, _ scope: Scope) throws(PGError) -> Typed {
        let (leftSQL, _) = try expression(left, scope)
        let comparison = op == "!=" ? "<>" : op
        switch right {
        case .array(let items) where comparison == "=" && !all || comparison == "<>" && all:
            var printed: [String] = []
            for item in items { printed.append(try expression(item, scope).sql) }
            guard !printed.isEmpty else { return (all ? "1" : "0", .bool) }
            return ("(\(leftSQL) \(all ? "NOT " : "")IN (\(printed.joined(separator: ", "))))", .bool)
        case .subquery(let query) where comparison == "=" && !all || comparison == "<>" && all:
            return ("(\(leftSQL) \(all ? "NOT " : "")IN (\(try translate(query, outer: scope).sql)))", .bool)
        default:
            guard comparison == "=" || comparison == "<>" else {
                throw PGError(PGError.featureNotSupported, "\(op) \(all ? "ALL" : "ANY") is not supported in queries of the system catalogs")
            }
            let (arraySQL, _) = try expression(right, scope)
            let member = "(',' || trim(coalesce(\(arraySQL), ''), '{}') || ',') LIKE ('%,' || \(leftSQL) || ',%')"
            return (comparison == "=" && !all ? "(\(member))" : "(NOT (\(member)))", .bool)
        }
    }

    /// A cast: regclass and regtype look names up; text of a regclass is the relation's name;
    /// the rest become SQLite's storage classes.
    private func cast(_ inner: SQLExpression, to type: SQLTypeName, _ scope: Scope) throws(PGError) -> Typed {
        let target = type.isArray ? Self.arrayType(of: PGType.named(type.baseName) ?? .text) : (PGType.named(type.baseName) ?? .text)
        switch type.baseName {
        case "regclass":
            if case .literal(.string(let name)) = inner {
                let relation = Self.unqualified(name)
                return ("(SELECT oid FROM pg_catalog.pg_class WHERE relname = \(Self.literal(relation)))", .oid)
            }
            let (sql, from) = try expression(inner, scope)
            return from.category == "S" ? (Self.relationLookup(sql), .oid) : (sql, .oid)
        case "regtype":
            if case .literal(.string(let name)) = inner {
                let typeName = Self.unqualified(name)
                let known = PGType.named(typeName)?.name ?? typeName
                return ("(SELECT oid FROM pg_catalog.pg_type WHERE typname = \(Self.literal(known)))", .oid)
            }
            let (sql, from) = try expression(inner, scope)
            return from.category == "S" ? (Self.typeLookup(sql), .oid) : (sql, .oid)
        case "text", "varchar", "name", "bpchar", "char":
            if case .cast(let named, let middle) = inner, middle.baseName == "regclass" {
                let oid = try expression(named, scope).sql
                return ("(SELECT relname FROM pg_catalog.pg_class WHERE oid = \(oid))", target)
            }
            if case .cast(let named, let middle) = inner, middle.baseName == "regtype" {
                let oid = try expression(named, scope).sql
                return ("(SELECT display FROM main.floe_type_names WHERE oid = \(oid))", target)
            }
            let (sql, from) = try expression(inner, scope)
            if from == .bool { return ("(CASE WHEN \(sql) THEN 'true' WHEN NOT \(sql) THEN 'false' END)", target) }
            return ("CAST(\(sql) AS TEXT)", target)
        case "oid", "int2", "int4", "int8", "int", "integer", "smallint", "bigint", "regproc":
            return ("CAST(\(try expression(inner, scope).sql) AS INTEGER)", target)
        case "float4", "float8", "real", "numeric", "decimal":
            return ("CAST(\(try expression(inner, scope).sql) AS REAL)", target)
        case "bool", "boolean":
            let (sql, from) = try expression(inner, scope)
            if from == .bool { return (sql, .bool) }
            return ("(CASE WHEN lower(CAST(\(sql) AS TEXT)) IN ('t', 'true', '1', 'yes', 'on') THEN 1 WHEN \(sql) IS NULL THEN NULL ELSE 0 END)", .bool)
        default:
            return (try expression(inner, scope).sql, target)
        }
    }

    /// The oid of the relation a text names (`orders`, `public.orders`, `"Orders"`), NULL when none.
    static func relationLookup(_ text: String) -> String {
        "(SELECT oid FROM pg_catalog.pg_class WHERE relname = trim(replace(\(text), 'public.', ''), '\"'))"
    }

    /// The oid of the type a text names (`int8`, `bigint`, `hstore`), NULL when none.
    static func typeLookup(_ text: String) -> String {
        "(SELECT t.oid FROM pg_catalog.pg_type t JOIN main.floe_type_names n ON n.oid = t.oid WHERE t.typname = \(text) OR n.display = \(text))"
    }

    /// `public.orders` and `"orders"` name `orders`.
    static func unqualified(_ name: String) -> String {
        let last = name.split(separator: ".").last.map(String.init) ?? name
        return last.hasPrefix("\"") && last.hasSuffix("\"") && last.count > 1 ? String(last.dropFirst().dropLast()) : last.lowercased() == last ? last : last
    }

    static func arrayType(of element: PGType) -> PGType {
        switch element {
        case .int2: .int2Array
        case .int4, .int8: .int4Array
        case .oid: .oidArray
        case .name: .nameArray
        case .char: .charArray
        default: element.category == "A" ? element : .textArray
        }
    }

    static func elementType(of array: PGType) -> PGType {
        switch array {
        case .int2Array, .int2vector: .int2
        case .int4Array: .int4
        case .oidArray, .oidvector: .oid
        case .nameArray: .name
        case .charArray: .char
        default: .text
        }
    }
}
