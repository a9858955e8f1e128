import BankKit
import EndOfDay

extension WealthService {
    /// The next demand-interest settlement date (the 20th of Mar/Jun/Sep/Dec) on or after `date`.
    public static func nextDemandSettlementDate(onOrAfter date: BusinessDate) -> BusinessDate {
        var candidate = date
        while !InterestMath.isDemandSettlementDate(candidate) { candidate = candidate.adding(days: 1) }
        return candidate
    }

    /// The module's end-of-day steps, each idempotent for its date and all through the ledger.
    public func endOfDaySteps() -> [EODStep] {
        [
            EODStep(name: "wealth.resolve-openings", order: 140) { _ in
                "resolved \(try await self.resolveOpeningDeposits()) deposits left half-opened"
            },
            EODStep(name: "wealth.demand-accrual", order: 150) { context in
                let report = try await self.accrueDemandInterest(for: context.date)
                return "accrued \(report.accountsAccrued) demand accounts at \(report.rate) (\(report.newAccounts) new); unpaid interest \(Money.fen(report.totalAccruedMicros / InterestMath.microsPerFen).formatted)"
            },
            EODStep(name: "wealth.demand-settlement", order: 160) { context in
                guard InterestMath.isDemandSettlementDate(context.date) else { return "not a settlement date (20 Mar/Jun/Sep/Dec)" }
                let report = try await self.settleDemandInterest(for: context.date)
                return "credited \(Money.fen(report.interestPaidFen).formatted) demand interest to \(report.accountsPaid) accounts; \(report.accountsRefused) refused (closed)"
            },
            EODStep(name: "wealth.time-maturities", order: 170) { context in
                var renewed = 0, returned = 0
                for _ in 0..<100 {
                    let batch = try await self.processMaturities(for: context.date)
                    renewed += batch.renewed
                    returned += batch.returned
                    if batch.renewed + batch.returned == 0 { break }
                }
                return "renewed \(renewed) and paid back \(returned) matured time deposits"
            },
            EODStep(name: "wealth.sweeps", order: 180) { context in
                let result = try await self.runSweeps(for: context.date)
                return "swept \(Money.fen(result.sweptFen).formatted) from \(result.swept) accounts into the fund; fund income \(Money.fen(result.incomeFen).formatted)"
            },
        ]
    }
}
