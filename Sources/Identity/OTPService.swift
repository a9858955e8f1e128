import BankKit
import Crypto
import Storage

/// Why a one-time code was sent. The code only works for the purpose (and context) it was issued for.
public enum OTPPurpose: String, Sendable, Hashable, Codable, CaseIterable {
    case register
    case resetPassword = "reset_password"
    case changePassword = "change_password"
    case bindCard = "bind_card"
    case newPayee = "new_payee"
    case limitChange = "limit_change"
    case payment

    var textZH: String {
        switch self {
        case .register: "注册融e行"
        case .resetPassword: "重置登录密码"
        case .changePassword: "修改登录密码"
        case .bindCard: "绑定银行卡"
        case .newPayee: "添加收款人"
        case .limitChange: "调整限额"
        case .payment: "支付确认"
        }
    }
}

/// A code sent by SMS: what the client gets back (never the code itself).
public struct OTPChallenge: Sendable, Hashable, Codable {
    public let id: RongID
    public let purpose: OTPPurpose
    public let mobileMasked: String
    public let expiresAt: Timestamp
}

/// Step-up one-time passwords: 6 digits, 5 minutes, 5 attempts, stored hashed, single use.
public struct OTPService: Sendable {
    public static let digits = 6
    public static let lifetimeSeconds: Int64 = 300
    public static let attemptsMax: Int64 = 5
    /// At most one new code per mobile and purpose per minute, and 10 per mobile and purpose per day.
    public static let resendIntervalSeconds: Int64 = 60
    public static let issuedPerDayMax: Int64 = 10

    let database: Database
    let sms: SMSGateway
    let clock: BankClock
    let ids: IDGenerator
    let random: SecureRandom
    let key: SymmetricKey

    public init(database: Database, sms: SMSGateway, clock: BankClock, ids: IDGenerator, random: SecureRandom, secret: [UInt8]) {
        self.database = database
        self.sms = sms
        self.clock = clock
        self.ids = ids
        self.random = random
        self.key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array("rong.otp".utf8), using: SymmetricKey(data: secret)))
    }

    /// Sends a new code to `mobile` for `purpose`, bound to `context` (e.g. the user id, or an
    /// order's amount and payee): the code verifies only with the same context.
    /// `deliver: false` records a code nobody receives (a decoy for unknown mobiles, so that
    /// answers and rate limits never reveal whether a mobile is registered).
    /// `alsoInTransaction` runs inside the transaction that records the code (and its text
    /// message) with the challenge id, for the caller's own bookkeeping.
    public func issue(purpose: OTPPurpose, mobile: String, context: String, smsText: String? = nil, deliver: Bool = true,
                      alsoInTransaction: (@Sendable (any SQLSession, RongID) async throws -> Void)? = nil) async throws -> OTPChallenge {
        let now = clock.now()
        let id = ids.next()
        let code = random.digits(OTPService.digits)
        let expiresAt = now.adding(seconds: OTPService.lifetimeSeconds)
        // The rate check and the insert are one transaction, serialised per mobile (SQLite has one
        // writer; PostgreSQL takes a transaction-scoped advisory lock), so requests sent at the same
        // time cannot all pass the check.
        let text = smsText ?? purpose.textZH
        let message: SMSMessage? = try await database.batchedTransaction { tx in
            if tx.dialect == .postgres {
                _ = try await tx.query("SELECT pg_advisory_xact_lock(?)", [.int(Int64(bitPattern: FNV1a.hash("otp:" + mobile)))])
            }
            let recent = try await tx.query(
                "SELECT created_at FROM identity_otps WHERE mobile = ? AND purpose = ? AND created_at > ? ORDER BY created_at DESC LIMIT ?",
                [.text(mobile), .text(purpose.rawValue), .time(now.adding(seconds: -86_400)), .int(OTPService.issuedPerDayMax + 1)])
            // Counted per purpose (the query selects one), so nobody can use up a customer's payment codes by asking for reset codes.
            if recent.count >= OTPService.issuedPerDayMax {
                throw DomainError(.otpRateLimited, "Too many codes sent to this number today; try again tomorrow.", status: 429)
            }
            if let last = recent.first, last.time("created_at").adding(seconds: OTPService.resendIntervalSeconds) > now {
                throw DomainError(.otpRateLimited, "A code was sent less than a minute ago; wait before asking again.", status: 429,
                                  extensions: ["retry_after_seconds": .int(OTPService.resendIntervalSeconds)])
            }
            try await tx.execute(
                "INSERT INTO identity_otps (id, purpose, mobile, context_hash, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.id(id), .text(purpose.rawValue), .text(mobile), .blob(digest(context)), .blob(codeHash(id: id, code: code)),
                 .time(now), .time(expiresAt)])
            try await alsoInTransaction?(tx, id)
            return deliver ? try await sms.record(tx, to: mobile, purpose: "otp.\(purpose.rawValue)",
                                                  body: "验证码 \(code)，用于\(text)，5分钟内有效。请勿告诉他人。") : nil
        }
        if let message { await sms.deliver(message) }
        return OTPChallenge(id: id, purpose: purpose, mobileMasked: MobileNumber.masked(mobile), expiresAt: expiresAt)
    }

    /// The code in a text message this service sent (`验证码 123456，…`): the first run of exactly
    /// `digits` ASCII digits, or nil. For simulators and demo data that play the customer's phone.
    public static func code(inMessage body: String) -> String? {
        let bytes = Array(body.utf8)
        var start = 0
        while start < bytes.count {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[start]) else { start += 1; continue }
            var end = start
            while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { end += 1 }
            if end - start == digits { return String(decoding: bytes[start..<end], as: UTF8.self) }
            start = end
        }
        return nil
    }

    /// Checks a code and spends it. Wrong codes count; the fifth wrong one burns the challenge.
    ///
    /// `onSuccess` runs inside the transaction that spends a right code: if it throws, the code is
    /// not spent and the error propagates (the caller's claim and the code commit together).
    public func verify(challengeID: RongID, code: String, purpose: OTPPurpose, mobile: String, context: String,
                       onSuccess: (@Sendable (any SQLSession) async throws -> Void)? = nil) async throws {
        let now = clock.now()
        let outcome: DomainError? = try await database.batchedTransaction { tx in
            guard let row = try await tx.first(
                // FOR UPDATE on PostgreSQL: wrong codes sent at the same time are counted one after another.
                "SELECT purpose, mobile, context_hash, code_hash, expires_at, attempts, consumed_at FROM identity_otps WHERE id = ?"
                    + (tx.dialect == .postgres ? " FOR UPDATE" : ""),
                [.id(challengeID)]),
                row.text("purpose") == purpose.rawValue, row.text("mobile") == mobile,
                case .blob(let contextHash) = row["context_hash"], contextHash == digest(context) else {
                return DomainError(.otpInvalid, "The verification code is wrong or was not issued for this action.", status: 422,
                                   extensions: ["field": .string("otp_code")])
            }
            if row.optionalInt("consumed_at") != nil {
                return row.int("attempts") >= OTPService.attemptsMax
                    ? DomainError(.otpAttemptsExceeded, "Too many wrong codes; request a new one.", status: 422, extensions: ["field": .string("otp_code")])
                    : DomainError(.otpInvalid, "This verification code was already used; request a new one.", status: 422, extensions: ["field": .string("otp_code")])
            }
            if row.time("expires_at") <= now {
                return DomainError(.otpExpired, "The verification code has expired; request a new one.", status: 422, extensions: ["field": .string("otp_code")])
            }
            guard case .blob(let stored) = row["code_hash"] else { preconditionFailure("code_hash is a blob") }
            let given = codeHash(id: challengeID, code: code)
            if constantTimeEqual(stored, given) {
                let spent = try await tx.execute("UPDATE identity_otps SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL",
                                                 [.time(now), .id(challengeID)])
                guard spent == 1 else {
                    return DomainError(.otpInvalid, "This verification code was already used; request a new one.", status: 422,
                                       extensions: ["field": .string("otp_code")])
                }
                try await onSuccess?(tx)
                return nil
            }
            let attempts = row.int("attempts") + 1
            try await tx.execute("UPDATE identity_otps SET attempts = ?, consumed_at = ? WHERE id = ?",
                                 [.int(attempts), attempts >= OTPService.attemptsMax ? .time(now) : .null, .id(challengeID)])
            return attempts >= OTPService.attemptsMax
                ? DomainError(.otpAttemptsExceeded, "Too many wrong codes; request a new one.", status: 422, extensions: ["field": .string("otp_code")])
                : DomainError(.otpInvalid, "The verification code is wrong.", status: 422,
                              extensions: ["field": .string("otp_code"), "attempts_left": .int(OTPService.attemptsMax - attempts)])
        }
        if let outcome { throw outcome }
    }

    func codeHash(id: RongID, code: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: id.bytes + Array(code.utf8), using: key))
    }

    func digest(_ context: String) -> [UInt8] { Array(SHA256.hash(data: Array(context.utf8))) }
}

func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}

extension ErrorCode {
    public static let otpInvalid: ErrorCode = "otp_invalid"
    public static let otpExpired: ErrorCode = "otp_expired"
    public static let otpAttemptsExceeded: ErrorCode = "otp_attempts_exceeded"
    public static let otpRateLimited: ErrorCode = "otp_rate_limited"
}
