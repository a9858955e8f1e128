import BankKit

/// One instalment of a schedule.
public struct ScheduleLine: Sendable, Hashable, Codable {
    /// 1…n.
    public let period: Int
    public let dueDate: BusinessDate
    public let principalFen: Int64
    /// Interest (等额本息, 等额本金); 0 for a fee-priced loan.
    public let interestFen: Int64
    /// Fee (flat monthly fee); 0 for an interest-priced loan.
    public let feeFen: Int64
    /// principal + interest + fee.
    public var instalmentFen: Int64 { principalFen + interestFen + feeFen }
    /// Principal outstanding right after this instalment is paid (before any later prepayment).
    public let remainingPrincipalFen: Int64
}

/// Principal repaid ahead of schedule, with the interest accrued on it since the last due date.
public struct Prepayment: Sendable, Hashable, Codable {
    public let date: BusinessDate
    /// Instalments already due (and taken as paid) when it was made.
    public let afterPeriod: Int
    public let principalFen: Int64
    public let interestFen: Int64
    public var totalFen: Int64 { principalFen + interestFen }
}

/// What repays a loan in full on a date: the outstanding principal plus interest accrued on it
/// since the last due date (actual days ÷ 360). Instalments due on or before the date are taken
/// as paid (arrears are collected separately, with penalty interest).
public struct LoanPayoff: Sendable, Hashable, Codable {
    public let date: BusinessDate
    public let principalFen: Int64
    public let interestFen: Int64
    public let accruedDays: Int
    public var totalFen: Int64 { principalFen + interestFen }
}

/// A loan's repayment plan: the lines and any prepayments.
///
/// Invariant: Σ line principal + Σ prepaid principal = the loan's principal, to the fen.
public struct LoanSchedule: Sendable, Hashable, Codable {
    public let terms: LoanTerms
    public let lines: [ScheduleLine]
    public let prepayments: [Prepayment]

    /// The full schedule of `terms`.
    public init(_ terms: LoanTerms) {
        self.terms = terms
        self.lines = LoanSchedule.lines(outstandingFen: terms.principalFen, firstPeriod: 1, terms: terms)
        self.prepayments = []
    }

    init(terms: LoanTerms, lines: [ScheduleLine], prepayments: [Prepayment]) {
        self.terms = terms
        self.lines = lines
        self.prepayments = prepayments
        assert(lines.reduce(Int64(0)) { $0 + $1.principalFen } + prepayments.reduce(Int64(0)) { $0 + $1.principalFen } == terms.principalFen)
    }

    public var totalInterestFen: Int64 { lines.reduce(Int64(0)) { $0 + $1.interestFen } + prepayments.reduce(Int64(0)) { $0 + $1.interestFen } }
    public var totalFeeFen: Int64 { lines.reduce(Int64(0)) { $0 + $1.feeFen } }
    /// Everything the customer pays: principal, interest and fees.
    public var totalRepaidFen: Int64 { lines.reduce(Int64(0)) { $0 + $1.instalmentFen } + prepayments.reduce(Int64(0)) { $0 + $1.totalFen } }

    /// The APR of the scheduled instalments against the principal (before any prepayment).
    public var apr: LoanAPR {
        LoanAPR(principalFen: terms.principalFen, instalmentsFen: lines.map(\.instalmentFen))
    }

    /// Instalments due on or before `date`.
    public func periodsDue(on date: BusinessDate) -> Int {
        lines.lastIndex { $0.dueDate <= date }.map { lines[$0].period } ?? 0
    }

    /// Principal outstanding at the end of `date`, once instalments due by then are paid.
    public func outstandingPrincipalFen(on date: BusinessDate) -> Int64 {
        terms.principalFen
            - lines.lazy.filter { $0.dueDate <= date }.reduce(Int64(0)) { $0 + $1.principalFen }
            - prepayments.lazy.filter { $0.date <= date }.reduce(Int64(0)) { $0 + $1.principalFen }
    }

    /// Where interest on the outstanding principal runs from on `date`: the last due date, or the start.
    func accrualStart(on date: BusinessDate) -> BusinessDate {
        let due = periodsDue(on: date)
        return due == 0 ? terms.startDate : terms.dueDate(period: due)
    }

    /// The amount that repays the loan in full on `date`.
    public func payoff(on date: BusinessDate) throws(DomainError) -> LoanPayoff {
        try requireRepaymentDate(date)
        let principal = outstandingPrincipalFen(on: date)
        let days = accrualStart(on: date).days(until: date)
        return LoanPayoff(date: date, principalFen: principal, interestFen: accrued(principalFen: principal, days: days), accruedDays: days)
    }

    /// The schedule after repaying `principalFen` of principal ahead of time on `date`.
    ///
    /// Instalments due on or before `date` are taken as paid. With them the customer pays the
    /// interest accrued on the prepaid principal since the last due date (actual/360; none on a
    /// fee-priced loan). The term is kept and the later instalments fall:
    /// - 等额本息: the instalment is solved again on the remaining principal over the remaining periods;
    /// - 等额本金: the remaining principal is split again over the remaining periods;
    /// - flat fee: fees already due are not refunded; each later period's fee is on the remaining
    ///   principal (R × f), and the principal is split again.
    /// Prepaying all of the outstanding principal closes the schedule (no later lines).
    public func prepaying(principalFen: Int64, on date: BusinessDate) throws(DomainError) -> LoanSchedule {
        try requireRepaymentDate(date)
        guard principalFen > 0 else {
            throw DomainError(.invalidAmount, "A prepayment must be positive.", extensions: ["field": .string("amount")])
        }
        let outstanding = outstandingPrincipalFen(on: date)
        guard principalFen <= outstanding else {
            throw DomainError(.repaymentExceedsOutstanding,
                              "The prepayment is more than the \(Money.fen(outstanding)) principal outstanding; the excess is refused.",
                              extensions: ["outstanding_fen": .int(outstanding)])
        }
        let due = periodsDue(on: date)
        let prepayment = Prepayment(date: date, afterPeriod: due, principalFen: principalFen,
                                    interestFen: accrued(principalFen: principalFen, days: accrualStart(on: date).days(until: date)))
        let later = LoanSchedule.lines(outstandingFen: outstanding - principalFen, firstPeriod: due + 1, terms: terms)
        return LoanSchedule(terms: terms, lines: Array(lines.prefix(due)) + later, prepayments: prepayments + [prepayment])
    }

    private func accrued(principalFen: Int64, days: Int) -> Int64 {
        guard let annual = terms.method.annualRate else { return 0 }
        return LoanMath.accruedInterestFen(principalFen: principalFen, annual: annual, days: days)
    }

    private func requireRepaymentDate(_ date: BusinessDate) throws(DomainError) {
        let earliest = prepayments.last?.date ?? terms.startDate
        guard date >= earliest else {
            throw DomainError(.repaymentDateOutOfRange, "A repayment cannot be dated before \(earliest).",
                              extensions: ["field": .string("date")])
        }
    }

    /// Lines `firstPeriod`…n for `outstandingFen` principal still owed before `firstPeriod`.
    ///
    /// 等额本息: A is solved on the outstanding principal over the remaining periods; each
    /// period's principal is A − interest (never more than what remains), and the last period
    /// takes whatever principal remains, so the rounding of A and of interest ends up there.
    static func lines(outstandingFen: Int64, firstPeriod: Int, terms: LoanTerms) -> [ScheduleLine] {
        let count = terms.termMonths - firstPeriod + 1
        guard outstandingFen > 0, count > 0 else { return [] }
        var remaining = outstandingFen
        var result: [ScheduleLine] = []
        result.reserveCapacity(count)
        func append(_ offset: Int, principal: Int64, interest: Int64, fee: Int64) {
            remaining -= principal
            let period = firstPeriod + offset
            result.append(ScheduleLine(period: period, dueDate: terms.dueDate(period: period), principalFen: principal,
                                       interestFen: interest, feeFen: fee, remainingPrincipalFen: remaining))
        }
        switch terms.method {
        case .equalInstalment(let annual):
            let instalment = LoanMath.equalInstalmentFen(principalFen: outstandingFen, annual: annual, months: count)
            for offset in 0..<count {
                let interest = LoanMath.monthlyInterestFen(principalFen: remaining, annual: annual)
                let principal = offset == count - 1 ? remaining : min(max(instalment - interest, 0), remaining)
                append(offset, principal: principal, interest: interest, fee: 0)
            }
        case .equalPrincipal(let annual):
            for (offset, principal) in LoanMath.split(outstandingFen, into: count).enumerated() {
                append(offset, principal: principal, interest: LoanMath.monthlyInterestFen(principalFen: remaining, annual: annual), fee: 0)
            }
        case .flatFee(let monthly):
            // Total fee = R × f × n, rounded half up once, then split like the principal.
            let totalFee = LoanMath.roundHalfUp(Int128(outstandingFen) * Int128(monthly.micros) * Int128(count), Int128(LoanRate.microsPerUnit))
            for (offset, (principal, fee)) in zip(LoanMath.split(outstandingFen, into: count), LoanMath.split(totalFee, into: count)).enumerated() {
                append(offset, principal: principal, interest: 0, fee: fee)
            }
        }
        return result
    }
}
