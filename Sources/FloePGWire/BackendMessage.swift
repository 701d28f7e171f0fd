import NIOCore

/// What the server sends (protocol 3.0), each written as a type byte, a length and a body.
public enum BackendMessage: Sendable {
    case authenticationOk
    case authenticationCleartextPassword
    case authenticationMD5Password(salt: [UInt8])
    case authenticationSASL(mechanisms: [String])
    case authenticationSASLContinue([UInt8])
    case authenticationSASLFinal([UInt8])
    case parameterStatus(name: String, value: String)
    case backendKeyData(processID: Int32, secretKey: Int32)
    case readyForQuery(TransactionStatus)
    case rowDescription([PGColumn], formats: [Int16])
    case dataRow([ByteBuffer?])
    /// A DataRow of values in the text format, written straight from the strings.
    case textRow([String?])
    case commandComplete(String)
    case emptyQueryResponse
    case error(PGError)
    case notice(PGError)
    case parseComplete
    case bindComplete
    case closeComplete
    case noData
    case parameterDescription([UInt32])
    case portalSuspended

    /// ReadyForQuery's status byte.
    public enum TransactionStatus: UInt8, Sendable {
        case idle = 0x49 // 'I'
        case inTransaction = 0x54 // 'T'
        case failed = 0x45 // 'E'
    }

    public func write(into buffer: inout ByteBuffer) {
        switch self {
        case .authenticationOk: Self.frame("R", &buffer) { $0.writeInteger(Int32(0)) }
        case .authenticationCleartextPassword: Self.frame("R", &buffer) { $0.writeInteger(Int32(3)) }
        case .authenticationMD5Password(let salt):
            Self.frame("R", &buffer) {
                $0.writeInteger(Int32(5))
                $0.writeBytes(salt)
            }
        case .authenticationSASL(let mechanisms):
            Self.frame("R", &buffer) {
                $0.writeInteger(Int32(10))
                for mechanism in mechanisms { $0.writeNullTerminatedString(mechanism) }
                $0.writeInteger(UInt8(0))
            }
        case .authenticationSASLContinue(let data):
            Self.frame("R", &buffer) {
                $0.writeInteger(Int32(11))
                $0.writeBytes(data)
            }
        case .authenticationSASLFinal(let data):
            Self.frame("R", &buffer) {
                $0.writeInteger(Int32(12))
                $0.writeBytes(data)
            }
        case .parameterStatus(let name, let value):
            Self.frame("S", &buffer) {
                $0.writeNullTerminatedString(name)
                $0.writeNullTerminatedString(value)
            }
        case .backendKeyData(let process, let key):
            Self.frame("K", &buffer) {
                $0.writeInteger(process)
                $0.writeInteger(key)
            }
        case .readyForQuery(let status): Self.frame("Z", &buffer) { $0.writeInteger(status.rawValue) }
        case .rowDescription(let columns, let formats):
            Self.frame("T", &buffer) {
                $0.writeInteger(Int16(columns.count))
                for (index, column) in columns.enumerated() {
                    $0.writeNullTerminatedString(column.name)
                    $0.writeInteger(column.tableOID)
                    $0.writeInteger(column.attributeNumber)
                    $0.writeInteger(column.type.oid)
                    $0.writeInteger(column.type.size)
                    $0.writeInteger(column.typeModifier)
                    $0.writeInteger(formats.isEmpty ? 0 : formats.count == 1 ? formats[0] : formats[index])
                }
            }
        case .dataRow(let values):
            Self.frame("D", &buffer) {
                $0.writeInteger(Int16(values.count))
                for value in values {
                    if var value {
                        $0.writeInteger(Int32(value.readableBytes))
                        $0.writeBuffer(&value)
                    } else {
                        $0.writeInteger(Int32(-1))
                    }
                }
            }
        case .textRow(let values):
            Self.frame("D", &buffer) {
                $0.writeInteger(Int16(values.count))
                for value in values {
                    if let value {
                        let lengthIndex = $0.writerIndex
                        $0.writeInteger(Int32(0))
                        let written = $0.writeString(value)
                        $0.setInteger(Int32(written), at: lengthIndex)
                    } else {
                        $0.writeInteger(Int32(-1))
                    }
                }
            }
        case .commandComplete(let tag): Self.frame("C", &buffer) { $0.writeNullTerminatedString(tag) }
        case .emptyQueryResponse: Self.frame("I", &buffer) { _ in }
        case .error(let error): Self.frame("E", &buffer) { error.writeFields(into: &$0) }
        case .notice(let notice): Self.frame("N", &buffer) { notice.writeFields(into: &$0) }
        case .parseComplete: Self.frame("1", &buffer) { _ in }
        case .bindComplete: Self.frame("2", &buffer) { _ in }
        case .closeComplete: Self.frame("3", &buffer) { _ in }
        case .noData: Self.frame("n", &buffer) { _ in }
        case .parameterDescription(let types):
            Self.frame("t", &buffer) {
                $0.writeInteger(Int16(types.count))
                for type in types { $0.writeInteger(type) }
            }
        case .portalSuspended: Self.frame("s", &buffer) { _ in }
        }
    }

    /// Writes the type byte, the body, and the length (which counts itself) in front of the body.
    private static func frame(_ type: Unicode.Scalar, _ buffer: inout ByteBuffer, _ body: (inout ByteBuffer) -> Void) {
        buffer.writeInteger(UInt8(ascii: type))
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(Int32(0))
        body(&buffer)
        buffer.setInteger(Int32(buffer.writerIndex - lengthIndex), at: lengthIndex)
    }
}

/// A column of a result as RowDescription describes it.
public struct PGColumn: Sendable, Equatable {
    public var name: String
    public var type: PGType
    /// The table and column it comes from, when it is a plain column of one (0 otherwise).
    public var tableOID: UInt32
    public var attributeNumber: Int16
    public var typeModifier: Int32

    public init(name: String, type: PGType, tableOID: UInt32 = 0, attributeNumber: Int16 = 0, typeModifier: Int32 = -1) {
        self.name = name
        self.type = type
        self.tableOID = tableOID
        self.attributeNumber = attributeNumber
        self.typeModifier = typeModifier
    }
}

/// An error or notice as ErrorResponse carries it: severity, SQLSTATE, message, detail, hint and
/// the 1-based character position in the query it points at.
public struct PGError: Error, Sendable, Equatable, CustomStringConvertible {
    public var severity: String
    public var code: String
    public var message: String
    public var detail: String?
    public var hint: String?
    public var position: Int?

    public init(_ code: String, _ message: String, detail: String? = nil, hint: String? = nil, position: Int? = nil, severity: String = "ERROR") {
        self.severity = severity
        self.code = code
        self.message = message
        self.detail = detail
        self.hint = hint
        self.position = position
    }

    public var description: String { "\(code): \(message)" }

    // SQLSTATE codes floe answers with.
    public static let syntaxError = "42601"
    public static let undefinedTable = "42P01"
    public static let undefinedColumn = "42703"
    public static let undefinedFunction = "42883"
    public static let featureNotSupported = "0A000"
    public static let invalidPassword = "28P01"
    public static let invalidAuthorization = "28000"
    public static let insufficientPrivilege = "42501"
    public static let protocolViolation = "08P01"
    public static let queryCanceled = "57014"
    public static let inFailedTransaction = "25P02"
    public static let invalidParameterValue = "22023"
    public static let invalidTextRepresentation = "22P02"
    public static let undefinedObject = "42704"
    public static let invalidStatementName = "26000"
    public static let invalidCursorName = "34000"
    public static let adminShutdown = "57P01"
    public static let connectionFailure = "08006"
    public static let internalError = "XX000"
    public static let groupingError = "42803"
    public static let dataException = "22000"
    public static let readOnlyTransaction = "25006"

    func writeFields(into buffer: inout ByteBuffer) {
        func field(_ type: Unicode.Scalar, _ value: String) {
            buffer.writeInteger(UInt8(ascii: type))
            buffer.writeNullTerminatedString(value)
        }
        field("S", severity)
        field("V", severity)
        field("C", code)
        field("M", message)
        if let detail { field("D", detail) }
        if let hint { field("H", hint) }
        if let position { field("P", String(position)) }
        buffer.writeInteger(UInt8(0))
    }
}
