import BankKit
import Hummingbird
import Identity

struct SessionBody: ResponseEncodable {
    let object = "session"
    let userId: String
    let role: String
    let displayName: String
    let accessToken: String
    let accessTokenExpiresAt: String
    let refreshToken: String
    let refreshTokenExpiresAt: String
    let tokenType = "Bearer"

    init(_ tokens: SessionTokens) {
        userId = tokens.principal.userID.description
        role = tokens.principal.role.rawValue
        displayName = tokens.principal.displayName
        accessToken = tokens.accessToken
        accessTokenExpiresAt = tokens.accessExpiresAt.description
        refreshToken = tokens.refreshToken
        refreshTokenExpiresAt = tokens.refreshExpiresAt.description
    }
}

struct ChallengeBody: ResponseEncodable {
    let object = "otp_challenge"
    let id: String
    let purpose: String
    let mobileMasked: String
    let expiresAt: String

    init(_ challenge: OTPChallenge) {
        id = challenge.id.description
        purpose = challenge.purpose.rawValue
        mobileMasked = challenge.mobileMasked
        expiresAt = challenge.expiresAt.description
    }
}

struct PrincipalBody: ResponseEncodable {
    let object = "principal"
    let userId: String
    let role: String
    let displayName: String
    let sessionId: String

    init(_ principal: Principal) {
        userId = principal.userID.description
        role = principal.role.rawValue
        displayName = principal.displayName
        sessionId = principal.sessionID.description
    }
}

struct UserBody: ResponseEncodable {
    let object = "user"
    let id: String
    let role: String
    let mobileMasked: String
    let displayName: String
    let status: String
    let createdAt: String

    init(_ user: UserRecord) {
        id = user.id.description
        role = user.role.rawValue
        mobileMasked = MobileNumber.masked(user.mobile)
        displayName = user.displayName
        status = user.status
        createdAt = user.createdAt.description
    }
}

struct AuditEventBody: ResponseEncodable {
    let object = "audit_event"
    let seq: Int64
    let id: String
    let at: String
    let actor: String
    let action: String
    let target: String
    let outcome: String
    let address: String
    let detail: String

    init(_ event: AuditEvent) {
        seq = event.seq
        id = event.id.description
        at = event.at.description
        actor = event.actor
        action = event.action
        target = event.target
        outcome = event.outcome
        address = event.address
        detail = event.detail
    }
}

struct NoContent: ResponseGenerator {
    func response(from request: Request, context: some RequestContext) throws -> Response { Response(status: .noContent) }
}
