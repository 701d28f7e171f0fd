import FloeCore
import FloeSemantic
import Foundation
import JWTKit

/// Checks the `Authorization` header: a JWT (alone or after `Bearer `) signed HS256 with the
/// API secret, not expired. Its claims become the request's security context.
struct TokenVerifier: Sendable {
    private let keys: JWTKeyCollection
    /// Tokens already verified, with their claims: a dashboard sends the same token with every
    /// request, and decoding it is most of a small query's cost. The whole token, signature
    /// included, is the key, so only a token that verified is ever found; expiry is checked
    /// again on each use.
    private let verified = BoundedCache<String, (claims: JSONValue, expiry: Date?)>(capacity: 10_000)

    /// RFC 7518 §3.2: an HS256 key is at least as long as its hash, 32 bytes.
    static let minimumSecretBytes = 32

    init(secret: String) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    /// The claims of a valid token; a ``SemanticError`` of kind `.forbidden` otherwise.
    func verify(_ header: String?) async throws(SemanticError) -> SecurityContext {
        guard var token = header?.trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            throw SemanticError(.forbidden, "authorization required: send Authorization: <JWT signed HS256 with the API secret>")
        }
        if token.lowercased().hasPrefix("bearer ") { token = String(token.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        if let known = verified[token] {
            guard known.expiry.map({ $0 > Date() }) ?? true else { throw SemanticError(.forbidden, "the token has expired") }
            return SecurityContext(claims: known.claims)
        }
        do {
            let payload = try await keys.verify(token, as: Claims.self)
            verified[token] = (payload.claims, payload.expiry)
            return SecurityContext(claims: payload.claims)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw SemanticError(.forbidden, "the token has expired")
        } catch {
            throw SemanticError(.forbidden, "the token is not valid: it must be a JWT signed HS256 with the API secret")
        }
    }

    /// Signs `claims` (for tests and `floe serve --print-token`).
    func sign(_ claims: JSONValue) async throws -> String {
        try await keys.sign(Claims(claims: claims))
    }

    /// Every claim of a token, with `exp` (seconds since 1970) honoured when present.
    struct Claims: JWTPayload {
        var claims: JSONValue

        init(claims: JSONValue) {
            self.claims = claims
        }

        init(from decoder: any Decoder) throws {
            claims = try JSONValue(from: decoder)
        }

        func encode(to encoder: any Encoder) throws {
            try claims.encode(to: encoder)
        }

        /// `exp`, when the token has one.
        var expiry: Date? {
            guard case .number(let text) = claims["exp"], let seconds = Double(text) else { return nil }
            return Date(timeIntervalSince1970: seconds)
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {
            guard claims["exp"] != nil else { return }
            guard let expiry else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "exp is not a number") }
            try ExpirationClaim(value: expiry).verifyNotExpired()
        }
    }
}

