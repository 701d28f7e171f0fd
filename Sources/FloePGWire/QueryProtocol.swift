import NIOCore

/// The simple and extended query protocols of one session: prepared statements and portals by
/// name, the transaction state ReadyForQuery reports, and the extended protocol's rule that after
/// an error every message up to `Sync` is skipped.
struct QueryProtocol {
    let session: any PGSession
    private var statements: [String: PGStatement] = [:]
    private var portals: [String: PGConnection.Portal] = [:]
    private var transaction = BackendMessage.TransactionStatus.idle
    /// An extended-protocol message failed: skip to the next `Sync`.
    private var skippingToSync = false

    init(session: any PGSession) {
        self.session = session
    }

    /// The replies to one message (written now; the caller writes them in order).
    mutating func handle(_ message: FrontendMessage) async -> [BackendMessage] {
        var out: [BackendMessage] = []
        switch message {
        case .query(let text):
            await simpleQuery(text, &out)
            portals[""] = nil
            out.append(.readyForQuery(transaction))
        case .sync:
            skippingToSync = false
            portals[""] = nil
            if transaction == .idle { portals.removeAll() }
            out.append(.readyForQuery(transaction))
        case .flush, .terminate:
            break
        default:
            guard !skippingToSync else { break }
            do {
                try await extended(message, &out)
            } catch {
                out.append(.error(error))
                fail()
                skippingToSync = true
            }
        }
        return out
    }

    private mutating func fail() {
        if transaction == .inTransaction { transaction = .failed }
    }

    private mutating func simpleQuery(_ text: String, _ out: inout [BackendMessage]) async {
        do {
            let prepared = try session.prepare(text, parameterTypes: [])
            if prepared.isEmpty {
                out.append(.emptyQueryResponse)
                return
            }
            for statement in prepared {
                try checkTransaction(statement)
                if !statement.columns.isEmpty { out.append(.rowDescription(statement.columns, formats: [])) }
                let result = try await statement.run([])
                for row in result.rows { out.append(.textRow(row)) }
                out.append(.commandComplete(applyTransaction(statement, tag: result.tag)))
            }
        } catch {
            out.append(.error(error))
            fail()
        }
    }

    /// In a failed transaction only ROLLBACK (or COMMIT, which rolls back) is taken.
    private func checkTransaction(_ statement: PGStatement) throws(PGError) {
        guard transaction == .failed, statement.transaction == nil || statement.transaction == .begin else { return }
        throw PGError(PGError.inFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")
    }

    /// The transaction state after `statement`, and its tag (COMMIT of a failed transaction is ROLLBACK).
    private mutating func applyTransaction(_ statement: PGStatement, tag: String) -> String {
        switch statement.transaction {
        case .begin?:
            if transaction == .idle { transaction = .inTransaction }
        case .commit?:
            defer { transaction = .idle }
            if transaction == .failed { return "ROLLBACK" }
        case .rollback?:
            transaction = .idle
        case .rollbackToSavepoint?:
            if transaction == .failed { transaction = .inTransaction }
        case nil:
            break
        }
        return tag
    }

    private mutating func extended(_ message: FrontendMessage, _ out: inout [BackendMessage]) async throws(PGError) {
        switch message {
        case .parse(let name, let text, let types):
            let prepared = try session.prepare(text, parameterTypes: types)
            guard prepared.count <= 1 else {
                throw PGError(PGError.syntaxError, "cannot insert multiple commands into a prepared statement")
            }
            if !name.isEmpty, statements[name] != nil {
                throw PGError("42P05", "prepared statement \"\(name)\" already exists")
            }
            statements[name] = prepared.first ?? PGStatement(columns: []) { _ in PGResult(rows: [], tag: "") }
            out.append(.parseComplete)
        case .bind(let portal, let name, let formats, let values, let resultFormats):
            guard let statement = statements[name] else {
                throw PGError(PGError.invalidStatementName, "prepared statement \"\(name)\" does not exist")
            }
            guard values.count == statement.parameterTypes.count else {
                throw PGError(PGError.protocolViolation,
                              "bind message supplies \(values.count) parameters, but prepared statement \"\(name)\" requires \(statement.parameterTypes.count)")
            }
            var parameters: [String?] = []
            for (index, value) in values.enumerated() {
                guard let value else {
                    parameters.append(nil)
                    continue
                }
                let format = formats.isEmpty ? 0 : formats.count == 1 ? formats[0] : formats[index]
                guard let text = PGType.decode(value, format: format, type: statement.parameterTypes[index]) else {
                    throw PGError(PGError.featureNotSupported,
                                  "parameter $\(index + 1) is sent in binary as \(statement.parameterTypes[index].displayName), which this server reads only as text",
                                  hint: "send it in the text format")
                }
                parameters.append(text)
            }
            try checkTransaction(statement)
            portals[portal] = PGConnection.Portal(statement: statement, parameters: parameters, resultFormats: resultFormats)
            out.append(.bindComplete)
        case .describe(.statement, let name):
            guard let statement = statements[name] else {
                throw PGError(PGError.invalidStatementName, "prepared statement \"\(name)\" does not exist")
            }
            out.append(.parameterDescription(statement.parameterTypes.map(\.oid)))
            out.append(statement.columns.isEmpty ? .noData : .rowDescription(statement.columns, formats: []))
        case .describe(.portal, let name):
            guard let portal = portals[name] else { throw PGError(PGError.invalidCursorName, "portal \"\(name)\" does not exist") }
            out.append(portal.statement.columns.isEmpty ? .noData : .rowDescription(portal.statement.columns, formats: portal.resultFormats))
        case .execute(let name, let maxRows):
            guard var portal = portals[name] else { throw PGError(PGError.invalidCursorName, "portal \"\(name)\" does not exist") }
            if portal.pending == nil {
                let result = try await portal.statement.run(portal.parameters)
                portal.pending = result.rows
                portal.tag = applyTransaction(portal.statement, tag: result.tag)
            }
            var rows = portal.pending ?? []
            let sending = maxRows > 0 ? Array(rows.prefix(Int(maxRows))) : rows
            rows.removeFirst(sending.count)
            for row in sending {
                out.append(portal.resultFormats.allSatisfy { $0 == 0 }
                    ? .textRow(row) : .dataRow(try Self.encode(row, columns: portal.statement.columns, formats: portal.resultFormats)))
            }
            if maxRows > 0, !rows.isEmpty {
                portal.pending = rows
                portals[name] = portal
                out.append(.portalSuspended)
            } else {
                portal.pending = []
                portals[name] = portal
                out.append(portal.statement.columns.isEmpty && portal.tag.isEmpty ? .emptyQueryResponse : .commandComplete(portal.tag))
            }
        case .close(.statement, let name):
            statements[name] = nil
            out.append(.closeComplete)
        case .close(.portal, let name):
            portals[name] = nil
            out.append(.closeComplete)
        case .password:
            throw PGError(PGError.protocolViolation, "unexpected password message")
        case .unsupported(let type):
            throw PGError(PGError.featureNotSupported, "the message '\(Character(UnicodeScalar(type)))' is not supported: the semantic layer answers queries only")
        default:
            throw PGError(PGError.protocolViolation, "unexpected message")
        }
    }

    /// A row's values in the formats asked for (text unless a column asks for binary).
    static func encode(_ row: [String?], columns: [PGColumn], formats: [Int16]) throws(PGError) -> [ByteBuffer?] {
        var values: [ByteBuffer?] = []
        values.reserveCapacity(row.count)
        for (index, value) in row.enumerated() {
            guard let value else {
                values.append(nil)
                continue
            }
            let format = formats.isEmpty ? 0 : formats.count == 1 ? formats[0] : formats[index]
            if format == 1 {
                guard let binary = columns[index].type.encodeBinary(value) else {
                    throw PGError(PGError.featureNotSupported, "the binary format of \(columns[index].type.displayName) is not supported; ask for text")
                }
                values.append(binary)
            } else {
                values.append(ByteBuffer(string: value))
            }
        }
        return values
    }
}
