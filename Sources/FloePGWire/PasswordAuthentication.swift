import Crypto
import Foundation

/// How a connecting user proves who they are.
public enum PGAuthentication: Sendable {
    /// No password: the server lets the user in (an API without tokens).
    case trust
    /// The password in clear (`AuthenticationCleartextPassword`): needed when the server cannot
    /// know it beforehand, as for a token whose signature it verifies.
    case cleartext
    /// `AuthenticationMD5Password` against a password the server knows.
    case md5(password: String)
    /// SCRAM-SHA-256 (RFC 5802, RFC 7677) against a password the server knows; the password never
    /// crosses the wire.
    case scramSHA256(password: String)
}

/// The server side of MD5 password authentication: the client sends
/// `"md5" + md5(md5(password + user) + salt)` in hex.
enum MD5Password {
    static func expected(password: String, user: String, salt: [UInt8]) -> String {
        let inner = hex(Insecure.MD5.hash(data: Data((password + user).utf8)))
        return "md5" + hex(Insecure.MD5.hash(data: Data(inner.utf8) + Data(salt)))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

/// One SCRAM-SHA-256 exchange, server side, without channel binding (`n,,`).
struct SCRAMExchange {
    static let mechanism = "SCRAM-SHA-256"
    static let iterations = 4096

    private let saltedPassword: SymmetricKey
    private let salt: [UInt8]
    private var clientFirstBare = ""
    private var serverFirst = ""
    private var nonce = ""

    /// `salted`: the password's PBKDF2 with `salt` (``salted(_:salt:)``), computed once per user.
    init(salted: SymmetricKey, salt: [UInt8]) {
        saltedPassword = salted
        self.salt = salt
    }

    /// Hi() of RFC 5802: PBKDF2 with HMAC-SHA-256, one block.
    static func salted(_ password: String, salt: [UInt8], iterations: Int = iterations) -> SymmetricKey {
        let key = SymmetricKey(data: Data(password.utf8))
        var block = Data(HMAC<SHA256>.authenticationCode(for: Data(salt) + Data([0, 0, 0, 1]), using: key))
        var result = [UInt8](block)
        for _ in 1..<iterations {
            block = Data(HMAC<SHA256>.authenticationCode(for: block, using: key))
            for (index, byte) in block.enumerated() { result[index] ^= byte }
        }
        return SymmetricKey(data: result)
    }

    /// The client's first message (`n,,n=user,r=nonce`): the server's first message to answer, or
    /// nil when it is not one this exchange takes.
    mutating func start(clientFirst: String) -> String? {
        guard clientFirst.hasPrefix("n,,") || clientFirst.hasPrefix("y,,") else { return nil }
        clientFirstBare = String(clientFirst.dropFirst(3))
        guard let clientNonce = Self.attribute("r", in: clientFirstBare), !clientNonce.isEmpty else { return nil }
        var random = SystemRandomNumberGenerator()
        let serverNonce = Data((0..<18).map { _ in UInt8.random(in: 0...255, using: &random) }).base64EncodedString()
        nonce = clientNonce + serverNonce
        serverFirst = "r=\(nonce),s=\(Data(salt).base64EncodedString()),i=\(Self.iterations)"
        return serverFirst
    }

    /// The client's final message (`c=biws,r=nonce,p=proof`): the server's final message
    /// (`v=signature`) when the proof is right, nil when it is not.
    func finish(clientFinal: String) -> String? {
        guard let proofStart = clientFinal.range(of: ",p="), Self.attribute("r", in: clientFinal) == nonce,
              let proof = Data(base64Encoded: String(clientFinal[proofStart.upperBound...])), proof.count == SHA256.byteCount else { return nil }
        let withoutProof = String(clientFinal[..<proofStart.lowerBound])
        let authMessage = Data("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let clientKey = Data(HMAC<SHA256>.authenticationCode(for: Data("Client Key".utf8), using: saltedPassword))
        let storedKey = SymmetricKey(data: SHA256.hash(data: clientKey))
        let signature = Data(HMAC<SHA256>.authenticationCode(for: authMessage, using: storedKey))
        let recovered = Data(zip(proof, signature).map { $0 ^ $1 })
        guard Data(SHA256.hash(data: recovered)) == Data(SHA256.hash(data: clientKey)) else { return nil }
        let serverKey = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data("Server Key".utf8), using: saltedPassword))
        return "v=" + Data(HMAC<SHA256>.authenticationCode(for: authMessage, using: serverKey)).base64EncodedString()
    }

    private static func attribute(_ name: Character, in message: String) -> String? {
        for part in message.split(separator: ",") where part.first == name && part.dropFirst().first == "=" {
            return String(part.dropFirst(2))
        }
        return nil
    }
}
