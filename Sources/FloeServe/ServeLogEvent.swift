/// A line of the server's log with its parts, for a structured log (`floe serve --log-format
/// json`): what a request or SQL API query was, how it ended and what answered it.
public struct ServeLogEvent: Sendable {
    /// `request_served`, `sql_query_served`.
    public var name: String
    /// `info`, `warn` (a 4xx), `error` (a 5xx).
    public var level: String
    /// The text line the log has without a structured log.
    public var message: String
    public var fields: [(String, String)]
}
