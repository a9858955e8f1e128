import Accounts
import BankKit
import Identity
import Interbank
import Ledger

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

    static let merchants: [(name: String, balanceFen: Int64)] = [("杭州西湖龙井茶庄", 35_600_00), ("深圳华强数码专营店", 128_900_50)]

    static func idNumber(_ region: String, _ birth: String, _ sequence: Int) -> String {
        let first17 = region + birth + String(sequence).leftPadded(3)
        return first17 + String(ResidentID.checkCharacter(for: first17))
    }

    /// Seeds everything; returns how many customers were new.
    static func seed(_ platform: RongPlatform) async throws -> Int {
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
                _ = try await accounts.openClassIAccount(by: seedOperator, customerID: customer.id, cashDepositFen: person.counterCashFen, address: "seed")
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
        }
        // Merchants onboard with the Payments module; until then their settlement accounts are ledger accounts.
        _ = try await platform.ledger.createAccounts(merchants.map {
            NewAccount(id: RongID.derived("demo", "account", $0.name), asset: .cny, chartCode: ChartOfAccounts.merchantSettlement,
                       ownerRef: "demo-merchant:\($0.name)", flags: [.debitsMustNotExceedCredits])
        })
        _ = try await platform.ledger.submit(merchants.map {
            .posted(id: RongID.derived("demo", "opening", $0.name), from: AccountsService.clearingAccountID, to: RongID.derived("demo", "account", $0.name),
                    amount: $0.balanceFen, code: 1001, metadata: "{\"memo\":\"开户存入 opening deposit\"}")
        })
        return newCustomers
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
