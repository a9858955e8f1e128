import Accounts
import BankKit
import Identity
import Messaging

extension DemoSeed {
    /// e-Link demo data (idempotent): the demo account manager serves the direct bank's branch,
    /// the demo customers are enrolled (so the manager sees them at once), and a subscription
    /// account has an article.
    static func seedElink(_ platform: RongPlatform, by seedOperator: Principal) async throws {
        let messaging = platform.messaging
        let staff = try await platform.identity.staff()
        if let manager = staff.first(where: { $0.role == .accountManager }),
           try await messaging.managerCustomers(Principal(userID: manager.id, role: .accountManager, sessionID: .zero, displayName: "")).isEmpty {
            try await messaging.addManagerToBranch(seedOperator, managerID: manager.id, branchCode: ThisBank.directBankBranch, address: "seed")
        }
        for person in people {
            if let customer = try await platform.accounts.customer(mobile: person.mobile) { try await messaging.enrol(customerUserID: customer.userID) }
        }
        let existing = try await messaging.officialAccounts(seedOperator).map(\.account.name)
        if !existing.contains(elinkNewsAccount) {
            let account = try await messaging.createOfficialAccount(seedOperator, name: elinkNewsAccount, kind: .subscription, branchCode: nil,
                                                                    description: "每周一期，聊聊利率、市场与理财。", autoFollow: false, address: "seed")
            _ = try await messaging.publishArticle(seedOperator, accountID: account.id, title: "本周理财观察：存款利率与现金管理",
                                                   summary: "活期、定期与聚财宝怎么选", body: "活期存款随存随取，利率较低。\n定期存款利率更高，提前支取按活期计息。\n聚财宝把活期余额自动转入货币基金，兼顾收益与流动性。",
                                                   address: "seed")
        }
    }

    static let elinkNewsAccount = "融银行理财早知道"
}
