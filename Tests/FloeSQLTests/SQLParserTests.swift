import FloeSQL
import Testing

@Suite struct SQLParserTests {
    private func query(_ text: String) throws -> SQLQuery {
        guard case .query(let query)? = try SQLParser.statement(text) else {
            Issue.record("not a query: \(text)")
            throw SQLSyntaxError("not a query", offset: 0)
        }
        return query
    }

    private func select(_ text: String) throws -> SQLSelect {
        guard case .select(let select) = try query(text).body else { throw SQLSyntaxError("not a select", offset: 0) }
        return select
    }

    @Test func lexerFoldsNamesAndReadsPostgresConstants() throws {
        let tokens = try SQLLexer.tokens("SELECT \"Mixed\"\"Case\", Foo, E'a\\nb', 'it''s', $$x$$, $tag$y$tag$, $2, 1.5e3, a::int, x !~* 'y' -- done\n/* a /* nested */ comment */")
            .map(\.kind)
        #expect(tokens == [
            .identifier("select", quoted: false), .identifier("Mixed\"Case", quoted: true), .punctuation(","), .identifier("foo", quoted: false),
            .punctuation(","), .string("a\nb"), .punctuation(","), .string("it's"), .punctuation(","), .string("x"), .punctuation(","),
            .string("y"), .punctuation(","), .parameter(2), .punctuation(","), .number("1.5e3"), .punctuation(","),
            .identifier("a", quoted: false), .op("::"), .identifier("int", quoted: false), .punctuation(","), .identifier("x", quoted: false),
            .op("!~*"), .string("y"), .end,
        ])
        // `=-1` is `=` then `-`, as PostgreSQL cuts it.
        #expect(try SQLLexer.tokens("a=-1").map(\.kind) == [.identifier("a", quoted: false), .op("="), .op("-"), .number("1"), .end])
    }

    @Test func unterminatedStringsPointAtTheirStart() {
        #expect(throws: SQLSyntaxError("unterminated quoted string", offset: 7)) { try SQLLexer.tokens("SELECT 'abc") }
        #expect(throws: SQLSyntaxError("syntax error at or near \"FROM\" (expected a name)", offset: 14)) { try SQLParser.statement("SELECT a FROM FROM") }
    }

    @Test func cubeStyleQuery() throws {
        let text = """
            SELECT status, DATE_TRUNC('month', created_at) AS month, MEASURE(count) AS n
            FROM orders WHERE status IN ('done', $1) AND amount BETWEEN 1 AND 10 AND name NOT LIKE '%x%'
            GROUP BY 1, 2 HAVING MEASURE(count) > 3 ORDER BY n DESC NULLS LAST LIMIT 10 OFFSET 5
            """
        let parsed = try query(text)
        guard case .select(let select) = parsed.body else { throw SQLSyntaxError("", offset: 0) }
        #expect(select.items.count == 3)
        #expect(select.items[1] == .expression(.function(SQLFunctionCall(name: ["date_trunc"], arguments: [.literal(.string("month")), .column(["created_at"])])), alias: "month"))
        #expect(select.from == [.table(name: ["orders"], alias: nil)])
        #expect(select.groupBy == [.literal(.number("1")), .literal(.number("2"))])
        #expect(parsed.orderBy == [SQLOrderTerm(expression: .column(["n"]), descending: true, nullsFirst: false)])
        #expect(parsed.limit == .literal(.number("10")))
        #expect(parsed.offset == .literal(.number("5")))
        guard case .and(.and(.inList(_, let values, negated: false), .between), .like(_, .like, _, negated: true, escape: nil)) = select.whereClause else {
            Issue.record("where: \(String(describing: select.whereClause))")
            return
        }
        #expect(values == [.literal(.string("done")), .parameter(1)])
    }

    @Test func psqlDescribeQueries() throws {
        let list = try select("""
            SELECT n.nspname as "Schema",
              c.relname as "Name",
              CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' END as "Type",
              pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
            FROM pg_catalog.pg_class c
                 LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
            WHERE c.relkind IN ('r','p','v','m','S','f','')
                  AND n.nspname <> 'pg_catalog'
                  AND n.nspname !~ '^pg_toast'
                  AND n.nspname <> 'information_schema'
              AND pg_catalog.pg_table_is_visible(c.oid)
            ORDER BY 1,2;
            """)
        #expect(list.items.count == 4)
        guard case .join(.join(.table(name: ["pg_catalog", "pg_class"], alias: let alias), .left, _, _), .left, _, _) = list.from[0] else {
            Issue.record("from: \(list.from)")
            return
        }
        #expect(alias?.name == "c")
        let describe = try select("""
            SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname OPERATOR(pg_catalog.~) '^(orders)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3;
            """)
        guard case .and(.binary(.column(["c", "relname"]), "~", .collate(.literal(.string("^(orders)$")), ["pg_catalog", "default"])), _) = describe.whereClause else {
            Issue.record("where: \(String(describing: describe.whereClause))")
            return
        }
        _ = try select("""
            SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
              (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) FROM pg_catalog.pg_attrdef d
               WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
              a.attnotnull,
              (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
               WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,
              a.attidentity, a.attgenerated
            FROM pg_catalog.pg_attribute a WHERE a.attrelid = '16385' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;
            """)
        _ = try select("""
            SELECT c.relchecks, c.relkind, false AS relhasoids, pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), ', '),
            CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END
            FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid) LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)
            WHERE c.oid = '16385';
            """)
    }

    @Test func sqlAlchemyIntrospection() throws {
        let columns = try select("""
            SELECT pg_catalog.pg_attribute.attname AS name, pg_catalog.format_type(pg_catalog.pg_attribute.atttypid, pg_catalog.pg_attribute.atttypmod) AS format_type,
            (SELECT json_build_object('always', pg_catalog.pg_attribute.attidentity = 'a', 'start', pg_catalog.pg_sequence.seqstart) AS json_build_object_1
             FROM pg_catalog.pg_sequence WHERE pg_catalog.pg_attribute.attidentity != '' AND pg_catalog.pg_sequence.seqrelid =
             CAST(CAST(pg_catalog.pg_get_serial_sequence(CAST(CAST(pg_catalog.pg_attribute.attrelid AS REGCLASS) AS TEXT), pg_catalog.pg_attribute.attname) AS REGCLASS) AS OID)) AS identity_options
            FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_attribute ON pg_catalog.pg_class.oid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attribute.attnum > $1
            JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace
            WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[$2::VARCHAR, $3::VARCHAR]) AND pg_catalog.pg_class.relname IN ($4)
            ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_attribute.attnum
            """)
        guard case .and(.quantified(_, "=", all: false, .array(let items)), _) = columns.whereClause else {
            Issue.record("where: \(String(describing: columns.whereClause))")
            return
        }
        #expect(items == [.cast(.parameter(2), SQLTypeName(name: ["varchar"], modifiers: [], isArray: false)), .cast(.parameter(3), SQLTypeName(name: ["varchar"], modifiers: [], isArray: false))])
        _ = try select("""
            SELECT pg_catalog.pg_type.typname AS name, lbl_agg.labels AS labels FROM pg_catalog.pg_type
            LEFT OUTER JOIN (SELECT pg_catalog.pg_enum.enumtypid AS enumtypid, array_agg(CAST(pg_catalog.pg_enum.enumlabel AS TEXT) ORDER BY pg_catalog.pg_enum.enumsortorder) AS labels
              FROM pg_catalog.pg_enum GROUP BY pg_catalog.pg_enum.enumtypid) AS lbl_agg ON pg_catalog.pg_type.oid = lbl_agg.enumtypid
            WHERE pg_catalog.pg_type.typtype = 'e' ORDER BY pg_catalog.pg_namespace.nspname, pg_catalog.pg_type.typname
            """)
    }

    @Test func sessionStatements() throws {
        #expect(try SQLParser.statements("SET DateStyle = 'ISO'; SET extra_float_digits TO 3; SET TIME ZONE 'UTC'; SHOW transaction isolation level; BEGIN; COMMIT; ROLLBACK; DISCARD ALL") == [
            .set(name: "datestyle", value: "ISO"), .set(name: "extra_float_digits", value: "3"), .set(name: "timezone", value: "UTC"),
            .show("transaction isolation level"), .transaction(.begin), .transaction(.commit), .transaction(.rollback), .sessionUpkeep(tag: "DISCARD ALL"),
        ])
        #expect(try SQLParser.statement("insert into t values (1)") == .unsupported(keyword: "INSERT"))
        #expect(try SQLParser.statements(" ; ") == [])
    }

    @Test func setOperationsWindowsAndCasts() throws {
        let parsed = try query("WITH a AS (SELECT 1 AS x) SELECT x FROM a UNION ALL (SELECT 2) ORDER BY 1")
        #expect(parsed.with.map(\.name) == ["a"])
        guard case .setOperation(_, .union, all: true, _) = parsed.body else {
            Issue.record("body: \(parsed.body)")
            return
        }
        let windowed = try select("SELECT sum(x) OVER (PARTITION BY y ORDER BY z ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), '2024-01-01'::timestamp with time zone, CAST(x AS double precision), x::varchar(10)[] FROM t")
        guard case .expression(.function(let call), _) = windowed.items[0] else { return }
        #expect(call.window?.frame == "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW")
        #expect(windowed.items[1] == .expression(.cast(.literal(.string("2024-01-01")), SQLTypeName(name: ["timestamptz"], modifiers: [], isArray: false)), alias: nil))
        #expect(windowed.items[2] == .expression(.cast(.column(["x"]), SQLTypeName(name: ["float8"], modifiers: [], isArray: false)), alias: nil))
        #expect(windowed.items[3] == .expression(.cast(.column(["x"]), SQLTypeName(name: ["varchar"], modifiers: ["10"], isArray: true)), alias: nil))
    }
}
