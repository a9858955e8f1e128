import BankKit
import EndOfDay

extension LendingService {
    /// The module's end-of-day steps, each idempotent for its date and all through the ledger.
    /// They run before Wealth's (140+) so instalments are collected before the evening sweep
    /// moves spare balances into the fund.
    public func endOfDaySteps() -> [EODStep] {
        [
            EODStep(name: "lending.resolve", order: 110) { _ in
                let disbursements = try await self.resolveDisbursements()
                let events = try await self.resolvePostingEvents()
                return "resolved \(disbursements) half-disbursed loans and \(events) half-posted repayments"
            },
            EODStep(name: "lending.penalty", order: 112) { context in
                let result = try await self.accruePenalties(for: context.date)
                return "penalty interest \(Money.fen(result.penaltyFen).formatted) on \(result.loans) overdue loans"
            },
            EODStep(name: "lending.billing", order: 114) { context in
                "billed instalments due on \(try await self.billDueInstalments(through: context.date)) loans"
            },
            EODStep(name: "lending.auto-debit", order: 116) { context in
                let result = try await self.autoDebit(on: context.date)
                return "collected \(Money.fen(result.collectedFen).formatted) from \(result.loans) loans; \(result.shortLoans) short of funds"
            },
            EODStep(name: "lending.lines", order: 118) { context in
                let result = try await self.accrueLines(for: context.date)
                return "interest \(Money.fen(result.interestFen).formatted) on \(result.lines) lines; arrears \(Money.fen(result.arrearsFen).formatted)"
            },
            EODStep(name: "lending.merchant-sweep", order: 120) { context in
                let result = try await self.sweepMerchantLines(on: context.date)
                return "swept \(Money.fen(result.sweptFen).formatted) of settlement proceeds into \(result.lines) merchant lines"
            },
            EODStep(name: "lending.expire-offers", order: 122) { _ in
                "expired \(try await self.expireOffers()) offers"
            },
        ]
    }
}
