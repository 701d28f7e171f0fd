import Yams

/// The type YAML 1.1 gives a plain scalar: the tag Yams' default resolver would give it (bool,
/// int, float, merge or null; timestamps and `=` stay strings), worked out from the bytes.
///
/// Yams resolves with `NSRegularExpression`s, and compiling them loads ICU's data on every run.
/// Each function below matches exactly what one of those patterns does (a test holds the two
/// together); the patterns are quoted above each.
enum YAMLScalarTyping {
    static func tagName(of text: String) -> Tag.Name {
        let bytes = Array(text.utf8)
        if isBool(bytes) { return .bool }
        if isInt(bytes) { return .int }
        if isFloat(bytes) { return .float }
        if bytes == [0x3C, 0x3C] { return .merge }  // <<
        if isNull(bytes) { return .null }
        return .str
    }

    /// `yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF`
    private static func isBool(_ bytes: [UInt8]) -> Bool {
        boolWords.contains(bytes)
    }

    private static let boolWords: Set<[UInt8]> = Set(["yes", "no", "true", "false", "on", "off"].flatMap { word in
        [word, word.prefix(1).uppercased() + word.dropFirst(), word.uppercased()].map { Array($0.utf8) }
    })

    /// `~|null|Null|NULL|` (the empty text too)
    private static func isNull(_ bytes: [UInt8]) -> Bool {
        bytes.isEmpty || bytes == [0x7E] || bytes == Array("null".utf8) || bytes == Array("Null".utf8) || bytes == Array("NULL".utf8)
    }

    /// `[-+]?0b[0-1_]+ | [-+]?0o?[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
    /// | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+`
    private static func isInt(_ bytes: [UInt8]) -> Bool {
        var scanner = Scanner(bytes)
        scanner.skipSign()
        let start = scanner
        if scanner.take("0") {
            let afterZero = scanner
            if scanner.take("b"), scanner.takeAll(where: { $0 == 0x30 || $0 == 0x31 || $0 == 0x5F }) > 0, scanner.atEnd { return true }
            scanner = afterZero
            if scanner.take("x"), scanner.takeAll(where: { isHexDigit($0) || $0 == 0x5F }) > 0, scanner.atEnd { return true }
            scanner = afterZero
            _ = scanner.take("o")
            if scanner.takeAll(where: { (0x30...0x37).contains($0) || $0 == 0x5F }) > 0, scanner.atEnd { return true }
            scanner = afterZero
            return scanner.atEnd
        }
        scanner = start
        guard scanner.take(where: { (0x31...0x39).contains($0) }) else { return false }
        scanner.takeAll(where: { isDigit($0) || $0 == 0x5F })
        if scanner.atEnd { return true }
        return scanner.takeSexagesimalGroups() && scanner.atEnd
    }

    /// `[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)? | \.[0-9_]+(?:[eE][-+][0-9]+)?
    /// | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)`
    private static func isFloat(_ bytes: [UInt8]) -> Bool {
        if ["\u{2E}nan", ".NaN", ".NAN"].contains(where: { bytes == Array($0.utf8) }) { return true }
        var scanner = Scanner(bytes)
        let signed = scanner.skipSign()
        if scanner.take(".") {
            if ["inf", "Inf", "INF"].contains(where: { scanner.rest.elementsEqual($0.utf8) }) { return true }
            // `\.[0-9_]+(?:[eE][-+][0-9]+)?`, which takes no sign.
            guard !signed, scanner.takeAll(where: { isDigit($0) || $0 == 0x5F }) > 0 else { return false }
            if scanner.atEnd { return true }
            guard scanner.take(where: { $0 == 0x65 || $0 == 0x45 }), scanner.take(where: { $0 == 0x2B || $0 == 0x2D }) else { return false }
            return scanner.takeAll(where: isDigit) > 0 && scanner.atEnd
        }
        guard scanner.take(where: isDigit) else { return false }
        scanner.takeAll(where: { isDigit($0) || $0 == 0x5F })
        let afterDigits = scanner
        // Sexagesimal: `(?::[0-5]?[0-9])+\.[0-9_]*`.
        if scanner.takeSexagesimalGroups(), scanner.take(".") {
            scanner.takeAll(where: { isDigit($0) || $0 == 0x5F })
            if scanner.atEnd { return true }
        }
        scanner = afterDigits
        if scanner.take(".") { scanner.takeAll(where: { isDigit($0) || $0 == 0x5F }) }
        if scanner.atEnd { return true }
        guard scanner.take(where: { $0 == 0x65 || $0 == 0x45 }) else { return false }
        _ = scanner.take(where: { $0 == 0x2B || $0 == 0x2D })
        return scanner.takeAll(where: isDigit) > 0 && scanner.atEnd
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
    }

    /// A position in the bytes, copied to backtrack.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }
        var rest: ArraySlice<UInt8> { bytes[index...] }

        mutating func take(where matches: (UInt8) -> Bool) -> Bool {
            guard index < bytes.count, matches(bytes[index]) else { return false }
            index += 1
            return true
        }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            take { $0 == UInt8(character.value) }
        }

        @discardableResult
        mutating func takeAll(where matches: (UInt8) -> Bool) -> Int {
            let start = index
            while take(where: matches) {}
            return index - start
        }

        /// `[-+]?`; whether there was one.
        @discardableResult
        mutating func skipSign() -> Bool {
            take { $0 == 0x2B || $0 == 0x2D }
        }

        /// `(?::[0-5]?[0-9])+`. Two digits are tried before one: what follows a group is `:`,
        /// `.` or the end, never a digit, so taking both is never the wrong choice.
        mutating func takeSexagesimalGroups() -> Bool {
            var groups = 0
            while index < bytes.count, bytes[index] == 0x3A {
                let colon = index
                index += 1
                if index + 1 < bytes.count, (0x30...0x35).contains(bytes[index]), YAMLScalarTyping.isDigit(bytes[index + 1]) {
                    index += 2
                } else if index < bytes.count, YAMLScalarTyping.isDigit(bytes[index]) {
                    index += 1
                } else {
                    index = colon
                    break
                }
                groups += 1
            }
            return groups > 0
        }
    }
}
