/// The operator-like tokens; everything else is `.other`. The parser tests one of these per token
/// at each precedence level, and expressions keep them to say which operation they are.
enum JinjaOperator: UInt8 {
    case other, or, and, not, `in`, `is`
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
    case tilde, plus, minus, star, slash, floorDivide, percent, power, pipe, dot, openBracket, openParen

    /// A name token's operator: `or`, `and`, `not`, `in`, `is`, or `.other`.
    init(keyword bytes: ArraySlice<UInt8>) {
        let first = bytes.first ?? 0, second = bytes.dropFirst().first ?? 0
        switch (bytes.count, first, second) {
        case (2, 0x6F, 0x72): self = .or
        case (2, 0x69, 0x6E): self = .in
        case (2, 0x69, 0x73): self = .is
        case (3, 0x61, 0x6E) where bytes.last == 0x64: self = .and
        case (3, 0x6E, 0x6F) where bytes.last == 0x74: self = .not
        default: self = .other
        }
    }

    /// A symbol token's operator, from its one or two bytes.
    init(symbol bytes: ArraySlice<UInt8>) {
        let first = bytes.first ?? 0
        if bytes.count == 2 {
            switch (first, bytes.last!) {
            case (0x3D, 0x3D): self = .equal            // ==
            case (0x21, 0x3D): self = .notEqual         // !=
            case (0x3C, 0x3D): self = .lessOrEqual      // <=
            case (0x3E, 0x3D): self = .greaterOrEqual   // >=
            case (0x2F, 0x2F): self = .floorDivide      // //
            case (0x2A, 0x2A): self = .power            // **
            default: self = .other
            }
            return
        }
        switch first {
        case 0x3C: self = .less          // <
        case 0x3E: self = .greater       // >
        case 0x7E: self = .tilde         // ~
        case 0x2B: self = .plus          // +
        case 0x2D: self = .minus         // -
        case 0x2A: self = .star          // *
        case 0x2F: self = .slash         // /
        case 0x25: self = .percent       // %
        case 0x7C: self = .pipe          // |
        case 0x2E: self = .dot           // .
        case 0x5B: self = .openBracket   // [
        case 0x28: self = .openParen     // (
        default: self = .other
        }
    }

    /// The operator as templates write it, for messages.
    var text: String {
        switch self {
        case .or: "or"
        case .and: "and"
        case .not: "not"
        case .in: "in"
        case .is: "is"
        case .equal: "=="
        case .notEqual: "!="
        case .less: "<"
        case .lessOrEqual: "<="
        case .greater: ">"
        case .greaterOrEqual: ">="
        case .tilde: "~"
        case .plus: "+"
        case .minus: "-"
        case .star: "*"
        case .slash: "/"
        case .floorDivide: "//"
        case .percent: "%"
        case .power: "**"
        case .pipe: "|"
        case .dot: "."
        case .openBracket: "["
        case .openParen: "("
        case .other: ""
        }
    }
}
