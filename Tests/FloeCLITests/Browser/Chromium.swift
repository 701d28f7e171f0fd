import Foundation
import Testing

/// Debian's Chromium, headless, as the pages' real browser: it loads a page, runs its script and
/// hands back the DOM as it stands after (`--dump-dom`), or a screenshot. `scripts/test.sh`
/// installs it and sets FLOE_TEST_CHROMIUM.
struct Chromium {
    static let path = ProcessInfo.processInfo.environment["FLOE_TEST_CHROMIUM"]
    static var available: Bool { path != nil }

    let executable: URL

    init() throws {
        executable = URL(fileURLWithPath: try #require(Self.path))
    }

    private func arguments(_ extra: [String]) -> [String] {
        // Root in CI has no user namespace for the sandbox; the profile is thrown away.
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
         "--user-data-dir=" + FileManager.default.temporaryDirectory.appendingPathComponent("floe-chromium-\(UUID().uuidString)").path,
         "--virtual-time-budget=10000"] + extra
    }

    /// The DOM after the page's scripts ran.
    func dom(_ url: String) throws -> String {
        let result = try FloeBinary.run(program: executable, arguments(["--dump-dom", url]))
        try #require(result.status == 0, "chromium: \(result.stderr.suffix(2000))")
        return result.stdout
    }

    /// A PNG of the page at the given size.
    func screenshot(_ url: String, to file: URL, width: Int = 1400, height: Int = 900) throws {
        let result = try FloeBinary.run(program: executable, arguments(["--window-size=\(width),\(height)", "--screenshot=\(file.path)", url]))
        try #require(result.status == 0, "chromium: \(result.stderr.suffix(2000))")
    }
}

/// What the pages' graph drew, read from the DOM: its nodes and its edges.
struct DrawnGraph: Equatable {
    var nodes: Set<String>
    var edges: Set<String>

    init(dom: String) {
        nodes = Set(Self.captures(#"<g class="node[^"]*" data-id="([^"]+)""#, in: dom).map { $0[0] })
        edges = Set(Self.captures(#"<path class="edge" data-from="([^"]+)" data-to="([^"]+)""#, in: dom).map { "\($0[0]) -> \($0[1])" })
    }

    init(nodes: Set<String>, edges: Set<String>) {
        self.nodes = nodes
        self.edges = edges
    }

    static func captures(_ pattern: String, in text: String) -> [[String]] {
        let expression = try! NSRegularExpression(pattern: pattern)
        let whole = text as NSString
        return expression.matches(in: text, range: NSRange(location: 0, length: whole.length)).map { match in
            (1..<match.numberOfRanges).map { whole.substring(with: match.range(at: $0)) }
        }
    }
}
