/// A count with its noun, singular for one: `1 seed`, `2 seeds`, `1 synthetic table`.
public func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
