import Accounts
import BankKit
import Identity
import Ledger
import Storage

/// A 聚财宝 sweep on one account: the balance above the threshold moves into the money-market
/// fund each evening; a payment that needs more than the account holds redeems from the fund at
/// once (up to a daily amount).
public struct SweepSetting: Sendable, Hashable {
    public let accountID: RongID
    public let customerID: RongID
    /// The customer's holding of the fund: a ledger account (NAV fixed at ¥1, so held in fen).
    public let fundAccountID: RongID
    public let thresholdFen: Int64
    public let dailyRedeemMaxFen: Int64
    public let active: Bool
}

/// A sweep with its fund holding and what was redeemed today.
public struct SweepView: Sendable, Hashable {
    public let setting: SweepSetting
    public let fundBalanceFen: Int64
    public let redeemedTodayFen: Int64
    public let yield: AnnualRate
}

extension WealthService: ShortfallCovering {
    /// Instant redemption from the fund: at most this much per account and day by default.
    public static let sweepDailyRedeemDefaultFen: Int64 = 50_000_00
    public static let sweepThresholdMaxFen: Int64 = 10_000_000_00
    /// The evening sweep moves whole amounts from ¥1.
    public static let sweepMinimumFen: Int64 = 1_00
    static let sweepRule = "sweep_redeem"

    /// Sets (or changes) the sweep threshold of a Class I or II account and turns the sweep on.
    public func setSweep(_ principal: Principal, accountID: RongID, thresholdFen: Int64, dailyRedeemMaxFen: Int64?, address: String) async throws -> SweepView {
        let (customer, account) = try await investingAccount(principal, id: accountID)
        guard thresholdFen >= 0, thresholdFen <= WealthService.sweepThresholdMaxFen else {
            throw DomainError(.invalidAmount, "The threshold is from ¥0.00 to \(Money.fen(WealthService.sweepThresholdMaxFen).formatted).", status: 422,
                              extensions: ["field": .string("threshold")])
        }
        let cap = dailyRedeemMaxFen ?? WealthService.sweepDailyRedeemDefaultFen
        guard cap >= 0, cap <= WealthService.sweepDailyRedeemDefaultFen else {
            throw DomainError(.invalidAmount, "The daily instant redemption is from ¥0.00 to \(Money.fen(WealthService.sweepDailyRedeemDefaultFen).formatted).",
                              status: 422, extensions: ["field": .string("daily_redeem_max")])
        }
        let fundID = RongID.derived("wealth.sweep-fund", account.id)
        try await ledger.createAccount(NewAccount(id: fundID, asset: .cny, chartCode: WealthChart.sweepFundHoldings, ownerRef: "customer:\(customer.id)",
                                                  flags: [.debitsMustNotExceedCredits]))
        let now = clock.now()
        try await database.transaction { tx in
            try await tx.execute(
                """
                INSERT INTO wealth_sweeps (account_id, customer_id, fund_account_id, threshold_fen, daily_redeem_max_fen, active, income_micros, income_through, updated_at)
                VALUES (?, ?, ?, ?, ?, 1, 0, ?, ?)
                ON CONFLICT (account_id) DO UPDATE SET threshold_fen = excluded.threshold_fen, daily_redeem_max_fen = excluded.daily_redeem_max_fen,
                    active = 1, updated_at = excluded.updated_at
                """,
                [.id(account.id), .id(customer.id), .id(fundID), .int(thresholdFen), .int(cap), .int(clock.businessDate().daysSinceEpoch - 1), .time(now)])
            try await identity.audit.record(tx, actor: principal.actorRef, action: "wealth.sweep.set", target: "account:\(account.id)", address: address,
                                            detail: "threshold \(Money.fen(thresholdFen).formatted)")
        }
        return try await sweepView(account.id)!
    }

    /// Turns the sweep off and brings the whole fund holding back into the account.
    public func stopSweep(_ principal: Principal, accountID: RongID, address: String) async throws -> SweepView {
        let customer = try await accounts.customer(of: principal)
        guard let view = try await sweepView(accountID), view.setting.customerID == customer.id else { throw DomainError.notFound("Sweep") }
        if view.fundBalanceFen > 0 {
            // One redemption per activation (the setting's last change names it): a stop sent twice moves the money once.
            let activation = try await database.first("SELECT updated_at FROM wealth_sweeps WHERE account_id = ?", [.id(accountID)])?.int("updated_at") ?? 0
            try await accounts.post([.posted(id: RongID.derived("wealth.sweep.stop", accountID, activation), from: view.setting.fundAccountID, to: accountID,
                                    amount: view.fundBalanceFen,
                                    code: WealthTransferCode.sweepRedeem, metadata: AccountsService.memo("聚财宝赎回（关闭）"))])
        }
        try await database.transaction { tx in
            try await tx.execute("UPDATE wealth_sweeps SET active = 0, updated_at = ? WHERE account_id = ?", [.time(clock.now()), .id(accountID)])
            try await identity.audit.record(tx, actor: principal.actorRef, action: "wealth.sweep.stop", target: "account:\(accountID)", address: address)
        }
        return try await sweepView(accountID)!
    }

    /// The customer's sweeps.
    public func sweeps(_ principal: Principal) async throws -> [SweepView] {
        let customer = try await accounts.customer(of: principal)
        var views: [SweepView] = []
        for row in try await database.query("SELECT account_id FROM wealth_sweeps WHERE customer_id = ? LIMIT 20", [.id(customer.id)]) {
            if let view = try await sweepView(row.id("account_id")) { views.append(view) }
        }
        return views
    }

    public func sweepView(_ accountID: RongID) async throws -> SweepView? {
        guard let row = try await database.first(
            "SELECT account_id, customer_id, fund_account_id, threshold_fen, daily_redeem_max_fen, active FROM wealth_sweeps WHERE account_id = ?",
            [.id(accountID)]) else { return nil }
        let setting = SweepSetting(accountID: row.id("account_id"), customerID: row.id("customer_id"), fundAccountID: row.id("fund_account_id"),
                                   thresholdFen: row.int("threshold_fen"), dailyRedeemMaxFen: row.int("daily_redeem_max_fen"), active: row.int("active") != 0)
        let balance = try await ledger.account(setting.fundAccountID)?.balance.availableCreditBalance ?? 0
        let today = clock.businessDate()
        let used = try await usage.used(database, owner: accountID, rule: WealthService.sweepRule, period: today.iso)
        return SweepView(setting: setting, fundBalanceFen: balance, redeemedTodayFen: used, yield: try await rate(.sweepFund, on: today))
    }

    // MARK: Instant redemption (the Accounts seam)

    /// Brings `shortfallFen` from the fund into `account` when the holding and today's redemption
    /// limit allow all of it; otherwise nothing (the payment fails either way, and a part redeemed
    /// for it would only spend the day's limit and leave the fund).
    public func cover(_ account: EAccount, shortfallFen: Int64) async throws -> Int64 {
        guard shortfallFen > 0, let view = try await sweepView(account.id), view.setting.active,
              shortfallFen <= view.fundBalanceFen, shortfallFen <= view.setting.dailyRedeemMaxFen - view.redeemedTodayFen else { return 0 }
        try await redeem(view.setting, amountFen: shortfallFen, transferID: ids.next(), memo: "聚财宝快速赎回（支付）")
        return shortfallFen
    }

    /// Redeems `amountFen` from the fund into the account (counts against the daily limit).
    public func redeemSweep(_ principal: Principal, accountID: RongID, amountFen: Int64, idempotencyKey: String?) async throws -> SweepView {
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        let customer = try await accounts.customer(of: principal)
        guard let view = try await sweepView(accountID), view.setting.customerID == customer.id else { throw DomainError.notFound("Sweep") }
        let transferID = RongID.derived("wealth.sweep.redeem", accountID, key)
        if let done = try await ledger.transfer(transferID) {
            guard done.amount == amountFen else { throw DomainError(.idempotencyConflict, "This Idempotency-Key was used with a different request.", status: 409) }
            return try await sweepView(accountID)!
        }
        guard amountFen > 0, amountFen <= view.fundBalanceFen else {
            throw DomainError(.invalidAmount, "Redeem more than ¥0.00 and at most the holding \(Money.fen(view.fundBalanceFen).formatted).", status: 422,
                              extensions: ["holding_fen": .int(view.fundBalanceFen)])
        }
        try await redeem(view.setting, amountFen: amountFen, transferID: transferID, memo: "聚财宝赎回")
        return try await sweepView(accountID)!
    }

    private func redeem(_ setting: SweepSetting, amountFen: Int64, transferID: RongID, memo: String) async throws {
        let period = clock.businessDate().iso
        try await database.transaction { tx in
            if let used = try await usage.reserve(tx, owner: setting.accountID, rule: WealthService.sweepRule, period: period, amount: amountFen,
                                                  limit: setting.dailyRedeemMaxFen) {
                throw DomainError(.sweepRedemptionLimit, "Instant redemption is limited to \(Money.fen(setting.dailyRedeemMaxFen).formatted) a day; \(Money.fen(used).formatted) used.",
                                  status: 422, extensions: ["limit_fen": .int(setting.dailyRedeemMaxFen), "used_fen": .int(used)])
            }
        }
        do {
            try await accounts.post([.posted(id: transferID, from: setting.fundAccountID, to: setting.accountID, amount: amountFen,
                                    code: WealthTransferCode.sweepRedeem, metadata: AccountsService.memo(memo))])
        } catch {
            try await database.transaction { tx in
                try await usage.release(tx, owner: setting.accountID, rule: WealthService.sweepRule, period: period, amount: amountFen)
            }
            throw error
        }
    }

    // MARK: End of day

    /// For every active sweep: the fund's income for `date` (holding × yield ÷ 365, sub-fen carried),
    /// then the balance above the threshold into the fund. Re-running a date moves nothing twice.
    public func runSweeps(for date: BusinessDate, limit: Int = 100_000) async throws -> (swept: Int, sweptFen: Int64, incomeFen: Int64) {
        try requireDayEnded(date)
        let day = date.daysSinceEpoch
        let yield = try await rate(.sweepFund, on: date)
        var swept = 0
        var sweptFen: Int64 = 0, incomeFen: Int64 = 0
        var after = RongID.zero
        while true {
            let rows = try await database.query(
                "SELECT account_id, fund_account_id, threshold_fen, active, income_micros, income_through FROM wealth_sweeps WHERE account_id > ? ORDER BY account_id LIMIT 500",
                [.id(after)])
            guard let last = rows.last else { break }
            after = last.id("account_id")
            for row in rows {
                let accountID = row.id("account_id"), fundID = row.id("fund_account_id")
                // Income on the holding at the end of the day.
                if row.int("income_through") < day {
                    let holding = try await ledger.account(fundID)?.balance.postedCreditBalance ?? 0
                    let days = day - row.int("income_through")
                    let micros = row.int("income_micros") + Int64(Int128(max(holding, 0)) * Int128(yield.micros) / 365) * days
                    let fen = micros / InterestMath.microsPerFen
                    if fen > 0 {
                        try await accounts.post([.posted(id: RongID.derived("wealth.sweep.income", date.iso, accountID), from: WealthLedgerAccounts.sweepFundIncome,
                                                to: fundID, amount: fen, code: WealthTransferCode.sweepIncome, metadata: AccountsService.memo("聚财宝收益 \(date.iso)"))])
                        incomeFen += fen
                    }
                    try await database.execute("UPDATE wealth_sweeps SET income_micros = ?, income_through = ? WHERE account_id = ? AND income_through < ?",
                                               [.int(micros - fen * InterestMath.microsPerFen), .int(day), .id(accountID), .int(day)])
                }
                guard row.int("active") != 0 else { continue }
                let sweepID = RongID.derived("wealth.sweep.in", date.iso, accountID)
                guard try await ledger.transfer(sweepID) == nil,
                      let account = try await accounts.eAccount(id: accountID), account.status == "active" else { continue }
                let available = try await ledger.account(accountID)?.balance.availableCreditBalance ?? 0
                let excess = available - row.int("threshold_fen")
                guard excess >= WealthService.sweepMinimumFen else { continue }
                let amount = excess / 100 * 100
                do {
                    try await accounts.post([.posted(id: sweepID, from: accountID, to: fundID, amount: amount, code: WealthTransferCode.sweepIn,
                                            metadata: AccountsService.memo("聚财宝自动转入"))])
                    swept += 1
                    sweptFen += amount
                } catch let error as DomainError where error.code == .insufficientFunds {
                    continue
                }
            }
            if swept >= limit { break }
        }
        return (swept, sweptFen, incomeFen)
    }
}
