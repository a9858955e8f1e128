import BankKit
import Crypto
import Foundation
import Storage

/// A user as other modules see it (never the password hash).
public struct UserRecord: Sendable, Hashable {
    public let id: RongID
    public let role: Role
    public let mobile: String
    public let displayName: String
    public let status: String
    public let createdAt: Timestamp
}

/// What a successful sign-in, registration or refresh returns.
public struct SessionTokens: Sendable, Hashable {
    public let principal: Principal
    public let accessToken: String
    public let accessExpiresAt: Timestamp
    public let refreshToken: String
    public let refreshExpiresAt: Timestamp
}

/// Credentials, sessions and step-up codes.
///
/// Users sign in within a realm (customers at the portal, staff at the console, merchants and
/// billers at their own APIs), so the same mobile may be a customer and, separately, a staff
/// member. Unknown mobiles and wrong passwords give the same answer in the same time.
public final class IdentityService: Sendable {
    public static let signInFailuresMax: Int64 = 5
    public static let lockSeconds: Int64 = 15 * 60
    public static let refreshLifetimeSeconds: Int64 = 30 * 86_400
    public static let displayNameMaxLength = 40

    public let database: Database
    public let clock: BankClock
    public let ids: IDGenerator
    public let random: SecureRandom
    public let hasher: PasswordHasher
    public let tokens: AccessTokens
    public let otp: OTPService
    public let sms: SMSGateway
    public let audit: AuditLog
    /// Bank-to-customer notifications that e-Link delivers (with an SMS fallback).
    public let notifications: NotificationOutbox

    public init(database: Database, clock: BankClock, ids: IDGenerator, random: SecureRandom, hasher: PasswordHasher,
                secret: [UInt8], smsSink: any SMSSink) async {
        self.database = database
        self.clock = clock
        self.ids = ids
        self.random = random
        self.hasher = hasher
        self.tokens = await AccessTokens(secret: secret, clock: clock)
        self.sms = SMSGateway(database: database, sink: smsSink, clock: clock, ids: ids)
        self.otp = OTPService(database: database, sms: sms, clock: clock, ids: ids, random: random, secret: secret)
        self.audit = AuditLog(database: database, clock: clock, ids: ids)
        self.notifications = NotificationOutbox(database: database, clock: clock, ids: ids)
    }

    static func realm(of role: Role) -> String {
        switch role {
        case .customer: "retail"
        case .merchant: "merchant"
        case .biller: "biller"
        case .accountManager, .serviceAgent, .operator, .admin: "staff"
        }
    }

    // MARK: Users

    /// Inserts a user inside the caller's transaction (registration creates the customer in the same one).
    /// Fails with `mobile_already_registered` when the realm already has this mobile.
    public func insertUser(_ tx: any SQLSession, id: RongID, role: Role, mobile: String, displayName: String,
                           passwordHash: String, createdBy: String) async throws {
        let realm = IdentityService.realm(of: role)
        if try await tx.first("SELECT id FROM identity_users WHERE realm = ? AND mobile = ?", [.text(realm), .text(mobile)]) != nil {
            throw DomainError(.mobileAlreadyRegistered, "This mobile number is already registered; sign in or reset the password.",
                              status: 409, extensions: ["field": .string("mobile")])
        }
        let now = clock.now()
        try await tx.execute(
            """
            INSERT INTO identity_users (id, realm, role, mobile, display_name, password_hash, status, password_changed_at, created_at, created_by)
            VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)
            """,
            [.id(id), .text(realm), .text(role.rawValue), .text(mobile), .text(displayName), .text(passwordHash),
             .time(now), .time(now), .text(createdBy)])
    }

    /// Creates a staff member. Only an admin may (or the CLI's `rong admin create`, `by` nil).
    public func createStaff(by actor: Principal?, role: Role, mobile: String, displayName: String, password: String,
                            address: String) async throws -> UserRecord {
        if let actor, actor.role != .admin { throw DomainError(.forbidden, "Only an admin can create staff.", status: 403) }
        guard role.isStaff else {
            throw DomainError(.invalidRequest, "Staff roles are account_manager, service_agent, operator and admin.", status: 422,
                              extensions: ["field": .string("role")])
        }
        let mobile = try MobileNumber.validate(mobile)
        let name = try IdentityService.validateDisplayName(displayName)
        try PasswordPolicy.check(password, mobile: mobile)
        let hash = await hasher.hash(password)
        let id = ids.next()
        try await database.transaction { tx in
            try await insertUser(tx, id: id, role: role, mobile: mobile, displayName: name, passwordHash: hash,
                                 createdBy: actor?.actorRef ?? "cli")
            try await audit.record(tx, actor: actor?.actorRef ?? "cli", action: "staff.create", target: "user:\(id)",
                                   address: address, detail: "role=\(role.rawValue) mobile=\(MobileNumber.masked(mobile))")
        }
        return try await user(id)!
    }

    public static func validateDisplayName(_ text: String, field: String = "name") throws(DomainError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= displayNameMaxLength,
              !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) || "<>\"&".unicodeScalars.contains($0) }) else {
            throw DomainError(.invalidRequest, "The name must be 1–40 characters without control characters or <>\"&.", status: 422,
                              extensions: ["field": .string(field)])
        }
        return trimmed
    }

    public func user(_ id: RongID) async throws -> UserRecord? {
        try await database.first("SELECT id, role, mobile, display_name, status, created_at FROM identity_users WHERE id = ?", [.id(id)])
            .map(IdentityService.userRecord)
    }

    /// Staff members, newest first (the admin console); with `role`, only members of that role.
    public func staff(role: Role? = nil, limit: Int = 100) async throws -> [UserRecord] {
        try await database.query(
            """
            SELECT id, role, mobile, display_name, status, created_at FROM identity_users
            WHERE realm = 'staff' AND (? = '' OR role = ?) ORDER BY created_at DESC LIMIT ?
            """,
            [.text(role?.rawValue ?? ""), .text(role?.rawValue ?? ""), .int(min(limit, 500))]).map(IdentityService.userRecord)
    }

    static func userRecord(_ row: SQLRow) -> UserRecord {
        UserRecord(id: row.id("id"), role: Role(rawValue: row.text("role")) ?? .customer, mobile: row.text("mobile"),
                   displayName: row.text("display_name"), status: row.text("status"), createdAt: row.time("created_at"))
    }

    // MARK: Sessions

    /// Mobile + password → tokens. Five wrong passwords lock sign-in for 15 minutes.
    public func signIn(role: Role, mobile: String, password: String, address: String) async throws -> SessionTokens {
        let realm = IdentityService.realm(of: role)
        let now = clock.now()
        let row = try await database.first(
            "SELECT id, role, display_name, password_hash, status, failed_signins, locked_until FROM identity_users WHERE realm = ? AND mobile = ?",
            [.text(realm), .text(mobile)])
        guard let row else {
            _ = await hasher.verify(password, hash: PasswordHasher.decoy)
            try await audit.record(actor: "anonymous", action: "auth.sign_in", target: "mobile:\(MobileNumber.masked(mobile))",
                                   outcome: ErrorCode.invalidCredentials.rawValue, address: address)
            throw IdentityService.badCredentials
        }
        let userID = row.id("id")
        if row.int("locked_until") > now.nanosecondsSinceEpoch {
            try await audit.record(actor: "anonymous", action: "auth.sign_in", target: "user:\(userID)",
                                   outcome: ErrorCode.signInLocked.rawValue, address: address)
            throw IdentityService.locked(until: Timestamp(nanosecondsSinceEpoch: row.int("locked_until")))
        }
        guard await hasher.verify(password, hash: row.text("password_hash")), row.text("status") == "active" else {
            // Counted with an atomic increment, so wrong passwords sent at the same time all count.
            let locked: Bool = try await database.transaction { tx in
                try await tx.execute("UPDATE identity_users SET failed_signins = failed_signins + 1 WHERE id = ?", [.id(userID)])
                let failures = try await tx.first("SELECT failed_signins FROM identity_users WHERE id = ?", [.id(userID)])?.int("failed_signins") ?? 0
                let lock = failures >= IdentityService.signInFailuresMax
                if lock {
                    try await tx.execute("UPDATE identity_users SET failed_signins = 0, locked_until = ? WHERE id = ?",
                                         [.int(now.adding(seconds: IdentityService.lockSeconds).nanosecondsSinceEpoch), .id(userID)])
                }
                try await audit.record(tx, actor: "anonymous", action: lock ? "auth.lock" : "auth.sign_in", target: "user:\(userID)",
                                       outcome: lock ? ErrorCode.signInLocked.rawValue : ErrorCode.invalidCredentials.rawValue, address: address)
                if lock {
                    try await securityAlert(tx, userID: userID, text: "您的账户连续\(IdentityService.signInFailuresMax)次密码错误，登录已锁定15分钟。如非本人操作，请尽快修改密码。")
                }
                return lock
            }
            if locked { throw IdentityService.locked(until: now.adding(seconds: IdentityService.lockSeconds)) }
            throw IdentityService.badCredentials
        }
        let principal = Principal(userID: userID, role: Role(rawValue: row.text("role")) ?? role, sessionID: ids.next(),
                                  displayName: row.text("display_name"))
        return try await database.transaction { tx in
            try await tx.execute("UPDATE identity_users SET failed_signins = 0, locked_until = 0 WHERE id = ?", [.id(userID)])
            try await audit.record(tx, actor: principal.actorRef, action: "auth.sign_in", target: "user:\(userID)", address: address)
            return try await openSession(tx, principal: principal, address: address)
        }
    }

    /// Starts a session for a user just created (registration signs the customer in).
    public func openSession(_ tx: any SQLSession, principal: Principal, address: String) async throws -> SessionTokens {
        try await tx.execute("INSERT INTO identity_sessions (id, user_id, created_at, address) VALUES (?, ?, ?, ?)",
                             [.id(principal.sessionID), .id(principal.userID), .time(clock.now()), .text(String(address.prefix(64)))])
        return try await issueTokens(tx, principal: principal)
    }

    private func issueTokens(_ tx: any SQLSession, principal: Principal) async throws -> SessionTokens {
        let now = clock.now()
        let refresh = "rt_" + Base64URL.encode(random.bytes(32))
        let refreshExpiresAt = now.adding(seconds: IdentityService.refreshLifetimeSeconds)
        try await tx.execute("INSERT INTO identity_refresh_tokens (token_hash, session_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
                             [.blob(Array(SHA256.hash(data: Array(refresh.utf8)))), .id(principal.sessionID), .time(now), .time(refreshExpiresAt)])
        let access = try await tokens.issue(for: principal)
        return SessionTokens(principal: principal, accessToken: access.token, accessExpiresAt: access.expiresAt,
                             refreshToken: refresh, refreshExpiresAt: refreshExpiresAt)
    }

    /// Spends a refresh token for a new pair. A token spent before means it leaked: the whole
    /// session (every token of the family) is revoked.
    public func refresh(_ refreshToken: String, address: String) async throws -> SessionTokens {
        guard refreshToken.hasPrefix("rt_"), refreshToken.utf8.count <= 100 else { throw IdentityService.badRefresh }
        let hash = Array(SHA256.hash(data: Array(refreshToken.utf8)))
        let now = clock.now()
        let result: Result<SessionTokens, DomainError> = try await database.transaction { tx in
            guard let row = try await tx.first(
                """
                SELECT t.session_id, t.expires_at, t.spent_at, s.revoked_at, u.id AS user_id, u.role, u.display_name, u.status
                FROM identity_refresh_tokens t JOIN identity_sessions s ON s.id = t.session_id JOIN identity_users u ON u.id = s.user_id
                WHERE t.token_hash = ?
                """, [.blob(hash)]) else { return .failure(IdentityService.badRefresh) }
            let sessionID = row.id("session_id")
            let principal = Principal(userID: row.id("user_id"), role: Role(rawValue: row.text("role")) ?? .customer,
                                      sessionID: sessionID, displayName: row.text("display_name"))
            if row.optionalInt("revoked_at") != nil || row.text("status") != "active" || row.time("expires_at") <= now {
                return .failure(IdentityService.badRefresh)
            }
            let spent = try await tx.execute("UPDATE identity_refresh_tokens SET spent_at = ? WHERE token_hash = ? AND spent_at IS NULL",
                                             [.time(now), .blob(hash)])
            if row.optionalInt("spent_at") != nil || spent == 0 {
                try await tx.execute("UPDATE identity_sessions SET revoked_at = ?, revoked_reason = 'refresh_token_reused' WHERE id = ?",
                                     [.time(now), .id(sessionID)])
                try await audit.record(tx, actor: principal.actorRef, action: "auth.refresh_reuse", target: "session:\(sessionID)",
                                       outcome: ErrorCode.refreshTokenReused.rawValue, address: address)
                return .failure(DomainError(.refreshTokenReused, "This refresh token was already used; the session has been ended. Sign in again.",
                                            status: 401))
            }
            return .success(try await issueTokens(tx, principal: principal))
        }
        return try result.get()
    }

    /// Ends a session: its refresh tokens stop working and its access tokens are refused.
    public func logout(_ principal: Principal, address: String) async throws {
        try await database.transaction { tx in
            try await tx.execute("UPDATE identity_sessions SET revoked_at = ?, revoked_reason = 'logout' WHERE id = ? AND revoked_at IS NULL",
                                 [.time(clock.now()), .id(principal.sessionID)])
            try await audit.record(tx, actor: principal.actorRef, action: "auth.logout", target: "session:\(principal.sessionID)", address: address)
        }
    }

    /// The principal of a bearer access token whose session is still open and whose user is active.
    public func authenticate(_ accessToken: String) async throws -> Principal {
        let principal = try await tokens.verify(accessToken)
        guard let row = try await database.first(
            "SELECT s.revoked_at, u.status FROM identity_sessions s JOIN identity_users u ON u.id = s.user_id WHERE s.id = ? AND u.id = ?",
            [.id(principal.sessionID), .id(principal.userID)]),
            row.optionalInt("revoked_at") == nil, row.text("status") == "active" else {
            throw DomainError(.unauthorized, "The session has ended; sign in again.", status: 401)
        }
        return principal
    }

    // MARK: Passwords

    /// Changes the password with the old one and a step-up code; other sessions end.
    public func changePassword(_ principal: Principal, oldPassword: String, newPassword: String, otpChallengeID: RongID,
                               otpCode: String, address: String) async throws {
        guard let row = try await database.first("SELECT mobile, password_hash FROM identity_users WHERE id = ?", [.id(principal.userID)]) else {
            throw DomainError.notFound("User")
        }
        let mobile = row.text("mobile")
        try PasswordPolicy.check(newPassword, mobile: mobile)
        // The code first: each guess of the current password then costs a new text message
        // (at most 10 a day), so a stolen access token cannot guess it freely.
        try await otp.verify(challengeID: otpChallengeID, code: otpCode, purpose: .changePassword, mobile: mobile,
                             context: "user:\(principal.userID)")
        guard await hasher.verify(oldPassword, hash: row.text("password_hash")) else {
            try await audit.record(actor: principal.actorRef, action: "auth.password_change", target: "user:\(principal.userID)",
                                   outcome: ErrorCode.invalidCredentials.rawValue, address: address)
            throw DomainError(.invalidCredentials, "The current password is wrong; request a new code and try again.", status: 422,
                              extensions: ["field": .string("old_password")])
        }
        let hash = await hasher.hash(newPassword)
        try await database.transaction { tx in
            try await tx.execute("UPDATE identity_users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                                 [.text(hash), .time(clock.now()), .id(principal.userID)])
            try await tx.execute("UPDATE identity_sessions SET revoked_at = ?, revoked_reason = 'password_changed' WHERE user_id = ? AND id <> ? AND revoked_at IS NULL",
                                 [.time(clock.now()), .id(principal.userID), .id(principal.sessionID)])
            try await audit.record(tx, actor: principal.actorRef, action: "auth.password_change", target: "user:\(principal.userID)", address: address)
            try await securityAlert(tx, userID: principal.userID, text: "您的登录密码已修改，其他设备已退出登录。如非本人操作，请立即致电银行。")
        }
    }

    /// A security alert to the user: a bank notification (e-Link) with the same text as its SMS fallback.
    func securityAlert(_ tx: any SQLSession, userID: RongID, text: String) async throws {
        try await notifications.record(tx, userID: userID, kind: "alert.security", title: "账户安全提醒", body: text, smsText: text)
    }

    /// Sends a step-up code to the signed-in user's own mobile, bound to the user.
    public func requestStepUp(_ principal: Principal, purpose: OTPPurpose, context: String? = nil) async throws -> OTPChallenge {
        guard let row = try await database.first("SELECT mobile FROM identity_users WHERE id = ?", [.id(principal.userID)]) else {
            throw DomainError.notFound("User")
        }
        return try await otp.issue(purpose: purpose, mobile: row.text("mobile"), context: context ?? "user:\(principal.userID)")
    }

    /// Checks a step-up code sent by `requestStepUp`.
    public func verifyStepUp(_ principal: Principal, purpose: OTPPurpose, challengeID: RongID, code: String, context: String? = nil) async throws {
        guard let row = try await database.first("SELECT mobile FROM identity_users WHERE id = ?", [.id(principal.userID)]) else {
            throw DomainError.notFound("User")
        }
        try await otp.verify(challengeID: challengeID, code: code, purpose: purpose, mobile: row.text("mobile"),
                             context: context ?? "user:\(principal.userID)")
    }

    /// Starts a password reset. The answer is the same whether or not the mobile is registered
    /// (no enumeration); only a registered mobile gets a code.
    public func requestPasswordReset(role: Role, mobile: String, address: String) async throws -> OTPChallenge {
        let realm = IdentityService.realm(of: role)
        let exists = try await database.first("SELECT id FROM identity_users WHERE realm = ? AND mobile = ?", [.text(realm), .text(mobile)]) != nil
        try await audit.record(actor: "anonymous", action: "auth.reset_request", target: "mobile:\(MobileNumber.masked(mobile))", address: address)
        // An unknown mobile gets an undelivered code, so rate limits and answers are the same either way.
        return try await otp.issue(purpose: .resetPassword, mobile: mobile, context: "\(realm):\(mobile)", deliver: exists)
    }

    /// Completes a reset with the code; every session of the user ends and the lock clears.
    public func resetPassword(role: Role, mobile: String, challengeID: RongID, code: String, newPassword: String, address: String) async throws {
        let realm = IdentityService.realm(of: role)
        try PasswordPolicy.check(newPassword, mobile: mobile)
        try await otp.verify(challengeID: challengeID, code: code, purpose: .resetPassword, mobile: mobile, context: "\(realm):\(mobile)")
        let hash = await hasher.hash(newPassword)
        try await database.transaction { tx in
            guard let row = try await tx.first("SELECT id FROM identity_users WHERE realm = ? AND mobile = ?", [.text(realm), .text(mobile)]) else {
                throw DomainError(.otpInvalid, "The verification code is wrong.", status: 422, extensions: ["field": .string("otp_code")])
            }
            let userID = row.id("id")
            try await tx.execute("UPDATE identity_users SET password_hash = ?, password_changed_at = ?, failed_signins = 0, locked_until = 0 WHERE id = ?",
                                 [.text(hash), .time(clock.now()), .id(userID)])
            try await tx.execute("UPDATE identity_sessions SET revoked_at = ?, revoked_reason = 'password_reset' WHERE user_id = ? AND revoked_at IS NULL",
                                 [.time(clock.now()), .id(userID)])
            try await audit.record(tx, actor: "user:\(userID)", action: "auth.password_reset", target: "user:\(userID)", address: address)
            try await securityAlert(tx, userID: userID, text: "您的登录密码已通过短信验证重置，所有设备已退出登录。如非本人操作，请立即致电银行。")
        }
    }

    static let badCredentials = DomainError(.invalidCredentials, "The mobile number or password is wrong.", status: 401)
    static let badRefresh = DomainError(.refreshTokenInvalid, "The refresh token is not valid; sign in again.", status: 401)
    static func locked(until: Timestamp) -> DomainError {
        DomainError(.signInLocked, "Too many wrong passwords; sign-in is locked for 15 minutes.", status: 423,
                    extensions: ["locked_until": .string(until.description)])
    }
}

/// Base64url without padding (refresh tokens).
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
