import FloeSQL
import Testing

/// Column lineage of single queries over a small catalog: what each output column derives from
/// and how, what decides the rows, and the cases the analysis refuses rather than guess.
struct ColumnLineageTests {
    struct Catalog: LineageCatalog {
        var tables: [String: (columns: [String], complete: Bool)] = [
            "orders": (["id", "customer_id", "amount", "status", "ordered_at"], true),
            "customers": (["id", "name", "region"], true),
            "payments": (["order_id", "amount", "method"], true),
            "raw_events": (["event_id"], false),
        ]

        func relation(named parts: [String]) -> CatalogRelation? {
            guard let name = parts.last, let table = tables[name] else { return nil }
            return CatalogRelation(key: name, columns: table.columns, complete: table.complete)
        }
    }

    func lineage(_ sql: String, flavor: SQLFlavor = .postgres) throws -> QueryColumnLineage {
        try ColumnLineageAnalyzer(catalog: Catalog()).analyze(sql: sql, flavor: flavor)
    }

    /// `relation.column:EDGE` for each input of the output column, sorted, indirect edges after a slash.
    func described(_ inputs: ColumnInputs) -> [String] {
        inputs.sorted { $0.key < $1.key }.map { column, edges in
            "\(column.relation).\(column.column):" + [edges.direct?.rawValue].compactMap { $0 }.joined()
                + (edges.indirect.isEmpty ? "" : "/" + edges.indirect.sorted().map(\.rawValue).joined(separator: ","))
        }
    }

    func columns(_ result: QueryColumnLineage) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: result.columns.map { ($0.name, described($0.inputs)) })
    }

    @Test func identityTransformationAndAggregation() throws {
        let result = try lineage("""
            select o.id, upper(o.status) as status, o.amount * 100 as cents, cast(o.ordered_at as date) as day
            from orders o
            """)
        #expect(result.columns.map(\.name) == ["id", "status", "cents", "day"])
        #expect(columns(result) == [
            "id": ["orders.id:IDENTITY"], "status": ["orders.status:TRANSFORMATION"], "cents": ["orders.amount:TRANSFORMATION"],
            "day": ["orders.ordered_at:TRANSFORMATION"],
        ])
        let grouped = try lineage("select customer_id, count(*) as orders, sum(amount) as total from orders where status = 'done' group by 1 having count(*) > 1 order by total desc")
        #expect(columns(grouped) == ["customer_id": ["orders.customer_id:IDENTITY"], "orders": [], "total": ["orders.amount:AGGREGATION"]])
        #expect(described(grouped.dataset) == ["orders.amount:/SORT", "orders.customer_id:/GROUP_BY", "orders.status:/FILTER"])
    }

    @Test func throughCommonTablesJoinsAndSubqueries() throws {
        let result = try lineage("""
            with paid as (
                select order_id, sum(amount) as paid from payments group by order_id
            ), enriched as (
                select o.id, c.name, p.paid
                from orders as o
                join customers c on c.id = o.customer_id
                left join paid p on p.order_id = o.id
            )
            select * from (select id as order_id, name, paid from enriched) as t
            """)
        #expect(columns(result) == [
            "order_id": ["orders.id:IDENTITY"], "name": ["customers.name:IDENTITY"], "paid": ["payments.amount:AGGREGATION"],
        ])
        #expect(described(result.dataset) == [
            "customers.id:/JOIN", "orders.customer_id:/JOIN", "orders.id:/JOIN", "payments.order_id:/GROUP_BY,JOIN",
        ])
    }

    @Test func starsExpandFromCompleteSchemasAndUsingMergesColumns() throws {
        let result = try lineage("select * from orders join payments on payments.order_id = orders.id")
        #expect(result.columns.map(\.name) == ["id", "customer_id", "amount", "status", "ordered_at", "order_id", "amount", "method"])
        let merged = try lineage("select * from customers join (select customer_id as id, amount from orders) o using (id)")
        #expect(merged.columns.map(\.name) == ["id", "name", "region", "amount"])
        #expect(described(merged.columns[0].inputs) == ["customers.id:IDENTITY", "orders.customer_id:IDENTITY"])
        #expect(described(merged.dataset) == ["customers.id:/JOIN", "orders.customer_id:/JOIN"])
        let qualified = try lineage("select c.*, o.amount from customers c, orders o")
        #expect(qualified.columns.map(\.name) == ["id", "name", "region", "amount"])
    }

    @Test func setOperationsWindowsAndCase() throws {
        let union = try lineage("select id, amount from orders union all select order_id, amount from payments")
        #expect(columns(union) == [
            "id": ["orders.id:IDENTITY", "payments.order_id:IDENTITY"], "amount": ["orders.amount:IDENTITY", "payments.amount:IDENTITY"],
        ])
        let window = try lineage("""
            select id, row_number() over (partition by customer_id order by ordered_at) as n,
                   sum(amount) over (partition by customer_id) as running,
                   case when status = 'done' then amount else 0 end as done_amount
            from orders
            """)
        #expect(columns(window)["n"] == ["orders.customer_id:/WINDOW", "orders.ordered_at:/WINDOW"])
        #expect(columns(window)["running"] == ["orders.amount:AGGREGATION", "orders.customer_id:/WINDOW"])
        #expect(columns(window)["done_amount"] == ["orders.amount:TRANSFORMATION", "orders.status:/CONDITIONAL"])
    }

    @Test func recursiveCommonTablesAndValues() throws {
        let result = try lineage("""
            with recursive chain(id, depth) as (
                select id, 0 from customers
                union all
                select c.id, depth + 1 from chain c where depth < 3
            )
            select id, depth from chain
            """)
        #expect(columns(result) == ["id": ["customers.id:IDENTITY"], "depth": []])
        #expect(try lineage("select * from (values (1, 'a')) as v(n, s)").columns.map(\.name) == ["n", "s"])
    }

    @Test func backticksQuoteIdentifiersOnSQLiteAndSpark() throws {
        let result = try lineage("select `o`.`amount` as `total` from `orders` as `o`", flavor: .sqlite)
        #expect(columns(result) == ["total": ["orders.amount:IDENTITY"]])
    }

    /// A column of a relation whose columns are not all known resolves only when it is the one
    /// relation in reach; `*` over it, or an unqualified column beside it, is refused.
    @Test func whatItCannotSeeThroughIsRefusedNeverGuessed() throws {
        #expect(columns(try lineage("select event_id, payload from raw_events")) == [
            "event_id": ["raw_events.event_id:IDENTITY"], "payload": ["raw_events.payload:IDENTITY"],
        ])
        #expect(throws: ColumnLineageError("cannot expand * over raw_events: not all of its columns are known")) {
            try lineage("select * from raw_events")
        }
        #expect(throws: ColumnLineageError("column 'name' could come from raw_events or customers (not all of their columns are known)")) {
            try lineage("select name from raw_events, customers")
        }
        #expect(throws: ColumnLineageError("column 'amount' could come from orders or payments")) {
            try lineage("select amount from orders join payments on order_id = id")
        }
        #expect(throws: ColumnLineageError("the relation nowhere.table is not one the project knows")) {
            try lineage("select * from nowhere.table")
        }
        #expect(throws: ColumnLineageError("o has no column 'missing'")) {
            try lineage("select o.missing from orders o")
        }
        #expect(throws: SQLSyntaxError.self) { try lineage("select from where") }
    }
}
