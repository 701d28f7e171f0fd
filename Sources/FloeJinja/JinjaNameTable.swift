/// An insertion-ordered table of names and values: a Jinja dict's entries. Most hold a handful of
/// names (a relation, `loop`), so names are searched in order, and only a table that grows past a
/// few entries gets a hash index.
struct JinjaNameTable {
    private(set) var names: [String] = []
    /// The values, in the order of `names`.
    private(set) var values: [JinjaValue] = []
    private var positions: [String: Int]?

    static let indexedFrom = 12

    init() {}

    /// A table whose names the caller knows to be distinct and few: made without searching.
    init(distinctNames names: [String], values: [JinjaValue]) {
        assert(names.count == values.count && Set(names).count == names.count && names.count < Self.indexedFrom)
        self.names = names
        self.values = values
    }

    mutating func reserveCapacity(_ count: Int) {
        names.reserveCapacity(count)
        values.reserveCapacity(count)
    }

    private func position(of name: String) -> Int? {
        if let positions { return positions[name] }
        return names.firstIndex(of: name)
    }

    subscript(name: String) -> JinjaValue? {
        get { position(of: name).map { values[$0] } }
        set {
            if let position = position(of: name) {
                if let newValue {
                    values[position] = newValue
                } else {
                    names.remove(at: position)
                    values.remove(at: position)
                    positions = nil
                    if names.count >= Self.indexedFrom { index() }
                }
            } else if let newValue {
                names.append(name)
                values.append(newValue)
                if positions != nil {
                    positions![name] = names.count - 1
                } else if names.count >= Self.indexedFrom {
                    index()
                }
            }
        }
    }

    /// Replaces the value at a position, for tables the renderer updates in place (`loop`).
    mutating func replaceValue(at position: Int, with value: JinjaValue) {
        values[position] = value
    }

    private mutating func index() {
        var positions: [String: Int] = [:]
        for (position, name) in names.enumerated() { positions[name] = position }
        self.positions = positions
    }
}
