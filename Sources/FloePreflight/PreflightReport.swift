import Foundation

/// One check's outcome (seed 001 §1.2).
public struct PreflightResult: Sendable, Equatable {
    public enum Status: String, Sendable {
        case ok, warning, error
    }

    /// What was checked: `compute`, `storage`, `catalog`, `secret`, `observability`.
    public var service: String
    public var status: Status
    public var message: String
    public var durationMS: Int
    /// What to do about a warning or an error.
    public var remediation: String?
    public var details: [String: String]

    public init(service: String, status: Status, message: String, durationMS: Int = 0,
                remediation: String? = nil, details: [String: String] = [:]) {
        self.service = service
        self.status = status
        self.message = message
        self.durationMS = durationMS
        self.remediation = remediation
        self.details = details
    }
}

/// Every check of one environment (seed 001 §1.3): `pass` unless one is an error.
public struct PreflightReport: Sendable, Equatable {
    public var timestamp: String
    public var environment: String
    public var checks: [PreflightResult]

    public init(timestamp: String, environment: String, checks: [PreflightResult]) {
        self.timestamp = timestamp
        self.environment = environment
        self.checks = checks
    }

    public var passed: Bool { !checks.contains { $0.status == .error } }
    public var overallStatus: String { passed ? "pass" : "fail" }

    /// Seed 001's shape, keys sorted, so the same checks give the same bytes.
    public var json: String {
        let object: [String: Any] = [
            "timestamp": timestamp,
            "overall_status": overallStatus,
            "environment": environment,
            "checks": checks.map { check -> [String: Any] in
                var entry: [String: Any] = [
                    "service": check.service, "status": check.status.rawValue, "message": check.message,
                    "duration_ms": check.durationMS, "details": check.details,
                ]
                entry["remediation"] = check.remediation ?? NSNull()
                return entry
            },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
