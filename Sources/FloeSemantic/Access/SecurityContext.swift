/// Who is asking, as a verified token says: its claims are Cube's security context, which
/// access policies read (`{ securityContext.region }`); its roles are the `roles` claim (a list)
/// or the `role` claim (one name).
public struct SecurityContext: Sendable {
    public var claims: JSONValue

    public init(claims: JSONValue) {
        self.claims = claims
    }

    public var roles: [String] {
        if let list = claims["roles"]?.arrayValue { return list.compactMap(\.stringValue) }
        return claims["role"]?.stringValue.map { [$0] } ?? []
    }

    /// The claim at a dotted path (`region`, `user.tenant`).
    func claim(_ path: String) -> JSONValue? {
        var value: JSONValue? = claims
        for key in path.split(separator: ".") { value = value?[String(key)] }
        return value
    }
}
