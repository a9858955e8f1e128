import BankKit
import Crypto
import Foundation
import Identity
import Ledger
import Storage

/// A merchant onboarded by an operator, with its settlement account and webhook endpoint.
public struct Merchant: Sendable, Hashable {
    public let id: RongID
    public let name: String
    public let licenceNumber: String
    public let settlementAccountID: RongID
    public let notifyURL: String
    public let status: String
    public let createdAt: Timestamp
}

/// What onboarding hands the merchant once: its API key and webhook signing secret.
public struct MerchantCredentials: Sendable, Hashable {
    public let merchant: Merchant
    /// `mk_<key id>.<secret>`: the bearer credential for the merchant API (stored hashed).
    public let apiKey: String
    /// `whsec_…`: the key of the HMAC on every webhook.
    public let signingSecret: String
}

/// The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a
/// check character over the first 17 (weights 3^i mod 31, alphabet without I, O, S, V, Z).
public enum CreditCode {
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    public static func checkCharacter(for first17: String) -> Character? {
        let chars = Array(first17)
        guard chars.count == 17 else { return nil }
        var sum = 0
        for (char, weight) in zip(chars, weights) {
            guard let value = alphabet.firstIndex(of: char) else { return nil }
            sum += value * weight
        }
        return alphabet[(31 - sum % 31) % 31]
    }

    public static func validate(_ text: String) throws(DomainError) -> String {
        let code = text.uppercased()
        guard code.count == 18, let check = checkCharacter(for: String(code.prefix(17))), code.last == check else {
            throw DomainError(.invalidLicence, "The licence number must be an 18-character unified social credit code with a valid check character.",
                              status: 422, extensions: ["field": .string("licence_number")])
        }
        return code
    }
}

extension PaymentsService {
    static let merchantColumns = "id, name, licence_number, settlement_account_id, notify_url, status, created_at"
    /// The same columns of `payments_merchants m` in a join.
    static let joinedMerchantColumns = SQLColumns.qualified(merchantColumns, table: "m")

    static func merchant(_ row: SQLRow) -> Merchant {
        Merchant(id: row.id("id"), name: row.text("name"), licenceNumber: row.text("licence_number"),
                 settlementAccountID: row.id("settlement_account_id"), notifyURL: row.text("notify_url"),
                 status: row.text("status"), createdAt: row.time("created_at"))
    }

    /// Onboards a merchant (operators): validates the licence and the notification URL, opens
    /// its settlement account in the ledger (单位活期, chart 2012) and issues its credentials.
    ///
    /// With `contactMobile` and `contactPassword`, a merchant user is created too: the merchant's
    /// staff sign in to the merchant dashboard with them (realm `merchant`).
    public func onboardMerchant(by staff: Principal, name: String, licenceNumber: String, notifyURL: String,
                                contactMobile: String? = nil, contactPassword: String? = nil, address: String) async throws -> MerchantCredentials {
        try staff.requireOperator("Operators onboard merchants.")
        let name = try IdentityService.validateDisplayName(name)
        let licence = try CreditCode.validate(licenceNumber)
        let url = try validateNotifyURL(notifyURL)
        if try await database.first("SELECT id FROM payments_merchants WHERE licence_number = ?", [.text(licence)]) != nil {
            throw DomainError(.merchantExists, "A merchant with this licence number is already onboarded.", status: 409,
                              extensions: ["field": .string("licence_number")])
        }
        var contact: (mobile: String, hash: String)?
        if let contactMobile {
            let mobile = try MobileNumber.validate(contactMobile, field: "contact_mobile")
            guard let contactPassword else {
                throw DomainError(.invalidRequest, "Give the contact's initial password.", status: 422, extensions: ["field": .string("contact_password")])
            }
            try PasswordPolicy.check(contactPassword, mobile: mobile)
            contact = (mobile, await identity.hasher.hash(contactPassword))
        }
        let id = ids.next()
        let settlement = RongID.derived("payments", "merchant-settlement", id.description)
        let status = try await ledger.createAccounts([NewAccount(id: settlement, asset: .cny, chartCode: ChartOfAccounts.merchantSettlement,
                                                                 ownerRef: "merchant:\(id)", flags: [.debitsMustNotExceedCredits])])[0]
        guard status == .ok || status == .exists else { throw DomainError(.internalError, "The ledger refused the settlement account.", status: 500) }
        let secret = "whsec_" + PaymentsService.hex(random.bytes(24))
        let keyID = PaymentsService.hex(random.bytes(8))
        let keySecret = PaymentsService.hex(random.bytes(24))
        try await database.transaction { tx in
            try await tx.execute(
                """
                INSERT INTO payments_merchants (id, name, licence_number, settlement_account_id, notify_url, signing_secret, status, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)
                """,
                [.id(id), .text(name), .text(licence), .id(settlement), .text(url), .text(secret), .time(clock.now()), .text(staff.actorRef)])
            try await tx.execute("INSERT INTO payments_merchant_keys (key_id, merchant_id, secret_hash, created_at) VALUES (?, ?, ?, ?)",
                                 [.text(keyID), .id(id), .blob(PaymentsService.digest(keySecret)), .time(clock.now())])
            if let contact {
                let userID = ids.next()
                try await identity.insertUser(tx, id: userID, role: .merchant, mobile: contact.mobile, displayName: name, passwordHash: contact.hash,
                                              createdBy: staff.actorRef)
                try await tx.execute("INSERT INTO payments_merchant_users (user_id, merchant_id, created_at) VALUES (?, ?, ?)",
                                     [.id(userID), .id(id), .time(clock.now())])
            }
            try await identity.audit.record(tx, actor: staff.actorRef, action: "merchant.onboard", target: "merchant:\(id)", address: address,
                                            detail: "licence=\(licence)")
        }
        return MerchantCredentials(merchant: try await merchant(id: id)!, apiKey: "mk_\(keyID).\(keySecret)", signingSecret: secret)
    }

    /// Issues a new API key for a merchant and revokes every earlier one (a lost or leaked key,
    /// or keys never seen after onboarding). Operators only; audited. The key is shown once.
    public func rotateMerchantKey(by staff: Principal, merchantID: RongID, address: String) async throws -> String {
        try staff.requireOperator("Operators manage merchant keys.")
        guard try await merchant(id: merchantID) != nil else { throw DomainError.notFound("Merchant") }
        let keyID = PaymentsService.hex(random.bytes(8))
        let keySecret = PaymentsService.hex(random.bytes(24))
        try await database.transaction { tx in
            try await tx.execute("UPDATE payments_merchant_keys SET revoked_at = ? WHERE merchant_id = ? AND revoked_at IS NULL",
                                 [.time(clock.now()), .id(merchantID)])
            try await tx.execute("INSERT INTO payments_merchant_keys (key_id, merchant_id, secret_hash, created_at) VALUES (?, ?, ?, ?)",
                                 [.text(keyID), .id(merchantID), .blob(PaymentsService.digest(keySecret)), .time(clock.now())])
            try await identity.audit.record(tx, actor: staff.actorRef, action: "merchant.rotate_key", target: "merchant:\(merchantID)", address: address,
                                            detail: "key=\(keyID)")
        }
        merchantCache.forget(merchantID: merchantID)
        return "mk_\(keyID).\(keySecret)"
    }

    /// How long a rotated-out webhook signing secret still signs deliveries (beside the new one).
    public static let previousSecretHonouredSeconds: Int64 = 24 * 3600

    /// Issues a new webhook signing secret (shown once). For a day, deliveries carry a signature
    /// with each secret, so the merchant can switch its verifier without missing a webhook; a
    /// second rotation within the day ends the first old secret at once. The merchant itself
    /// (its API key or dashboard) or an operator; audited.
    public func rotateSigningSecret(merchantID: RongID, actor: String, address: String) async throws -> (secret: String, previousValidUntil: Timestamp) {
        guard try await merchant(id: merchantID) != nil else { throw DomainError.notFound("Merchant") }
        let secret = "whsec_" + PaymentsService.hex(random.bytes(24))
        let until = clock.now().adding(seconds: PaymentsService.previousSecretHonouredSeconds)
        try await database.transaction { tx in
            try await tx.execute(
                "UPDATE payments_merchants SET previous_signing_secret = signing_secret, previous_secret_until = ?, signing_secret = ? WHERE id = ?",
                [.time(until), .text(secret), .id(merchantID)])
            try await identity.audit.record(tx, actor: actor, action: "merchant.rotate_signing_secret", target: "merchant:\(merchantID)", address: address,
                                            detail: "previous secret honoured until \(until)")
        }
        return (secret, until)
    }

    /// The merchant a signed-in merchant user works for (the dashboard).
    public func merchant(of principal: Principal) async throws -> Merchant {
        guard principal.role == .merchant,
              let row = try await database.first("SELECT merchant_id FROM payments_merchant_users WHERE user_id = ?", [.id(principal.userID)]),
              let merchant = try await merchant(id: row.id("merchant_id")) else {
            throw DomainError(.forbidden, "This sign-in does not belong to a merchant.", status: 403)
        }
        return merchant
    }

    public func merchant(id: RongID) async throws -> Merchant? {
        if let cached = merchantCache.merchant(id) { return cached }
        let merchant = try await database.first("SELECT \(PaymentsService.merchantColumns) FROM payments_merchants WHERE id = ?", [.id(id)])
            .map(PaymentsService.merchant)
        if let merchant { merchantCache.remember(merchant) }
        return merchant
    }

    public func merchants(limit: Int = 100) async throws -> [Merchant] {
        try await database.query("SELECT \(PaymentsService.merchantColumns) FROM payments_merchants ORDER BY created_at DESC LIMIT ?",
                                 [.int(min(limit, 500))]).map(PaymentsService.merchant)
    }

    /// The merchant an API key belongs to (401 for anything else).
    public func authenticateMerchant(apiKey: String) async throws -> Merchant {
        let unauthorized = DomainError(.unauthorized, "The merchant API key is not valid.", status: 401)
        guard apiKey.hasPrefix("mk_"), apiKey.utf8.count <= 100, let dot = apiKey.firstIndex(of: ".") else { throw unauthorized }
        let keyID = String(apiKey[apiKey.index(apiKey.startIndex, offsetBy: 3)..<dot])
        let secret = String(apiKey[apiKey.index(after: dot)...])
        let digest = PaymentsService.digest(secret)
        let now = clock.now()
        if let check = merchantCache.key(keyID, at: now) {
            guard check.secretHash == digest else { throw unauthorized }
            return check.merchant
        }
        guard let row = try await database.first(
            "SELECT k.secret_hash, k.revoked_at, \(PaymentsService.joinedMerchantColumns) FROM payments_merchant_keys k JOIN payments_merchants m ON m.id = k.merchant_id WHERE k.key_id = ?",
            [.text(keyID)]), case .blob(let stored) = row["secret_hash"],
              row.optionalInt("revoked_at") == nil, row.text("status") == "active" else { throw unauthorized }
        let merchant = PaymentsService.merchant(row)
        // Only a live key is remembered; a wrong secret for it is refused from the cache too.
        merchantCache.remember(key: keyID, MerchantCache.KeyCheck(secretHash: stored, merchant: merchant, checkedAt: now))
        guard stored == digest else { throw unauthorized }
        return merchant
    }

    /// An http(s) URL of at most 300 characters. Unless private targets are allowed (development),
    /// loopback, private, link-local and unspecified addresses are refused, so a merchant cannot
    /// point the bank's webhooks at its own network. (A name that resolves to such an address is
    /// not caught here: production sends webhooks through an egress proxy that refuses them.)
    func validateNotifyURL(_ text: String) throws(DomainError) -> String {
        guard text.utf8.count <= 300, let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = url.host?.lowercased(), !host.isEmpty else {
            throw DomainError(.invalidRequest, "The notification URL must be an http(s) URL of at most 300 characters.", status: 422,
                              extensions: ["field": .string("notify_url")])
        }
        if !allowPrivateNotifyURLs && PaymentsService.isPrivateHost(host) {
            throw DomainError(.invalidRequest, "The notification URL must be reachable on the internet, not a loopback or private address.",
                              status: 422, extensions: ["field": .string("notify_url")])
        }
        return text
    }

    /// `localhost`, and IPv4/IPv6 literals in loopback, private, link-local, CGNAT or unspecified ranges.
    static func isPrivateHost(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bare == "localhost" || bare.hasSuffix(".localhost") { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        if octets.count == 4, octets.allSatisfy({ $0 != nil && $0! >= 0 && $0! <= 255 }) {
            let (a, b) = (octets[0]!, octets[1]!)
            return a == 0 || a == 10 || a == 127 || (a == 169 && b == 254) || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168)
                || (a == 100 && (64...127).contains(b))
        }
        if bare.contains(":") {
            return bare == "::1" || bare == "::" || bare.hasPrefix("fc") || bare.hasPrefix("fd") || bare.hasPrefix("fe8") || bare.hasPrefix("fe9")
                || bare.hasPrefix("fea") || bare.hasPrefix("feb") || bare.hasPrefix("::ffff:")
        }
        return false
    }

    static func digest(_ text: String) -> [UInt8] { Array(SHA256.hash(data: Array(text.utf8))) }
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}

extension ErrorCode {
    public static let invalidLicence: ErrorCode = "invalid_licence_number"
    public static let merchantExists: ErrorCode = "merchant_exists"
}
