import FloeEngine
import Foundation
import NIOCore

/// A session of HiveServer2's TCLIService (Spark's Thrift server): statements run asynchronously
/// and are polled until they finish, their results fetched in columnar row sets and turned into
/// the engine's values. Field ids and enum values are TCLIService.thrift's.
final class HiveServer2Session: @unchecked Sendable {
    private let channel: ThriftChannel
    private let handle: ThriftValue
    /// Told the statement running now, so another thread can cancel it.
    private let running: RunningOperation?
    /// How long one call may wait for its reply, and a statement for its result.
    let callTimeout: TimeAmount
    /// Set by ``abort()``: the server may be gone, so closing does not ask it anything.
    private let abortLock = NSLock()
    private var isAborted = false
    let queryTimeout: Duration
    /// Rows asked for per fetch.
    static let fetchSize: Int64 = 10_000
    /// HIVE_CLI_SERVICE_PROTOCOL_V10: columnar results, which Spark 3 and 4 serve.
    static let protocolVersion: Int32 = 9

    /// `password` nil: NOSASL; given: SASL PLAIN with `user` and it.
    init(host: String, port: Int, user: String, password: String? = nil, connectTimeout: TimeAmount = .seconds(10),
         callTimeout: TimeAmount = .seconds(60), queryTimeout: Duration = .seconds(3600), configuration: [String: String] = [:],
         running: RunningOperation? = nil) throws {
        self.running = running
        channel = try ThriftChannel(host: host, port: port, connectTimeout: connectTimeout,
                                    security: password.map { .plain(user: user, password: $0) } ?? .none)
        self.callTimeout = callTimeout
        self.queryTimeout = queryTimeout
        let request = ThriftValue.fields([
            1: .i32(Self.protocolVersion), 2: .string(user),
            4: configuration.isEmpty ? nil : .map(key: ThriftType.string, value: ThriftType.string,
                                                   configuration.sorted { $0.key < $1.key }.map { (.string($0.key), .string($0.value)) }),
        ])
        do {
            let reply = try channel.call("OpenSession", .fields([1: request]), timeout: callTimeout)
            try Self.check(reply[1], doing: "open a session")
            guard let handle = reply[3] else { throw EngineError(.unreachable, "the Spark Thrift server opened no session") }
            self.handle = handle
        } catch {
            channel.close()
            throw error
        }
    }

    /// Runs `sql` and returns its rows (none for a statement without a result), at most `limit`.
    func query(_ sql: String, limit: Int? = nil) throws -> ResultSet {
        let operation = try start(sql)
        defer { close(operation) }
        try wait(for: operation, sql: sql)
        guard operation[3]?.boolean ?? true else { return ResultSet(columns: [], rows: []) }
        let columns = try metadata(operation)
        var rows: [[SQLValue]] = []
        while true {
            let reply = try channel.call("FetchResults", .fields([1: .fields([
                1: operation, 2: .i32(0), 3: .i64(Self.fetchSize), 4: .i16(0),
            ])]), timeout: callTimeout)
            try Self.check(reply[1], doing: "fetch results", sql: sql)
            let fetched = try HiveRowSet.rows(reply[3], columns: columns)
            rows += fetched
            if let limit, rows.count >= limit {
                rows.removeLast(rows.count - limit)
                break
            }
            // Spark says hasMoreRows false even when more remain: an empty fetch is the end.
            if fetched.isEmpty { break }
        }
        return ResultSet(columns: columns.map(\.name), rows: rows)
    }

    /// Runs a statement that returns no rows; the rows it changed when the server says.
    @discardableResult
    func execute(_ sql: String) throws -> Int {
        let operation = try start(sql)
        defer { close(operation) }
        try wait(for: operation, sql: sql)
        if case .double(let changed)? = operation[4] { return Int(changed) }
        return 0
    }

    /// Frees the server's side of a finished (or failed) statement.
    private func close(_ operation: ThriftValue) {
        _ = try? channel.call("CloseOperation", .fields([1: .fields([1: operation])]), timeout: callTimeout)
    }

    func close() {
        abortLock.lock()
        let aborted = isAborted
        abortLock.unlock()
        if !aborted { _ = try? channel.call("CloseSession", .fields([1: .fields([1: handle])]), timeout: callTimeout) }
        channel.close()
    }

    /// Drops the connection at once, without a word to a server that may not answer: the call
    /// waiting on it fails now instead of at its timeout. The session is unusable afterwards.
    func abort() {
        abortLock.lock()
        isAborted = true
        abortLock.unlock()
        channel.close()
    }

    private func start(_ sql: String) throws -> ThriftValue {
        let reply = try channel.call("ExecuteStatement", .fields([1: .fields([
            1: handle, 2: .string(sql), 4: .bool(true),
        ])]), timeout: callTimeout)
        try Self.check(reply[1], doing: "run the statement", sql: sql)
        guard let operation = reply[2] else { throw EngineError(.statement, "the Spark Thrift server started no operation", sql: sql) }
        running?.set(operation)
        return operation
    }

    /// Polls the operation until it finishes; cancels it past the query timeout.
    private func wait(for operation: ThriftValue, sql: String) throws {
        defer { running?.set(nil) }
        let deadline = ContinuousClock.now + queryTimeout
        var pause = Duration.milliseconds(10)
        while true {
            let reply = try channel.call("GetOperationStatus", .fields([1: .fields([1: operation])]), timeout: callTimeout)
            try Self.check(reply[1], doing: "follow the statement", sql: sql)
            switch reply[2]?.int32 ?? -1 {
            case 2: return  // FINISHED
            case 3, 4, 6:  // CANCELED, CLOSED, UKNOWN
                throw EngineError(.statement, "the statement was cancelled or closed on the Spark Thrift server", sql: sql)
            case 5:  // ERROR
                throw EngineError(.statement, Self.message(from: reply[5]?.text ?? "the statement failed"), sql: sql)
            default:
                guard ContinuousClock.now < deadline else {
                    _ = try? channel.call("CancelOperation", .fields([1: .fields([1: operation])]), timeout: callTimeout)
                    throw EngineError(.statement, "the statement ran past its timeout and was cancelled", sql: sql)
                }
                Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds))
                pause = min(pause * 2, .milliseconds(250))
            }
        }
    }

    private func metadata(_ operation: ThriftValue) throws -> [HiveRowSet.Column] {
        let reply = try channel.call("GetResultSetMetadata", .fields([1: .fields([1: operation])]), timeout: callTimeout)
        try Self.check(reply[1], doing: "read the result's columns")
        return (reply[2]?[1]?.items ?? []).map { description in
            let type = description[2]?[1]?.items?.first?[1]?[1]?.int32 ?? 7
            return HiveRowSet.Column(name: description[1]?.text ?? "", type: type)
        }
    }

    /// Throws the server's message unless `status` is SUCCESS or SUCCESS_WITH_INFO.
    static func check(_ status: ThriftValue?, doing what: String, sql: String? = nil) throws {
        let code = status?[1]?.int32 ?? 3
        guard code != 0 && code != 1 else { return }
        let reason = status?[5]?.text ?? "the server gave no reason"
        throw EngineError(sql == nil ? .unreachable : .statement, "cannot \(what) on the Spark Thrift server: \(message(from: reason))", sql: sql)
    }

    /// Spark's messages carry Java class names before the message
    /// (`org.apache.hive.service.cli.HiveSQLException: Error running query: [CODE]
    /// org.apache…ParseException:`, the message itself on the next line for a parse error) and a
    /// Java stack or the query plan after it: the message is the first line left with words.
    static func message(from text: String) -> String {
        for raw in text.split(separator: "\n") {
            let line = stripJavaClasses(String(raw)).trimmingCharacters(in: .whitespaces)
            let onlyCode = line.hasPrefix("[") && line.hasSuffix("]") && !line.contains(" ")
            if !line.isEmpty, !onlyCode { return line }
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `line` without `some.java.ClassName: ` prefixes and the Thrift server's own words.
    private static func stripJavaClasses(_ line: String) -> String {
        var rest = Substring(line)
        while true {
            rest = rest.drop { $0 == " " }
            if rest.hasPrefix("Error running query: ") { rest = rest.dropFirst("Error running query: ".count); continue }
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                // `[CODE] java.Class: [CODE] message`: the code is said again after the class.
                let after = rest[rest.index(after: close)...].drop { $0 == " " }
                if let colon = after.range(of: ": "), after[..<colon.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "$" }),
                   after[..<colon.lowerBound].contains(".") {
                    rest = after[colon.upperBound...]
                    continue
                }
                if after.hasSuffix(":"), after.dropLast().allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "$" }) {
                    return String(rest[...close])
                }
            }
            if let colon = rest.range(of: ": "), rest[..<colon.lowerBound].contains("."),
               rest[..<colon.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "$" }) {
                rest = rest[colon.upperBound...]
                continue
            }
            return String(rest)
        }
    }
}
