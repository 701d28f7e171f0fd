import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// One check to run: what it checks and how.
public struct PreflightCheck: Sendable {
    public var service: String
    /// What the check is about, for a check that never answered (`warehouse (postgres)`).
    public var subject: String
    /// An error when it fails, or only a warning (observability).
    public var failureStatus: PreflightResult.Status = .error
    let run: @Sendable () -> PreflightResult
}

/// The checks an environment's resolved profiles call for: every secret reference, the compute
/// engine, the storage, the catalog and the observability endpoints.
public enum PreflightChecks {
    public static func all(for plan: CompiledArtifacts, projectDirectory: String, environment: [String: String],
                           timeout: Double) -> [PreflightCheck] {
        let secrets = SecretResolver(settings: plan.secrets, environment: environment)
        var checks = plan.secretReferences.map { reference in secret(reference, secrets: secrets) }
        checks.append(compute(plan, projectDirectory: projectDirectory, secrets: secrets))
        checks.append(storage(plan.profiles.storage, plan: plan, projectDirectory: projectDirectory, timeout: timeout))
        checks.append(catalog(plan.profiles.catalog, timeout: timeout))
        if let lineage = plan.observability.lineage {
            switch lineage.transport ?? "http" {
            case "file":
                if let file = lineage.file { checks.append(appendable("lineage file", file, projectDirectory: projectDirectory)) }
            case "console": break
            default:
                if let endpoint = lineage.endpoint { checks.append(reachable("observability", "lineage endpoint", endpoint, timeout: timeout)) }
            }
        }
        if let otlp = plan.observability.otlp {
            checks.append(reachable("observability", "OTLP endpoint", otlp.endpoint, timeout: timeout))
        }
        return checks
    }

    // MARK: Secrets

    static func secret(_ reference: SecretReference, secrets: SecretResolver) -> PreflightCheck {
        PreflightCheck(service: "secret", subject: reference.description) {
            do throws(SecretNotResolvable) {
                let source = try secrets.source(of: reference)
                return PreflightResult(service: "secret", status: .ok, message: "\(reference) resolves from the \(source)",
                                       details: ["reference": reference.description])
            } catch {
                return PreflightResult(
                    service: "secret", status: .error, message: "\(reference) cannot be resolved",
                    remediation: "set the environment variable \(error.environmentVariable) or write the file \(error.filePath)",
                    details: ["reference": reference.description])
            }
        }
    }

    // MARK: Compute

    static func compute(_ plan: CompiledArtifacts, projectDirectory: String, secrets: SecretResolver) -> PreflightCheck {
        let profile = plan.profiles.compute
        let subject = "\(profile.name) (\(profile.type))"
        return PreflightCheck(service: "compute", subject: subject) {
            let engine: any WarehouseEngine
            do throws(ExecutorError) {
                engine = try EngineFactory.engine(for: plan, projectDirectory: projectDirectory, secrets: secrets)
            } catch {
                return PreflightResult(service: "compute", status: .error, message: "\(subject): \(error.message)",
                                       remediation: error.kind == .secret ? "resolve the compute profile's secrets (see the secret checks)"
                                           : "use a compute type this build can run: \(EngineAdapters.registry.computeTypes.joined(separator: ", "))")
            }
            do {
                let found = try engine.check(namespace: plan.environment.namespace)
                var details = found.details
                details["profile"] = profile.name
                if !found.warnings.isEmpty {
                    return PreflightResult(service: "compute", status: .warning, message: "\(subject): \(found.summary); "
                        + found.warnings.joined(separator: "; "), remediation: "free disk space where the database lives", details: details)
                }
                return PreflightResult(service: "compute", status: .ok, message: "\(subject): \(found.summary)", details: details)
            } catch let error as EngineError {
                return PreflightResult(service: "compute", status: .error, message: "\(subject): \(error.message)",
                                       remediation: remediation(for: error, profile: profile), details: ["profile": profile.name])
            } catch {
                return PreflightResult(service: "compute", status: .error, message: "\(subject): \(error)", details: ["profile": profile.name])
            }
        }
    }

    /// What to do about an engine's failure, by what it says.
    static func remediation(for error: EngineError, profile: ResolvedProfile) -> String {
        let message = error.message
        if message.contains("password authentication failed") || message.contains("SQLSTATE 28") {
            return "check the user and the password secret of compute profile '\(profile.name)'"
        }
        if message.contains("does not exist (SQLSTATE 3D000)") {
            return "create the database, or fix `database` in compute profile '\(profile.name)'"
        }
        if message.contains("may not create") {
            return "grant the role CREATE on the database (or the schema), or use a role that owns it"
        }
        if message.contains("not writable") || message.contains("cannot create") || message.contains("cannot write") {
            return "make the directory writable, or point `path` of compute profile '\(profile.name)' elsewhere"
        }
        if error.kind == .unreachable {
            return "start the server, or fix `host`/`port` of compute profile '\(profile.name)'; check firewalls between here and it"
        }
        return "see the message; `floe debug` shows what floe resolved"
    }

    // MARK: Storage

    static func storage(_ profile: ResolvedProfile, plan: CompiledArtifacts, projectDirectory: String, timeout: Double) -> PreflightCheck {
        let subject = "\(profile.name) (\(profile.type))"
        return PreflightCheck(service: "storage", subject: subject) {
            switch profile.type {
            case "local":
                let template = profile.settings["path"]?.stringValue ?? "."
                let absolute = EngineAdapters.localPath(template, plan: plan, projectDirectory: projectDirectory)
                let location = WritableLocation.check(directory: absolute)
                if let problem = location.problem {
                    return PreflightResult(service: "storage", status: .error, message: "\(subject): cannot write \(absolute): \(problem)",
                                           remediation: "make \(location.directory) a writable directory, or point the storage profile's `path` elsewhere",
                                           details: ["path": absolute])
                }
                return PreflightResult(service: "storage", status: .ok, message: "\(subject): \(absolute) is writable", details: ["path": absolute])
            case "s3", "gcs", "adls":
                return bucket(profile, subject: subject, timeout: timeout)
            default:
                return PreflightResult(service: "storage", status: .warning, message: "\(subject): floe cannot check this storage type")
            }
        }
    }

    /// The object store's endpoint answers and the bucket exists, from the status of an
    /// unsigned request: 404 means no such bucket; 200, 301, 400, 401 and 403 mean it is there
    /// (access itself needs the provider's signed requests, which floe does not make here).
    static func bucket(_ profile: ResolvedProfile, subject: String, timeout: Double) -> PreflightResult {
        let settings = profile.settings
        let url: URL?
        let bucket: String
        switch profile.type {
        case "s3":
            bucket = settings["bucket"]?.stringValue ?? ""
            if let endpoint = settings["endpoint"]?.stringValue {
                url = URL(string: endpoint.hasSuffix("/") ? endpoint + bucket : endpoint + "/" + bucket)
            } else {
                url = URL(string: "https://\(bucket).s3.\(settings["region"]?.stringValue ?? "us-east-1").amazonaws.com/")
            }
        case "gcs":
            bucket = settings["bucket"]?.stringValue ?? ""
            url = URL(string: "https://storage.googleapis.com/\(bucket)")
        default:
            bucket = settings["container"]?.stringValue ?? ""
            url = URL(string: "https://\(settings["account"]?.stringValue ?? "").blob.core.windows.net/\(bucket)?restype=container")
        }
        guard let url else {
            return PreflightResult(service: "storage", status: .error, message: "\(subject): no address can be made from the profile",
                                   remediation: "check the storage profile's bucket, account and endpoint")
        }
        let details = ["endpoint": url.absoluteString, "bucket": bucket]
        do {
            let status = try EndpointProbe.status(of: url, timeout: timeout)
            switch status {
            case 404:
                return PreflightResult(service: "storage", status: .error,
                                       message: "\(subject): the endpoint answers, but bucket \(bucket) does not exist (HTTP 404)",
                                       remediation: "create the bucket, or fix `bucket` in the storage profile", details: details)
            case 200..<500:
                return PreflightResult(service: "storage", status: .ok,
                                       message: "\(subject): the endpoint answers and bucket \(bucket) exists (HTTP \(status))", details: details)
            default:
                return PreflightResult(service: "storage", status: .error, message: "\(subject): the endpoint answered HTTP \(status)",
                                       remediation: "check the object store's health", details: details)
            }
        } catch {
            return PreflightResult(service: "storage", status: .error, message: "\(subject): \(url.host ?? url.absoluteString) cannot be reached: \(error)",
                                   remediation: "check the storage profile's region or endpoint, and the network between here and it", details: details)
        }
    }

    // MARK: Catalog

    static func catalog(_ profile: ResolvedProfile, timeout: Double) -> PreflightCheck {
        let subject = "\(profile.name) (\(profile.type))"
        return PreflightCheck(service: "catalog", subject: subject) {
            switch profile.type {
            case "none":
                return PreflightResult(service: "catalog", status: .ok, message: "\(subject): no catalog to check")
            case "polaris", "rest":
                guard let base = profile.settings["uri"]?.stringValue, let url = URL(string: base.hasSuffix("/") ? base + "v1/config" : base + "/v1/config") else {
                    return PreflightResult(service: "catalog", status: .error, message: "\(subject): the profile has no usable `uri`",
                                           remediation: "set `uri` to the REST catalog's base address")
                }
                let details = ["uri": url.absoluteString]
                do {
                    let status = try EndpointProbe.status(of: url, timeout: timeout)
                    switch status {
                    case 200:
                        return PreflightResult(service: "catalog", status: .ok, message: "\(subject): \(url.absoluteString) answers", details: details)
                    case 401, 403:
                        return PreflightResult(service: "catalog", status: .warning,
                                               message: "\(subject): \(url.absoluteString) answers and asks for credentials (HTTP \(status))",
                                               remediation: "the catalog's credentials are checked when it is used", details: details)
                    default:
                        return PreflightResult(service: "catalog", status: .error, message: "\(subject): \(url.absoluteString) answered HTTP \(status)",
                                               remediation: "check that `uri` is the REST catalog's base address (it serves /v1/config)", details: details)
                    }
                } catch {
                    return PreflightResult(service: "catalog", status: .error, message: "\(subject): \(url.absoluteString) cannot be reached: \(error)",
                                           remediation: "start the catalog, or fix `uri`", details: details)
                }
            default:
                return PreflightResult(service: "catalog", status: .warning, message: "\(subject): floe cannot check this catalog type without its SDK")
            }
        }
    }

    // MARK: Observability

    /// A file events are appended to: its directory exists or can be made, and it can be written.
    static func appendable(_ what: String, _ path: String, projectDirectory: String) -> PreflightCheck {
        let absolute = path.hasPrefix("/") ? path : URL(fileURLWithPath: projectDirectory).appendingPathComponent(path).standardizedFileURL.path
        return PreflightCheck(service: "observability", subject: "\(what) \(path)", failureStatus: .warning) {
            let directory = URL(fileURLWithPath: absolute).deletingLastPathComponent()
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var isDirectory: ObjCBool = false
            let writable = FileManager.default.fileExists(atPath: absolute)
                ? FileManager.default.isWritableFile(atPath: absolute)
                : FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) && isDirectory.boolValue
                    && FileManager.default.isWritableFile(atPath: directory.path)
            guard writable else {
                return PreflightResult(service: "observability", status: .warning, message: "\(what) \(path) cannot be written",
                                       remediation: "runs proceed without it; make \(directory.path) writable or change the file in platform.yaml")
            }
            return PreflightResult(service: "observability", status: .ok, message: "\(what) \(path) can be written", details: ["path": absolute])
        }
    }

    /// A TCP connection to the endpoint's host and port: a warning, never an error, when it fails.
    static func reachable(_ service: String, _ what: String, _ endpoint: String, timeout: Double) -> PreflightCheck {
        PreflightCheck(service: service, subject: "\(what) \(endpoint)", failureStatus: .warning) {
            guard let url = URL(string: endpoint), let host = url.host else {
                return PreflightResult(service: service, status: .warning, message: "\(what) \(endpoint) is not an address",
                                       remediation: "fix the endpoint in platform.yaml's observability")
            }
            let port = url.port ?? (url.scheme == "https" ? 443 : 80)
            do {
                try EndpointProbe.connect(host: host, port: port, timeout: timeout)
                return PreflightResult(service: service, status: .ok, message: "\(what) \(endpoint) is reachable",
                                       details: ["host": host, "port": String(port)])
            } catch {
                return PreflightResult(service: service, status: .warning, message: "\(what) \(endpoint) cannot be reached: \(error)",
                                       remediation: "runs proceed without it; start it or fix the endpoint in platform.yaml",
                                       details: ["host": host, "port": String(port)])
            }
        }
    }
}
