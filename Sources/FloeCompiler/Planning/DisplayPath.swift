/// Directory prefixes for naming project files in messages and in the plan: empty, or ending in `/`.
enum DisplayPath {
    /// `demo/shop/floe.yaml` → `demo/shop/`; `floe.yaml` → ``.
    static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "" }
        return String(file[...slash])
    }

    /// `demo/shop/` + `./dbt` → `demo/shop/dbt/`; `.` adds nothing.
    static func join(_ prefix: String, _ path: String) -> String {
        var parts = path.split(separator: "/").filter { $0 != "." }.map(String.init)
        if path.hasPrefix("/") { return "/" + parts.joined(separator: "/") + (parts.isEmpty ? "" : "/") }
        var base = prefix
        while parts.first == "..", !base.isEmpty, !base.hasSuffix("../") {
            let trimmed = base.dropLast()
            base = trimmed.lastIndex(of: "/").map { String(trimmed[...$0]) } ?? ""
            parts.removeFirst()
        }
        return base + parts.map { $0 + "/" }.joined()
    }
}
