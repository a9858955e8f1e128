import Accounts
import BankKit
import Identity
import Interbank
import Storage
import Testing

/// Accounts: the resident ID check, registration, binding by four elements, Class II/III
/// e-accounts, ownership (IDOR), transfers' step-up, and idempotent movements. Limits at their
/// boundaries are in `AccountLimitsTests`.
@Suite struct AccountsTests {
    static let address = "127.0.0.1"
    static let password = "Rong2026pass"
    static let today = try! BusinessDate(iso: "2026-11-23")

    // MARK: Helpers

    /// A registration request for 张三 with a code freshly sent to `mobile`.
    func request(_ t: TestPlatform, mobile: String = "13800138000", idNumber: String = ResidentIDs.make(birth: "19900307", sequence: 451),
                 password: String = AccountsTests.password) async throws -> RegistrationRequest {
        let challenge = try await t.accounts.requestRegistrationCode(mobile: mobile, address: AccountsTests.address)
        return RegistrationRequest(mobile: mobile, otpChallengeID: challenge.id, otpCode: try await t.lastCode(mobile), name: "张三",
                                   idNumber: idNumber, password: password, termsAccepted: true)
    }

    func count(_ t: TestPlatform, _ table: String) async throws -> Int64 {
        try await t.platform.database.first("SELECT COUNT(*) AS n FROM \(table)")?.int("n") ?? -1
    }

    func balance(_ t: TestPlatform, _ account: EAccount) async throws -> Int64 {
        try await t.accounts.view(account).balanceFen
    }

    func bankBalance(_ t: TestPlatform, _ card: String) async throws -> Int64? {
        try await t.platform.interbankSimulator.balance(bankCode: "105", accountNumber: card)
    }

    // MARK: Resident ID (GB 11643-1999)

    /// Valid numbers: the standard's own example 11010519491231002X and the simulator's
    /// directory; the check character is ISO 7064 MOD 11-2. (The standard's other example,
    /// 440524188001010014, is born in 1880: Rong refuses births before 1900.)
    @Test("Valid resident ID numbers parse, lower-case x normalised", arguments: [
        ("11010519491231002X", "11010519491231002X", "1949-12-31"),
        ("11010519491231002x", "11010519491231002X", "1949-12-31"),
        ("510107198811230413", "510107198811230413", "1988-11-23"),
        ("110101199003074514", "110101199003074514", "1990-03-07"),
        ("31010419850715232X", "31010419850715232X", "1985-07-15"),
        ("31010419850715232x", "31010419850715232X", "1985-07-15"),
        ("440306199506120024", "440306199506120024", "1995-06-12"),
        ("320102199306215121", "320102199306215121", "1993-06-21"),
    ])
    func validResidentIDs(text: String, normalised: String, birth: String) throws {
        let id = try ResidentID(text)
        #expect(id.value == normalised)
        #expect(id.birthDate == (try BusinessDate(iso: birth)))
        #expect(id.masked == String(normalised.prefix(6)) + "********" + String(normalised.suffix(4)))
        #expect(!id.description.contains(String(normalised.dropFirst(6).prefix(8))))
    }

    @Test("The check character and the sex digit", arguments: [
        ("11010519491231002", "X" as Character, false),
        ("51010719881123041", "3", true),
        ("11010119900307451", "4", true),
        ("44030619950612002", "4", false),
    ])
    func checkCharacter(first17: String, check: Character, male: Bool) throws {
        #expect(ResidentID.checkCharacter(for: first17) == check)
        #expect(try ResidentID(first17 + String(check)).isMale == male)
    }

    @Test("Invalid resident ID numbers are refused with invalid_id_number", arguments: [
        "110105194912310021",                               // wrong check digit (X expected)
        "110101199003074515",                               // wrong check digit (4 expected)
        "11010119900307451",                                // 17 characters
        "1101011990030745144",                              // 19 characters
        "",
        "11010A199003074514",                               // a letter among the digits
        "11010519491231002Y",                               // a letter other than X as check character
        "X10105194912310021",
        "11010119900307451４",                              // full-width digit
        ResidentIDs.make(birth: "19900230", sequence: 451), // 30 February
        ResidentIDs.make(birth: "19901301", sequence: 451), // month 13
        ResidentIDs.make(birth: "19900001", sequence: 451), // month 0
        ResidentIDs.make(birth: "19900100", sequence: 451), // day 0
        ResidentIDs.make(birth: "19000229", sequence: 451), // 1900 was not a leap year
        ResidentIDs.make(birth: "18991231", sequence: 451), // before 1900
        "440524188001010014",                               // GB 11643's example, born 1880: before 1900
    ])
    func invalidResidentIDs(text: String) {
        let error = #expect(throws: DomainError.self) { try ResidentID(text) }
        #expect(error?.code == .invalidIDNumber)
        #expect(error?.status == 422)
        #expect(error?.extensions["field"] == .string("id_number"))
    }

    @Test("Age in full years changes on the birthday", arguments: [
        ("20101123", "2026-11-23", 16),
        ("20101123", "2026-11-22", 15),
        ("20101124", "2026-11-23", 15),  // 16 tomorrow
        ("19900307", "2026-11-23", 36),
        ("19900307", "2026-03-06", 35),
        ("19900307", "2026-03-07", 36),
        ("20000229", "2001-02-28", 0),   // born on 29 February: a year old on 1 March in common years
        ("20000229", "2001-03-01", 1),
        ("20000229", "2004-02-29", 4),
        ("20261123", "2026-11-23", 0),
    ])
    func ageOnBirthdays(birth: String, on date: String, age: Int) throws {
        let id = try ResidentID(ResidentIDs.make(birth: birth, sequence: 123))
        #expect(id.age(on: try BusinessDate(iso: date)) == age)
    }

    // MARK: Registration

    @Test("Registration creates the customer and the user and signs them in")
    func registrationSucceeds() async throws {
        let t = try await TestPlatform.make()
        let idNumber = ResidentIDs.make(birth: "19900307", sequence: 451)
        let (customer, session) = try await t.register(name: "张三", idNumber: idNumber, mobile: "13800138000")
        #expect(customer.name == "张三")
        #expect(customer.idNumber == idNumber)
        #expect(customer.mobile == "13800138000")
        #expect(customer.birthDate == (try BusinessDate(iso: "1990-03-07")))
        #expect(customer.branchCode == ThisBank.directBankBranch)
        #expect(customer.status == "active")
        #expect(customer.createdAt == t.clock.now)
        #expect(customer.idNumberMasked == "110101********4514")
        #expect(customer.userID == session.principal.userID)
        #expect(session.principal.role == .customer)
        #expect(session.principal.displayName == "张三")
        #expect(try await t.identity.authenticate(session.accessToken) == session.principal)
        #expect(try await t.accounts.customer(of: session.principal) == customer)
        let user = try #require(try await t.identity.user(customer.userID))
        #expect(user.role == .customer && user.mobile == "13800138000" && user.status == "active")
        // The password works for a later sign-in; it is stored as a bcrypt hash, not as given.
        _ = try await t.identity.signIn(role: .customer, mobile: "13800138000", password: AccountsTests.password, address: AccountsTests.address)
        let hash = try #require(try await t.platform.database.first("SELECT password_hash FROM identity_users WHERE id = ?", [.id(customer.userID)]))
        #expect(hash.text("password_hash").hasPrefix("$2"))
        try await t.finish()
    }

    enum RegistrationFailure: String, CaseIterable, Sendable {
        case wrongCode, codeForAnotherMobile, termsNotAccepted, invalidMobile, invalidName, invalidIDNumber, underage, weakPassword

        var code: ErrorCode {
            switch self {
            case .wrongCode, .codeForAnotherMobile: .otpInvalid
            case .termsNotAccepted: .termsNotAccepted
            case .invalidMobile: .invalidMobile
            case .invalidName: .invalidRequest
            case .invalidIDNumber: .invalidIDNumber
            case .underage: .underage
            case .weakPassword: .weakPassword
            }
        }

        var field: String {
            switch self {
            case .wrongCode, .codeForAnotherMobile: "otp_code"
            case .termsNotAccepted: "terms_accepted"
            case .invalidMobile: "mobile"
            case .invalidName: "name"
            case .invalidIDNumber, .underage: "id_number"
            case .weakPassword: "password"
            }
        }

        func apply(_ request: inout RegistrationRequest) {
            switch self {
            case .wrongCode: request.otpCode = request.otpCode == "000000" ? "111111" : "000000"
            case .codeForAnotherMobile: request.mobile = "13900139000"
            case .termsNotAccepted: request.termsAccepted = false
            case .invalidMobile: request.mobile = "12800138000"
            case .invalidName: request.name = "<script>"
            case .invalidIDNumber: request.idNumber = "110101199003074515"
            case .underage: request.idNumber = ResidentIDs.make(birth: "20101124", sequence: 451)
            case .weakPassword: request.password = "password"
            }
        }
    }

    @Test("A refused registration names the field and writes nothing", arguments: RegistrationFailure.allCases)
    func registrationRefused(failure: RegistrationFailure) async throws {
        let t = try await TestPlatform.make()
        var request = try await request(t)
        failure.apply(&request)
        await refused(failure.code, status: 422, field: failure.field) { try await t.accounts.register(request, address: AccountsTests.address) }
        #expect(try await count(t, "accounts_customers") == 0)
        #expect(try await count(t, "identity_users") == 0)
        #expect(try await count(t, "identity_sessions") == 0)
        await refused(.invalidCredentials) {
            try await t.identity.signIn(role: .customer, mobile: request.mobile, password: request.password, address: AccountsTests.address)
        }
        try await t.finish()
    }

    @Test("Weak passwords are refused with weak_password", arguments: [
        "Ab1cd",                                   // shorter than 8
        "abcdefgh",                                // no digit
        "12345678",                                // no letter
        "aaaa1111",                                // fewer than 4 different characters
        "abc 12345",                               // a space
        "密码abc12345",                             // not ASCII
        "Pass138000x",                             // the mobile's last six digits
        String(repeating: "Abc12", count: 13),     // 65 characters
    ])
    func weakPasswords(password: String) async throws {
        let t = try await TestPlatform.make()
        let request = try await request(t, password: password)
        await refused(.weakPassword, status: 422, field: "password") { try await t.accounts.register(request, address: AccountsTests.address) }
        // The code was not spent by a refusal before it was checked: a good password now succeeds.
        var better = request
        better.password = "Abcd1234"
        _ = try await t.accounts.register(better, address: AccountsTests.address)
        try await t.finish()
    }

    @Test("An invalid mobile cannot even ask for a code", arguments: ["1380013800", "138001380001", "23800138000", "12800138000", "1380013800a", "１３８００１３８０００", ""])
    func invalidMobile(mobile: String) async throws {
        let t = try await TestPlatform.make()
        await refused(.invalidMobile, status: 422, field: "mobile") { try await t.accounts.requestRegistrationCode(mobile: mobile, address: AccountsTests.address) }
        #expect(try await count(t, "identity_sms_outbox") == 0)
        try await t.finish()
    }

    @Test("Exactly 16 today may register; 15 years and 364 days may not")
    func minimumAge() async throws {
        let t = try await TestPlatform.make()
        #expect(t.clock.clock.businessDate() == AccountsTests.today)
        var request = try await request(t, idNumber: ResidentIDs.make(birth: "20101124", sequence: 452))
        await refused(.underage, status: 422, field: "id_number") { try await t.accounts.register(request, address: AccountsTests.address) }
        // The age check comes before the code: the same code still works.
        request.idNumber = ResidentIDs.make(birth: "20101123", sequence: 452)
        let (customer, _) = try await t.accounts.register(request, address: AccountsTests.address)
        #expect(customer.birthDate == (try BusinessDate(iso: "2010-11-23")))
        try await t.finish()
    }

    @Test("A second registration with the same ID number is refused and creates nothing")
    func idNumberAlreadyRegistered() async throws {
        let t = try await TestPlatform.make()
        let idNumber = ResidentIDs.make(birth: "19900307", sequence: 451)
        _ = try await t.register(name: "张三", idNumber: idNumber, mobile: "13800138000")
        var second = try await request(t, mobile: "13900139000", idNumber: idNumber)
        await refused(.idNumberAlreadyRegistered, status: 409, field: "id_number") { try await t.accounts.register(second, address: AccountsTests.address) }
        #expect(try await count(t, "accounts_customers") == 1)
        #expect(try await count(t, "identity_users") == 1)
        await refused(.invalidCredentials) {
            try await t.identity.signIn(role: .customer, mobile: "13900139000", password: AccountsTests.password, address: AccountsTests.address)
        }
        // The code was spent by that attempt: using it again fails.
        second.idNumber = ResidentIDs.make(birth: "19920101", sequence: 111)
        await refused(.otpInvalid, status: 422, field: "otp_code") { try await t.accounts.register(second, address: AccountsTests.address) }
        // A fresh code (after the resend interval) with another ID number succeeds.
        t.clock.advance(seconds: OTPService.resendIntervalSeconds)
        let third = try await request(t, mobile: "13900139000", idNumber: ResidentIDs.make(birth: "19920101", sequence: 111))
        _ = try await t.accounts.register(third, address: AccountsTests.address)
        #expect(try await count(t, "accounts_customers") == 2)
        try await t.finish()
    }

    /// Two people racing with the same ID number: one wins, the other gets the same 409 as when
    /// they come one after the other (not a storage error).
    @Test("Registrations racing with the same ID number: one succeeds, the other is refused cleanly")
    func idNumberRace() async throws {
        let t = try await TestPlatform.make()
        let idNumber = ResidentIDs.make(birth: "19900307", sequence: 451)
        var requests: [RegistrationRequest] = []
        for mobile in ["13800138000", "13900139000", "13700137000", "13600136000"] {
            requests.append(try await request(t, mobile: mobile, idNumber: idNumber))
        }
        let outcomes = await withTaskGroup(of: String.self) { group in
            for request in requests {
                group.addTask {
                    do {
                        _ = try await t.accounts.register(request, address: AccountsTests.address)
                        return "ok"
                    } catch let error as DomainError { return error.code.rawValue } catch { return "\(error)" }
                }
            }
            var outcomes: [String] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted()
        }
        #expect(outcomes == ["id_number_already_registered", "id_number_already_registered", "id_number_already_registered", "ok"])
        #expect(try await count(t, "accounts_customers") == 1)
        #expect(try await count(t, "identity_users") == 1)
        try await t.finish()
    }

    @Test("An ID number registered with a lower-case x is the same person as with X")
    func idNumberNormalised() async throws {
        let t = try await TestPlatform.make()
        let (customer, _) = try await t.register(name: "王芳", idNumber: "31010419850715232x", mobile: "13800138000")
        #expect(customer.idNumber == "31010419850715232X")
        let second = try await request(t, mobile: "13900139000", idNumber: "31010419850715232X")
        await refused(.idNumberAlreadyRegistered, status: 409, field: "id_number") { try await t.accounts.register(second, address: AccountsTests.address) }
        try await t.finish()
    }

    @Test("A used registration code cannot register again")
    func reusedCode() async throws {
        let t = try await TestPlatform.make()
        var first = try await request(t)
        _ = try await t.accounts.register(first, address: AccountsTests.address)
        first.idNumber = ResidentIDs.make(birth: "19920101", sequence: 111)
        await refused(.otpInvalid, status: 422, field: "otp_code") { try await t.accounts.register(first, address: AccountsTests.address) }
        #expect(try await count(t, "accounts_customers") == 1)
        try await t.finish()
    }

    @Test("A mobile already registered is refused with mobile_already_registered")
    func mobileAlreadyRegistered() async throws {
        let t = try await TestPlatform.make()
        _ = try await t.register(name: "张三", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451), mobile: "13800138000")
        t.clock.advance(seconds: OTPService.resendIntervalSeconds)
        let second = try await request(t, mobile: "13800138000", idNumber: ResidentIDs.make(birth: "19920101", sequence: 111))
        await refused(.mobileAlreadyRegistered, status: 409, field: "mobile") { try await t.accounts.register(second, address: AccountsTests.address) }
        #expect(try await count(t, "accounts_customers") == 1)
        #expect(try await count(t, "identity_users") == 1)
        try await t.finish()
    }

    @Test("A second registration code within a minute is rate limited")
    func registrationCodeRateLimited() async throws {
        let t = try await TestPlatform.make()
        _ = try await t.accounts.requestRegistrationCode(mobile: "13800138000", address: AccountsTests.address)
        await refused(.otpRateLimited, status: 429) { try await t.accounts.requestRegistrationCode(mobile: "13800138000", address: AccountsTests.address) }
        try await t.finish()
    }

    // MARK: Binding by four elements

    /// 张三 registered with mobile 13800138000; the card's holder details at the other bank are given.
    func customerAndCard(_ t: TestPlatform, card: String = Cards.ccb(1), holder: String = "张三",
                         idNumber: String = ResidentIDs.make(birth: "19900307", sequence: 451), mobile: String = "13800138000",
                         status: SimulatedAccount.Status = .open) async throws -> (Customer, Principal) {
        try await t.platform.interbankSimulator.addTestAccount(bankCode: "105", accountNumber: card, holderName: holder, idNumber: idNumber,
                                                               mobile: mobile, status: status, balanceFen: 50_000_00)
        let (customer, session) = try await t.register(name: "张三", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451), mobile: "13800138000")
        return (customer, session.principal)
    }

    func bind(_ t: TestPlatform, _ principal: Principal, bank: String = "105", card: String) async throws -> BoundAccount {
        let challenge = try await t.accounts.requestBindCode(principal, bankCode: bank, accountNumber: card)
        return try await t.accounts.bindAccount(principal, bankCode: bank, accountNumber: card, otpChallengeID: challenge.id,
                                                otpCode: try await t.lastCode("13800138000"), address: AccountsTests.address)
    }

    @Test("A card whose four elements match binds")
    func bindMatches() async throws {
        let t = try await TestPlatform.make()
        let (customer, principal) = try await customerAndCard(t)
        let bound = try await bind(t, principal, card: Cards.ccb(1))
        #expect(bound.customerID == customer.id)
        #expect(bound.bankCode == "105" && bound.bankName == "中国建设银行")
        #expect(bound.accountNumber == Cards.ccb(1))
        #expect(bound.status == "active")
        #expect(!bound.isThisBank)
        #expect(try await t.accounts.boundAccounts(of: customer) == [bound])
        let audit = try await t.identity.audit.list(action: "account.bind")
        #expect(audit.first?.outcome == "ok" && audit.first?.target == "bound_account:\(bound.id)")
        #expect(audit.first?.detail.contains(Cards.ccb(1)) == false)
        try await t.finish()
    }

    @Test("Each mismatched element refuses the binding", arguments: ["name", "id_number", "mobile"])
    func bindMismatch(element: String) async throws {
        let t = try await TestPlatform.make()
        let (customer, principal) = try await customerAndCard(
            t, holder: element == "name" ? "李四" : "张三",
            idNumber: element == "id_number" ? ResidentIDs.make(birth: "19900307", sequence: 453) : ResidentIDs.make(birth: "19900307", sequence: 451),
            mobile: element == "mobile" ? "13811112222" : "13800138000")
        let error = await refused(.fourElementsMismatch, status: 422) { try await bind(t, principal, card: Cards.ccb(1)) }
        #expect(error?.extensions["fields"] == .string(element))
        #expect(try await t.accounts.boundAccounts(of: customer).isEmpty)
        #expect(try await t.identity.audit.list(action: "account.bind").first?.outcome == ErrorCode.fourElementsMismatch.rawValue)
        try await t.finish()
    }

    @Test("Unknown bank, unknown account and a closed account are refused")
    func bindUnknown() async throws {
        let t = try await TestPlatform.make()
        let (customer, principal) = try await customerAndCard(t)
        await refused(.unknownBank, status: 422, field: "bank_code") { try await bind(t, principal, bank: "999", card: Cards.ccb(1)) }
        t.clock.advance(seconds: OTPService.resendIntervalSeconds)
        await refused(.boundAccountNotFound, status: 422, field: "account_number") { try await bind(t, principal, card: Cards.ccb(2)) }
        // A bank code that is not three digits is refused before any code is asked for.
        await refused(.unknownBank, status: 422, field: "bank_code") {
            try await t.accounts.bindAccount(principal, bankCode: "10", accountNumber: Cards.ccb(1), otpChallengeID: t.platform.ids.next(),
                                             otpCode: "123456", address: AccountsTests.address)
        }
        await refused(.invalidRequest, status: 422, field: "account_number") {
            try await t.accounts.bindAccount(principal, bankCode: "105", accountNumber: "12345", otpChallengeID: t.platform.ids.next(),
                                             otpCode: "123456", address: AccountsTests.address)
        }
        try await t.platform.interbankSimulator.addTestAccount(bankCode: "105", accountNumber: Cards.ccb(3), holderName: "张三",
                                                               idNumber: customer.idNumber, mobile: customer.mobile, status: .closed, balanceFen: 0)
        t.clock.advance(seconds: OTPService.resendIntervalSeconds)
        await refused(.boundAccountUnavailable, status: 422, field: "account_number") { try await bind(t, principal, card: Cards.ccb(3)) }
        #expect(try await t.accounts.boundAccounts(of: customer).isEmpty)
        try await t.finish()
    }

    @Test("Binding needs a valid code for that very account, and an account binds once")
    func bindNeedsCodeAndOnce() async throws {
        let t = try await TestPlatform.make()
        let (customer, principal) = try await customerAndCard(t)
        try await t.platform.interbankSimulator.addTestAccount(bankCode: "105", accountNumber: Cards.ccb(2), holderName: "张三",
                                                               idNumber: customer.idNumber, mobile: customer.mobile, balanceFen: 0)
        let challenge = try await t.accounts.requestBindCode(principal, bankCode: "105", accountNumber: Cards.ccb(1))
        let code = try await t.lastCode(customer.mobile)
        await refused(.otpInvalid, status: 422, field: "otp_code") {
            try await t.accounts.bindAccount(principal, bankCode: "105", accountNumber: Cards.ccb(1), otpChallengeID: challenge.id,
                                             otpCode: code == "000000" ? "111111" : "000000", address: AccountsTests.address)
        }
        // The code was sent for card 1; it does not bind card 2.
        await refused(.otpInvalid, status: 422, field: "otp_code") {
            try await t.accounts.bindAccount(principal, bankCode: "105", accountNumber: Cards.ccb(2), otpChallengeID: challenge.id,
                                             otpCode: code, address: AccountsTests.address)
        }
        #expect(try await t.accounts.boundAccounts(of: customer).isEmpty)
        let bound = try await t.accounts.bindAccount(principal, bankCode: "105", accountNumber: Cards.ccb(1), otpChallengeID: challenge.id,
                                                     otpCode: code, address: AccountsTests.address)
        await refused(.alreadyBound, status: 409, field: "account_number") {
            try await t.accounts.bindAccount(principal, bankCode: "105", accountNumber: Cards.ccb(1), otpChallengeID: challenge.id,
                                             otpCode: code, address: AccountsTests.address)
        }
        #expect(try await t.accounts.boundAccounts(of: customer) == [bound])
        try await t.finish()
    }

    // MARK: E-accounts

    @Test("Class II and III e-accounts: 19 digits, this bank's prefix, Luhn-valid")
    func openEAccounts() async throws {
        let t = try await TestPlatform.make()
        let (customer, principal) = try await customerAndCard(t)
        let bound = try await bind(t, principal, card: Cards.ccb(1))
        let classII = try await t.accounts.openEAccount(principal, accountClass: .classII, boundAccountID: bound.id, address: AccountsTests.address)
        let classIII = try await t.accounts.openEAccount(principal, accountClass: .classIII, boundAccountID: bound.id, address: AccountsTests.address)
        for (account, accountClass) in [(classII, AccountClass.classII), (classIII, .classIII)] {
            #expect(account.accountClass == accountClass)
            #expect(account.customerID == customer.id)
            #expect(account.boundAccountID == bound.id)
            #expect(account.status == "active")
            #expect(account.openedChannel == "online")
            #expect(account.accountNumber.count == 19)
            #expect(account.accountNumber.allSatisfy { $0.isASCII && $0.isNumber })
            #expect(account.accountNumber.hasPrefix(ThisBank.eAccountPrefix))
            #expect(Luhn.isValid(account.accountNumber))
            let view = try await t.accounts.accountView(principal, id: account.id)
            #expect(view.balanceFen == 0 && view.availableFen == 0)
            #expect(try await t.accounts.eAccount(number: account.accountNumber) == account)
        }
        #expect(classII.accountNumber != classIII.accountNumber)
        #expect(Set(try await t.accounts.accounts(of: customer).map(\.account)) == [classII, classIII])
        await refused(.invalidRequest, field: "account_class") {
            try await t.accounts.openEAccount(principal, accountClass: .classI, boundAccountID: bound.id, address: AccountsTests.address)
        }
        await refused(.boundAccountNotFound, field: "bound_account_id") {
            try await t.accounts.openEAccount(principal, accountClass: .classII, boundAccountID: t.platform.ids.next(), address: AccountsTests.address)
        }
        #expect(try await t.identity.audit.list(action: "account.open").count == 2)
        try await t.finish()
    }

    @Test("At most five Class II and five Class III e-accounts per person")
    func eAccountCount() async throws {
        let t = try await TestPlatform.make()
        let (_, principal) = try await customerAndCard(t)
        let bound = try await bind(t, principal, card: Cards.ccb(1))
        var numbers: Set<String> = []
        for _ in 0..<AccountClass.perPersonMax {
            let account = try await t.accounts.openEAccount(principal, accountClass: .classII, boundAccountID: bound.id, address: AccountsTests.address)
            numbers.insert(account.accountNumber)
        }
        #expect(numbers.count == AccountClass.perPersonMax)
        await refused(.eAccountCountExceeded, status: 422, field: "account_class") {
            try await t.accounts.openEAccount(principal, accountClass: .classII, boundAccountID: bound.id, address: AccountsTests.address)
        }
        // The Class III allowance is separate.
        for _ in 0..<AccountClass.perPersonMax {
            _ = try await t.accounts.openEAccount(principal, accountClass: .classIII, boundAccountID: bound.id, address: AccountsTests.address)
        }
        await refused(.eAccountCountExceeded, status: 422, field: "account_class") {
            try await t.accounts.openEAccount(principal, accountClass: .classIII, boundAccountID: bound.id, address: AccountsTests.address)
        }
        #expect(try await count(t, "accounts_e_accounts") == 2 * Int64(AccountClass.perPersonMax))
        try await t.finish()
    }

    @Test("Another customer's account answers 404 everywhere (no IDOR)")
    func otherCustomersAccount() async throws {
        let t = try await TestPlatform.make()
        let (alice, aliceAccount) = try await t.customerWithEAccount(.classII, name: "张三", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451),
                                                                      mobile: "13800138000", cardNumber: Cards.ccb(1))
        let (bob, bobAccount) = try await t.customerWithEAccount(.classII, name: "李四", idNumber: ResidentIDs.make(birth: "19880512", sequence: 232),
                                                                  mobile: "13900139000", cardNumber: Cards.ccb(2))
        _ = try await t.accounts.fund(bob, accountID: bobAccount.id, amountFen: 100_00, idempotencyKey: "bob-fund", address: AccountsTests.address)
        await refused(.notFound, status: 404) { try await t.accounts.accountView(alice, id: bobAccount.id) }
        await refused(.notFound, status: 404) { try await t.accounts.statement(alice, id: bobAccount.id, cursor: nil, limit: 10) }
        await refused(.notFound, status: 404) { try await t.accounts.movements(alice, accountID: bobAccount.id) }
        await refused(.notFound, status: 404) {
            try await t.accounts.fund(alice, accountID: bobAccount.id, amountFen: 1_00, idempotencyKey: "k1", address: AccountsTests.address)
        }
        await refused(.notFound, status: 404) {
            try await t.accounts.withdraw(alice, accountID: bobAccount.id, amountFen: 1_00, idempotencyKey: "k2", address: AccountsTests.address)
        }
        await refused(.notFound, status: 404) {
            try await t.accounts.transfer(alice, accountID: bobAccount.id, payeeAccountNumber: aliceAccount.accountNumber, payeeName: "张三",
                                          amountFen: 1_00, memo: nil, otpChallengeID: nil, otpCode: nil, idempotencyKey: "k3",
                                          address: AccountsTests.address)
        }
        // A missing id answers exactly the same.
        let missing = await refused(.notFound, status: 404) { try await t.accounts.accountView(alice, id: t.platform.ids.next()) }
        let foreign = await refused(.notFound, status: 404) { try await t.accounts.accountView(alice, id: bobAccount.id) }
        #expect(missing == foreign)
        // Bob's bound account cannot be used by Alice to open an account either.
        let bobBound = try #require(bobAccount.boundAccountID)
        await refused(.boundAccountNotFound) {
            try await t.accounts.openEAccount(alice, accountClass: .classIII, boundAccountID: bobBound, address: AccountsTests.address)
        }
        // Nothing moved on Bob's account.
        #expect(try await balance(t, bobAccount) == 100_00)
        #expect(try await t.accounts.accountView(bob, id: bobAccount.id).balanceFen == 100_00)
        try await t.finish()
    }

    // MARK: Transfers: payee checks and step-up

    @Test("A first payment to a new payee needs a new_payee code; later ones do not")
    func newPayeeStepUp() async throws {
        let t = try await TestPlatform.make()
        let (alice, aliceAccount) = try await t.customerWithEAccount(.classII, name: "张三", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451),
                                                                      mobile: "13800138000", cardNumber: Cards.ccb(1))
        let (_, bobAccount) = try await t.customerWithEAccount(.classII, name: "李四", idNumber: ResidentIDs.make(birth: "19880512", sequence: 232),
                                                                mobile: "13900139000", cardNumber: Cards.ccb(2))
        _ = try await t.accounts.fund(alice, accountID: aliceAccount.id, amountFen: 1_000_00, idempotencyKey: "fund", address: AccountsTests.address)
        func pay(_ key: String, _ amountFen: Int64 = 10_00, name: String = "李四", number: String? = nil, challenge: RongID? = nil,
                 code: String? = nil) async throws -> Movement {
            try await t.accounts.transfer(alice, accountID: aliceAccount.id, payeeAccountNumber: number ?? bobAccount.accountNumber, payeeName: name,
                                          amountFen: amountFen, memo: "房租", otpChallengeID: challenge, otpCode: code, idempotencyKey: key,
                                          address: AccountsTests.address)
        }
        await refused(.payeeNotFound, field: "payee_account_number") { try await pay("p0", number: "6238880000000000000") }
        await refused(.payeeNameMismatch, field: "payee_name") { try await pay("p0", name: "王五") }
        await refused(.invalidRequest, field: "payee_account_number") { try await pay("p0", name: "张三", number: aliceAccount.accountNumber) }
        let required = await refused(.stepUpRequired, status: 403) { try await pay("p1") }
        #expect(required?.extensions["purpose"] == .string("new_payee"))

        let challenge = try await t.accounts.requestNewPayeeCode(alice, payeeAccountNumber: bobAccount.accountNumber)
        #expect(challenge.purpose == .newPayee)
        let code = try await t.lastCode("13800138000")
        await refused(.otpInvalid, field: "otp_code") { try await pay("p1", challenge: challenge.id, code: code == "000000" ? "111111" : "000000") }
        let first = try await pay("p1", challenge: challenge.id, code: code)
        #expect(first.status == .completed && first.kind == .transferOut && first.amountFen == 10_00)
        #expect(first.counterpartyAccount == bobAccount.accountNumber && first.counterpartyName == "李四" && first.counterpartyBank == ThisBank.bankCode)
        let second = try await pay("p2")
        #expect(second.status == .completed)
        #expect(try await balance(t, aliceAccount) == 980_00)
        #expect(try await balance(t, bobAccount) == 20_00)
        let lines = try await t.accounts.statement(alice, id: aliceAccount.id, cursor: nil, limit: 10).lines
        #expect(lines.count == 3)
        #expect(lines.filter { $0.amountFen == -10_00 && $0.memo == "房租" && $0.code == AccountsTransferCode.transferThisBank }.count == 2)
        #expect(Set(lines.map(\.balanceAfterFen)) == [1_000_00, 990_00, 980_00])
        try await t.finish()
    }

    /// `AccountsService.statement` and `GET /v1/me/accounts/{id}/statement` promise newest first.
    @Test("A customer's statement lists the newest line first, with running balances")
    func statementNewestFirst() async throws {
        let t = try await TestPlatform.make()
        let (principal, account) = try await t.customerWithEAccount(.classII, name: "张三", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451),
                                                                     mobile: "13800138000", cardNumber: Cards.ccb(1))
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 1_000_00, idempotencyKey: "fund-1", address: AccountsTests.address)
        t.clock.advance(seconds: 60)
        _ = try await t.accounts.withdraw(principal, accountID: account.id, amountFen: 300_00, idempotencyKey: "out-1", address: AccountsTests.address)
        t.clock.advance(seconds: 60)
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 50_00, idempotencyKey: "fund-2", address: AccountsTests.address)
        let page = try await t.accounts.statement(principal, id: account.id, cursor: nil, limit: 10)
        #expect(page.lines.map(\.amountFen) == [50_00, -300_00, 1_000_00])
        #expect(page.lines.map(\.balanceAfterFen) == [750_00, 700_00, 1_000_00])
        #expect(page.lines.map(\.at) == page.lines.map(\.at).sorted(by: >))
        try await t.finish()
    }

    // MARK: Idempotent movements

    @Test("The same Idempotency-Key and amount funds once and answers with the same movement")
    func fundIdempotent() async throws {
        let t = try await TestPlatform.make()
        let card = Cards.ccb(1)
        let (principal, account) = try await t.customerWithEAccount(.classII, name: "张三", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451),
                                                                     mobile: "13800138000", cardNumber: card, bankBalanceFen: 10_000_00)
        let first = try await t.accounts.fund(principal, accountID: account.id, amountFen: 1_234_56, idempotencyKey: "fund-1", address: AccountsTests.address)
        #expect(first.status == .completed && first.kind == .funding && first.amountFen == 1_234_56)
        let again = try await t.accounts.fund(principal, accountID: account.id, amountFen: 1_234_56, idempotencyKey: "fund-1", address: AccountsTests.address)
        #expect(again == first)
        #expect(try await balance(t, account) == 1_234_56)
        #expect(try await bankBalance(t, card) == 10_000_00 - 1_234_56)
        await refused(.idempotencyConflict, status: 409) {
            try await t.accounts.fund(principal, accountID: account.id, amountFen: 1_234_57, idempotencyKey: "fund-1", address: AccountsTests.address)
        }
        // The same key on another kind of movement is another body too.
        await refused(.idempotencyConflict, status: 409) {
            try await t.accounts.withdraw(principal, accountID: account.id, amountFen: 1_234_56, idempotencyKey: "fund-1", address: AccountsTests.address)
        }
        #expect(ErrorCode.idempotencyConflict.rawValue == "idempotency_key_reused")
        #expect(try await balance(t, account) == 1_234_56)
        #expect(try await bankBalance(t, card) == 10_000_00 - 1_234_56)
        #expect(try await t.accounts.movements(principal, accountID: account.id).count == 1)

        await refused(.invalidRequest, status: 400, field: "Idempotency-Key") {
            try await t.accounts.fund(principal, accountID: account.id, amountFen: 1_00, idempotencyKey: nil, address: AccountsTests.address)
        }
        await refused(.invalidRequest, status: 400, field: "Idempotency-Key") {
            try await t.accounts.fund(principal, accountID: account.id, amountFen: 1_00, idempotencyKey: String(repeating: "k", count: 65), address: AccountsTests.address)
        }
        await refused(.invalidAmount, field: "amount_fen") {
            try await t.accounts.fund(principal, accountID: account.id, amountFen: 0, idempotencyKey: "zero", address: AccountsTests.address)
        }
        await refused(.invalidAmount, field: "amount_fen") {
            try await t.accounts.fund(principal, accountID: account.id, amountFen: AccountsService.movementMaxFen + 1, idempotencyKey: "big", address: AccountsTests.address)
        }
        try await t.finish()
    }

    @Test("The same Idempotency-Key withdraws once")
    func withdrawIdempotent() async throws {
        let t = try await TestPlatform.make()
        let card = Cards.ccb(1)
        let (principal, account) = try await t.customerWithEAccount(.classII, name: "张三", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451),
                                                                     mobile: "13800138000", cardNumber: card, bankBalanceFen: 10_000_00)
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 5_000_00, idempotencyKey: "fund", address: AccountsTests.address)
        let first = try await t.accounts.withdraw(principal, accountID: account.id, amountFen: 1_000_00, idempotencyKey: "out-1", address: AccountsTests.address)
        let again = try await t.accounts.withdraw(principal, accountID: account.id, amountFen: 1_000_00, idempotencyKey: "out-1", address: AccountsTests.address)
        #expect(first == again)
        #expect(first.status == .completed && first.kind == .withdrawal)
        #expect(try await balance(t, account) == 4_000_00)
        #expect(try await t.accounts.view(account).availableFen == 4_000_00)
        #expect(try await bankBalance(t, card) == 6_000_00)
        try await t.finish()
    }

    @Test("A withdrawal above the balance fails with insufficient_funds and moves nothing")
    func withdrawInsufficient() async throws {
        let t = try await TestPlatform.make()
        let card = Cards.ccb(1)
        let (principal, account) = try await t.customerWithEAccount(.classII, name: "张三", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451),
                                                                     mobile: "13800138000", cardNumber: card, bankBalanceFen: 10_000_00)
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 500_00, idempotencyKey: "fund", address: AccountsTests.address)
        let error = await refused(.insufficientFunds, status: 422) {
            try await t.accounts.withdraw(principal, accountID: account.id, amountFen: 500_01, idempotencyKey: "out", address: AccountsTests.address)
        }
        #expect(error?.extensions["movement_id"] != nil)
        #expect(try await balance(t, account) == 500_00)
        #expect(try await t.accounts.view(account).availableFen == 500_00)
        #expect(try await bankBalance(t, card) == 9_500_00)
        // The retry answers with the same stored failure and still moves nothing.
        await refused(.insufficientFunds, status: 422) {
            try await t.accounts.withdraw(principal, accountID: account.id, amountFen: 500_01, idempotencyKey: "out", address: AccountsTests.address)
        }
        #expect(try await bankBalance(t, card) == 9_500_00)
        let failed = try await t.accounts.movements(principal, accountID: account.id).first { $0.kind == .withdrawal }
        #expect(failed?.status == .failed && failed?.failureCode == "insufficient_funds")
        // Exactly the balance goes.
        _ = try await t.accounts.withdraw(principal, accountID: account.id, amountFen: 500_00, idempotencyKey: "out-2", address: AccountsTests.address)
        #expect(try await balance(t, account) == 0)
        #expect(try await bankBalance(t, card) == 10_000_00)
        try await t.finish()
    }

    @Test("A debit the other bank refuses fails with interbank_rejected and moves nothing")
    func interbankRejected() async throws {
        let t = try await TestPlatform.make()
        let card = Cards.ccb(1)
        let (principal, account) = try await t.customerWithEAccount(.classII, name: "张三", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451),
                                                                     mobile: "13800138000", cardNumber: card, bankBalanceFen: 100_00)
        await refused(.interbankRejected, status: 422) {
            try await t.accounts.fund(principal, accountID: account.id, amountFen: 100_01, idempotencyKey: "fund-1", address: AccountsTests.address)
        }
        #expect(try await balance(t, account) == 0)
        #expect(try await bankBalance(t, card) == 100_00)
        await refused(.interbankRejected) {
            try await t.accounts.fund(principal, accountID: account.id, amountFen: 100_01, idempotencyKey: "fund-1", address: AccountsTests.address)
        }
        #expect(try await bankBalance(t, card) == 100_00)
        let movement = try await t.accounts.fund(principal, accountID: account.id, amountFen: 100_00, idempotencyKey: "fund-2", address: AccountsTests.address)
        #expect(movement.status == .completed)
        #expect(try await balance(t, account) == 100_00)
        #expect(try await bankBalance(t, card) == 0)
        // A card frozen at the other bank refuses credits: the withdrawal is given back.
        try await t.platform.interbankSimulator.setStatus(.frozen, bankCode: "105", accountNumber: card)
        await refused(.interbankRejected) {
            try await t.accounts.withdraw(principal, accountID: account.id, amountFen: 50_00, idempotencyKey: "out-1", address: AccountsTests.address)
        }
        #expect(try await balance(t, account) == 100_00)
        #expect(try await t.accounts.view(account).availableFen == 100_00)
        #expect(try await bankBalance(t, card) == 0)
        try await t.finish()
    }
}
