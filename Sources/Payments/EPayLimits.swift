import Accounts
import BankKit
import Identity
import Storage

/// e-Pay limits per customer (DOMAIN §2): ¥5,000 per transaction and per day, ¥50,000 per
/// month for new customers; per transaction and per day raisable to ¥10,000 with a step-up code.
public struct EPayLimits: Sendable, Hashable {
    public static let defaultPerTransactionFen: Int64 = 5_000_00
    public static let defaultPerDayFen: Int64 = 5_000_00
    public static let perMonthFen: Int64 = 50_000_00
    /// Without a USB-Shield, self-service raises stop here.
    public static let raisedMaxFen: Int64 = 10_000_00

    public var perTransactionFen: Int64
    public var perDayFen: Int64
    public var perMonthFen: Int64 { EPayLimits.perMonthFen }

    public static let standard = EPayLimits(perTransactionFen: defaultPerTransactionFen, perDayFen: defaultPerDayFen)
}

extension PaymentsService {
    public func limits(of customer: Customer) async throws -> EPayLimits {
        try await PaymentsService.limits(database, customerID: customer.id)
    }

    /// The customer's e-Pay limits as `session` (the database or a transaction) sees them.
    static func limits(_ session: any SQLSession, customerID: RongID) async throws -> EPayLimits {
        guard let row = try await session.first("SELECT per_transaction_fen, per_day_fen FROM payments_customer_limits WHERE customer_id = ?",
                                                [.id(customerID)]) else { return .standard }
        return EPayLimits(perTransactionFen: row.int("per_transaction_fen"), perDayFen: row.int("per_day_fen"))
    }

    /// Changes the customer's e-Pay limits (up to ¥10,000) after a `limit_change` step-up code.
    public func setLimits(_ principal: Principal, perTransactionFen: Int64, perDayFen: Int64, otpChallengeID: RongID, otpCode: String,
                          address: String) async throws -> EPayLimits {
        let customer = try await accounts.customer(of: principal)
        for (value, field) in [(perTransactionFen, "per_transaction_fen"), (perDayFen, "per_day_fen")] {
            guard value >= 1, value <= EPayLimits.raisedMaxFen else {
                throw DomainError(.invalidAmount, "e-Pay limits are ¥0.01 to ¥10,000.00 (higher needs a U盾 at the counter).", status: 422,
                                  extensions: ["field": .string(field)])
            }
        }
        guard perTransactionFen <= perDayFen else {
            throw DomainError(.invalidRequest, "The per-transaction limit cannot exceed the daily limit.", status: 422,
                              extensions: ["field": .string("per_transaction_fen")])
        }
        try await identity.verifyStepUp(principal, purpose: .limitChange, challengeID: otpChallengeID, code: otpCode,
                                        context: "epay-limits:\(perTransactionFen):\(perDayFen)")
        try await database.transaction { tx in
            try await tx.execute("DELETE FROM payments_customer_limits WHERE customer_id = ?", [.id(customer.id)])
            try await tx.execute("INSERT INTO payments_customer_limits (customer_id, per_transaction_fen, per_day_fen, changed_at) VALUES (?, ?, ?, ?)",
                                 [.id(customer.id), .int(perTransactionFen), .int(perDayFen), .time(clock.now())])
            try await identity.audit.record(tx, actor: principal.actorRef, action: "epay.limits", target: "customer:\(customer.id)", address: address,
                                            detail: "per_transaction=\(perTransactionFen) per_day=\(perDayFen)")
        }
        return try await limits(of: customer)
    }

    /// Sends the step-up code for a limit change (bound to the new values).
    public func requestLimitCode(_ principal: Principal, perTransactionFen: Int64, perDayFen: Int64) async throws -> OTPChallenge {
        _ = try await accounts.customer(of: principal)
        return try await identity.requestStepUp(principal, purpose: .limitChange, context: "epay-limits:\(perTransactionFen):\(perDayFen)")
    }

    /// The e-Pay day and month counters a payment on `date` counts against, with their limits.
    static func counters(_ limits: EPayLimits, on date: BusinessDate) -> [(rule: String, period: String, limitFen: Int64)] {
        [("epay_daily", date.iso, limits.perDayFen), ("epay_monthly", String(date.iso.prefix(7)), limits.perMonthFen)]
    }

    static let usage = UsageCounters(table: "payments_limit_usage", ownerColumn: "customer_id")

    /// Reserves a payment on the customer's e-Pay day and month counters inside `tx`; throws
    /// `limit_exceeded` naming the limit. Exactly the limit passes.
    func reserveEPay(_ tx: any SQLSession, customer: Customer, amountFen: Int64, limits: EPayLimits, on date: BusinessDate) async throws {
        if amountFen > limits.perTransactionFen {
            throw AccountsService.limitExceeded(rule: "epay_per_transaction", limitFen: limits.perTransactionFen, usedFen: 0, period: "transaction")
        }
        for counter in PaymentsService.counters(limits, on: date) {
            if let used = try await PaymentsService.usage.reserve(tx, owner: customer.id, rule: counter.rule, period: counter.period,
                                                                  amount: amountFen, limit: counter.limitFen) {
                throw AccountsService.limitExceeded(rule: counter.rule, limitFen: counter.limitFen, usedFen: used, period: counter.period)
            }
        }
    }

    func releaseEPay(_ tx: any SQLSession, customer: Customer, amountFen: Int64, on date: BusinessDate) async throws {
        for counter in PaymentsService.counters(.standard, on: date) {
            try await PaymentsService.usage.release(tx, owner: customer.id, rule: counter.rule, period: counter.period, amount: amountFen)
        }
    }
}
