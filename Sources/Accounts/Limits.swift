import BankKit
import Storage

/// One limit a movement counts against: the rule and the account it is kept for.
struct LimitCharge: Sendable, Hashable {
    let accountID: RongID
    let rule: LimitRule
}

extension AccountsService {
    /// The limits a movement of `category` and `direction` counts against on `account`.
    func charges(_ account: EAccount, _ category: MovementCategory, _ direction: MovementDirection) -> [LimitCharge] {
        LimitRule.rules(for: account.accountClass)
            .filter { $0.applies(to: category, direction: direction) }
            .map { LimitCharge(accountID: account.id, rule: $0) }
    }

    /// Adds `amountFen` to each charge's usage for the period containing `date`, inside `tx`;
    /// throws `limit_exceeded` naming the first rule that would go over (the caller's
    /// transaction then rolls back, so nothing is counted). Exactly the limit passes.
    func reserve(_ tx: any SQLSession, _ charges: [LimitCharge], amountFen: Int64, on date: BusinessDate) async throws {
        for charge in charges {
            let period = charge.rule.periodKey(date)
            if let used = try await AccountsService.usage.reserve(tx, owner: charge.accountID, rule: charge.rule.name, period: period,
                                                                  amount: amountFen, limit: charge.rule.limitFen) {
                throw AccountsService.limitExceeded(rule: charge.rule.name, limitFen: charge.rule.limitFen, usedFen: used, period: period)
            }
        }
    }

    /// Gives back what `reserve` counted, when the movement then failed.
    func release(_ charges: [LimitCharge], amountFen: Int64, on date: BusinessDate) async throws {
        guard !charges.isEmpty else { return }
        try await database.batchedTransaction { [self] tx in try await release(tx, charges, amountFen: amountFen, on: date) }
    }

    func release(_ tx: any SQLSession, _ charges: [LimitCharge], amountFen: Int64, on date: BusinessDate) async throws {
        for charge in charges {
            try await AccountsService.usage.release(tx, owner: charge.accountID, rule: charge.rule.name, period: charge.rule.periodKey(date),
                                                    amount: amountFen)
        }
    }

    static let usage = UsageCounters(table: "accounts_limit_usage", ownerColumn: "e_account_id")

    /// Class III: the balance, counting money already on its way in, may never pass ¥2,000.
    /// Called under the account's lock.
    func checkBalanceCap(_ account: EAccount, incomingFen: Int64) async throws {
        guard account.accountClass == .classIII else { return }
        let balance = try await ledger.account(account.id)?.balance ?? .init()
        let held = balance.creditsPosted + balance.creditsPending - balance.debitsPosted
        if held + incomingFen > LimitRule.classIIIBalanceCapFen {
            throw AccountsService.limitExceeded(rule: LimitRule.classIIIBalanceRuleName, limitFen: LimitRule.classIIIBalanceCapFen,
                                                usedFen: held, period: "balance")
        }
    }

    /// Remaining allowance of each rule of an account today and this year (for pages and the API).
    public func limitUsage(_ account: EAccount) async throws -> [(rule: LimitRule, usedFen: Int64, remainingFen: Int64)] {
        let date = clock.businessDate()
        var out: [(rule: LimitRule, usedFen: Int64, remainingFen: Int64)] = []
        for rule in LimitRule.rules(for: account.accountClass) {
            let used = try await AccountsService.usage.used(database, owner: account.id, rule: rule.name, period: rule.periodKey(date))
            out.append((rule, used, max(0, rule.limitFen - used)))
        }
        return out
    }

    /// The refusal of a movement over a limit, naming it (shared with the Payments module's e-Pay limits).
    public static func limitExceeded(rule: String, limitFen: Int64, usedFen: Int64, period: String) -> DomainError {
        DomainError(.limitExceeded, "This would exceed the \(rule) limit of \(Money.fen(limitFen).formatted) (\(period)).",
                    status: 422, extensions: ["limit": .string(rule), "limit_fen": .int(limitFen), "used_fen": .int(usedFen),
                                              "remaining_fen": .int(max(0, limitFen - usedFen))])
    }
}
