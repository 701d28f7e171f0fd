import FloeContract
@testable import FloeRuntime
import Testing

/// Stored failures live in a table named for the test: a name of 64 characters or more (longer
/// than PostgreSQL's identifiers) becomes its first 30 and the MD5 of the whole. (dbt's alias
/// cuts the test's identifier, `accepted_values_orders`, not the name: see TestFailures.alias.)
@Suite struct TestFailuresTests {
    @Test func longTestNamesGetDbtsAlias() {
        #expect(TestFailures.alias(of: "not_null_orders_order_id") == "not_null_orders_order_id")
        #expect(TestFailures.alias(of: "accepted_values_orders_status__placed__shipped__completed__return_pending__returned")
            == "accepted_values_orders_status__1ce6ab157c285f7cd2ac656013faf758")
    }
}
