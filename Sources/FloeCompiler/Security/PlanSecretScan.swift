import FloeContract
import FloeCore
import Foundation

/// The last check before a plan is written: no string in it may look like a secret, and none may
/// contain the value of a `FLOE_SECRET_*` variable set in the compiler's environment.
enum PlanSecretScan {
    /// Keys whose values are hashes we wrote ourselves.
    static let hashKeys: Set<String> = ["sha256", "inputs_sha256", "fingerprint"]

    /// Runs as the plan is encoded, over every string value but the hashes: whether any looks
    /// like a secret.
    static let inspector = JSONStringInspector(skippingKeys: hashKeys) { SecretDetector.inspect(utf8: $0, mode: .plan) != nil }

    /// One finding per offending string: where in the plan, and what it looks like (never the value).
    ///
    /// `flagged` is what ``inspector`` found while the plan was encoded; only when it found
    /// something, or `FLOE_SECRET_*` values are set to look for, does the plan get parsed to name
    /// the path of each finding.
    ///
    /// `allowing` (floe.yaml's `secret_scan.allow`) names nodes, by name or unique id, whose
    /// random-looking strings are data: they pass. Keys of known formats, PEM blocks, tokens,
    /// URLs with credentials and `FLOE_SECRET_*` values never do.
    static func findings(in plan: EncodedDocument, flagged: Bool, environment: [String: String], allowing: [String] = []) -> [String] {
        let markers = environment.filter { $0.key.hasPrefix("FLOE_SECRET_") && $0.value.count >= 4 }.map(\.value)
        if !markers.isEmpty || flagged {
            return detailedFindings(in: plan.data, markers: markers, allowing: allowing)
        }
        return []
    }

    private static func detailedFindings(in planJSON: Data, markers: [String], allowing: [String]) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: planJSON) else { return ["the plan is not JSON"] }
        var findings: [String] = []
        walk(object, path: "", markers: markers, allowing: allowing, into: &findings)
        return findings
    }

    /// Whether the node `uniqueID` (`model.shop.orders`) is one `allowing` names.
    private static func allowed(_ uniqueID: String?, _ allowing: [String]) -> Bool {
        guard let uniqueID else { return false }
        return allowing.contains { uniqueID == $0 || uniqueID.hasSuffix("." + $0) }
    }

    /// `node` is the `unique_id` of the model, test, seed or source being walked, to name it.
    private static func walk(_ object: Any, path: String, node: String? = nil, markers: [String], allowing: [String],
                             into findings: inout [String]) {
        if let map = object as? [String: Any] {
            let node = map["unique_id"] as? String ?? node
            for key in map.keys.sorted() where !hashKeys.contains(key) {
                walk(map[key]!, path: path.isEmpty ? key : "\(path).\(key)", node: node, markers: markers, allowing: allowing, into: &findings)
            }
        } else if let list = object as? [Any] {
            for (index, item) in list.enumerated() {
                walk(item, path: "\(path)[\(index)]", node: node, markers: markers, allowing: allowing, into: &findings)
            }
        } else if let text = object as? String {
            let place = node.map { " (in \($0))" } ?? ""
            if markers.contains(where: { text.contains($0) }) {
                findings.append("\(path)\(place) contains the value of a FLOE_SECRET_* variable")
            } else if let finding = SecretDetector.inspect(text, mode: .plan),
                      !(finding == .highEntropyString && allowed(node, allowing)) {
                findings.append("\(path)\(place) looks like \(finding.rawValue)")
            }
        }
    }
}
