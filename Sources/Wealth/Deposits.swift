import Accounts
import BankKit
import Foundation
import Identity
import Ledger
import Storage

/// A time deposit (整存整取) or a 节节高 (靠档计息) deposit. Its principal is the balance of the
/// ledger account with the same id; this row holds its terms.
public struct Deposit: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable { case time, tiered }
    public enum OnMaturity: String, Sendable, Codable, CaseIterable { case renew, returnToAccount = "return" }

    public let id: RongID
    public let customerID: RongID
    public let kind: Kind
    public let sourceAccountID: RongID
    /// The amount first placed (the current principal is the ledger balance).
    public let openingPrincipalFen: Int64
    public let termMonths: Int?
    /// The rate locked for the current term (time deposits).
    public let rate: AnnualRate?
    /// The ladder and its rates as of opening (tiered deposits).
    public let tiers: [LockedTier]
    public let openedOn: BusinessDate
    /// Start of the current term (the last renewal for a rolled-over time deposit).
    public let termStart: BusinessDate
    public let maturesOn: BusinessDate?
    public let onMaturity: OnMaturity
    public let partialWithdrawn: Bool
    /// `open` or `closed`.
    public let status: String
    public let closedOn: BusinessDate?
}

/// A tier with the rate it was locked at.
public struct LockedTier: Sendable, Hashable, Codable {
    public let fromDays: Int
    public let product: RateProduct
    public let rateMicros: Int64
    public var rate: AnnualRate { AnnualRate(micros: rateMicros) }
}

/// What withdrawing would pay, or paid: principal, interest, and how the interest was found.
public struct DepositQuote: Sendable, Hashable {
    public let principalFen: Int64
    public let interestFen: Int64
    public let daysHeld: Int
    public let rate: AnnualRate
    /// `demand` (early or after maturity), `term`, `term+overdue`, or the tier reached (`tier:notice_7d`).
    public let basis: String
    public let detail: String
}

/// One line of a deposit's history.
public struct DepositEvent: Sendable, Hashable {
    public let id: RongID
    public let kind: String
    public let onDate: BusinessDate
    public let principalFen: Int64
    public let interestFen: Int64
    public let rate: AnnualRate
    public let days: Int
    public let detail: String
    public let createdAt: Timestamp
}

/// A deposit with its current principal and what withdrawing it all today would pay.
public struct DepositView: Sendable, Hashable {
    public let deposit: Deposit
    public let principalFen: Int64
    public let ifWithdrawnToday: DepositQuote?
    /// Interest at maturity if held to term (time deposits).
    public let interestAtMaturityFen: Int64?
}

extension WealthService {
    public static let depositTermsMonths = [3, 6, 12, 24, 36, 60]
    /// 整存整取 opens from ¥50; a partial early withdrawal must leave at least that.
    public static let depositMinimumFen: Int64 = 50_00
    public static let depositMaximumFen: Int64 = 10_000_000_00
    public static let depositsPerCustomerMax = 200

    // MARK: Opening

    /// Opens a time deposit of `termMonths` from the customer's Class I or II account at today's rate.
    public func openTimeDeposit(_ principal: Principal, sourceAccountID: RongID, amountFen: Int64, termMonths: Int,
                                onMaturity: Deposit.OnMaturity, idempotencyKey: String?, address: String) async throws -> DepositView {
        guard let product = RateProduct.time(months: termMonths) else {
            throw DomainError(.termNotOffered, "Time deposits are offered for \(WealthService.depositTermsMonths.map(String.init).joined(separator: ", ")) months; got \(termMonths).",
                              status: 422, extensions: ["field": .string("term_months")])
        }
        let today = clock.businessDate()
        let rate = try await rate(product, on: today)
        let deposit = try await open(principal, kind: .time, sourceAccountID: sourceAccountID, amountFen: amountFen, termMonths: termMonths,
                                     rate: rate, tiers: [], maturesOn: today.adding(months: termMonths), onMaturity: onMaturity,
                                     idempotencyKey: idempotencyKey, address: address)
        return try await view(deposit)
    }

    /// Opens a 节节高 deposit: no term; on withdrawal, interest at the highest tier reached.
    public func openTieredDeposit(_ principal: Principal, sourceAccountID: RongID, amountFen: Int64, idempotencyKey: String?,
                                  address: String) async throws -> DepositView {
        let today = clock.businessDate()
        var tiers: [LockedTier] = []
        for tier in try await tierLadder() {
            tiers.append(LockedTier(fromDays: tier.fromDays, product: tier.product, rateMicros: try await rate(tier.product, on: today).micros))
        }
        let deposit = try await open(principal, kind: .tiered, sourceAccountID: sourceAccountID, amountFen: amountFen, termMonths: nil, rate: nil,
                                     tiers: tiers, maturesOn: nil, onMaturity: .returnToAccount, idempotencyKey: idempotencyKey, address: address)
        return try await view(deposit)
    }

    private func open(_ principal: Principal, kind: Deposit.Kind, sourceAccountID: RongID, amountFen: Int64, termMonths: Int?, rate: AnnualRate?,
                      tiers: [LockedTier], maturesOn: BusinessDate?, onMaturity: Deposit.OnMaturity, idempotencyKey: String?,
                      address: String) async throws -> Deposit {
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        let (customer, source) = try await investingAccount(principal, id: sourceAccountID)
        guard amountFen >= WealthService.depositMinimumFen, amountFen <= WealthService.depositMaximumFen else {
            throw DomainError(.belowMinimum, "A deposit is from \(Money.fen(WealthService.depositMinimumFen).formatted) to \(Money.fen(WealthService.depositMaximumFen).formatted).",
                              status: 422, extensions: ["field": .string("amount"), "minimum_fen": .int(WealthService.depositMinimumFen)])
        }
        let id = RongID.derived("wealth.deposit", customer.id, key)
        let hash = Array("\(kind.rawValue)|\(sourceAccountID)|\(amountFen)|\(termMonths ?? 0)|\(onMaturity.rawValue)".utf8)
        if let existing = try await existingDeposit(id, hash: hash) { return existing }
        let count = try await database.first("SELECT COUNT(*) AS n FROM wealth_deposits WHERE customer_id = ? AND status = 'open'", [.id(customer.id)])?.int("n") ?? 0
        guard count < WealthService.depositsPerCustomerMax else {
            throw DomainError(.limitExceeded, "At most \(WealthService.depositsPerCustomerMax) open deposits per customer.", status: 422)
        }
        let available = try await ledger.account(source.id)?.balance.availableCreditBalance ?? 0
        guard available >= amountFen else {
            throw DomainError(.insufficientFunds, "The account does not have enough available balance.", status: 422,
                              extensions: ["available_fen": .int(available)])
        }
        let today = clock.businessDate()
        let tiersJSON = tiers.isEmpty ? nil : String(decoding: try JSONEncoder().encode(tiers), as: UTF8.self)
        // The row first (`opening`), then the ledger: a refusal removes the row; a crash in between
        // is finished or undone by `resolveOpeningDeposits`.
        do {
            try await database.execute(
                """
                INSERT INTO wealth_deposits (id, customer_id, kind, source_account_id, principal_fen, term_months, rate_micros, tiers, opened_on, term_start,
                    matures_on, on_maturity, partial_withdrawn, status, idempotency_key, request_hash, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'opening', ?, ?, ?)
                """,
                [.id(id), .id(customer.id), .text(kind.rawValue), .id(source.id), .int(amountFen), termMonths.map { .int(Int64($0)) } ?? .null,
                 rate.map { .int($0.micros) } ?? .null, tiersJSON.map { .text($0) } ?? .null, .date(today), .date(today),
                 maturesOn.map { .date($0) } ?? .null, .text(onMaturity.rawValue), .text(key), .blob(hash), .time(clock.now())])
        } catch let error as StorageError where error.kind == .uniqueViolation {
            if let existing = try await existingDeposit(id, hash: hash) { return existing }
            throw error
        }
        try await ledger.createAccount(NewAccount(id: id, asset: .cny, chartCode: kind == .time ? WealthChart.timeDeposits : WealthChart.tieredDeposits,
                                                  ownerRef: "customer:\(customer.id)", flags: [.debitsMustNotExceedCredits]))
        let memo = kind == .time ? "存入整存整取\(termMonths ?? 0)个月" : "存入节节高"
        do {
            try await accounts.post([.posted(id: RongID.derived("wealth.deposit.place", id), from: source.id, to: id, amount: amountFen,
                                    code: WealthTransferCode.depositPlacement, metadata: AccountsService.memo(memo))])
        } catch {
            // Refused: the row goes; the empty ledger account stays open, so the same key may try again.
            try await database.execute("DELETE FROM wealth_deposits WHERE id = ? AND status = 'opening'", [.id(id)])
            throw error
        }
        try await database.transaction { tx in
            try await tx.execute("UPDATE wealth_deposits SET status = 'open' WHERE id = ? AND status = 'opening'", [.id(id)])
            try await recordEvent(tx, depositID: id, kind: "open", on: today, principalFen: amountFen, interestFen: 0, rate: rate ?? AnnualRate(micros: 0),
                                  days: 0, detail: memo)
            try await identity.audit.record(tx, actor: principal.actorRef, action: "wealth.deposit.open", target: "deposit:\(id)", address: address,
                                            detail: "\(kind.rawValue) \(Money.fen(amountFen).formatted)")
        }
        return try await deposit(id: id)!
    }

    /// A deposit under this key: the same request again returns it; another request is a conflict.
    private func existingDeposit(_ id: RongID, hash: [UInt8]) async throws -> Deposit? {
        guard let row = try await database.first("SELECT request_hash, status FROM wealth_deposits WHERE id = ?", [.id(id)]) else { return nil }
        guard case .blob(let stored) = row["request_hash"], stored == hash else {
            throw DomainError(.idempotencyConflict, "This Idempotency-Key was used with a different request.", status: 409)
        }
        if row.text("status") == "opening" { _ = try await resolveOpening(id) }
        return try await deposit(id: id)
    }

    /// Finishes (ledger moved the money) or removes (it did not) a deposit a crash left `opening`.
    func resolveOpening(_ id: RongID) async throws -> Bool {
        if try await ledger.transfer(RongID.derived("wealth.deposit.place", id)) != nil {
            try await database.execute("UPDATE wealth_deposits SET status = 'open' WHERE id = ? AND status = 'opening'", [.id(id)])
            return true
        }
        try await database.execute("DELETE FROM wealth_deposits WHERE id = ? AND status = 'opening'", [.id(id)])
        return false
    }

    /// Resolves deposits left `opening` for over a minute (an end-of-day step calls it).
    public func resolveOpeningDeposits() async throws -> Int {
        let rows = try await database.query("SELECT id FROM wealth_deposits WHERE status = 'opening' AND created_at <= ? LIMIT 1000",
                                            [.time(clock.now().adding(seconds: -60))])
        for row in rows { _ = try await resolveOpening(row.id("id")) }
        return rows.count
    }

    // MARK: Reading

    public func deposits(_ principal: Principal) async throws -> [DepositView] {
        let customer = try await accounts.customer(of: principal)
        let rows = try await database.query("SELECT \(WealthService.depositColumns) FROM wealth_deposits WHERE customer_id = ? AND status <> 'opening' ORDER BY created_at DESC LIMIT 200",
                                            [.id(customer.id)])
        var views: [DepositView] = []
        for row in rows { views.append(try await view(try WealthService.deposit(row))) }
        return views
    }

    public func deposit(_ principal: Principal, id: RongID) async throws -> (DepositView, [DepositEvent]) {
        let customer = try await accounts.customer(of: principal)
        guard let deposit = try await deposit(id: id), deposit.customerID == customer.id, deposit.status != "opening" else { throw DomainError.notFound("Deposit") }
        let events = try await database.query(
            "SELECT id, kind, on_date, principal_fen, interest_fen, rate_micros, days, detail, created_at FROM wealth_deposit_events WHERE deposit_id = ? ORDER BY created_at LIMIT 500",
            [.id(id)]).map { row in
                DepositEvent(id: row.id("id"), kind: row.text("kind"), onDate: row.date("on_date"), principalFen: row.int("principal_fen"),
                             interestFen: row.int("interest_fen"), rate: AnnualRate(micros: row.int("rate_micros")), days: Int(row.int("days")),
                             detail: row.text("detail"), createdAt: row.time("created_at"))
            }
        return (try await view(deposit), events)
    }

    func deposit(id: RongID) async throws -> Deposit? {
        try await database.first("SELECT \(WealthService.depositColumns) FROM wealth_deposits WHERE id = ?", [.id(id)]).map { try WealthService.deposit($0) }
    }

    func view(_ deposit: Deposit) async throws -> DepositView {
        let principalFen = try await ledger.account(deposit.id)?.balance.postedCreditBalance ?? 0
        guard deposit.status == "open", principalFen > 0 else {
            return DepositView(deposit: deposit, principalFen: principalFen, ifWithdrawnToday: nil, interestAtMaturityFen: nil)
        }
        let quote = try await quote(deposit, amountFen: principalFen, principalFen: principalFen, on: clock.businessDate())
        let atMaturity = deposit.kind == .time ? InterestMath.termInterestFen(principalFen: principalFen, rate: deposit.rate!, months: deposit.termMonths!) : nil
        return DepositView(deposit: deposit, principalFen: principalFen, ifWithdrawnToday: quote, interestAtMaturityFen: atMaturity)
    }

    // MARK: Interest

    /// What withdrawing `amountFen` of a deposit holding `principalFen` on `date` pays.
    func quote(_ deposit: Deposit, amountFen: Int64, principalFen: Int64, on date: BusinessDate) async throws -> DepositQuote {
        let days = deposit.termStart.days(until: date)
        switch deposit.kind {
        case .tiered:
            let ladder = deposit.tiers
            let reached = ladder.last { $0.fromDays <= days } ?? ladder[0]
            let interest = InterestMath.interestFen(principalFen: amountFen, rate: reached.rate, days: days)
            return DepositQuote(principalFen: amountFen, interestFen: interest, daysHeld: days, rate: reached.rate, basis: "tier:\(reached.product.rawValue)",
                                detail: "持有\(days)天，按\(reached.product.nameZh)利率\(reached.rate)计息")
        case .time:
            let maturity = deposit.maturesOn!
            if date < maturity {
                // Early: the part withdrawn earns the demand rate posted on the withdrawal date.
                let demand = try await rate(.demand, on: date)
                let interest = InterestMath.interestFen(principalFen: amountFen, rate: demand, days: days)
                return DepositQuote(principalFen: amountFen, interestFen: interest, daysHeld: days, rate: demand, basis: "demand",
                                    detail: "提前支取\(days)天，按支取日活期利率\(demand)计息")
            }
            // At or after maturity: the term at the locked rate, days after maturity at the demand rate.
            let term = InterestMath.termInterestFen(principalFen: amountFen, rate: deposit.rate!, months: deposit.termMonths!)
            let overdueDays = maturity.days(until: date)
            let demand = try await rate(.demand, on: date)
            let overdue = InterestMath.interestFen(principalFen: amountFen, rate: demand, days: overdueDays)
            return DepositQuote(principalFen: amountFen, interestFen: term + overdue, daysHeld: days, rate: deposit.rate!,
                                basis: overdueDays > 0 ? "term+overdue" : "term",
                                detail: overdueDays > 0 ? "到期利息按\(deposit.rate!)，逾期\(overdueDays)天按活期\(demand)" : "到期利息按\(deposit.rate!)")
        }
    }

    /// The quote for withdrawing `amountFen` (all when nil) today, without withdrawing.
    public func quoteWithdrawal(_ principal: Principal, depositID: RongID, amountFen: Int64?) async throws -> DepositQuote {
        let (deposit, held) = try await openDeposit(principal, depositID)
        let amount = amountFen ?? held
        try checkWithdrawal(deposit, amountFen: amount, principalFen: held, on: clock.businessDate())
        return try await quote(deposit, amountFen: amount, principalFen: held, on: clock.businessDate())
    }

    // MARK: Withdrawing

    /// Withdraws `amountFen` (all when nil) with its interest to the account the deposit came from.
    /// A time deposit allows one partial early withdrawal; the rest keeps its rate and maturity.
    public func withdraw(_ principal: Principal, depositID: RongID, amountFen: Int64?, idempotencyKey: String?, address: String) async throws -> DepositQuote {
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        let eventID = RongID.derived("wealth.deposit.withdraw", depositID, key)
        if let done = try await withdrawalEvent(eventID, depositID: depositID) {
            // A replay answers only the owner, and only the same request (the stored basis is the event's kind).
            guard let deposit = try await deposit(id: depositID), deposit.customerID == (try await accounts.customer(of: principal).id) else {
                throw DomainError.notFound("Deposit")
            }
            guard amountFen.map({ $0 == done.principalFen }) ?? (done.basis == "withdraw") else {
                throw DomainError(.idempotencyConflict, "This Idempotency-Key was used with a different request.", status: 409)
            }
            // A withdrawal cut off after its event was written finishes now (the payout ids derive from the event).
            if try await ledger.transfer(RongID.derived("wealth.deposit.principal", eventID)) == nil {
                try await payOut(deposit, eventID: eventID, quote: done, memo: done.basis == "withdraw" ? "支取存款" : "部分提前支取")
            }
            try await finishWithdrawal(deposit, full: done.basis == "withdraw", on: clock.businessDate())
            return done
        }
        let (deposit, held) = try await openDeposit(principal, depositID)
        let today = clock.businessDate()
        let amount = amountFen ?? held
        try checkWithdrawal(deposit, amountFen: amount, principalFen: held, on: today)
        let quote = try await quote(deposit, amountFen: amount, principalFen: held, on: today)
        let isFull = amount == held
        let kind = isFull ? "withdraw" : "partial"
        // The event first (what will be paid), then the money, then the deposit's state: a crash at
        // any point is finished by the same request again, and nothing is paid twice.
        try await database.transaction { tx in
            try await recordEvent(tx, id: eventID, depositID: deposit.id, kind: kind, on: today, principalFen: amount, interestFen: quote.interestFen,
                                  rate: quote.rate, days: quote.daysHeld, detail: quote.detail)
            try await identity.audit.record(tx, actor: principal.actorRef, action: "wealth.deposit.\(kind)", target: "deposit:\(deposit.id)", address: address,
                                            detail: "\(Money.fen(amount).formatted) + \(Money.fen(quote.interestFen).formatted)")
        }
        do {
            try await payOut(deposit, eventID: eventID, quote: quote, memo: isFull ? "支取存款" : "部分提前支取")
        } catch {
            // Refused (another withdrawal got there first, the account closed): nothing moved.
            try await database.execute("DELETE FROM wealth_deposit_events WHERE id = ?", [.id(eventID)])
            throw error
        }
        try await finishWithdrawal(deposit, full: isFull, on: today)
        return quote
    }

    /// Marks a deposit after a payout: closed (and its ledger account with it) or partly withdrawn. Idempotent.
    private func finishWithdrawal(_ deposit: Deposit, full: Bool, on date: BusinessDate) async throws {
        if full {
            try await database.execute("UPDATE wealth_deposits SET status = 'closed', closed_on = ? WHERE id = ? AND status = 'open'",
                                       [.date(date), .id(deposit.id)])
            _ = try await ledger.setClosed(deposit.id, closed: true)
        } else if deposit.kind == .time {
            try await database.execute("UPDATE wealth_deposits SET partial_withdrawn = 1 WHERE id = ?", [.id(deposit.id)])
        }
    }

    private func withdrawalEvent(_ id: RongID, depositID: RongID) async throws -> DepositQuote? {
        guard let row = try await database.first("SELECT principal_fen, interest_fen, rate_micros, days, detail, kind FROM wealth_deposit_events WHERE id = ? AND deposit_id = ?",
                                                  [.id(id), .id(depositID)]) else { return nil }
        return DepositQuote(principalFen: row.int("principal_fen"), interestFen: row.int("interest_fen"), daysHeld: Int(row.int("days")),
                            rate: AnnualRate(micros: row.int("rate_micros")), basis: row.text("kind"), detail: row.text("detail"))
    }

    private func openDeposit(_ principal: Principal, _ id: RongID) async throws -> (Deposit, Int64) {
        let customer = try await accounts.customer(of: principal)
        guard let deposit = try await deposit(id: id), deposit.customerID == customer.id, deposit.status != "opening" else { throw DomainError.notFound("Deposit") }
        guard deposit.status == "open" else { throw DomainError(.depositNotOpen, "The deposit is already closed.", status: 422) }
        let held = try await ledger.account(id)?.balance.postedCreditBalance ?? 0
        return (deposit, held)
    }

    private func checkWithdrawal(_ deposit: Deposit, amountFen: Int64, principalFen: Int64, on date: BusinessDate) throws(DomainError) {
        guard amountFen > 0, amountFen <= principalFen else {
            throw DomainError(.invalidAmount, "Withdraw more than ¥0.00 and at most the principal \(Money.fen(principalFen).formatted).", status: 422,
                              extensions: ["principal_fen": .int(principalFen)])
        }
        guard amountFen < principalFen else { return }
        guard principalFen - amountFen >= WealthService.depositMinimumFen else {
            throw DomainError(.belowMinimum, "What stays must be at least \(Money.fen(WealthService.depositMinimumFen).formatted); withdraw it all instead.", status: 422)
        }
        if deposit.kind == .time {
            guard date < deposit.maturesOn! else {
                throw DomainError(.invalidRequest, "A matured time deposit is withdrawn in full.", status: 422)
            }
            guard !deposit.partialWithdrawn else {
                throw DomainError(.partialWithdrawalUsed, "This time deposit already had its one partial early withdrawal; withdraw the rest in full.", status: 422)
            }
        }
    }

    /// Principal back to the source account and interest from interest expense, linked.
    private func payOut(_ deposit: Deposit, eventID: RongID, quote: DepositQuote, memo: String) async throws {
        var transfers: [TransferRequest] = [
            .posted(id: RongID.derived("wealth.deposit.principal", eventID), from: deposit.id, to: deposit.sourceAccountID, amount: quote.principalFen,
                    code: WealthTransferCode.depositPrincipal, linked: quote.interestFen > 0, metadata: AccountsService.memo(memo)),
        ]
        if quote.interestFen > 0 {
            transfers.append(.posted(id: RongID.derived("wealth.deposit.interest", eventID), from: WealthLedgerAccounts.interestExpense, to: deposit.sourceAccountID,
                                     amount: quote.interestFen, code: WealthTransferCode.depositInterest, metadata: AccountsService.memo("存款利息")))
        }
        try await accounts.post(transfers)
    }

    // MARK: Maturity (end of day)

    /// Deposits maturing on the day after `date` (the run is after midnight, on that day) or
    /// earlier and not yet handled: renewed for the same term at the rate of the maturity date with
    /// the interest added (本息转存), or paid back with interest to the source account. Days between
    /// maturity and handling earn the demand rate.
    public func processMaturities(for date: BusinessDate, limit: Int = 1000) async throws -> (renewed: Int, returned: Int) {
        try requireDayEnded(date)
        let processingDay = date.adding(days: 1)
        let rows = try await database.query(
            "SELECT \(WealthService.depositColumns) FROM wealth_deposits WHERE status = 'open' AND kind = 'time' AND matures_on <= ? ORDER BY matures_on LIMIT ?",
            [.date(processingDay), .int(Int64(limit))])
        var renewed = 0, returned = 0
        for row in rows {
            let deposit = try WealthService.deposit(row)
            let held = try await ledger.account(deposit.id)?.balance.postedCreditBalance ?? 0
            // A renewal rolls on the maturity date itself (no overdue days); a return pays to the day.
            let quote = try await quote(deposit, amountFen: held, principalFen: held,
                                        on: deposit.onMaturity == .renew ? deposit.maturesOn! : processingDay)
            let eventID = RongID.derived("wealth.deposit.mature", deposit.id, deposit.maturesOn!.iso)
            switch deposit.onMaturity {
            case .renew:
                let months = deposit.termMonths!
                // The new term starts on the maturity date, at the rate in force that day (not the day it was handled).
                let newRate = try await rate(RateProduct.time(months: months)!, on: deposit.maturesOn!)
                if quote.interestFen > 0 {
                    try await accounts.post([.posted(id: RongID.derived("wealth.deposit.interest", eventID), from: WealthLedgerAccounts.interestExpense, to: deposit.id,
                                            amount: quote.interestFen, code: WealthTransferCode.depositInterest, metadata: AccountsService.memo("到期利息转存"))])
                }
                let start = deposit.maturesOn!
                try await database.transaction { tx in
                    try await tx.execute(
                        "UPDATE wealth_deposits SET term_start = ?, matures_on = ?, rate_micros = ?, partial_withdrawn = 0 WHERE id = ? AND matures_on = ?",
                        [.date(start), .date(start.adding(months: months)), .int(newRate.micros), .id(deposit.id), .date(start)])
                    try await recordEvent(tx, id: eventID, depositID: deposit.id, kind: "renew", on: processingDay, principalFen: held + quote.interestFen,
                                          interestFen: quote.interestFen, rate: newRate, days: quote.daysHeld,
                                          detail: "\(quote.detail)；本息转存\(months)个月，新利率\(newRate)")
                }
                renewed += 1
            case .returnToAccount:
                do {
                    try await payOut(deposit, eventID: eventID, quote: quote, memo: "定期到期支取")
                } catch let error as DomainError where error.code == .accountClosed {
                    logger.warning("matured deposit cannot return to a closed account", metadata: ["deposit": "\(deposit.id)"])
                    continue
                }
                try await database.transaction { tx in
                    try await tx.execute("UPDATE wealth_deposits SET status = 'closed', closed_on = ? WHERE id = ? AND status = 'open'",
                                         [.date(processingDay), .id(deposit.id)])
                    try await recordEvent(tx, id: eventID, depositID: deposit.id, kind: "mature", on: processingDay, principalFen: held,
                                          interestFen: quote.interestFen, rate: quote.rate, days: quote.daysHeld, detail: quote.detail)
                }
                _ = try await ledger.setClosed(deposit.id, closed: true)
                returned += 1
            }
        }
        return (renewed, returned)
    }

    // MARK: Tier ladder

    /// The 节节高 ladder new deposits lock (operators may change it; open deposits keep theirs).
    public func tierLadder() async throws -> [DepositTier] {
        guard let row = try await database.first("SELECT value FROM wealth_settings WHERE name = 'tiers'"),
              let ladder = try? JSONDecoder().decode([DepositTier].self, from: Data(row.text("value").utf8)) else { return DepositTier.standard }
        return ladder
    }

    public func setTierLadder(by staff: Principal, _ ladder: [DepositTier], address: String) async throws {
        try DepositTier.validate(ladder)
        let json = String(decoding: try JSONEncoder().encode(ladder), as: UTF8.self)
        try await database.transaction { tx in
            try await tx.execute("DELETE FROM wealth_settings WHERE name = 'tiers'")
            try await tx.execute("INSERT INTO wealth_settings (name, value, updated_at) VALUES ('tiers', ?, ?)", [.text(json), .time(clock.now())])
            try await identity.audit.record(tx, actor: staff.actorRef, action: "wealth.tiers.set", target: "setting:tiers", address: address, detail: json)
        }
    }

    // MARK: Rows

    func recordEvent(_ tx: any SQLSession, id: RongID? = nil, depositID: RongID, kind: String, on date: BusinessDate, principalFen: Int64,
                     interestFen: Int64, rate: AnnualRate, days: Int, detail: String) async throws {
        try await tx.execute(
            """
            INSERT INTO wealth_deposit_events (id, deposit_id, kind, on_date, principal_fen, interest_fen, rate_micros, days, detail, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """,
            [.id(id ?? ids.next()), .id(depositID), .text(kind), .date(date), .int(principalFen), .int(interestFen), .int(rate.micros), .int(Int64(days)),
             .text(detail), .time(clock.now())])
    }

    static let depositColumns = """
        id, customer_id, kind, source_account_id, principal_fen, term_months, rate_micros, tiers, opened_on, term_start, matures_on, on_maturity,
        partial_withdrawn, status, closed_on
        """

    static func deposit(_ row: SQLRow) throws -> Deposit {
        let tiers = try row.optionalText("tiers").map { try JSONDecoder().decode([LockedTier].self, from: Data($0.utf8)) } ?? []
        return Deposit(id: row.id("id"), customerID: row.id("customer_id"), kind: Deposit.Kind(rawValue: row.text("kind")) ?? .time,
                       sourceAccountID: row.id("source_account_id"), openingPrincipalFen: row.int("principal_fen"),
                       termMonths: row.optionalInt("term_months").map(Int.init), rate: row.optionalInt("rate_micros").map(AnnualRate.init(micros:)),
                       tiers: tiers, openedOn: row.date("opened_on"), termStart: row.date("term_start"),
                       maturesOn: row.optionalText("matures_on").flatMap { try? BusinessDate(iso: $0) },
                       onMaturity: Deposit.OnMaturity(rawValue: row.text("on_maturity")) ?? .returnToAccount,
                       partialWithdrawn: row.int("partial_withdrawn") != 0, status: row.text("status"),
                       closedOn: row.optionalText("closed_on").flatMap { try? BusinessDate(iso: $0) })
    }
}
