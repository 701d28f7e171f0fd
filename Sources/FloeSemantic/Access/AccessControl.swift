import Foundation
import FloeContract

/// Cube's data access policies, applied to one request's security context:
/// - a cube without `access_policy` is open to everyone;
/// - otherwise the policies whose `role` the request has (or `*`) apply, and with none the cube
///   is closed to it;
/// - a member may be used when an applying policy includes it (all members when `includes` is
///   absent or `*`) and does not exclude it;
/// - rows: each applying policy's filters must all hold, and a row one policy lets through is
///   seen (policies are ORed); a policy without row filters lets every row through. The filters
///   of every cube a query reads, joined ones included, are added to the query.
struct AccessControl {
    let catalog: SemanticCatalog
    let context: SecurityContext

    /// The policies that apply to the request; nil when the cube has none.
    func policies(of cube: CompiledCube) -> [CubeAccessPolicy]? {
        guard let all = cube.accessPolicy, !all.isEmpty else { return nil }
        let roles = Set(context.roles)
        return all.filter { $0.role == "*" || roles.contains($0.role) }
    }

    func canUse(_ path: String) -> Bool {
        let cubeName = String(path.prefix { $0 != "." })
        guard let cube = catalog.cube(named: cubeName), let applying = policies(of: cube) else { return true }
        return applying.contains { policy in (policy.includes?.contains(path) ?? true) && !policy.excludes.contains(path) }
    }

    func canSee(_ cube: CompiledCube) -> Bool { policies(of: cube).map { !$0.isEmpty } ?? true }

    /// Refuses a query that names a member the request may not use.
    func checkMembers(_ query: CubeQuery) throws(SemanticError) {
        var names = query.measures + query.dimensions + query.timeDimensions.map(\.dimension) + query.segments
        func collect(_ filters: [QueryFilter]) {
            for filter in filters {
                switch filter {
                case .member(let name, _, _): names.append(name)
                case .and(let children), .or(let children): collect(children)
                }
            }
        }
        collect(query.filters)
        for name in names where !canUse(name) {
            throw SemanticError(.forbidden, "'\(name)' is not accessible with this token (the access policy of cube '\(name.prefix { $0 != "." })')")
        }
    }

    /// The row filter for reading `cube`; nil when every row may be seen.
    func rowFilter(for cube: CompiledCube) throws(SemanticError) -> QueryFilter? {
        guard let applying = policies(of: cube) else { return nil }
        guard !applying.isEmpty else {
            throw SemanticError(.forbidden, "no access policy of cube '\(cube.name)' applies to this token's roles (\(context.roles.isEmpty ? "none" : context.roles.joined(separator: ", ")))")
        }
        if applying.contains(where: { $0.rowFilters == nil }) { return nil }
        // Policies are ORed: one whose claims the token lacks grants no rows, and the others may.
        var alternatives: [QueryFilter] = []
        var missing: SemanticError?
        for policy in applying {
            do {
                alternatives.append(.and(try (policy.rowFilters ?? []).map { filter throws(SemanticError) in try queryFilter(filter, cube: cube) }))
            } catch {
                missing = missing ?? error
            }
        }
        if alternatives.isEmpty, let missing { throw missing }
        return alternatives.count == 1 ? alternatives[0] : .or(alternatives)
    }

    private func queryFilter(_ filter: AccessFilter, cube: CompiledCube) throws(SemanticError) -> QueryFilter {
        if let children = filter.and { return .and(try children.map { child throws(SemanticError) in try queryFilter(child, cube: cube) }) }
        if let children = filter.or { return .or(try children.map { child throws(SemanticError) in try queryFilter(child, cube: cube) }) }
        guard let member = filter.member, let name = filter.operator, let operation = FilterOperator(rawValue: name) else {
            throw SemanticError(.engine, "an access policy filter of cube '\(cube.name)' is incomplete in the plan")
        }
        var values: [String] = []
        for value in filter.values { values += try resolve(value, cube: cube) }
        return .member(member, operation, values)
    }

    /// A value as written, or the claim `{ securityContext.x }` names (a list gives each item).
    private func resolve(_ value: String, cube: CompiledCube) throws(SemanticError) -> [String] {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}") else { return [value] }
        let inside = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
        guard inside.hasPrefix("securityContext.") else { return [value] }
        let path = String(inside.dropFirst("securityContext.".count))
        func text(_ claim: JSONValue) -> String? {
            switch claim {
            case .string(let text), .number(let text): text
            case .bool(let flag): flag ? "true" : "false"
            default: nil
            }
        }
        switch context.claim(path) {
        case .some(.array(let items)) where !items.isEmpty && items.allSatisfy({ text($0) != nil }):
            return items.compactMap(text)
        case .some(let claim) where text(claim) != nil:
            return [text(claim)!]
        default:
            throw SemanticError(.forbidden, "the token has no claim '\(path)', which the access policy of cube '\(cube.name)' needs")
        }
    }
}
