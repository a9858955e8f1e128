import BankKit
import Crypto
import JWTKit

/// Claims of an access token (JWT, HS256). Expiry is checked against the injected clock,
/// not the system's, so tests can move time.
struct AccessClaims: JWTPayload {
    var sub: String
    var role: String
    var sid: String
    var name: String
    var iat: Int64
    var exp: Int64
    var iss: String

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Signs and checks short-lived access tokens.
public struct AccessTokens: Sendable {
    public static let lifetimeSeconds: Int64 = 15 * 60
    public static let issuer = "rong"
    /// jwt-kit asserts on shorter HMAC keys.
    public static let secretMinBytes = 32
    let keys: JWTKeyCollection
    let clock: BankClock

    public init(secret: [UInt8], clock: BankClock) async {
        precondition(secret.count >= AccessTokens.secretMinBytes, "the signing secret must be at least 32 bytes")
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: secret)), digestAlgorithm: .sha256)
        self.keys = keys
        self.clock = clock
    }

    /// A token for `principal`, valid for 15 minutes from now.
    public func issue(for principal: Principal) async throws -> (token: String, expiresAt: Timestamp) {
        let now = clock.now()
        let expiresAt = now.adding(seconds: AccessTokens.lifetimeSeconds)
        let claims = AccessClaims(sub: principal.userID.description, role: principal.role.rawValue, sid: principal.sessionID.description,
                                  name: principal.displayName, iat: now.nanosecondsSinceEpoch / 1_000_000_000,
                                  exp: expiresAt.nanosecondsSinceEpoch / 1_000_000_000, iss: AccessTokens.issuer)
        return (try await keys.sign(claims), expiresAt)
    }

    /// The principal a token names, if its signature is good and it has not expired.
    public func verify(_ token: String) async throws(DomainError) -> Principal {
        guard token.utf8.count <= 4096 else { throw AccessTokens.invalid("The access token is too long.") }
        let claims: AccessClaims
        do { claims = try await keys.verify(token, as: AccessClaims.self) } catch {
            throw AccessTokens.invalid("The access token is not valid.")
        }
        guard claims.iss == AccessTokens.issuer else { throw AccessTokens.invalid("The access token is not valid.") }
        guard clock.now().nanosecondsSinceEpoch / 1_000_000_000 < claims.exp else {
            throw DomainError(.tokenExpired, "The access token has expired; refresh it.", status: 401)
        }
        guard let userID = try? RongID(claims.sub), let sessionID = try? RongID(claims.sid), let role = Role(rawValue: claims.role) else {
            throw AccessTokens.invalid("The access token is not valid.")
        }
        return Principal(userID: userID, role: role, sessionID: sessionID, displayName: claims.name)
    }

    static func invalid(_ detail: String) -> DomainError { DomainError(.unauthorized, detail, status: 401) }
}

extension ErrorCode {
    public static let tokenExpired: ErrorCode = "token_expired"
    public static let invalidCredentials: ErrorCode = "invalid_credentials"
    public static let signInLocked: ErrorCode = "sign_in_locked"
    public static let refreshTokenInvalid: ErrorCode = "refresh_token_invalid"
    public static let refreshTokenReused: ErrorCode = "refresh_token_reused"
    public static let mobileAlreadyRegistered: ErrorCode = "mobile_already_registered"
}
