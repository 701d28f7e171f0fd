/// A package version as the dbt hub writes them: `1.3.0`, `0.10.1`, `1.0.0-rc1` (a leading `v`
/// is accepted; missing minor and patch numbers are 0).
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    /// Dot-separated pre-release identifiers (`rc1`), empty for a release.
    public var prerelease: [String]

    public init?(_ text: String) {
        var text = Substring(text.trimmingCharacters(in: .whitespaces))
        if text.first == "v" || text.first == "V" { text = text.dropFirst() }
        if let plus = text.firstIndex(of: "+") { text = text[..<plus] }
        var release = text
        prerelease = []
        if let dash = text.firstIndex(of: "-") {
            release = text[..<dash]
            prerelease = text[text.index(after: dash)...].split(separator: ".").map(String.init)
            guard !prerelease.isEmpty else { return nil }
        }
        let numbers = release.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(numbers.count) else { return nil }
        var parsed: [Int] = []
        for number in numbers {
            guard !number.isEmpty, number.allSatisfy(\.isASCII), let value = Int(number), value >= 0 else { return nil }
            parsed.append(value)
        }
        while parsed.count < 3 { parsed.append(0) }
        (major, minor, patch) = (parsed[0], parsed[1], parsed[2])
    }

    public var isPrerelease: Bool { !prerelease.isEmpty }

    public var description: String {
        "\(major).\(minor).\(patch)" + (prerelease.isEmpty ? "" : "-" + prerelease.joined(separator: "."))
    }

    public static func < (left: SemanticVersion, right: SemanticVersion) -> Bool {
        if (left.major, left.minor, left.patch) != (right.major, right.minor, right.patch) {
            return (left.major, left.minor, left.patch) < (right.major, right.minor, right.patch)
        }
        // A pre-release comes before its release; pre-releases compare identifier by identifier,
        // numbers numerically and below words.
        switch (left.prerelease.isEmpty, right.prerelease.isEmpty) {
        case (true, true), (true, false): return false
        case (false, true): return true
        case (false, false): break
        }
        for (a, b) in zip(left.prerelease, right.prerelease) where a != b {
            switch (Int(a), Int(b)) {
            case let (x?, y?): return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a < b
            }
        }
        return left.prerelease.count < right.prerelease.count
    }

    /// One bound of a version range: `>=1.0.0`, `<2.0.0`, `1.3.0` (exactly).
    public struct Constraint: Sendable, Hashable, CustomStringConvertible {
        public enum Relation: String, Sendable {
            case exactly = "=", atLeast = ">=", above = ">", atMost = "<=", below = "<"
        }

        public var relation: Relation
        public var version: SemanticVersion

        public init?(_ text: String) {
            var rest = Substring(text.trimmingCharacters(in: .whitespaces))
            relation = .exactly
            for (prefix, relation) in [(">=", Relation.atLeast), ("<=", .atMost), ("==", .exactly), (">", .above), ("<", .below), ("=", .exactly)]
            where rest.hasPrefix(prefix) {
                self.relation = relation
                rest = rest.dropFirst(prefix.count)
                break
            }
            guard let version = SemanticVersion(String(rest)) else { return nil }
            self.version = version
        }

        public func admits(_ candidate: SemanticVersion) -> Bool {
            switch relation {
            case .exactly: candidate == version
            case .atLeast: candidate >= version
            case .above: candidate > version
            case .atMost: candidate <= version
            case .below: candidate < version
            }
        }

        public var description: String {
            relation == .exactly ? version.description : relation.rawValue + version.description
        }
    }

    /// The highest of `candidates` every constraint admits; pre-releases only when allowed or
    /// pinned exactly.
    public static func best(of candidates: [SemanticVersion], within constraints: [Constraint], prerelease: Bool) -> SemanticVersion? {
        let pinned = Set(constraints.filter { $0.relation == .exactly }.map(\.version))
        return candidates
            .filter { candidate in constraints.allSatisfy { $0.admits(candidate) } && (!candidate.isPrerelease || prerelease || pinned.contains(candidate)) }
            .max()
    }
}
