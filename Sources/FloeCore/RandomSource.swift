/// SplitMix64: a small, fast generator whose sequence depends only on its seed, on every
/// platform and Swift version, which is what "same seed, same rows" needs (synthetic data), and
/// what makes a fuzz run repeatable from its seed (the tests).
public struct RandomSource: Sendable {
    private var state: UInt64

    public init(seed: Int, stream: String = "") {
        // Mixing in a stable FNV-1a hash of the stream name gives each table its own sequence.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        state = UInt64(bitPattern: Int64(seed)) ^ hash
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// An independent generator for `key` (a row, a row and a column): the same source and key
    /// give the same sequence, so a value can be made again by its position alone.
    public func derived(_ key: UInt64) -> RandomSource {
        var copy = self
        var z = state ^ (key &* 0xd134_2543_de82_ef95)
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        copy.state = z ^ (z >> 31)
        return copy
    }

    /// Uniform in `0..<1`.
    public mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in `range`, both ends included.
    public mutating func integer(in range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        guard width != 0 else { return Int64(bitPattern: next()) }
        return range.lowerBound &+ Int64(bitPattern: next() % width)
    }

    public mutating func index(below count: Int) -> Int {
        Int(next() % UInt64(max(1, count)))
    }

    public mutating func chance(_ probability: Double) -> Bool {
        probability > 0 && unit() < probability
    }
}
