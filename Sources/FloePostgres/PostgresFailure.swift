import FloeEngine
import Foundation
import NIOCore
import PostgresNIO

/// The driver's errors as floe's `EngineError`: the server's own message with its SQLSTATE, detail
/// and hint for a failed statement; host and port for a connection that could not be made. PSQLError
/// hides its details from `description` on purpose (they may hold data), so they are read field by field.
enum PostgresFailure {
    /// `sent`: the statement as the server got it, when it is a part of `sql` (one statement of
    /// several): the server's error position in it is then a position in `sql`.
    static func engineError(_ error: any Error, address: String, sql: String? = nil, sent: String? = nil) -> EngineError {
        if let error = error as? EngineError { return error }
        // The future-based API reports the server's errors as the older PostgresError.
        if case .server(let server)? = error as? PostgresError, let message = server.fields[.message] {
            var failure = serverError(message: message, state: server.fields[.sqlState], detail: server.fields[.detail],
                                      hint: server.fields[.hint], address: address, sql: sql)
            failure.position = offset(of: server.fields[.position], in: sent, within: sql)
            return failure
        }
        if case .connectionClosed? = error as? PostgresError {
            return EngineError(.unreachable, "the connection to PostgreSQL at \(address) closed", sql: sql)
        }
        guard let error = error as? PSQLError else {
            return EngineError(.unreachable, "cannot reach PostgreSQL at \(address): \(String(describing: error))", sql: sql)
        }
        if let info = error.serverInfo, let message = info[.message] {
            var failure = serverError(message: message, state: info[.sqlState], detail: info[.detail], hint: info[.hint],
                                      address: address, sql: sql)
            failure.position = offset(of: info[.position], in: sent, within: sql)
            return failure
        }
        switch error.code {
        case .sslUnsupported:
            return EngineError(.unreachable, "PostgreSQL at \(address) does not support TLS, which the profile's sslmode asks for; "
                + "hint: a server without TLS (a local one) needs sslmode: disable (or prefer)", sql: sql)
        case .queryCancelled:
            return EngineError(.statement, "the statement was interrupted", sql: sql)
        case .clientClosedConnection, .serverClosedConnection, .uncleanShutdown:
            return EngineError(.unreachable, "the connection to PostgreSQL at \(address) closed", sql: sql)
        default:
            let cause = error.underlying.map { ": \(describe($0))" } ?? ""
            return EngineError(.unreachable, "cannot reach PostgreSQL at \(address) (\(error.code))\(cause)", sql: sql)
        }
    }

    private static func serverError(message: String, state: String?, detail: String?, hint: String?,
                                    address: String, sql: String?) -> EngineError {
        var text = message
        if let state { text += " (SQLSTATE \(state))" }
        if let detail { text += "; \(detail)" }
        if let hint { text += "; hint: \(hint)" }
        // 28xxx: invalid authorization; 3D000: no such database; 57P03: the server is starting up.
        if let state, state.hasPrefix("28") || state == "3D000" || state == "57P03" {
            return EngineError(.unreachable, "PostgreSQL at \(address) refused the connection: \(text)")
        }
        return EngineError(.statement, text, sql: sql)
    }

    /// The server's error position (1-based, in characters of the statement it got) as a UTF-8
    /// offset into `sql`, which holds the statement.
    private static func offset(of position: String?, in sent: String?, within sql: String?) -> Int? {
        guard let position = position.flatMap(Int.init), position >= 1, let sent, let sql, let range = sql.range(of: sent),
              let index = sent.index(sent.startIndex, offsetBy: position - 1, limitedBy: sent.endIndex) else { return nil }
        return sql.utf8.distance(from: sql.startIndex, to: range.lowerBound) + sent.utf8.distance(from: sent.startIndex, to: index)
    }

    /// NIO's connection errors name their cause deep inside; the first line of it is enough.
    private static func describe(_ error: any Error) -> String {
        if let connect = error as? NIOConnectionError {
            let causes = connect.connectionErrors.map { "\($0.error)" }
            if connect.dnsAAAAError != nil || connect.dnsAError != nil, causes.isEmpty { return "the host name does not resolve" }
            return causes.first ?? "\(error)"
        }
        return "\(error)"
    }
}
