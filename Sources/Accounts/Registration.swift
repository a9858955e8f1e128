import BankKit
import Foundation
import Identity
import Storage

/// What a person submits to open a direct-bank relationship online.
public struct RegistrationRequest: Sendable {
    public var mobile: String
    public var otpChallengeID: RongID
    public var otpCode: String
    public var name: String
    public var idNumber: String
    public var password: String
    public var termsAccepted: Bool

    public init(mobile: String, otpChallengeID: RongID, otpCode: String, name: String, idNumber: String, password: String, termsAccepted: Bool) {
        self.mobile = mobile
        self.otpChallengeID = otpChallengeID
        self.otpCode = otpCode
        self.name = name
        self.idNumber = idNumber
        self.password = password
        self.termsAccepted = termsAccepted
    }
}

extension AccountsService {
    public static let minimumAgeYears = 16

    /// Sends the registration code. The answer never says whether the mobile is registered.
    public func requestRegistrationCode(mobile: String, address: String) async throws -> OTPChallenge {
        let mobile = try MobileNumber.validate(mobile)
        try await identity.audit.record(actor: "anonymous", action: "register.code", target: "mobile:\(MobileNumber.masked(mobile))", address: address)
        return try await identity.otp.issue(purpose: .register, mobile: mobile, context: "register:\(mobile)")
    }

    /// Validates everything, checks the code, then creates the user and the customer in one
    /// transaction and signs the new customer in. Nothing is written when any step fails.
    public func register(_ request: RegistrationRequest, address: String) async throws -> (Customer, SessionTokens) {
        let mobile = try MobileNumber.validate(request.mobile)
        let name = try AccountsService.validateRealName(request.name)
        let residentID = try ResidentID(request.idNumber)
        try AccountsService.checkBorn(residentID, today: clock.businessDate())
        let age = residentID.age(on: clock.businessDate())
        guard age >= AccountsService.minimumAgeYears else {
            throw DomainError(.underage, "Online accounts are for people aged 16 or over.", status: 422, extensions: ["field": .string("id_number")])
        }
        try PasswordPolicy.check(request.password, mobile: mobile)
        guard request.termsAccepted else {
            throw DomainError(.termsNotAccepted, "Accept the service agreement to register.", status: 422, extensions: ["field": .string("terms_accepted")])
        }
        try await identity.otp.verify(challengeID: request.otpChallengeID, code: request.otpCode, purpose: .register, mobile: mobile,
                                      context: "register:\(mobile)")
        let hash = await identity.hasher.hash(request.password)
        let userID = ids.next()
        let customerID = ids.next()
        let principal = Principal(userID: userID, role: .customer, sessionID: ids.next(), displayName: name)
        let tokens = try await AccountsService.mappingRaces { try await database.transaction { tx in
            if try await tx.first("SELECT id FROM accounts_customers WHERE id_number = ?", [.text(residentID.value)]) != nil {
                throw DomainError(.idNumberAlreadyRegistered, "This ID number already has an online account; sign in instead.", status: 409,
                                  extensions: ["field": .string("id_number")])
            }
            try await identity.insertUser(tx, id: userID, role: .customer, mobile: mobile, displayName: name, passwordHash: hash,
                                          createdBy: "self-registration")
            try await insertCustomer(tx, id: customerID, userID: userID, name: name, residentID: residentID, mobile: mobile)
            try await identity.audit.record(tx, actor: principal.actorRef, action: "register.complete", target: "customer:\(customerID)",
                                            address: address, detail: "id=\(residentID.masked)")
            return try await identity.openSession(tx, principal: principal, address: address)
        } }
        return (try await customer(id: customerID)!, tokens)
    }

    /// Enrols a customer face to face at a branch (the ID card is checked by the teller, so no SMS
    /// code): staff (operators, admins) or the demo seed (`by` nil). Idempotent on the ID number:
    /// enrolling the same person again returns the existing customer.
    public func enrolAtCounter(by staff: Principal?, name: String, idNumber: String, mobile: String, password: String,
                               address: String) async throws -> Customer {
        if let staff { try AccountsService.requireOperator(staff) }
        let residentID = try ResidentID(idNumber)
        if let row = try await database.first("SELECT \(AccountsService.customerColumns) FROM accounts_customers WHERE id_number = ?", [.text(residentID.value)]) {
            return AccountsService.customer(row)
        }
        let mobile = try MobileNumber.validate(mobile)
        let name = try AccountsService.validateRealName(name)
        try AccountsService.checkBorn(residentID, today: clock.businessDate())
        guard residentID.age(on: clock.businessDate()) >= AccountsService.minimumAgeYears else {
            throw DomainError(.underage, "Accounts are for people aged 16 or over.", status: 422, extensions: ["field": .string("id_number")])
        }
        try PasswordPolicy.check(password, mobile: mobile)
        let hash = await identity.hasher.hash(password)
        let userID = ids.next()
        let customerID = ids.next()
        let actor = staff?.actorRef ?? "system:seed"
        try await AccountsService.mappingRaces { try await database.transaction { tx in
            try await identity.insertUser(tx, id: userID, role: .customer, mobile: mobile, displayName: name, passwordHash: hash, createdBy: actor)
            try await insertCustomer(tx, id: customerID, userID: userID, name: name, residentID: residentID, mobile: mobile)
            try await identity.audit.record(tx, actor: actor, action: "customer.enrol", target: "customer:\(customerID)", address: address,
                                            detail: "id=\(residentID.masked)")
        } }
        return try await customer(id: customerID)!
    }

    /// The customer row of a new user, inside the transaction that creates the user.
    func insertCustomer(_ tx: any SQLSession, id: RongID, userID: RongID, name: String, residentID: ResidentID, mobile: String) async throws {
        try await tx.execute(
            """
            INSERT INTO accounts_customers (id, user_id, name, id_number, mobile, birth_date, branch_code, status, terms_version, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)
            """,
            [.id(id), .id(userID), .text(name), .text(residentID.value), .text(mobile), .date(residentID.birthDate),
             .text(ThisBank.directBankBranch), .text(AccountsService.termsVersion), .time(clock.now())])
    }

    /// Two registrations racing past the uniqueness checks meet at a unique constraint; the loser
    /// gets the same answer it would have had a moment later.
    static func mappingRaces<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as StorageError where error.kind == .uniqueViolation {
            if error.message.contains("id_number") {
                throw DomainError(.idNumberAlreadyRegistered, "This ID number already has an online account; sign in instead.", status: 409,
                                  extensions: ["field": .string("id_number")])
            }
            if error.message.contains("mobile") {
                throw DomainError(.mobileAlreadyRegistered, "This mobile number is already registered; sign in or reset the password.",
                                  status: 409, extensions: ["field": .string("mobile")])
            }
            throw error
        }
    }

    /// A birth date after today is not a real person's (the check digit alone cannot tell).
    static func checkBorn(_ residentID: ResidentID, today: BusinessDate) throws(DomainError) {
        guard residentID.birthDate <= today else { throw ResidentID.invalid("birth date is in the future") }
    }

    /// 2–30 characters: Chinese names, and Latin names with spaces or the middle dot (·).
    static func validateRealName(_ text: String) throws(DomainError) -> String {
        let name = text.trimmingCharacters(in: .whitespaces)
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            (0x4E00...0x9FFF).contains(scalar.value) || (0x3400...0x4DBF).contains(scalar.value) || scalar == "·" || scalar == " "
                || (scalar.isASCII && (scalar.properties.isAlphabetic))
        }
        guard name.count >= 2, name.count <= 30, allowed else {
            throw DomainError(.invalidRequest, "The name must be your legal name as on your ID card (2–30 characters).", status: 422,
                              extensions: ["field": .string("name")])
        }
        return name
    }
}
