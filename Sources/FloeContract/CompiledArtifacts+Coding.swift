import Foundation

/// Why a plan could not be read.
public enum ContractError: Error, Equatable, CustomStringConvertible {
    /// The plan was written by a floe whose contract this build does not understand.
    case incompatibleVersion(found: ContractVersion, supported: ContractVersion)
    /// Not a plan, or a damaged one; the text says where.
    case malformed(String)

    public var description: String {
        switch self {
        case .incompatibleVersion(let found, let supported):
            return "the plan uses contract version \(found), but this floe reads \(supported.major).x "
                + "(rebuild the plan with this floe's `floe compile`)"
        case .malformed(let detail):
            return "not a valid floe plan: \(detail)"
        }
    }
}

extension CompiledArtifacts {
    /// Pretty JSON with sorted keys and a final newline: the same plan always gives the same bytes.
    public func encoded() throws -> Data {
        try CanonicalJSONEncoder().encode(self, trailingNewline: true, inspecting: nil).document.data
    }

    /// The same bytes, with `inspector` run over every string value as it is written.
    public func encoded(inspecting inspector: JSONStringInspector) throws -> (document: EncodedDocument, flagged: Bool) {
        try CanonicalJSONEncoder().encode(self, trailingNewline: true, inspecting: inspector)
    }

    /// Decodes a plan, refusing one whose major version this build does not understand.
    public static func decode(_ data: Data) throws -> CompiledArtifacts {
        struct VersionProbe: Decodable { var version: ContractVersion }
        let found: ContractVersion
        do {
            found = try JSONDecoder().decode(VersionProbe.self, from: data).version
        } catch {
            throw ContractError.malformed(Self.describe(error))
        }
        guard found.major == currentVersion.major else {
            throw ContractError.incompatibleVersion(found: found, supported: currentVersion)
        }
        do {
            return try JSONDecoder().decode(CompiledArtifacts.self, from: data)
        } catch {
            throw ContractError.malformed(Self.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "the file is not JSON" }
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the top level" : String(text.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the file is not JSON (cut short, or edited by hand?)"
                : "bad value at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "unreadable"
        }
    }
}

/// Plan enums decode with a message that lists what is allowed, instead of Foundation's
/// "Cannot initialize … from invalid String value".
protocol PlanEnum: RawRepresentable<String>, CaseIterable, Decodable {}

extension PlanEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "'\(text)' is not one of " + Self.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))
        }
        self = value
    }
}

extension Materialization: PlanEnum {}
extension CompiledTest.Severity: PlanEnum {}
