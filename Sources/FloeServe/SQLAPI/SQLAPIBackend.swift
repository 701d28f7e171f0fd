import FloePGWire
import FloeSemantic
import Foundation

/// Who may log in to the SQL API and as what security context:
/// - a user the platform lists (`semantic.sql_api.users`) logs in with its password (SCRAM-SHA-256,
///   or MD5 when the platform says so) and gets the claims listed with it;
/// - any other user name logs in with a token as `floe serve --token` prints it, sent as the
///   password in clear (the server verifies its signature, so it must see it): its claims are the
///   security context, as on `/v1/load`;
/// - with neither a secret nor users, the API is open (as the REST API is) and no password is asked.
struct SQLAPIBackend: PGBackend {
    let server: SemanticServer
    let catalogs = CatalogCache()

    func authentication(user: String, database: String) throws(PGError) -> PGAuthentication {
        let served = server.source.current()
        if let known = served.sqlUsers[user] {
            return known.md5 ? .md5(password: known.password) : .scramSHA256(password: known.password)
        }
        return served.apiSecret == nil && served.sqlUsers.isEmpty ? .trust : .cleartext
    }

    func open(user: String, database: String, password: String?, parameters: [String: String]) async throws(PGError) -> any PGSession {
        let served = server.source.current()
        var security: SecurityContext?
        if let known = served.sqlUsers[user] {
            security = SecurityContext(claims: known.claims)
        } else if let secret = served.apiSecret {
            guard let password, !password.isEmpty else {
                throw PGError(PGError.invalidPassword, "password authentication failed for user \"\(user)\"",
                              hint: "log in with a token as the password (floe serve --token prints one), or as a user platform.yaml lists")
            }
            do {
                security = try await server.tokens.verifier(for: secret).verify(password)
            } catch {
                throw PGError(PGError.invalidPassword, "password authentication failed for user \"\(user)\": \(error.message)")
            }
        }
        server.log("floe serve: SQL API: \(user) connected to \(database)")
        return SQLAPISession(server: server, security: security, user: user, database: database,
                             applicationName: parameters["application_name"] ?? "", catalogs: catalogs)
    }
}

/// A SQL API user of platform.yaml, its password resolved.
struct SQLUser: Sendable {
    var password: String
    var claims: JSONValue
    var md5: Bool
    var canSwitchUser: Bool
}
