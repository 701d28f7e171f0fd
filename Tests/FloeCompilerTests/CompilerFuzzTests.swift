import FloeCompiler
import FloeCore
import Foundation
import Testing

/// Mutation fuzzing of the compiler's inputs: the e-commerce demo's YAML, Jinja and SQL files,
/// each run changed a few bytes at a time, compiled in process. A trap ends the test process, so
/// reaching the end is the pass; each compile must also end in a plan or in located errors.
///
/// The suite's run is bounded (`FLOE_FUZZ_ITERATIONS`, default 120, seed `FLOE_FUZZ_SEED`,
/// default 1); `scripts/fuzz.sh` runs it for longer with fresh seeds. The project being compiled
/// lives in the directory printed at the start, so the input that crashed is on disk afterwards.
@Suite struct CompilerFuzzTests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../demo").standardizedFileURL

    /// Bytes that matter to the parsers: delimiters, markers, numbers at the edge of 64 bits.
    static let interesting: [String] = [
        "{{", "}}", "{%", "%}", "{#", "#}", "\u{1}", "\u{1}R9\u{1}", "\u{1}99999999999999999999", "\u{0}", "99999999999999999999", "-9223372036854775808",
        "1e309", "'", "\"", "(", ")", "[", "]", "{", "}", ":", ": ", "\n  - ", "\n", "\t", "- ", "&a ", "*a", "!!binary ",
        "---\n", "%", "~", "|", "é", "\u{FEFF}", "\u{10FFFF}", "{{ ref('", "{% if x %}", "{% endif %}", "{% for x in y %}",
        "{% macro m(a) %}", "{% endmacro %}", "{{ 2 ** 99 }}", "{{ range(", "{% set x = ", "$", "--", "/*", "*/", ";",
    ]

    @Test func mutatedProjectsCompileOrFailWithLocatedErrors() throws {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["FLOE_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 120
        var random = RandomSource(seed: environment["FLOE_FUZZ_SEED"].flatMap(Int.init) ?? 1, stream: "compile-fuzz")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("floe-fuzz-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.demo, to: root)
        defer { try? FileManager.default.removeItem(at: root) }
        print("fuzzing compile in \(root.path)")
        let product = root.appendingPathComponent("data_engineering/ecommerce")
        let files = try Self.inputFiles(under: root)
        let originals = try files.map { try Data(contentsOf: $0) }
        for iteration in 0..<iterations {
            let index = Int(random.next() % UInt64(files.count))
            var bytes = [UInt8](originals[index])
            for _ in 0...(random.next() % 3) { Self.mutate(&bytes, &random) }
            try Data(bytes).write(to: files[index])
            let output = ProjectCompiler.compile(CompileOptions(
                specPath: product.appendingPathComponent("floe.yaml").path,
                platformPath: root.appendingPathComponent("platform/platform.yaml").path,
                environment: "dev", compiledAt: Date(timeIntervalSince1970: 1_700_000_000), processEnvironment: [:]))
            let errors = output.diagnostics.filter { $0.severity == .error }
            #expect((output.artifacts == nil) == !errors.isEmpty,
                    "iteration \(iteration), \(files[index].lastPathComponent): a plan or errors, not both or neither")
            for error in errors {
                #expect(!error.location.file.isEmpty, "iteration \(iteration): an error without a file: \(error.message)")
            }
            try originals[index].write(to: files[index])
        }
    }

    /// The YAML, SQL and CSV files of the demo, in a stable order.
    static func inputFiles(under root: URL) throws -> [URL] {
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if ["yaml", "yml", "sql", "csv"].contains(url.pathExtension) { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    static func mutate(_ bytes: inout [UInt8], _ random: inout RandomSource) {
        let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count + 1))
        switch random.next() % 6 {
        case 0 where !bytes.isEmpty:  // one byte becomes any byte
            bytes[min(position, bytes.count - 1)] = UInt8(truncatingIfNeeded: random.next())
        case 1, 2:  // a token that matters to a parser goes in
            let token = interesting[Int(random.next() % UInt64(interesting.count))]
            bytes.insert(contentsOf: Array(token.utf8), at: position)
        case 3:  // a run goes away
            let length = Int(random.next() % 40)
            bytes.removeSubrange(position..<min(bytes.count, position + length))
        case 4:  // a run is repeated
            let end = min(bytes.count, position + Int(random.next() % 60))
            bytes.insert(contentsOf: Array(bytes[position..<end]), at: end)
        default:  // the file ends early
            bytes.removeSubrange(position...)
        }
    }
}
