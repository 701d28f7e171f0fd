import FloeContract

extension Relation {
    /// This relation's name with `suffix` (`__floe_tmp`), fitted to the engine's identifier
    /// limit (``SQLDialect/maxIdentifierBytes``): a name that would pass it keeps a prefix and
    /// gains a short hash of the whole, so two long names never fit to the same one.
    public func suffixed(_ suffix: String, for dialect: any SQLDialect) -> Relation {
        Relation(schema: schema, name: dialect.fitted(name, suffix: suffix))
    }
}

extension SQLDialect {
    /// `name + suffix`, or, when that is longer than the engine allows, as much of `name` as fits
    /// (on a character boundary), `_`, 8 hex digits of a hash of `name`, and `suffix`.
    public func fitted(_ name: String, suffix: String) -> String {
        guard let limit = maxIdentifierBytes, name.utf8.count + suffix.utf8.count > limit else { return name + suffix }
        // FNV-1a, 64 bits: stable across runs and machines, which Swift's Hasher is not.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let tag = "_" + String(String(hash, radix: 16).suffix(8)).leftPadded(to: 8)
        let room = max(0, limit - suffix.utf8.count - tag.utf8.count)
        var kept = ""
        for character in name where kept.utf8.count + character.utf8.count <= room { kept.append(character) }
        return kept + tag + suffix
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
