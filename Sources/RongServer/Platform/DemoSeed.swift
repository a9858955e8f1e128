import Accounts
import BankKit
import Foundation
import Identity
import Interbank
import Ledger
import Lending
import Payments
import Wealth

/// Demo data for `rong serve --demo`: staff to sign in to the console, real-name customers with
/// Class I accounts at the counter, bound cards at other banks, funded Class II/III e-accounts,
/// and merchants' settlement accounts. Everything goes through the modules' services, so the
/// demo is what a customer would have after using the bank. Idempotent: seeding twice adds nothing.
enum DemoSeed {
    struct Staff {
        let role: Role
        let name: String
        let mobile: String
        let password: String
    }

    /// Development-only credentials, printed by `rong serve --demo`.
    static let staff: [Staff] = [
        Staff(role: .admin, name: "系统管理员", mobile: "13800000000", password: "Admin2026rong"),
        Staff(role: .operator, name: "柜面运营 周晓", mobile: "13800000001", password: "Oper2026rong"),
        Staff(role: .accountManager, name: "客户经理 孙立", mobile: "13800000002", password: "Mgr2026rong"),
        Staff(role: .serviceAgent, name: "客服 陈晨", mobile: "13800000003", password: "Agent2026rong"),
    ]

    static let customerPassword = "Rong2026demo"

    struct Person {
        let name: String
        let idNumber: String
        let mobile: String
        let counterCashFen: Int64
    }

    static let people: [Person] = [
        Person(name: "张伟", idNumber: InterbankSimulator.demoZhangWei.idNumber, mobile: InterbankSimulator.demoZhangWei.mobile, counterCashFen: 20_000_00),
        Person(name: "王芳", idNumber: InterbankSimulator.demoWangFang.idNumber, mobile: InterbankSimulator.demoWangFang.mobile, counterCashFen: 86_000_00),
        Person(name: "李娜", idNumber: DemoSeed.idNumber("320102", "19921118", 262), mobile: "13611112222", counterCashFen: 1_520_30),
        Person(name: "刘洋", idNumber: DemoSeed.idNumber("440104", "19780405", 139), mobile: "13522223333", counterCashFen: 250_000_00),
        Person(name: "陈静", idNumber: DemoSeed.idNumber("510107", "20010909", 448), mobile: "13433334444", counterCashFen: 980_15),
    ]

    static let merchantPassword = "Shop2026rong"
    static let merchants: [(name: String, licence: String, contactMobile: String)] = [
        ("杭州西湖龙井茶庄", creditCode("91330106MA2GL0T1"), "13900000011"),
        ("深圳华强数码专营店", creditCode("91440300MA5FQ2K8"), "13900000012"),
    ]

    /// A unified social credit code from its first 16 characters plus a sequence digit.
    static func creditCode(_ first16: String) -> String {
        let first17 = first16 + "X"
        return first17 + String(CreditCode.checkCharacter(for: first17)!)
    }

    static func idNumber(_ region: String, _ birth: String, _ sequence: Int) -> String {
        let first17 = region + birth + String(sequence).leftPadded(3)
        return first17 + String(ResidentID.checkCharacter(for: first17))
    }

    /// Seeds everything; returns how many customers were new and the API keys of merchants onboarded now
    /// (a key is shown only when it is issued).
    static func seed(_ platform: RongPlatform) async throws -> (customers: Int, merchantKeys: [(String, String)]) {
        var newMerchantKeys: [(String, String)] = []
        let identity = platform.identity
        let accounts = platform.accounts
        let existingStaff = Set(try await identity.staff().map(\.mobile))
        for member in staff where !existingStaff.contains(member.mobile) {
            _ = try await identity.createStaff(by: nil, role: member.role, mobile: member.mobile, displayName: member.name,
                                               password: member.password, address: "seed")
        }
        let seedOperator = Principal(userID: RongID.derived("demo", "seed-operator"), role: .operator,
                                     sessionID: RongID.derived("demo", "seed-session"), displayName: "seed")
        var newCustomers = 0
        for person in people {
            let customer = try await accounts.enrolAtCounter(by: nil, name: person.name, idNumber: person.idNumber, mobile: person.mobile,
                                                             password: customerPassword, address: "seed")
            var held = try await accounts.accounts(of: customer)
            if !held.contains(where: { $0.account.accountClass == .classI }) {
                newCustomers += 1
                _ = try await accounts.openClassIAccount(by: seedOperator, customerID: customer.id, cashDepositFen: person.counterCashFen, idempotencyKey: "demo-class-i", address: "seed")
                held = try await accounts.accounts(of: customer)
            }
            // 张伟 and 王芳 also bank online: a card at another bank bound, an e-account funded from it.
            let card: SimulatedAccount? = switch person.name {
            case "张伟": InterbankSimulator.demoZhangWei
            case "王芳": InterbankSimulator.demoWangFang
            default: nil
            }
            guard let card else { continue }
            var bound = try await accounts.boundAccounts(of: customer).first { $0.accountNumber == card.accountNumber }
            if bound == nil {
                bound = try await accounts.bindVerified(customer, actor: "system:seed", bankCode: card.bankCode, accountNumber: card.accountNumber,
                                                        address: "seed")
            }
            let accountClass: AccountClass = person.name == "张伟" ? .classII : .classIII
            var eAccount = held.first { $0.account.accountClass == accountClass }?.account
            if eAccount == nil {
                eAccount = try await accounts.open(customer: customer, accountClass: accountClass, boundAccountID: bound!.id, channel: "online",
                                                   actor: "system:seed", address: "seed")
            }
            let principal = Principal(userID: customer.userID, role: .customer, sessionID: RongID.derived("demo", "session", person.name),
                                      displayName: customer.name)
            _ = try await accounts.fund(principal, accountID: eAccount!.id, amountFen: accountClass == .classII ? 12_345_67 : 1_520_30,
                                        idempotencyKey: "demo-opening-funding", address: "seed")
            // 张伟 has taken the risk questionnaire (C3: he may buy up to R3).
            if person.name == "张伟", try await platform.wealth.riskProfile(principal) == nil {
                _ = try await platform.wealth.assessRiskProfile(principal, answers: ["C", "B", "C", "B", "B", "C", "B", "C", "B", "B"], address: "seed")
            }
        }
        try await seedWealthProducts(platform, by: seedOperator)
        try await seedElink(platform, by: seedOperator)
        // Merchants, onboarded as an operator would, with a dashboard sign-in each.
        let onboarded = Set(try await platform.payments.merchants().map(\.licenceNumber))
        for merchant in merchants where !onboarded.contains(merchant.licence) {
            let credentials = try await platform.payments.onboardMerchant(
                by: seedOperator, name: merchant.name, licenceNumber: merchant.licence, notifyURL: "http://127.0.0.1:9/rong-demo-notify",
                contactMobile: merchant.contactMobile, contactPassword: merchantPassword, address: "seed")
            newMerchantKeys.append((merchant.name, credentials.apiKey))
        }
        try await seedEasyLoanOffer(platform)
        return (newCustomers, newMerchantKeys)
    }
}

extension DemoSeed {
    /// Wealth products through the service: an R2 NAV product and an R4 NAV product with NAVs for
    /// the last business days, and an R3 periodic product whose window opens on the day it is made.
    static func seedWealthProducts(_ platform: RongPlatform, by seedOperator: Principal) async throws {
        let wealth = platform.wealth
        let today = platform.clock.businessDate()
        let navProducts: [(draft: ProductDraft, step: Int64, swing: Int64)] = [
            (ProductDraft(code: "RW001", name: "融e稳利净值型理财", nameEnglish: "Rong Steady NAV", kind: .nav, risk: .r2,
                          minimumFen: 1_00, quotaFen: 100_000_000_00), 2, 3),
            (ProductDraft(code: "RG001", name: "融e进取权益类理财", nameEnglish: "Rong Equity Growth", kind: .nav, risk: .r4,
                          minimumFen: 1_000_00, quotaFen: 50_000_000_00), 9, 60),
        ]
        for (draft, step, swing) in navProducts {
            var existing = try await wealth.product(code: draft.code)
            if existing == nil { existing = try await wealth.createProduct(by: seedOperator, draft, address: "seed") }
            guard let product = existing else { continue }
            // NAVs of the six business days before today, each a function of its date, so seeding again adds only new days.
            var day = today
            var days: [BusinessDate] = []
            while days.count < 6 {
                day = day.adding(days: -1)
                if platform.calendar.isBusinessDay(day) { days.append(day) }
            }
            for day in days.reversed() where try await wealth.navRecord(product.id, on: day) == nil {
                let n = day.daysSinceEpoch
                let nav = 10_000 + step * (n % 40) + (n % 7 - 3) * swing / 3
                _ = try await wealth.publishNAV(by: seedOperator, productID: product.id, date: day, nav: NetAssetValue(perUnitE4: max(nav, 1)), address: "seed")
            }
        }
        if try await wealth.product(code: "RQ2601") == nil {
            _ = try await wealth.createProduct(by: seedOperator, ProductDraft(
                code: "RQ2601", name: "融e享期次理财2026年第1期", nameEnglish: "Rong Periodic 2026-1", kind: .periodic, risk: .r3, minimumFen: 1_000_00,
                quotaFen: 20_000_000_00, windowStart: today, windowEnd: today.adding(days: 6), termDays: 91, expectedYield: AnnualRate(micros: 31_000)),
                address: "seed")
        }
    }
}

extension DemoSeed {
    /// The demo purchase that brings a 逸贷 offer: 刘洋 pays ¥3,999.00 at 深圳华强数码专营店 with
    /// e-Pay from his Class I account (code by SMS, as on the pay page); the capture offers to
    /// turn it into instalments. Seeding again finds the order paid and does nothing.
    static let easyLoanOrderNumber = "DEMO-EASYLOAN-0001"
    static let easyLoanPurchaseFen: Int64 = 3_999_00

    static func seedEasyLoanOffer(_ platform: RongPlatform) async throws {
        let person = people[3]
        guard let customer = try await platform.accounts.customer(mobile: person.mobile),
              let account = try await platform.accounts.accounts(of: customer).first(where: { $0.account.accountClass == .classI })?.account,
              let merchant = try await platform.payments.merchants().first(where: { $0.licenceNumber == merchants[1].licence }) else { return }
        let order = try await platform.payments.createOrder(merchant: merchant, orderNumber: easyLoanOrderNumber, amountFen: easyLoanPurchaseFen,
                                                            description: "华为 Mate 70 手机 256GB", expiresInSeconds: nil)
        guard order.status == .created, order.expiresAt > platform.clock.now() else { return }
        // The demo's books are minutes old, so the scorecard is given the history 刘洋 stands for:
        // a customer of three years with a salary coming in and twelve instalments repaid on time
        // (his age comes from his ID). Operators see these inputs in the loan's dossier.
        var inputs = try await platform.lending.creditInputs(for: customer)
        inputs.tenureMonths = 38
        inputs.averageBalanceFen = 180_000_00
        inputs.averageMonthlyInflowFen = 18_000_00
        inputs.instalmentsOnTime = 12
        _ = try await platform.lending.recordConsumerDecision(for: customer, inputs: inputs)
        let challenge = try await platform.payments.requestPaymentCode(orderID: order.id, mobile: customer.mobile,
                                                                       accountLast6: String(account.accountNumber.suffix(6)), address: "seed")
        guard let body = try await platform.identity.sms.recent(mobile: customer.mobile, limit: 1).first?.body,
              let code = OTPService.code(inMessage: body) else { return }
        _ = try await platform.payments.confirm(orderID: order.id, challengeID: challenge.id, code: code, address: "seed")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
