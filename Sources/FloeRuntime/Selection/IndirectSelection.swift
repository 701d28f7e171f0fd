/// dbt's `--indirect-selection`: which tests run when the nodes they test are selected but the
/// tests themselves are not. A test selected by name (or `test_name:`, a tag, …) always runs.
public enum IndirectSelection: String, Sendable, CaseIterable {
    /// A test runs when any node it tests is selected (dbt's default).
    case eager
    /// Only when every node it tests is selected.
    case cautious
    /// When every node it tests is selected or is an ancestor of a selected node (built already
    /// or by this run before what reads it).
    case buildable
    /// Never: only the tests selected themselves run (dagster-dbt's way of choosing each check).
    case empty
}
