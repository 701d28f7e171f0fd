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
        if !markers.isEmpty || JSONStrings.anyValue(in: planJSON, skippingKeys: hashKeys, where: { SecretDetector.inspect($0) != nil }) {
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

    private static func walk(_ object: Any, path: String, markers: [String], into findings: inout [String]) {
        if let map = object as? [String: Any] {
            for key in map.keys.sorted() where !hashKeys.contains(key) {
                walk(map[key]!, path: path.isEmpty ? key : "\(path).\(key)", markers: markers, into: &findings)
            }
        } else if let list = object as? [Any] {
            for (index, item) in list.enumerated() {
                walk(item, path: "\(path)[\(index)]", markers: markers, into: &findings)
            }
        } else if let text = object as? String {
            if markers.contains(where: { text.contains($0) }) {
                findings.append("\(path) contains the value of a FLOE_SECRET_* variable")
            } else if let finding = SecretDetector.inspect(text) {
                findings.append("\(path) looks like \(finding.rawValue)")
            }
        }
    }
}

/// Reads the string values out of JSON text without building objects.
enum JSONStrings {
    /// Whether `predicate` holds for any string value (unescaped), skipping values of `skippingKeys`.
    static func anyValue(in json: Data, skippingKeys: Set<String>, where predicate: (String) -> Bool) -> Bool {
        json.withUnsafeBytes { raw -> Bool in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = 0
            var lastKey = ""
            var buffer: [UInt8] = []
            while index < bytes.count {
                guard bytes[index] == 0x22 else { index += 1; continue }
                buffer.removeAll(keepingCapacity: true)
                index += 1
                while index < bytes.count, bytes[index] != 0x22 {
                    if bytes[index] == 0x5c, index + 1 < bytes.count {
                        index += 1
                        switch bytes[index] {
                        case 0x6e: buffer.append(0x0a)
                        case 0x74: buffer.append(0x09)
                        case 0x72: buffer.append(0x0d)
                        case 0x62: buffer.append(0x08)
                        case 0x66: buffer.append(0x0c)
                        case 0x75 where index + 4 < bytes.count:
                            let hex = String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 1)...(index + 4)]), as: UTF8.self)
                            if let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                                buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
                            }
                            index += 4
                        default: buffer.append(bytes[index])
                        }
                    } else {
                        buffer.append(bytes[index])
                    }
                    index += 1
                }
                index += 1
                var next = index
                while next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x0a { next += 1 }
                let text = String(decoding: buffer, as: UTF8.self)
                if next < bytes.count, bytes[next] == 0x3a {
                    lastKey = text
                } else if !skippingKeys.contains(lastKey), predicate(text) {
                    return true
                }
            }
            return false
        }
    }
}
