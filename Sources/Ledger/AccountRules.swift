import BankKit

/// Validation of new accounts, shared by both backends.
enum AccountRules {
    /// Closing sets flag 4 (`AccountFlags.closed`); reopening clears it.
    static let closeSQL = "UPDATE ledger_accounts SET flags = flags | 4 WHERE id = ?"
    static let reopenSQL = "UPDATE ledger_accounts SET flags = flags & ~4 WHERE id = ?"

    static func validate(_ account: NewAccount) -> AccountCreateStatus? {
        if account.id == .zero { return .idMustNotBeZero }
        if Asset.named(account.asset) == nil { return .unknownAsset }
        if account.flags.contains(.debitsMustNotExceedCredits) && account.flags.contains(.creditsMustNotExceedDebits) { return .flagsAreMutuallyExclusive }
        let chart = account.chartCode.utf8
        if chart.isEmpty || chart.count > LedgerLimits.chartCodeLengthMax || !chart.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }) { return .chartCodeInvalid }
        if account.ownerRef.utf8.count > LedgerLimits.ownerRefLengthMax { return .ownerRefTooLong }
        return nil
    }

    static func compare(_ account: NewAccount, _ stored: LedgerAccount) -> AccountCreateStatus {
        var storedFlags = stored.flags
        storedFlags.remove(.closed)
        let same = stored.asset == account.asset && stored.chartCode == account.chartCode
            && stored.ownerRef == account.ownerRef && storedFlags == account.flags
        return same ? .exists : .existsWithDifferentFields
    }
}
