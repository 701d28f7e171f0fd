import Foundation

/// Cube's member references inside a cube's SQL: `{CUBE}`, `{CUBE.member}`, `{member}`,
/// `{Cube}` and `{Cube.member}`. Compile checks them; the query engine expands them. Braces
/// around anything but a name or a dotted name are plain text.
public enum CubeSQLTemplate {
    public enum Piece: Sendable, Equatable {
        case text(String)
        /// The name inside the braces, trimmed.
        case reference(String)
    }

    public static func pieces(of sql: String) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(sql)
        var pending = ""
        while let open = rest.firstIndex(of: "{") {
            let after = rest.index(after: open)
            guard let close = rest[after...].firstIndex(of: "}") else { break }
            let inside = rest[after..<close].trimmingCharacters(in: .whitespaces)
            if !inside.isEmpty, inside.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) {
                pending += rest[..<open]
                if !pending.isEmpty { pieces.append(.text(pending)) }
                pending = ""
                pieces.append(.reference(inside))
            } else {
                pending += rest[...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        pending += rest
        if !pending.isEmpty { pieces.append(.text(pending)) }
        return pieces
    }

    public static func references(in sql: String) -> [String] {
        pieces(of: sql).compactMap { if case .reference(let name) = $0 { name } else { nil } }
    }
}
