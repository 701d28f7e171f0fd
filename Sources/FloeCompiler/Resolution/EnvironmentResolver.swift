import FloeContract
import FloeCore
import FloeEngine
import FloeYAML
import Foundation

/// Picks the environment, substitutes its namespace placeholders and resolves floe.yaml's logical
/// profile names through the environment's remaps and overrides to concrete platform profiles.
struct EnvironmentResolver {
    var platform: PlatformSpec
    /// Makes the `{uuid}` of a namespace; fresh per compile unless a test pins it.
    var makeUUID: () -> String = { UUID().uuidString.lowercased() }

    /// Checks of platform.yaml alone: every environment's remaps and overrides name real profiles,
    /// and every namespace uses only known placeholders.
    func checkPlatform() -> [Diagnostic] {
        var diagnostics = checkLineageTransport()
        for environment in platform.environments {
            let path = "environments.\(environment.name)"
            diagnostics += checkNamespace(environment, path: path)
            for kind in ProfileKind.allCases {
                for (logical, remap) in (environment.remaps[kind] ?? [:]).sorted(by: { $0.key < $1.key })
                where platform.profile(kind, named: remap.profile) == nil {
                    diagnostics.append(missingProfile(
                        kind, remap.profile, at: remap.location, path: "\(path).\(kind.platformKey).\(logical)",
                        context: "environment '\(environment.name)' maps \(kind.rawValue) '\(logical)' to"))
                }
                for override in environment.overrides[kind] ?? [] {
                    let overridePath = "\(path).overrides.\(kind.platformKey).\(override.profile)"
                    guard let profile = platform.profile(kind, named: override.profile) else {
                        diagnostics.append(missingProfile(
                            kind, override.profile, at: override.location, path: overridePath,
                            context: "environment '\(environment.name)' overrides"))
                        continue
                    }
                    let merged = Self.merge(profile.body, override.entries)
                    diagnostics += ShapeValidator.validate(
                        merged, against: .tagged(PlatformShape.profileShape(kind)), path: overridePath)
                        .filter { diagnostic in
                            // Only problems the override brought; the profile itself is checked where it stands.
                            override.entries.contains { entry in
                                let entryPath = "\(overridePath).\(entry.key)"
                                return diagnostic.path == entryPath || diagnostic.path.hasPrefix(entryPath + ".")
                                    || diagnostic.path.hasPrefix(entryPath + "[")
                            }
                        }
                }
            }
        }
        return diagnostics
    }

    /// The lineage transport has what it needs: an endpoint for http, a file for file.
    private func checkLineageTransport() -> [Diagnostic] {
        guard let entry = platform.root["observability"]?.entries?.first(where: { $0.key == "lineage" }),
              entry.value.entries != nil else { return [] }
        let node = entry.value
        let transport = node["transport"]?.string ?? "http"
        let needed: (key: String, example: String)? = switch transport {
        case "http": ("endpoint", "endpoint: http://marquez:5000")
        case "file": ("file", "file: target/openlineage.jsonl")
        default: nil
        }
        guard let needed, node[needed.key] == nil else { return [] }
        return [.error(at: entry.keyLocation, path: "observability.lineage.\(needed.key)",
                       "lineage transport '\(transport)' needs `\(needed.key)`",
                       hint: "add `\(needed.example)`, or choose another transport (http, file, console)")]
    }

    private func checkNamespace(_ environment: PlatformSpec.Environment, path: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var rest = Substring(environment.namespace)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                diagnostics.append(.error(at: environment.namespaceLocation, path: "\(path).namespace",
                                          "unclosed '{' in namespace", hint: "placeholders are {environment} and {uuid}"))
                break
            }
            let name = String(rest[rest.index(after: open)..<close])
            if !["environment", "uuid"].contains(name) {
                diagnostics.append(.error(
                    at: environment.namespaceLocation, path: "\(path).namespace", "unknown placeholder '{\(name)}' in namespace",
                    hint: Suggestions.closest(to: name, in: ["environment", "uuid"]).map { "did you mean '{\($0)}'?" }
                        ?? "placeholders are {environment} and {uuid}"))
            }
            rest = rest[rest.index(after: close)...]
        }
        return diagnostics
    }

    /// The environment, its namespace and the three profiles, or the diagnostics that prevent them.
    struct Resolution {
        var environment: ResolvedEnvironment?
        var profiles: [ProfileKind: ResolvedProfile] = [:]
        var diagnostics: [Diagnostic] = []
    }

    func resolve(environmentNamed name: String, for spec: FloeSpec) -> Resolution {
        var resolution = Resolution()
        let environment: PlatformSpec.Environment?
        if platform.environments.isEmpty {
            environment = nil
            resolution.environment = ResolvedEnvironment(name: name, namespace: name)
        } else if let found = platform.environments.first(where: { $0.name == name }) {
            environment = found
            let namespace = found.namespace
                .replacingOccurrences(of: "{environment}", with: name)
                .replacingOccurrences(of: "{uuid}", with: makeUUID())
            resolution.environment = ResolvedEnvironment(name: name, namespace: namespace)
        } else {
            let names = platform.environments.map(\.name)
            resolution.diagnostics.append(.error(
                at: platform.environmentsLocation, path: "environments",
                "environment '\(name)' is not defined in platform.yaml; environments: \(names.joined(separator: ", "))",
                hint: Suggestions.didYouMean(name, in: names) ?? "choose one with --env or FLOE_ENV, or add it under environments:"))
            environment = nil
        }

        for kind in ProfileKind.allCases {
            let logical = spec.logicalNames[kind] ?? FloeSpec.LogicalName(name: "default", location: nil)
            let remap = environment?.remaps[kind]?[logical.name]
            let profileName = remap?.profile ?? logical.name
            guard let profile = platform.profile(kind, named: profileName) else {
                if remap != nil { continue }  // reported by checkPlatform, at the remap's line
                if logical.location == nil, kind != .compute, platform.profileNames(kind).isEmpty {
                    resolution.profiles[kind] = Self.implicitDefault(kind)
                    continue
                }
                resolution.diagnostics.append(missingProfile(
                    kind, profileName, at: logical.location ?? .file(spec.file), path: kind.rawValue,
                    context: logical.location == nil ? "floe.yaml uses the default \(kind.rawValue) profile" : "floe.yaml names"))
                continue
            }
            var body = profile.body
            if let override = environment?.overrides[kind]?.first(where: { $0.profile == profileName }) {
                body = Self.merge(body, override.entries)
            }
            var settings: [String: ConfigValue] = [:]
            for entry in body.entries ?? [] where entry.key != "type" { settings[entry.key] = ConfigValue(entry.value) }
            let type = body["type"]?.string ?? profile.type
            // The plan's SQL is written in the compute engine's dialect: without one there is no plan.
            // (A type platform.yaml may not name at all is reported by its shape check.)
            if kind == .compute, PlatformShape.computeTypes.contains(type), SQLDialects.named(type) == nil {
                let dialects = SQLDialects.all.map(\.name)
                resolution.diagnostics.append(.error(
                    at: body["type"]?.location ?? body.location, path: "compute.\(profileName).type",
                    "compute profile '\(profileName)' has type '\(type)', and floe has no SQL dialect for it; floe writes SQL for \(Suggestions.list(dialects, conjunction: "and"))",
                    hint: "give environment '\(name)' a compute profile of type \(Suggestions.list(dialects))"))
            }
            resolution.profiles[kind] = ResolvedProfile(logicalName: logical.name, name: profileName, type: type, settings: settings)
        }
        // The namespace is a schema of the compute engine, which may take fewer names than
        // platform.yaml does (Spark's metastore: letters, digits and _).
        if let namespace = resolution.environment?.namespace, let type = resolution.profiles[.compute]?.type,
           let dialect = SQLDialects.named(type), !dialect.takesSchemaName(namespace) {
            let suggestion = String(namespace.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
            resolution.diagnostics.append(.error(
                at: environment?.namespaceLocation ?? platform.environmentsLocation, path: "environments.\(name).namespace",
                "namespace '\(namespace)' is not a schema name \(type) takes: letters, digits and _ only",
                hint: "name it '\(suggestion)'"))
        }
        return resolution
    }

    /// When platform.yaml declares no storage (or catalog) profiles and floe.yaml names none:
    /// local files beside the database, and no catalog.
    static func implicitDefault(_ kind: ProfileKind) -> ResolvedProfile {
        switch kind {
        case .storage:
            return ResolvedProfile(logicalName: "default", name: "default", type: "local",
                                   settings: ["path": .string(".floe/{environment}/storage")])
        default:
            return ResolvedProfile(logicalName: "default", name: "default", type: "none", settings: [:])
        }
    }

    /// The profile's entries with the override's replacing those of the same key.
    static func merge(_ body: YAMLValue, _ override: [YAMLEntry]) -> YAMLValue {
        let replaced = Set(override.map(\.key))
        let entries = (body.entries ?? []).filter { !replaced.contains($0.key) } + override
        return YAMLValue(.mapping(entries), at: body.location)
    }

    private func missingProfile(
        _ kind: ProfileKind, _ name: String, at location: SourceLocation, path: String, context: String
    ) -> Diagnostic {
        let names = platform.profileNames(kind)
        let listed = names.isEmpty ? "platform.yaml defines no \(kind.rawValue) profiles"
            : "\(kind.rawValue) profiles: \(names.joined(separator: ", "))"
        return .error(
            at: location, path: path,
            "\(context) \(kind.rawValue) profile '\(name)', which platform.yaml does not define (\(listed))",
            hint: Suggestions.didYouMean(name, in: names)
                ?? "add `\(name):` under `\(kind.platformKey):` in platform.yaml, or use one of the profiles it has")
    }
}
