#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Recognises values that look like secrets and keys that name credentials.
///
/// Used on the data team's floe.yaml (which must hold none) and on every plan compile writes.
/// It never returns the value it found: callers report *what kind* of secret and *where*, so a
/// diagnostic cannot leak what it is warning about.
public enum SecretDetector {
    /// What kind of secret a value looks like.
    public enum Finding: String, Sendable, Equatable {
        case awsAccessKeyID = "an AWS access key id"
        case privateKeyBlock = "a PEM private key or certificate block"
        case jsonWebToken = "a JSON Web Token"
        case urlWithCredentials = "a URL with a user name or password in it"
        case highEntropyString = "a long random-looking string (a key or token)"
        case knownTokenPrefix = "an API token"
    }

    /// How closely to look. A plan is SQL and names: hash digests in hex are data there (md5
    /// surrogate keys), so ``plan`` lets them pass; configuration files get ``strict``.
    public enum Mode: Sendable {
        case strict, plan
    }

    /// The kind of secret `value` looks like, or nil.
    public static func inspect(_ value: String, mode: Mode = .strict) -> Finding? {
        var value = value
        return value.withUTF8 { inspect(utf8: $0, mode: mode) }
    }

    /// The kind of secret the UTF-8 text looks like, or nil.
    ///
    /// Only looks closer at words that could be a secret (long enough, or holding `eyJ`/`://`),
    /// and tests those on their bytes before making a string: plans hold megabytes of SQL and
    /// paths that are none.
    public static func inspect(utf8 bytes: UnsafeBufferPointer<UInt8>, mode: Mode = .strict) -> Finding? {
        if contains(bytes[...], pemMarker), holdsPEMSecret(bytes, mode: mode) { return .privateKeyBlock }
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count, !isSeparator(bytes[end]) { end += 1 }
            if end - start >= 14, let finding = inspectCandidate(bytes[start..<end], mode: mode) { return finding }
            start = end + 1
        }
        return nil
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0a || byte == 0x09 || byte == 0x2c || byte == 0x22 || byte == 0x27
    }

    /// Finds the needle's first byte with the C library's `memchr`, which reads many bytes at a
    /// time, then compares the rest: every string of a plan is searched for the PEM marker.
    private static func contains(_ haystack: Slice<UnsafeBufferPointer<UInt8>>, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count, let first = needle.first, let base = haystack.base.baseAddress else { return false }
        return needle.withUnsafeBufferPointer { needle in
            var position = base + haystack.startIndex
            let last = base + haystack.endIndex - needle.count
            while position <= last {
                guard let found = memchr(position, Int32(first), last - position + 1) else { return false }
                let candidate = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
                if memcmp(candidate, needle.baseAddress!, needle.count) == 0 { return true }
                position = candidate + 1
            }
            return false
        }
    }

    private static let pemMarker = Array("-----BEGIN ".utf8)

    /// Whether a `-----BEGIN …-----` line is a secret's: in configuration files any PEM block; in
    /// a plan only a private key's (a macro that strips `-----BEGIN PUBLIC KEY-----` from a
    /// parameter, elementary's, holds no secret).
    private static func holdsPEMSecret(_ bytes: UnsafeBufferPointer<UInt8>, mode: Mode) -> Bool {
        if mode == .strict { return true }
        let text = String(decoding: bytes, as: UTF8.self)
        var rest = text[...]
        while let marker = rest.range(of: "-----BEGIN ") {
            let label = rest[marker.upperBound...].prefix { $0 != "-" && $0 != "\n" }
            if label.contains("PRIVATE KEY") { return true }
            rest = rest[marker.upperBound...]
        }
        return false
    }
    private static let jwtMarker = Array("eyJ".utf8)
    private static let urlMarker = Array("://".utf8)

    /// Runs the word checks only where their cheap preconditions, read off the bytes, hold.
    private static func inspectCandidate(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, mode: Mode) -> Finding? {
        let length = bytes.count
        let aws = length >= 20 && mayHoldAWSKeyID(bytes)
        let jwt = contains(bytes, jwtMarker)
        let url = contains(bytes, urlMarker)
        let token = length >= 18 && mayStartWithTokenPrefix(bytes[bytes.startIndex])
        let entropy = length >= 24 && length <= 4096 && bytes.allSatisfy(isKeyAlphabet)
        guard aws || jwt || url || token || entropy else { return nil }
        let word = Substring(String(decoding: UnsafeBufferPointer(rebasing: bytes), as: UTF8.self))
        if aws, looksLikeAWSKeyID(word) { return .awsAccessKeyID }
        if jwt, looksLikeJWT(word) { return .jsonWebToken }
        if url, urlHasUserInfo(word) { return .urlWithCredentials }
        if token, hasKnownTokenPrefix(word) { return .knownTokenPrefix }
        if entropy, isHighEntropy(word), !isData(word, mode: mode) { return .highEntropyString }
        return nil
    }

    /// Random-looking words that are data, not credentials: an object id with a short lower-case
    /// type prefix (Stripe's `pi_3Mtw…`, `cus_J1a2…`; its secret keys `sk_`/`rk_`/`whsec_` excepted),
    /// base64 that decodes to text (an encoded URL), and in a plan a hash digest in hex (md5, sha1,
    /// sha256 lengths).
    static func isData(_ word: Substring, mode: Mode) -> Bool {
        if let underscore = word.firstIndex(of: "_") {
            let prefix = word[..<underscore], body = word[word.index(after: underscore)...]
            if (2...8).contains(prefix.count), prefix.allSatisfy({ $0.isASCII && $0.isLowercase }),
               !["sk", "rk", "whsec", "pk_live", "key", "token", "secret"].contains(String(prefix)),
               body.count >= 8, body.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }) {
                return true
            }
        }
        if decodesToText(word) || isSnakeCaseName(word) { return true }
        if mode == .plan, [32, 40, 56, 64, 96, 128].contains(word.count),
           word.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0) }) {
            return true
        }
        return false
    }

    /// A name of words joined by `_`, each all letters or all digits (dbt's long test names,
    /// `accepted_values_m_status__ONE_TO_50__FIFTY_TO_100`): a key that happens to hold three `_`
    /// has letters and digits mixed between them.
    static func isSnakeCaseName(_ word: Substring) -> Bool {
        let parts = word.split(separator: "_", omittingEmptySubsequences: true)
        guard parts.count >= 4 else { return false }
        return parts.allSatisfy { part in
            part.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
                || part.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
        }
    }

    /// Base64 (either alphabet) whose bytes are nearly all printable ASCII with letters among
    /// them: encoded text. A key's bytes are random, and about two thirds of them are not printable.
    static func decodesToText(_ word: Substring) -> Bool {
        var bits = 0, buffer = 0, printable = 0, total = 0, letters = 0
        for scalar in word.unicodeScalars {
            let value: Int
            switch scalar {
            case "A"..."Z": value = Int(scalar.value) - 65
            case "a"..."z": value = Int(scalar.value) - 71
            case "0"..."9": value = Int(scalar.value) + 4
            case "+", "-": value = 62
            case "/", "_": value = 63
            case "=": continue
            default: return false
            }
            buffer = (buffer << 6 | value) & 0xFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                let byte = (buffer >> bits) & 0xFF
                total += 1
                if (0x20...0x7E).contains(byte) || byte == 0x0A || byte == 0x09 { printable += 1 }
                if (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) { letters += 1 }
            }
        }
        return total >= 12 && printable * 100 >= total * 95 && letters * 2 >= total
    }

    /// An `A` followed by one of the second letters of AWS's key id prefixes (AKIA, ASIA, AGPA, …).
    private static func mayHoldAWSKeyID(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            if bytes[index] == 0x41 {
                switch bytes[index + 1] {
                case 0x4B, 0x53, 0x47, 0x49, 0x52, 0x4E: return true
                default: break
                }
            }
            index += 1
        }
        return false
    }

    /// First bytes of the known token prefixes: g(h, lpat), x(ox), s(k), r(k), A(Iza).
    private static func mayStartWithTokenPrefix(_ byte: UInt8) -> Bool {
        byte == 0x67 || byte == 0x78 || byte == 0x73 || byte == 0x72 || byte == 0x41
    }

    /// Letters, digits and `-_+/=`: the alphabets of hex, base64 and base64url, which every
    /// high-entropy key is written in.
    private static func isKeyAlphabet(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte)
            || byte == 0x2D || byte == 0x5F || byte == 0x2B || byte == 0x2F || byte == 0x3D
    }

    /// `AKIA`/`ASIA`/… followed by 16 upper-case letters or digits.
    static func looksLikeAWSKeyID(_ word: Substring) -> Bool {
        let prefixes: [[UInt8]] = ["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"].map { Array($0.utf8) }
        let bytes = Array(word.utf8)
        guard bytes.count >= 20 else { return false }
        func isUpperOrDigit(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (48...57).contains(byte) }
        for start in 0...(bytes.count - 20) where bytes[start] == 65 {
            guard prefixes.contains(where: { $0.elementsEqual(bytes[start..<start + 4]) }) else { continue }
            if bytes[(start + 4)..<(start + 20)].allSatisfy(isUpperOrDigit) {
                if start + 20 == bytes.count || !isUpperOrDigit(bytes[start + 20]) { return true }
            }
        }
        return false
    }

    /// Three base64url segments, the first two starting with `eyJ` (a JSON object).
    static func looksLikeJWT(_ word: Substring) -> Bool {
        guard let start = word.firstRange(of: "eyJ") else { return false }
        let parts = word[start.lowerBound...].split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[1].hasPrefix("eyJ") else { return false }
        return parts.prefix(3).allSatisfy { part in
            part.count >= 4 && part.unicodeScalars.allSatisfy { isBase64URL($0) }
        }
    }

    /// `scheme://user:password@host` or `scheme://token@host`.
    public static func urlHasUserInfo(_ word: Substring) -> Bool {
        guard let schemeEnd = word.firstRange(of: "://") else { return false }
        let rest = word[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return false }
        return authority.startIndex < at
    }

    /// Well-known token prefixes (GitHub, Slack, Stripe, OpenAI-style keys, Google API keys).
    static func hasKnownTokenPrefix(_ word: Substring) -> Bool {
        let prefixes = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xoxb-", "xoxp-", "xoxa-",
                        "sk_live_", "rk_live_", "sk-", "AIza", "glpat-"]
        for prefix in prefixes where word.hasPrefix(prefix) {
            let body = word.dropFirst(prefix.count)
            if body.count >= 16, body.unicodeScalars.allSatisfy({ isBase64URL($0) }) { return true }
        }
        return false
    }

    /// A token of 24+ base64/hex characters, mixing upper and lower case (and usually digits),
    /// with high Shannon entropy.
    ///
    /// Identifiers (`customer_lifetime_value`), paths and sentences have low entropy or no digits,
    /// so they pass; generated keys and tokens do not.
    static func isHighEntropy(_ word: Substring) -> Bool {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count >= 24, scalars.count <= 4096 else { return false }
        let isHex = scalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0) }
        let isBase64 = scalars.allSatisfy { isBase64URL($0) || $0 == "+" || $0 == "/" || $0 == "=" }
        guard isHex || isBase64 else { return false }
        let digits = scalars.count { ("0"..."9").contains($0) }
        let letters = scalars.count { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
        guard letters >= 2 else { return false }
        if isHex { return digits >= 2 && scalars.count >= 32 && entropy(scalars) >= 3.0 }
        let upper = scalars.count { ("A"..."Z").contains($0) }
        let lower = scalars.count { ("a"..."z").contains($0) }
        guard upper >= 2, lower >= 2 else { return false }
        // Paths (`a/b/c`) are base64-alphabet too; a key rarely has more than a few slashes.
        if scalars.count(where: { $0 == "/" }) > 2 { return false }
        // Long CamelCase identifiers reach about 4.2; keys with few digits must look more random than that.
        return digits >= 2 ? entropy(scalars) >= 4.2 : scalars.count >= 32 && entropy(scalars) >= 4.5
    }

    static func entropy(_ scalars: [Unicode.Scalar]) -> Double {
        var counts: [Unicode.Scalar: Int] = [:]
        for scalar in scalars { counts[scalar, default: 0] += 1 }
        let total = Double(scalars.count)
        return counts.values.reduce(0) { sum, count in
            let p = Double(count) / total
            return sum - p * log2(p)
        }
    }

    private static func log2(_ x: Double) -> Double {
        // Foundation-free log2 via the natural log series would be overkill; use the identity with a fast path.
        var exponent = 0.0
        var mantissa = x
        while mantissa >= 2 { mantissa /= 2; exponent += 1 }
        while mantissa < 1 { mantissa *= 2; exponent -= 1 }
        // ln(m) for m in [1, 2) by atanh series: ln(m) = 2 * atanh((m-1)/(m+1)).
        let y = (mantissa - 1) / (mantissa + 1)
        var term = y, sum = 0.0, n = 1.0
        while abs(term) > 1e-12 {
            sum += term / n
            term *= y * y
            n += 2
        }
        return exponent + 2 * sum / 0.6931471805599453
    }

    private static func isBase64URL(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || scalar == "-" || scalar == "_"
    }

    // MARK: Keys

    /// Key names (after lower-casing and turning `-` into `_`) that always hold a credential.
    public static let credentialKeys: Set<String> = [
        "password", "passwd", "pwd", "pass", "passphrase", "secret", "client_secret", "secret_key",
        "secret_access_key", "access_key", "access_key_id", "aws_access_key_id", "aws_secret_access_key",
        "session_token", "token", "access_token", "refresh_token", "auth_token", "bearer_token", "api_key",
        "apikey", "api_token", "api_secret", "private_key", "private_key_passphrase", "keyfile", "keyfile_json",
        "service_account_json", "credentials", "credential", "connection_string", "dsn", "jwt_secret",
        "sas_token", "account_key", "secret_ref",
    ]

    /// Whether a key names a credential: one of ``credentialKeys``, or ending in `_password`,
    /// `_secret`, `_token` or `_api_key`.
    public static func isCredentialKey(_ key: String) -> Bool {
        let normalized = key.lowercased().replacingAll("-", with: "_")
        if credentialKeys.contains(normalized) { return true }
        return ["_password", "_secret", "_token", "_api_key", "_apikey", "_private_key"].contains {
            normalized.hasSuffix($0)
        }
    }

    /// Key names that hold where a service lives; in floe.yaml these belong in platform.yaml.
    public static let locationKeys: Set<String> = [
        "host", "hostname", "endpoint", "url", "uri", "server", "address", "port", "jdbc_url",
        "catalog_uri", "bucket", "account", "http_path",
    ]

    public static func isLocationKey(_ key: String) -> Bool {
        let normalized = key.lowercased().replacingAll("-", with: "_")
        return locationKeys.contains(normalized) || normalized.hasSuffix("_endpoint") || normalized.hasSuffix("_host")
            || normalized.hasSuffix("_url") || normalized.hasSuffix("_uri")
    }
}

extension String {
    /// `replacingOccurrences(of:with:)` without Foundation.
    func replacingAll(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
