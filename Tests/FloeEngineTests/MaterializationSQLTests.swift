import FloeContract
import FloeEngine
import Testing

/// The statements each dialect writes for floe's materializations, pinned: a change here changes
/// what runs on every warehouse.
@Suite struct MaterializationSQLTests {
    let orders = Relation(schema: "floe-prod", name: "orders")
    let staging = #""floe-prod"."orders__floe_incr""#
    let columns = ["id", "status", "amount"]

    @Test func sqliteStatements() {
        let dialect = SQLiteDialect()
        #expect(dialect.drop(orders, kind: .table) == #"drop table if exists "floe-prod"."orders""#)
        #expect(dialect.rename(Relation(schema: "floe-prod", name: "orders__floe_tmp"), kind: .table, to: "orders")
            == #"alter table "floe-prod"."orders__floe_tmp" rename to "orders""#)
        #expect(dialect.merge(into: orders, from: staging, columns: columns, uniqueKey: ["id"]) == [
            #"""
            update "floe-prod"."orders" set "status" = floe_staging."status", "amount" = floe_staging."amount"
            from "floe-prod"."orders__floe_incr" as floe_staging where "floe-prod"."orders"."id" = floe_staging."id"
            """#,
            #"""
            insert into "floe-prod"."orders" ("id", "status", "amount")
            select "id", "status", "amount" from "floe-prod"."orders__floe_incr" as floe_staging
            where not exists (select 1 from "floe-prod"."orders" where "floe-prod"."orders"."id" = floe_staging."id")
            """#,
        ])
    }

    @Test func postgresStatements() {
        let dialect = PostgresDialect()
        #expect(dialect.createTable(orders, as: "select 1 as id") == "create table \"floe-prod\".\"orders\" as\nselect 1 as id")
        // Views that read the old table go with it; the run rebuilds them.
        #expect(dialect.drop(orders, kind: .table) == #"drop table if exists "floe-prod"."orders" cascade"#)
        #expect(dialect.drop(orders, kind: .view) == #"drop view if exists "floe-prod"."orders" cascade"#)
        #expect(dialect.rename(Relation(schema: "floe-prod", name: "orders__floe_tmp"), kind: .table, to: "orders")
            == #"alter table "floe-prod"."orders__floe_tmp" rename to "orders""#)
        #expect(dialect.merge(into: orders, from: staging, columns: columns, uniqueKey: ["id"]) == [
            #"""
            merge into "floe-prod"."orders" as floe_target
            using "floe-prod"."orders__floe_incr" as floe_staging on floe_target."id" = floe_staging."id"
            when matched then update set "status" = floe_staging."status", "amount" = floe_staging."amount"
            when not matched then insert ("id", "status", "amount") values (floe_staging."id", floe_staging."status", floe_staging."amount")
            """#,
        ])
        // A key of every column: nothing to update, only inserts.
        #expect(dialect.merge(into: orders, from: staging, columns: ["id"], uniqueKey: ["id"]) == [
            #"""
            merge into "floe-prod"."orders" as floe_target
            using "floe-prod"."orders__floe_incr" as floe_staging on floe_target."id" = floe_staging."id"
            when not matched then insert ("id") values (floe_staging."id")
            """#,
        ])
        #expect(dialect.deleteInsert(into: orders, from: staging, columns: columns, uniqueKey: ["id", "status"]) == [
            #"delete from "floe-prod"."orders" where ("id", "status") in (select "id", "status" from "floe-prod"."orders__floe_incr")"#,
            "insert into \"floe-prod\".\"orders\" (\"id\", \"status\", \"amount\")\nselect \"id\", \"status\", \"amount\" from \"floe-prod\".\"orders__floe_incr\"",
        ])
        #expect(dialect.createIndex(ModelIndex(columns: ["status"], unique: false), named: "orders_status", on: orders)
            == #"create index if not exists "orders_status" on "floe-prod"."orders" ("status")"#)
    }

    @Test func statementsSplitOnlyOutsideQuotesAndComments() {
        #expect(StatementSplitter.split("select 1; select 2;") == ["select 1", "select 2"])
        #expect(StatementSplitter.split("select ';' as a; select \"x;y\" from t") == ["select ';' as a", "select \"x;y\" from t"])
        #expect(StatementSplitter.split("select 'it''s; ok'") == ["select 'it''s; ok'"])
        #expect(StatementSplitter.split("-- a; comment\nselect 1 -- trailing; one\n;\n/* block; /* nested; */ still */ select 2")
            == ["-- a; comment\nselect 1 -- trailing; one", "/* block; /* nested; */ still */ select 2"])
        #expect(StatementSplitter.split("create function f() returns int as $body$ select 1; $body$ language sql; select $$a;b$$")
            == ["create function f() returns int as $body$ select 1; $body$ language sql", "select $$a;b$$"])
        #expect(StatementSplitter.split("select $1 + $2; select 3") == ["select $1 + $2", "select 3"])
        #expect(StatementSplitter.split("  ;; -- only a comment\n ; ") == [])
        #expect(StatementSplitter.split("select 'unterminated; still one") == ["select 'unterminated; still one"])
    }
}

/// SQLite's registered aggregates in PostgreSQL's spelling.
@Suite struct OrderedSetAggregateTests {
    @Test func sqliteSpellingsBecomeOrderedSetAggregates() {
        #expect(OrderedSetAggregates.rewrite("select median(amount) as m from t")
            == "select percentile_cont(0.5) within group (order by amount) as m from t")
        #expect(OrderedSetAggregates.rewrite("select PERCENTILE_CONT( price * 2 , 0.9 ), percentile_disc(x, 0.25) from t")
            == "select percentile_cont(0.9) within group (order by price * 2), percentile_disc(0.25) within group (order by x) from t")
        #expect(OrderedSetAggregates.rewrite("select median(coalesce(a, median_fallback(b))) from t")
            == "select percentile_cont(0.5) within group (order by coalesce(a, median_fallback(b))) from t")
        #expect(OrderedSetAggregates.rewrite("select round(median(x), 2) over () from t")
            == "select round(percentile_cont(0.5) within group (order by x), 2) over () from t")
    }

    @Test func whatIsNotACallOfThemIsLeftAlone() {
        for sql in [
            "select percentile_cont(0.5) within group (order by x) from t",   // already PostgreSQL's
            "select 'median(x)' as text, \"median(x)\" from t",                // a literal and an identifier
            "select 1 -- median(x)\n/* percentile_cont(x, 0.5) */",           // comments
            "select s.median(x), my_median(x), median from t",                 // another function, a column
            "select median(x, y) from t",                                      // not SQLite's median
        ] {
            #expect(OrderedSetAggregates.rewrite(sql) == sql, "\(sql)")
        }
        #expect(SQLiteDialect().nativeFunctions("select median(x) from t") == "select median(x) from t")
    }
}
