import FloeCore
import Foundation

/// The last check before a plan is written: no string in it may look like a secret, and none may
/// contain the value of a `FLOE_SECRET_*` variable set in the compiler's environment.
enum PlanSecretScan {
    /// Keys whose values are hashes we wrote ourselves.
    static let hashKeys: Set<String> = ["sha256", "inputs_sha256", "fingerprint"]

    /// One finding per offending string: where in the plan, and what it looks like (never the value).
    ///
    /// A fast pass reads the JSON text's strings directly; only when it finds something does the
    /// plan get parsed to name the path of each finding.
    static func findings(in planJSON: Data, environment: [String: String]) -> [String] {
        let markers = environment.filter { $0.key.hasPrefix("FLOE_SECRET_") && $0.value.count >= 4 }.map(\.value)
        if !markers.isEmpty || JSONStrings.anyValue(in: planJSON, skippingKeys: hashKeys, where: { SecretDetector.inspect(utf8: $0) != nil }) {
            return detailedFindings(in: planJSON, markers: markers)
        }
        return []
    }

    private static func detailedFindings(in planJSON: Data, markers: [String]) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: planJSON) else { return ["the plan is not JSON"] }
        var findings: [String] = []
        walk(object, path: "", markers: markers, into: &findings)
        return findings
    }

    /// `node` is the `unique_id` of the model, test, seed or source being walked, to name it.
    private static func walk(_ object: Any, path: String, node: String? = nil, markers: [String], into findings: inout [String]) {
        if let map = object as? [String: Any] {
            let node = map["unique_id"] as? String ?? node
            for key in map.keys.sorted() where !hashKeys.contains(key) {
                walk(map[key]!, path: path.isEmpty ? key : "\(path).\(key)", node: node, markers: markers, into: &findings)
            }
        } else if let list = object as? [Any] {
            for (index, item) in list.enumerated() {
                walk(item, path: "\(path)[\(index)]", node: node, markers: markers, into: &findings)
            }
        } else if let text = object as? String {
            let place = node.map { " (in \($0))" } ?? ""
            if markers.contains(where: { text.contains($0) }) {
                findings.append("\(path)\(place) contains the value of a FLOE_SECRET_* variable")
            } else if let finding = SecretDetector.inspect(text) {
                findings.append("\(path)\(place) looks like \(finding.rawValue)")
            }
        }
    }
}

/// Reads the string values out of JSON text without building objects.
enum JSONStrings {
    /// Whether `predicate` holds for any string value (unescaped, as UTF-8), skipping values of
    /// `skippingKeys`.
    ///
    /// The text is cut into pieces at line breaks and the pieces are read in parallel. That is
    /// sound for the JSON floe writes: a string never spans lines (its line breaks are escaped),
    /// and the keys to skip hold scalars, so each sits on one line with its value.
    static func anyValue(in json: Data, skippingKeys: Set<String>,
                         where predicate: @Sendable (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        let skipped = skippingKeys.map { Array($0.utf8) }
        return json.withUnsafeBytes { raw -> Bool in
            let bytes = Shared(value: raw.bindMemory(to: UInt8.self))
            let pieces = Shared(value: lineAlignedPieces(of: bytes.value, count: 4 * ProcessInfo.processInfo.activeProcessorCount))
            return withoutActuallyEscaping(predicate) { predicate in
                Parallel.map(count: pieces.value.count) {
                    { index in scan(bytes.value, pieces.value[index], skipping: skipped, where: predicate) }
                }.contains(true)
            }
        }
    }

    /// About `count` ranges covering `bytes`, each ending after a line break (or at the end).
    private static func lineAlignedPieces(of bytes: UnsafeBufferPointer<UInt8>, count: Int) -> [Range<Int>] {
        let size = max(1 << 16, bytes.count / max(1, count))
        var pieces: [Range<Int>] = []
        var start = 0
        while start < bytes.count {
            var end = min(bytes.count, start + size)
            while end < bytes.count, bytes[end - 1] != 0x0A { end += 1 }
            pieces.append(start..<end)
            start = end
        }
        return pieces
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, skipping: [[UInt8]],
                             where predicate: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        var index = range.lowerBound
        let end = range.upperBound
        var skipValue = false
        var buffer: [UInt8] = []
        while index < end {
            guard bytes[index] == 0x22 else { index += 1; continue }
            index += 1
            let start = index
            var escaped = false
            while index < end, bytes[index] != 0x22 {
                if bytes[index] == 0x5C { escaped = true; index += 1 }
                index += 1
            }
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<min(index, end)])
            index += 1
            var next = index
            while next < end, bytes[next] == 0x20 || bytes[next] == 0x0A { next += 1 }
            if next < end, bytes[next] == 0x3A {
                skipValue = skipping.contains { $0.elementsEqual(raw) }
                continue
            }
            if skipValue { continue }
            if !escaped {
                if predicate(raw) { return true }
                continue
            }
            unescape(raw, into: &buffer)
            if buffer.withUnsafeBufferPointer(predicate) { return true }
        }
        return false
    }

    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        var index = 0
        while index < raw.count {
            guard raw[index] == 0x5C, index + 1 < raw.count else {
                buffer.append(raw[index])
                index += 1
                continue
            }
            index += 1
            switch raw[index] {
            case 0x6E: buffer.append(0x0A)
            case 0x74: buffer.append(0x09)
            case 0x72: buffer.append(0x0D)
            case 0x62: buffer.append(0x08)
            case 0x66: buffer.append(0x0C)
            case 0x75 where index + 4 < raw.count:
                let hex = String(decoding: UnsafeBufferPointer(rebasing: raw[(index + 1)...(index + 4)]), as: UTF8.self)
                if let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                    buffer.append(contentsOf: String(Character(scalar)).utf8)
                }
                index += 4
            default: buffer.append(raw[index])
            }
            index += 1
        }
    }
}
