@testable import FloeCompiler
@testable import FloeTemplates
import FloeContract
import Testing

/// Generic tests are named as dbt names them, so `--select`, run results and stored failures
/// carry the same names on both tools.
@Suite struct GenericTestNameTests {
    @Test func namesFollowDbtsSynthesis() {
        func name(_ test: String, _ node: String, _ column: String?, _ arguments: [String: ConfigInput]) -> GenericTestName.Name {
            GenericTestName.make(test: test, node: node, column: column, arguments: arguments)
        }
        #expect(name("not_null", "orders", "order_id", [:]).full == "not_null_orders_order_id")
        // jaffle_shop's: 83 characters, so dbt's alias is the identifier and the MD5 of the name.
        let statuses = name("accepted_values", "orders", "status",
                            ["values": .list(["placed", "shipped", "completed", "return_pending", "returned"].map(ConfigInput.string))])
        #expect(statuses.full == "accepted_values_orders_status__placed__shipped__completed__return_pending__returned")
        #expect(statuses.short == "accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758")
        #expect(name("relationships", "orders", "customer_id", ["to": .string("ref('customers')"), "field": .string("customer_id")]).full
            == "relationships_orders_customer_id__customer_id__ref_customers_")
        // Every argument counts, `quote` too, in Python's spelling; `column_name` sorts among them.
        #expect(name("accepted_values", "t", "n", ["values": .list([.integer(1), .integer(2)]), "quote": .bool(false)]).full
            == "accepted_values_t_n__False__1__2")
        #expect(name("between", "t", "n", ["at_least": .number(0), "at_most": .number(1.5), "inclusive": .null]).full
            == "between_t_0_0__1_5__n__None")
        // Runs of other characters become one `_`; text as written, before any rendering.
        #expect(name("accepted_values", "t", "c", ["values": .string("{{ var('statuses') }}")]).full == "accepted_values_t_c___var_statuses_")
        #expect(name("expect", "t", nil, ["pattern": .string("^[a-z]+  é$")]).full == "expect_t__a_z_")
        // A source's tests: `source_` before the test, `<source>_<table>` for the node.
        #expect(name("source_unique", "raw_orders", "id", [:]).full == "source_unique_raw_orders_id")
    }
}
