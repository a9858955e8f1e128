import BankKit
import Ledger

/// Demo data for `rong serve --demo`: a few customers and merchants with realistic names and
/// balances, held as ledger accounts. Idempotent: ids are derived from names, so seeding
/// twice changes nothing. (Customer records arrive with the onboarding module; until then a
/// demo customer is its demand account, owned by `demo-customer:<name>`.)
enum DemoSeed {
    struct Holder {
        let name: String
        let kind: String
        let balanceFen: Int64
    }

    static let holders: [Holder] = [
        Holder(name: "张伟", kind: "customer", balanceFen: 12_345_67),
        Holder(name: "王芳", kind: "customer", balanceFen: 86_000_00),
        Holder(name: "李娜", kind: "customer", balanceFen: 1_520_30),
        Holder(name: "刘洋", kind: "customer", balanceFen: 250_000_00),
        Holder(name: "陈静", kind: "customer", balanceFen: 980_15),
        Holder(name: "杭州西湖龙井茶庄", kind: "merchant", balanceFen: 35_600_00),
        Holder(name: "深圳华强数码专营店", kind: "merchant", balanceFen: 128_900_50),
    ]

    /// The bank's own clearing position with the central bank (存放中央银行款项), the funding side.
    static let clearingAccount = RongID.derived("demo", "account", "bank-clearing")

    static func seed(_ ledger: Ledger) async throws -> (accounts: Int, transfers: Int) {
        var accounts = [NewAccount(id: clearingAccount, asset: .cny, chartCode: ChartOfAccounts.dueFromCentralBank, ownerRef: "bank:clearing")]
        for holder in holders {
            accounts.append(NewAccount(
                id: RongID.derived("demo", "account", holder.name), asset: .cny,
                chartCode: holder.kind == "customer" ? ChartOfAccounts.customerDemandDeposits : ChartOfAccounts.merchantSettlement,
                ownerRef: "demo-\(holder.kind):\(holder.name)", flags: [.debitsMustNotExceedCredits]))
        }
        let statuses = try await ledger.createAccounts(accounts)
        let transfers = holders.map { holder in
            TransferRequest.posted(id: RongID.derived("demo", "opening", holder.name), from: clearingAccount,
                                   to: RongID.derived("demo", "account", holder.name), amount: holder.balanceFen,
                                   code: 1001, metadata: "{\"memo\":\"开户存入 opening deposit\"}")
        }
        let results = try await ledger.submit(transfers)
        return (statuses.filter { $0 == .ok }.count, results.filter { $0.status == .ok }.count)
    }
}
