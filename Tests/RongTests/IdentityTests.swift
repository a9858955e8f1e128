import Accounts
import BankKit
import Foundation
import Identity
import Storage
import Testing

/// Identity: sign-in and lockout, access and refresh tokens, step-up codes, password change
/// and reset, the audit log. Every scenario runs the whole platform on a fresh database with a
/// manual clock (2026-11-23 10:00 Shanghai) and ends with the ledger invariant (`t.finish()`).
@Suite struct IdentityTests {
    static let address = "127.0.0.1"
    static let password = "Rong2026pass"

    // MARK: Helpers

    /// A registered customer (张三) with the session registration opened.
    func customer(_ t: TestPlatform, mobile: String = "13800138000", sequence: Int = 451) async throws -> (Customer, SessionTokens) {
        try await t.register(name: "张三", idNumber: ResidentIDs.make(birth: "19900307", sequence: sequence), mobile: mobile,
                             password: IdentityTests.password)
    }

    func signIn(_ t: TestPlatform, _ mobile: String, _ password: String = IdentityTests.password) async throws -> SessionTokens {
        try await t.identity.signIn(role: .customer, mobile: mobile, password: password, address: IdentityTests.address)
    }

    /// A six-digit code that is not `code`.
    func wrong(_ code: String) -> String { code == "000000" ? "111111" : "000000" }

    // MARK: Sign-in

    @Test("Sign-in with the right password opens a session whose access token authenticates")
    func signInSucceeds() async throws {
        let t = try await TestPlatform.make()
        let (customer, _) = try await customer(t)
        let session = try await signIn(t, customer.mobile)
        #expect(session.principal.userID == customer.userID)
        #expect(session.principal.role == .customer)
        #expect(session.principal.displayName == "张三")
        #expect(session.accessExpiresAt == t.clock.now.adding(seconds: AccessTokens.lifetimeSeconds))
        #expect(session.refreshExpiresAt == t.clock.now.adding(seconds: IdentityService.refreshLifetimeSeconds))
        #expect(session.refreshToken.hasPrefix("rt_"))
        #expect(try await t.identity.authenticate(session.accessToken) == session.principal)
        // The same mobile is not a member of the staff realm.
        await refused(.invalidCredentials, status: 401) { try await t.identity.signIn(role: .operator, mobile: customer.mobile,
                                                                                      password: IdentityTests.password, address: IdentityTests.address) }
        try await t.finish()
    }

    @Test("A wrong password and an unknown mobile give the same code, status and message")
    func noEnumerationAtSignIn() async throws {
        let t = try await TestPlatform.make()
        let (customer, _) = try await customer(t)
        let wrongPassword = try #require(await refused(.invalidCredentials, status: 401) { try await signIn(t, customer.mobile, "Wrong2026pass") })
        let unknownMobile = try #require(await refused(.invalidCredentials, status: 401) { try await signIn(t, "13999999999", IdentityTests.password) })
        #expect(wrongPassword == unknownMobile)
        // An unknown mobile never locks: the answer stays the same however often it is tried.
        for _ in 0..<6 {
            await refused(.invalidCredentials, status: 401) { try await signIn(t, "13999999999", "Wrong2026pass") }
        }
        try await t.finish()
    }

    @Test("Five wrong passwords lock sign-in for 15 minutes, even with the right password")
    func lockout() async throws {
        let t = try await TestPlatform.make()
        let (customer, _) = try await customer(t)
        for _ in 1..<IdentityService.signInFailuresMax {
            await refused(.invalidCredentials, status: 401) { try await signIn(t, customer.mobile, "Wrong2026pass") }
        }
        let locked = try #require(await refused(.signInLocked, status: 423) { try await signIn(t, customer.mobile, "Wrong2026pass") })
        let lockedUntil = t.clock.now.adding(seconds: IdentityService.lockSeconds)
        #expect(locked.extensions["locked_until"] == .string(lockedUntil.description))
        // The owner is told: a security alert in the notification outbox, with its SMS text.
        let alerts = try await t.identity.notifications.recent(userID: customer.userID)
        #expect(alerts.filter { $0.kind == "alert.security" }.count == 1)
        #expect(alerts.first?.smsText?.contains("锁定") == true)
        await refused(.signInLocked, status: 423) { try await signIn(t, customer.mobile) }
        t.clock.advance(seconds: IdentityService.lockSeconds - 1)
        await refused(.signInLocked, status: 423) { try await signIn(t, customer.mobile) }
        t.clock.advance(seconds: 1)
        let session = try await signIn(t, customer.mobile)
        #expect(session.principal.userID == customer.userID)
        try await t.finish()
    }

    @Test("A successful sign-in resets the failure count")
    func successResetsFailures() async throws {
        let t = try await TestPlatform.make()
        let (customer, _) = try await customer(t)
        for _ in 0..<4 { await refused(.invalidCredentials) { try await signIn(t, customer.mobile, "Wrong2026pass") } }
        _ = try await signIn(t, customer.mobile)
        for _ in 0..<4 { await refused(.invalidCredentials) { try await signIn(t, customer.mobile, "Wrong2026pass") } }
        _ = try await signIn(t, customer.mobile)
        try await t.finish()
    }

    /// Wrong passwords sent in parallel must all count: otherwise an attacker guesses more than
    /// five passwords per lock period by sending them at once.
    @Test("Wrong passwords sent at the same time all count towards the lock")
    func concurrentFailuresCount() async throws {
        let t = try await TestPlatform.make()
        let (customer, _) = try await customer(t)
        let attempts = 10
        let codes = await withTaskGroup(of: String.self) { group in
            for i in 0..<attempts {
                group.addTask {
                    do {
                        _ = try await t.identity.signIn(role: .customer, mobile: customer.mobile, password: "Wrong\(i)pass",
                                                        address: IdentityTests.address)
                        return "ok"
                    } catch let error as DomainError { return error.code.rawValue } catch { return "\(error)" }
                }
            }
            var codes: [String] = []
            for await code in group { codes.append(code) }
            return codes
        }
        #expect(codes.allSatisfy { $0 == ErrorCode.invalidCredentials.rawValue || $0 == ErrorCode.signInLocked.rawValue }, "\(codes)")
        // Ten wrong passwords: the account must be locked now, whatever the interleaving.
        await refused(.signInLocked, status: 423) { try await signIn(t, customer.mobile) }
        try await t.finish()
    }

    // MARK: Tokens

    @Test("An access token verifies for 15 minutes and then fails with token_expired")
    func accessTokenExpiry() async throws {
        let t = try await TestPlatform.make()
        let (customer, session) = try await customer(t)
        let principal = try await t.identity.tokens.verify(session.accessToken)
        #expect(principal == session.principal)
        #expect(principal.userID == customer.userID)
        #expect(try await t.identity.authenticate(session.accessToken) == session.principal)
        t.clock.advance(seconds: AccessTokens.lifetimeSeconds - 1)
        #expect(try await t.identity.authenticate(session.accessToken) == session.principal)
        t.clock.advance(seconds: 2)
        await refused(.tokenExpired, status: 401) { try await t.identity.tokens.verify(session.accessToken) }
        await refused(.tokenExpired, status: 401) { try await t.identity.authenticate(session.accessToken) }
        try await t.finish()
    }

    @Test("A tampered or foreign access token is refused")
    func tamperedToken() async throws {
        let t = try await TestPlatform.make()
        let (_, session) = try await customer(t)
        var parts = session.accessToken.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        parts[2] = String(parts[2].reversed())
        await refused(.unauthorized, status: 401) { try await t.identity.authenticate(parts.joined(separator: ".")) }
        await refused(.unauthorized, status: 401) { try await t.identity.authenticate("not-a-token") }
        await refused(.unauthorized, status: 401) { try await t.identity.authenticate(String(repeating: "a", count: 5000)) }
        try await t.finish()
    }

    @Test("Refresh rotates; reusing a spent refresh token revokes the whole family")
    func refreshRotationAndReuse() async throws {
        let t = try await TestPlatform.make()
        let (customer, first) = try await customer(t)
        t.clock.advance(seconds: 60)
        let second = try await t.identity.refresh(first.refreshToken, address: IdentityTests.address)
        #expect(second.refreshToken != first.refreshToken)
        #expect(second.principal.sessionID == first.principal.sessionID)
        #expect(second.principal.userID == customer.userID)
        #expect(second.accessExpiresAt == t.clock.now.adding(seconds: AccessTokens.lifetimeSeconds))
        #expect(try await t.identity.authenticate(second.accessToken) == second.principal)
        let third = try await t.identity.refresh(second.refreshToken, address: IdentityTests.address)
        #expect(third.refreshToken != second.refreshToken)

        // The first token again: it leaked. The session ends.
        await refused(.refreshTokenReused, status: 401) { try await t.identity.refresh(first.refreshToken, address: IdentityTests.address) }
        await refused(.refreshTokenInvalid, status: 401) { try await t.identity.refresh(third.refreshToken, address: IdentityTests.address) }
        await refused(.unauthorized, status: 401) { try await t.identity.authenticate(third.accessToken) }
        await refused(.unauthorized, status: 401) { try await t.identity.authenticate(first.accessToken) }
        let reuse = try await t.identity.audit.list(action: "auth.refresh_reuse")
        #expect(reuse.count == 1)
        #expect(reuse.first?.target == "session:\(first.principal.sessionID)")
        #expect(reuse.first?.outcome == ErrorCode.refreshTokenReused.rawValue)
        // Signing in again starts a new family that works.
        let fresh = try await signIn(t, customer.mobile)
        #expect(fresh.principal.sessionID != first.principal.sessionID)
        _ = try await t.identity.refresh(fresh.refreshToken, address: IdentityTests.address)
        try await t.finish()
    }

    @Test("Refresh tokens that are malformed, unknown or past 30 days are refused")
    func refreshInvalid() async throws {
        let t = try await TestPlatform.make()
        let (_, session) = try await customer(t)
        await refused(.refreshTokenInvalid, status: 401) { try await t.identity.refresh("garbage", address: IdentityTests.address) }
        await refused(.refreshTokenInvalid, status: 401) { try await t.identity.refresh("rt_unknown", address: IdentityTests.address) }
        t.clock.advance(seconds: IdentityService.refreshLifetimeSeconds)
        await refused(.refreshTokenInvalid, status: 401) { try await t.identity.refresh(session.refreshToken, address: IdentityTests.address) }
        try await t.finish()
    }

    @Test("Logout ends the session: its access and refresh tokens stop working, other sessions do not")
    func logout() async throws {
        let t = try await TestPlatform.make()
        let (customer, registration) = try await customer(t)
        let other = try await signIn(t, customer.mobile)
        try await t.identity.logout(registration.principal, address: IdentityTests.address)
        await refused(.unauthorized, status: 401) { try await t.identity.authenticate(registration.accessToken) }
        await refused(.refreshTokenInvalid, status: 401) { try await t.identity.refresh(registration.refreshToken, address: IdentityTests.address) }
        #expect(try await t.identity.authenticate(other.accessToken) == other.principal)
        // Logging out twice is harmless.
        try await t.identity.logout(registration.principal, address: IdentityTests.address)
        try await t.finish()
    }

    @Test("Changing the password needs the old one and a code, and ends the other sessions")
    func changePassword() async throws {
        let t = try await TestPlatform.make()
        let (customer, here) = try await customer(t)
        let elsewhere = try await signIn(t, customer.mobile)
        let challenge = try await t.identity.requestStepUp(here.principal, purpose: .changePassword)
        #expect(challenge.purpose == .changePassword)
        let code = try await t.lastCode(customer.mobile)

        // A wrong current password spends the code: every guess costs a new text message.
        await refused(.invalidCredentials, status: 422, field: "old_password") {
            try await t.identity.changePassword(here.principal, oldPassword: "Wrong2026pass", newPassword: "Fresh2027word",
                                                otpChallengeID: challenge.id, otpCode: code, address: IdentityTests.address)
        }
        await refused(.otpInvalid, field: "otp_code") {
            try await t.identity.changePassword(here.principal, oldPassword: IdentityTests.password, newPassword: "Fresh2027word",
                                                otpChallengeID: challenge.id, otpCode: code, address: IdentityTests.address)
        }
        t.clock.advance(seconds: OTPService.resendIntervalSeconds + 1)
        let second = try await t.identity.requestStepUp(here.principal, purpose: .changePassword)
        let secondCode = try await t.lastCode(customer.mobile)
        try await changePasswordRest(t, here, elsewhere, customer, second, secondCode)
    }

    private func changePasswordRest(_ t: TestPlatform, _ here: SessionTokens, _ elsewhere: SessionTokens, _ customer: Customer,
                                    _ challenge: OTPChallenge, _ code: String) async throws {
        await refused(.weakPassword, field: "password") {
            try await t.identity.changePassword(here.principal, oldPassword: IdentityTests.password, newPassword: "short1",
                                                otpChallengeID: challenge.id, otpCode: code, address: IdentityTests.address)
        }
        await refused(.otpInvalid, field: "otp_code") {
            try await t.identity.changePassword(here.principal, oldPassword: IdentityTests.password, newPassword: "Fresh2027word",
                                                otpChallengeID: challenge.id, otpCode: wrong(code), address: IdentityTests.address)
        }
        try await t.identity.changePassword(here.principal, oldPassword: IdentityTests.password, newPassword: "Fresh2027word",
                                            otpChallengeID: challenge.id, otpCode: code, address: IdentityTests.address)

        #expect(try await t.identity.authenticate(here.accessToken) == here.principal)
        await refused(.unauthorized, status: 401) { try await t.identity.authenticate(elsewhere.accessToken) }
        await refused(.refreshTokenInvalid) { try await t.identity.refresh(elsewhere.refreshToken, address: IdentityTests.address) }
        await refused(.invalidCredentials) { try await signIn(t, customer.mobile) }
        _ = try await signIn(t, customer.mobile, "Fresh2027word")
        #expect(try await t.identity.audit.list(action: "auth.password_change").filter { $0.outcome == "ok" }.count == 1)
        try await t.finish()
    }

    // MARK: One-time codes

    @Test("A code is 6 digits, sent by SMS, valid for 5 minutes")
    func otpShapeAndLifetime() async throws {
        let t = try await TestPlatform.make()
        let mobile = "13800138000"
        let challenge = try await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:1")
        #expect(challenge.purpose == .payment)
        #expect(challenge.mobileMasked == "138****8000")
        #expect(challenge.expiresAt == t.clock.now.adding(seconds: OTPService.lifetimeSeconds))
        let code = try await t.lastCode(mobile)
        #expect(code.count == OTPService.digits && code.allSatisfy { $0.isASCII && $0.isNumber })
        let sms = try #require(try await t.identity.sms.recent(mobile: mobile).first)
        #expect(sms.purpose == "otp.payment")
        #expect(sms.body.hasPrefix("【融银行】"))
        #expect(sms.body.contains(code))
        // Stored hashed: the code itself is nowhere in the table.
        let row = try #require(try await t.platform.database.first("SELECT code_hash FROM identity_otps WHERE id = ?", [.id(challenge.id)]))
        #expect(row["code_hash"] != .blob(Array(code.utf8)))
        #expect(row["code_hash"] != .text(code))

        t.clock.advance(seconds: OTPService.lifetimeSeconds - 1)
        try await t.identity.otp.verify(challengeID: challenge.id, code: code, purpose: .payment, mobile: mobile, context: "order:1")

        let later = try await t.identity.otp.issue(purpose: .newPayee, mobile: mobile, context: "payee:1")
        let laterCode = try await t.lastCode(mobile)
        t.clock.advance(seconds: OTPService.lifetimeSeconds)
        await refused(.otpExpired, status: 422, field: "otp_code") {
            try await t.identity.otp.verify(challengeID: later.id, code: laterCode, purpose: .newPayee, mobile: mobile, context: "payee:1")
        }
        try await t.finish()
    }

    @Test("Five wrong codes burn the challenge: then even the right code fails")
    func otpAttempts() async throws {
        let t = try await TestPlatform.make()
        let mobile = "13800138000"
        let challenge = try await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:1")
        let code = try await t.lastCode(mobile)
        for attempt in 1..<OTPService.attemptsMax {
            let error = await refused(.otpInvalid, status: 422, field: "otp_code") {
                try await t.identity.otp.verify(challengeID: challenge.id, code: wrong(code), purpose: .payment, mobile: mobile, context: "order:1")
            }
            #expect(error?.extensions["attempts_left"] == .int(OTPService.attemptsMax - attempt))
        }
        await refused(.otpAttemptsExceeded, status: 422, field: "otp_code") {
            try await t.identity.otp.verify(challengeID: challenge.id, code: wrong(code), purpose: .payment, mobile: mobile, context: "order:1")
        }
        await refused(.otpAttemptsExceeded, status: 422, field: "otp_code") {
            try await t.identity.otp.verify(challengeID: challenge.id, code: code, purpose: .payment, mobile: mobile, context: "order:1")
        }
        try await t.finish()
    }

    @Test("A code works once")
    func otpSingleUse() async throws {
        let t = try await TestPlatform.make()
        let mobile = "13800138000"
        let challenge = try await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:1")
        let code = try await t.lastCode(mobile)
        try await t.identity.otp.verify(challengeID: challenge.id, code: code, purpose: .payment, mobile: mobile, context: "order:1")
        await refused(.otpInvalid, status: 422, field: "otp_code") {
            try await t.identity.otp.verify(challengeID: challenge.id, code: code, purpose: .payment, mobile: mobile, context: "order:1")
        }
        try await t.finish()
    }

    /// Two requests carrying the same right code at the same moment: one is served, the other
    /// refused (on PostgreSQL both transactions may read the row before either writes).
    @Test("A code presented twice at the same time is spent once")
    func otpSingleUseConcurrently() async throws {
        let t = try await TestPlatform.make()
        let mobile = "13800138000"
        let challenge = try await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:1")
        let code = try await t.lastCode(mobile)
        let successes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (try? await t.identity.otp.verify(challengeID: challenge.id, code: code, purpose: .payment, mobile: mobile,
                                                      context: "order:1")) != nil
                }
            }
            var count = 0
            for await ok in group where ok { count += 1 }
            return count
        }
        #expect(successes == 1)
        try await t.finish()
    }

    /// Wrong guesses sent in parallel must all count, or more than five guesses get through.
    @Test("Wrong codes sent at the same time all count towards the five attempts")
    func otpAttemptsConcurrently() async throws {
        let t = try await TestPlatform.make()
        let mobile = "13800138000"
        let challenge = try await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:1")
        let code = try await t.lastCode(mobile)
        let guesses = (0..<10).map { String(format: "%06d", $0) }.filter { $0 != code }.prefix(8)
        await withTaskGroup(of: Void.self) { group in
            for guess in guesses {
                group.addTask {
                    _ = try? await t.identity.otp.verify(challengeID: challenge.id, code: guess, purpose: .payment, mobile: mobile, context: "order:1")
                }
            }
        }
        await refused(.otpAttemptsExceeded, field: "otp_code") {
            try await t.identity.otp.verify(challengeID: challenge.id, code: code, purpose: .payment, mobile: mobile, context: "order:1")
        }
        try await t.finish()
    }

    /// Requests racing each other must not slip past the one-a-minute rule (SMS bombing, SMS cost).
    @Test("Codes requested at the same time still go one a minute")
    func otpResendIntervalConcurrently() async throws {
        let t = try await TestPlatform.make()
        let mobile = "13800138000"
        let issued = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<12 {
                group.addTask { (try? await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:\(i)")) != nil }
            }
            var count = 0
            for await ok in group where ok { count += 1 }
            return count
        }
        #expect(issued == 1)
        #expect(try await t.identity.sms.recent(mobile: mobile).count == 1)
        try await t.finish()
    }

    @Test("A code works only for its purpose, context and mobile")
    func otpBoundToPurposeAndContext() async throws {
        let t = try await TestPlatform.make()
        let mobile = "13800138000"
        let challenge = try await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:1|amount:100")
        let code = try await t.lastCode(mobile)
        await refused(.otpInvalid, field: "otp_code") {
            try await t.identity.otp.verify(challengeID: challenge.id, code: code, purpose: .newPayee, mobile: mobile, context: "order:1|amount:100")
        }
        await refused(.otpInvalid, field: "otp_code") {
            try await t.identity.otp.verify(challengeID: challenge.id, code: code, purpose: .payment, mobile: mobile, context: "order:1|amount:999")
        }
        await refused(.otpInvalid, field: "otp_code") {
            try await t.identity.otp.verify(challengeID: challenge.id, code: code, purpose: .payment, mobile: "13900139000", context: "order:1|amount:100")
        }
        await refused(.otpInvalid, field: "otp_code") {
            try await t.identity.otp.verify(challengeID: t.platform.ids.next(), code: code, purpose: .payment, mobile: mobile, context: "order:1|amount:100")
        }
        // None of those spent it or counted as an attempt.
        try await t.identity.otp.verify(challengeID: challenge.id, code: code, purpose: .payment, mobile: mobile, context: "order:1|amount:100")
        try await t.finish()
    }

    @Test("A second code for the same purpose within 60 seconds is refused; another purpose is not")
    func otpResendInterval() async throws {
        let t = try await TestPlatform.make()
        let mobile = "13800138000"
        _ = try await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:1")
        t.clock.advance(seconds: OTPService.resendIntervalSeconds - 1)
        let error = await refused(.otpRateLimited, status: 429) {
            try await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:2")
        }
        #expect(error?.extensions["retry_after_seconds"] == .int(OTPService.resendIntervalSeconds))
        _ = try await t.identity.otp.issue(purpose: .newPayee, mobile: mobile, context: "payee:1")
        // Another mobile is not affected.
        _ = try await t.identity.otp.issue(purpose: .payment, mobile: "13900139000", context: "order:1")
        t.clock.advance(seconds: 1)
        _ = try await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:2")
        try await t.finish()
    }

    @Test("At most 10 codes per mobile and purpose in 24 hours")
    func otpDailyLimit() async throws {
        let t = try await TestPlatform.make()
        let mobile = "13800138000"
        let start = t.clock.now
        for i in 0..<OTPService.issuedPerDayMax {
            _ = try await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:\(i)")
            t.clock.advance(seconds: OTPService.resendIntervalSeconds + 1)
        }
        await refused(.otpRateLimited, status: 429) { try await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:10") }
        // Other purposes keep their own allowance: reset requests cannot use up payment codes.
        _ = try await t.identity.otp.issue(purpose: .register, mobile: mobile, context: "register:\(mobile)")
        #expect(try await t.identity.sms.recent(mobile: mobile).count == Int(OTPService.issuedPerDayMax) + 1)
        // 24 hours after the first, one more may go.
        t.clock.set(start.adding(seconds: 86_400))
        _ = try await t.identity.otp.issue(purpose: .payment, mobile: mobile, context: "order:10")
        try await t.finish()
    }

    // MARK: Password reset

    @Test("A reset for an unknown mobile answers like a known one but sends nothing")
    func resetUnknownMobile() async throws {
        let t = try await TestPlatform.make()
        let (customer, _) = try await customer(t)
        let unknown = try await t.identity.requestPasswordReset(role: .customer, mobile: "13900139000", address: IdentityTests.address)
        #expect(unknown.purpose == .resetPassword)
        #expect(unknown.mobileMasked == "139****9000")
        #expect(unknown.expiresAt == t.clock.now.adding(seconds: OTPService.lifetimeSeconds))
        #expect(try await t.identity.sms.recent(mobile: "13900139000").isEmpty)
        await refused(.otpInvalid) {
            try await t.identity.resetPassword(role: .customer, mobile: "13900139000", challengeID: unknown.id, code: "123456",
                                               newPassword: "Fresh2027word", address: IdentityTests.address)
        }
        let known = try await t.identity.requestPasswordReset(role: .customer, mobile: customer.mobile, address: IdentityTests.address)
        #expect(known.purpose == .resetPassword)
        #expect(known.mobileMasked == "138****8000")
        #expect(known.expiresAt == unknown.expiresAt)
        let sms = try #require(try await t.identity.sms.recent(mobile: customer.mobile).first)
        #expect(sms.purpose == "otp.reset_password")
        #expect(try await t.identity.audit.list(action: "auth.reset_request").count == 2)
        try await t.finish()
    }

    /// Asking twice within a minute must not tell a registered mobile from an unregistered one.
    @Test("A repeated reset request answers the same for known and unknown mobiles")
    func resetRepeatNoEnumeration() async throws {
        let t = try await TestPlatform.make()
        let (customer, _) = try await customer(t)
        func outcome(_ mobile: String) async -> String {
            do {
                _ = try await t.identity.requestPasswordReset(role: .customer, mobile: mobile, address: IdentityTests.address)
                return "challenge"
            } catch let error as DomainError { return error.code.rawValue } catch { return "\(error)" }
        }
        #expect(await outcome(customer.mobile) == "challenge")
        #expect(await outcome("13900139000") == "challenge")
        t.clock.advance(seconds: 10)
        let known = await outcome(customer.mobile)
        let unknown = await outcome("13900139000")
        #expect(known == unknown, "a second request within a minute reveals whether the mobile is registered")
        try await t.finish()
    }

    @Test("A reset by code sets the new password, ends every session and clears a lock")
    func resetClearsLock() async throws {
        let t = try await TestPlatform.make()
        let (customer, session) = try await customer(t)
        for _ in 0..<IdentityService.signInFailuresMax {
            _ = try? await signIn(t, customer.mobile, "Wrong2026pass")
        }
        await refused(.signInLocked) { try await signIn(t, customer.mobile) }

        let challenge = try await t.identity.requestPasswordReset(role: .customer, mobile: customer.mobile, address: IdentityTests.address)
        let code = try await t.lastCode(customer.mobile)
        await refused(.weakPassword, field: "password") {
            try await t.identity.resetPassword(role: .customer, mobile: customer.mobile, challengeID: challenge.id, code: code,
                                               newPassword: "weak", address: IdentityTests.address)
        }
        await refused(.otpInvalid, field: "otp_code") {
            try await t.identity.resetPassword(role: .customer, mobile: customer.mobile, challengeID: challenge.id, code: wrong(code),
                                               newPassword: "Fresh2027word", address: IdentityTests.address)
        }
        // A code for this realm does not reset a staff account with the same mobile.
        await refused(.otpInvalid) {
            try await t.identity.resetPassword(role: .operator, mobile: customer.mobile, challengeID: challenge.id, code: code,
                                               newPassword: "Fresh2027word", address: IdentityTests.address)
        }
        try await t.identity.resetPassword(role: .customer, mobile: customer.mobile, challengeID: challenge.id, code: code,
                                           newPassword: "Fresh2027word", address: IdentityTests.address)
        // No waiting for the lock to run out.
        let fresh = try await signIn(t, customer.mobile, "Fresh2027word")
        #expect(fresh.principal.userID == customer.userID)
        await refused(.invalidCredentials) { try await signIn(t, customer.mobile) }
        await refused(.unauthorized) { try await t.identity.authenticate(session.accessToken) }
        await refused(.refreshTokenInvalid) { try await t.identity.refresh(session.refreshToken, address: IdentityTests.address) }
        // The code is spent.
        await refused(.otpInvalid) {
            try await t.identity.resetPassword(role: .customer, mobile: customer.mobile, challengeID: challenge.id, code: code,
                                               newPassword: "Other2028word", address: IdentityTests.address)
        }
        try await t.finish()
    }

    // MARK: Audit

    @Test("Sign-in, lockout, registration and freeze are audited")
    func auditEvents() async throws {
        let t = try await TestPlatform.make()
        let (customer, registration) = try await customer(t)
        let registered = try await t.identity.audit.list(action: "register.complete")
        #expect(registered.count == 1)
        #expect(registered.first?.actor == registration.principal.actorRef)
        #expect(registered.first?.target == "customer:\(customer.id)")
        #expect(registered.first?.outcome == "ok")
        #expect(registered.first?.detail.contains(customer.idNumber) == false)

        _ = try await signIn(t, customer.mobile)
        let signIns = try await t.identity.audit.list(target: "user:\(customer.userID)", action: "auth.sign_in")
        #expect(signIns.map(\.outcome) == ["ok"])
        #expect(signIns.first?.address == IdentityTests.address)
        #expect(signIns.first?.at == t.clock.now)

        for _ in 0..<IdentityService.signInFailuresMax { _ = try? await signIn(t, customer.mobile, "Wrong2026pass") }
        let locks = try await t.identity.audit.list(target: "user:\(customer.userID)", action: "auth.lock")
        #expect(locks.count == 1)
        #expect(locks.first?.outcome == ErrorCode.signInLocked.rawValue)
        let failures = try await t.identity.audit.list(target: "user:\(customer.userID)", action: "auth.sign_in")
        #expect(failures.map(\.outcome) == Array(repeating: ErrorCode.invalidCredentials.rawValue, count: 4) + ["ok"])
        _ = try? await signIn(t, "13999999999")
        #expect(try await t.identity.audit.list(target: "mobile:139****9999").first?.outcome == ErrorCode.invalidCredentials.rawValue)

        // A freeze by an operator.
        _ = try await t.identity.createStaff(by: nil, role: .operator, mobile: "13700137000", displayName: "运营一号", password: "Operator2026x",
                                             address: IdentityTests.address)
        let staff = try await t.identity.signIn(role: .operator, mobile: "13700137000", password: "Operator2026x", address: IdentityTests.address)
        let cardNumber = Cards.ccb(1)
        try await t.platform.interbankSimulator.addTestAccount(bankCode: "105", accountNumber: cardNumber, holderName: "张三",
                                                               idNumber: customer.idNumber, mobile: customer.mobile, balanceFen: 1_000_00)
        let bound = try await t.bind(registration.principal, bankCode: "105", accountNumber: cardNumber)
        let account = try await t.accounts.openEAccount(registration.principal, accountClass: .classII, boundAccountID: bound.id, address: IdentityTests.address)
        _ = try await t.accounts.freeze(by: staff.principal, accountID: account.id, kind: .fraud, reason: "疑似电信诈骗", address: "10.0.0.5")
        let freezes = try await t.identity.audit.list(action: "account.freeze")
        #expect(freezes.count == 1)
        #expect(freezes.first?.actor == staff.principal.actorRef)
        #expect(freezes.first?.target == "e_account:\(account.id)")
        #expect(freezes.first?.address == "10.0.0.5")
        #expect(freezes.first?.detail.contains("疑似电信诈骗") == true)
        // Newest first, paged by seq.
        let all = try await t.identity.audit.list(limit: 200)
        #expect(all.map(\.seq) == all.map(\.seq).sorted(by: >))
        try await t.finish()
    }

    @Test("The audit log refuses updates and deletes, even by direct SQL")
    func auditAppendOnly() async throws {
        let t = try await TestPlatform.make()
        _ = try await customer(t)
        let before = try await t.identity.audit.list(limit: 200)
        #expect(!before.isEmpty)
        await #expect(throws: (any Error).self) {
            try await t.platform.database.execute("UPDATE identity_audit SET outcome = 'tampered'", [])
        }
        await #expect(throws: (any Error).self) {
            try await t.platform.database.execute("DELETE FROM identity_audit", [])
        }
        await #expect(throws: (any Error).self) {
            try await t.platform.database.execute("DELETE FROM identity_audit WHERE seq = ?", [.int(before[0].seq)])
        }
        #expect(try await t.identity.audit.list(limit: 200) == before)
        // Appending still works.
        try await t.identity.audit.record(actor: "system", action: "test.append", target: "none", address: "")
        #expect(try await t.identity.audit.list(limit: 200).count == before.count + 1)
        try await t.finish()
    }
}
