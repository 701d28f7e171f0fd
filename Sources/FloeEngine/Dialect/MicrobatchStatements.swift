import FloeContract

/// The SQL of dbt's `microbatch` incremental strategy: a model's inputs that have an
/// `event_time` are read one batch (a time window) at a time, and each batch of the model's rows
/// replaces the same window of its table. The plan's SQL holds the window as two markers, string
/// literals the executor replaces with each batch's bounds.
extension SQLDialect {
    public var batchStartMarker: String { "'__floe_batch_start__'" }
    public var batchEndMarker: String { "'__floe_batch_end__'" }

    /// What `ref()` of an input with an `event_time` reads in a microbatch model: its rows in the
    /// batch's window, start included, end excluded.
    public func batchInput(_ relation: String, eventTime: String) -> String {
        let time = comparableTimestamp(quoteIdentifier(eventTime))
        return "(select * from \(relation) where \(time) >= \(timestampParameter(batchStartMarker)) "
            + "and \(time) < \(timestampParameter(batchEndMarker)))"
    }

    /// `sql` for the batch from `start` to `end` (`YYYY-MM-DDTHH:MM:SS.SSS`, UTC).
    public func batch(_ sql: String, start: String, end: String) -> String {
        sql.replacingOccurrences(of: batchStartMarker, with: stringLiteral(start))
            .replacingOccurrences(of: batchEndMarker, with: stringLiteral(end))
    }

    /// The rows of `target` in the batch's window, which the batch's rows replace.
    public func batchWindow(eventTime: String, start: String, end: String) -> String {
        let time = comparableTimestamp(quoteIdentifier(eventTime))
        return "\(time) >= \(timestampParameter(stringLiteral(start))) and \(time) < \(timestampParameter(stringLiteral(end)))"
    }
}
