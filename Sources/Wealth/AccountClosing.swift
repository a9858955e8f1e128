import Accounts
import BankKit
import Ledger
import Storage

/// Before an account closes: deposits funded from it must be withdrawn first, the sweep holding
/// comes back, and the demand interest accrued to the day before closing is paid (DOMAIN.md §4:
/// interest on closing runs to the day before closing, at that day's posted demand rate).
extension WealthService: AccountClosingHook {
    public func accountWillClose(_ account: EAccount, on date: BusinessDate) async throws {
        let open = try await database.first("SELECT COUNT(*) AS n FROM wealth_deposits WHERE source_account_id = ? AND status IN ('open', 'opening')",
                                            [.id(account.id)])?.int("n") ?? 0
        guard open == 0 else {
            throw DomainError(.depositsOutstanding, "\(open) deposit(s) were made from this account; withdraw them before closing it.", status: 409,
                              extensions: ["deposits": .int(open)])
        }
        if let sweep = try await sweepView(account.id) {
            if sweep.fundBalanceFen > 0 {
                try await accounts.post([.posted(id: RongID.derived("wealth.sweep.close", account.id), from: sweep.setting.fundAccountID, to: account.id,
                                        amount: sweep.fundBalanceFen, code: WealthTransferCode.sweepRedeem, metadata: AccountsService.memo("聚财宝赎回（销户）"))])
            }
            try await database.execute("UPDATE wealth_sweeps SET active = 0, updated_at = ? WHERE account_id = ?", [.time(clock.now()), .id(account.id)])
        }
        _ = try await payDemandInterestOnClosing(account.id, closingDate: date)
    }

    /// Pays the demand interest of `accountID` accrued through the day before `closingDate`
    /// (accruing any days the end-of-day has not reached yet on today's balance); returns the fen paid.
    @discardableResult
    public func payDemandInterestOnClosing(_ accountID: RongID, closingDate: BusinessDate) async throws -> Int64 {
        guard let ledgerAccount = try await ledger.account(accountID) else { return 0 }
        let through = closingDate.adding(days: -1).daysSinceEpoch
        var row: SQLRow?
        if let num = try await ledger.accountNumber(accountID) {
            row = try await database.first("SELECT account_num, accrued_micros, accrued_through FROM wealth_demand WHERE account_num = ?", [.int(num)])
        }
        var micros = row?.int("accrued_micros") ?? 0
        let accruedThrough = row?.int("accrued_through") ?? (BusinessDate(at: ledgerAccount.createdAt).daysSinceEpoch - 1)
        if accruedThrough < through {
            let rate = try await rate(.demand, on: closingDate.adding(days: -1))
            micros += InterestMath.dailyAccrualMicros(balanceFen: ledgerAccount.balance.postedCreditBalance, rate: rate) * (through - accruedThrough)
        }
        let fen = InterestMath.roundToFen(micros: micros)
        if fen > 0 {
            try await accounts.post([.posted(id: RongID.derived("wealth.closing-interest", accountID), from: WealthLedgerAccounts.interestPayable, to: accountID,
                                    amount: fen, code: WealthTransferCode.demandInterest, metadata: AccountsService.memo("销户结息 \(closingDate.iso)"))])
        }
        let closingDay = closingDate.daysSinceEpoch
        // No row yet (opened since the last end-of-day): the next run registers it with a zero balance.
        if let row {
            try await database.execute("UPDATE wealth_demand SET accrued_micros = 0, accrued_through = ?, settled_through = ? WHERE account_num = ?",
                                       [.int(closingDay), .int(closingDay), .int(row.int("account_num"))])
        }
        return fen
    }
}
