import Foundation

/// A SQL API session's run-time settings: what `SET` changes and `SHOW`, `current_setting()`
/// and `pg_settings` read. Only the client's own view changes; nothing is sent to the warehouse.
final class SessionSettings: @unchecked Sendable {
    /// The version clients see: PostgreSQL 14's protocol and catalogs.
    static let serverVersion = "14.2"
    static let versionText = "PostgreSQL 14.2 on x86_64-pc-linux-gnu, compiled by floe (the semantic layer's SQL API), 64-bit"

    private let lock = NSLock()
    private var values: [String: String]
    /// The spelling of each setting's name as PostgreSQL reports it (`DateStyle`).
    private static let spelled = ["datestyle": "DateStyle", "intervalstyle": "IntervalStyle", "timezone": "TimeZone"]

    init(user: String, applicationName: String) {
        values = [
            "server_version": Self.serverVersion, "server_version_num": "140002", "server_encoding": "UTF8", "client_encoding": "UTF8",
            "datestyle": "ISO, MDY", "intervalstyle": "postgres", "timezone": "UTC", "integer_datetimes": "on",
            "standard_conforming_strings": "on", "application_name": applicationName, "is_superuser": "off",
            "session_authorization": user, "search_path": "\"$user\", public", "transaction_isolation": "read committed",
            "default_transaction_isolation": "read committed", "transaction_read_only": "on", "default_transaction_read_only": "on",
            "max_identifier_length": "63", "lc_collate": "C.UTF-8", "lc_ctype": "C.UTF-8", "extra_float_digits": "1",
            "statement_timeout": "0", "lock_timeout": "0", "idle_in_transaction_session_timeout": "0", "max_index_keys": "32",
            "bytea_output": "hex", "client_min_messages": "notice", "row_security": "on", "escape_string_warning": "on",
        ]
    }

    /// The ParameterStatus messages a new session gets, as PostgreSQL sends them.
    var reported: [(name: String, value: String)] {
        ["application_name", "client_encoding", "datestyle", "integer_datetimes", "intervalstyle", "is_superuser", "server_encoding",
         "server_version", "session_authorization", "standard_conforming_strings", "timezone"].map { (Self.spelled[$0] ?? $0, self[$0] ?? "") }
    }

    subscript(name: String) -> String? {
        let key = name.lowercased()
        lock.lock()
        defer { lock.unlock() }
        if key == "transaction isolation level" || key == "transaction.isolation.level" { return values["transaction_isolation"] }
        return values[key]
    }

    /// SET name = value (`DEFAULT` keeps the default). Settings clients set that floe does not know are kept too.
    func set(_ name: String, _ value: String) {
        let key = name.lowercased()
        guard value.lowercased() != "default" else { return }
        lock.lock()
        values[key] = value
        lock.unlock()
    }

    var all: [(String, String)] {
        lock.lock()
        defer { lock.unlock() }
        return values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
