import FloeCore
import Foundation

/// The last check before a plan is written: no string in it may look like a secret, and none may
/// contain the value of a `FLOE_SECRET_*` variable set in the compiler's environment.
enum PlanSecretScan {
    /// Keys whose values are hashes we wrote ourselves.
    static let hashKeys: Set<String> = ["sha256", "inputs_sha256", "fingerprint"]

    /// One finding per offending string: where in the plan, and what it looks like (never the value).
    static func findings(in planJSON: Data, environment: [String: String]) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: planJSON) else { return ["the plan is not JSON"] }
        let markers = environment.filter { $0.key.hasPrefix("FLOE_SECRET_") && $0.value.count >= 4 }.map(\.value)
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
