import Accounts
import BankKit
import Identity
import Ledger
import Payments
import Storage

/// Revolving lines for merchants: merchant 逸贷 (sized from the merchant's own settled e-Pay
/// turnover, repaid automatically from each day's proceeds) and 网贷通 (a contract an operator
/// offers and the merchant signs once, up to ¥30 million for up to 2 years). Both: draw and
/// repay any time in real time; interest daily on the drawn amount only, settled on the 20th;
/// no draws while interest is in arrears.
extension LendingService {
    static let lineSelect = """
        SELECT id, kind, merchant_id, account_id, limit_fen, rate_micros, penalty_rate_micros, valid_from, valid_until, status, decision_id,
            arrears_fen, accrued_through, created_by, created_at, signed_at FROM lending_lines
        """

    static func line(_ row: SQLRow) -> CreditLine {
        CreditLine(id: row.id("id"), kind: CreditLine.Kind(rawValue: row.text("kind")) ?? .merchant, merchantID: row.id("merchant_id"),
                   accountID: row.id("account_id"), limitFen: row.int("limit_fen"), annualRate: Rate(micros: row.int("rate_micros")),
                   penaltyAnnual: Rate(micros: row.int("penalty_rate_micros")), validFrom: row.date("valid_from"), validUntil: row.date("valid_until"),
                   status: CreditLine.Status(rawValue: row.text("status")) ?? .offered, decisionID: row.optionalID("decision_id"),
                   arrearsFen: row.int("arrears_fen"), accruedThrough: row.optionalText("accrued_through").flatMap { try? BusinessDate(iso: $0) },
                   createdBy: row.text("created_by"), createdAt: row.time("created_at"),
                   signedAt: row.optionalInt("signed_at").map(Timestamp.init(nanosecondsSinceEpoch:)))
    }

    public func line(id: RongID) async throws -> CreditLine? {
        try await database.first("\(LendingService.lineSelect) WHERE id = ?", [.id(id)]).map(LendingService.line)
    }

    public func lineView(_ id: RongID) async throws -> CreditLineView {
        guard let line = try await line(id: id) else { throw DomainError.notFound("Credit line") }
        return CreditLineView(line: line, drawnFen: try await debitBalance(id), interestOwedFen: try await debitBalance(LendingLedgerAccounts.receivable(of: id)),
                              events: try await events(of: id))
    }

    /// The signed-in merchant's lines.
    public func merchantLines(_ principal: Principal) async throws -> [CreditLineView] {
        let merchant = try await payments.merchant(of: principal)
        var views: [CreditLineView] = []
        for row in try await database.query("SELECT id FROM lending_lines WHERE merchant_id = ? ORDER BY kind", [.id(merchant.id)]) {
            views.append(try await lineView(row.id("id")))
        }
        return views
    }

    func ownedLine(_ principal: Principal, id: RongID) async throws -> CreditLine {
        let merchant = try await payments.merchant(of: principal)
        guard let line = try await line(id: id), line.merchantID == merchant.id else { throw DomainError.notFound("Credit line") }
        return line
    }

    // MARK: Merchant 逸贷

    /// Sizes (or re-sizes) the merchant's 逸贷 line from its net e-Pay turnover over the last six
    /// full months: the monthly average × 50%, rounded down to ¥100, from ¥10,000 to ¥1,000,000.
    /// Below the floor the application is declined with the reason recorded. A re-size never
    /// takes the limit below what is drawn.
    public func applyForMerchantLine(_ principal: Principal, address: String) async throws -> CreditLineView {
        let merchant = try await payments.merchant(of: principal)
        let today = self.today
        let months = try await payments.monthlyTurnover(merchantID: merchant.id, months: LendingProducts.merchantTurnoverMonths, before: today)
        let average = months.reduce(Int64(0)) { $0 + max(0, $1.netFen) } / Int64(months.count)
        let sized = average * LendingProducts.merchantLineFactorPercent / 100 / 100_00 * 100_00
        var reasons: [String] = []
        if sized > LendingProducts.merchantLineCapFen { reasons.append(CreditReason.cappedAtMaximum.rawValue) }
        let approved = sized >= LendingProducts.merchantLineFloorFen
        if !approved { reasons.append("insufficient_turnover") }
        let limit = approved ? min(sized, LendingProducts.merchantLineCapFen) : 0
        var inputs = Dictionary(uniqueKeysWithValues: months.map { ("turnover_\($0.period)", Money.fen($0.netFen).formatted) })
        inputs["average_monthly_turnover"] = Money.fen(average).formatted
        inputs["factor_percent"] = String(LendingProducts.merchantLineFactorPercent)
        let decision = try await recordDecision(subjectRef: "merchant:\(merchant.id)", product: "merchant_line", inputs: inputs, approved: approved,
                                                limitFen: limit, score: 0, points: [:], reasons: reasons)
        guard approved else {
            throw DomainError(.creditDeclined,
                              "Average monthly e-Pay turnover of \(Money.fen(average).formatted) supports no line (the smallest is \(Money.fen(LendingProducts.merchantLineFloorFen).formatted)).",
                              status: 422, extensions: ["reasons": .string(reasons.joined(separator: ",")), "decision_id": .string(decision.id.description)])
        }
        let id = RongID.derived("lending.line", merchant.id, CreditLine.Kind.merchant.rawValue)
        try await openLedgerAccounts(for: id, ownerRef: "merchant:\(merchant.id)")
        let until = today.adding(months: LendingProducts.merchantLineValidMonths)
        try await locks.withLock([id]) {
            let drawn = try await self.debitBalance(id)
            try await self.database.transaction { tx in
                if try await tx.first("SELECT id FROM lending_lines WHERE id = ?", [.id(id)]) == nil {
                    try await tx.execute(
                        """
                        INSERT INTO lending_lines (id, kind, merchant_id, account_id, limit_fen, rate_micros, penalty_rate_micros, valid_from, valid_until,
                            status, decision_id, created_by, created_at, signed_at) VALUES (?, 'merchant', ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)
                        """,
                        [.id(id), .id(merchant.id), .id(merchant.settlementAccountID), .int(limit), .int(LendingProducts.merchantLineAnnual.micros),
                         .int(LendingProducts.merchantLineAnnual.penalty(multiplierPermille: LendingProducts.penaltyMultiplierPermille).micros),
                         .date(today), .date(until), .id(decision.id), .text(principal.actorRef), .time(self.clock.now()), .time(self.clock.now())])
                } else {
                    try await tx.execute("UPDATE lending_lines SET limit_fen = ?, valid_until = ?, decision_id = ?, status = 'active' WHERE id = ?",
                                         [.int(max(limit, drawn)), .date(until), .id(decision.id), .id(id)])
                }
                try await self.identity.audit.record(tx, actor: principal.actorRef, action: "lending.line.size", target: "line:\(id)", address: address,
                                                     detail: "limit=\(limit)")
            }
        }
        return try await lineView(id)
    }

    // MARK: 网贷通

    /// An operator offers a 网贷通 contract to a merchant: limit, rate and validity (≤ 2 years).
    public func offerRevolvingLine(by staff: Principal, merchantID: RongID, limitFen: Int64, annualRate: Rate?, validMonths: Int,
                                   address: String) async throws -> CreditLineView {
        try staff.requireOperator("Operators offer 网贷通 contracts.")
        guard let merchant = try await payments.merchant(id: merchantID) else { throw DomainError.notFound("Merchant") }
        guard (LendingProducts.revolvingLimitMinFen...LendingProducts.revolvingLimitMaxFen).contains(limitFen) else {
            throw DomainError(.loanAmountOutOfRange,
                              "A 网贷通 limit is from \(Money.fen(LendingProducts.revolvingLimitMinFen).formatted) to \(Money.fen(LendingProducts.revolvingLimitMaxFen).formatted).",
                              status: 422, extensions: ["field": .string("limit")])
        }
        guard (1...LendingProducts.revolvingValidMonthsMax).contains(validMonths) else {
            throw DomainError(.termNotOffered, "A 网贷通 contract runs 1 to \(LendingProducts.revolvingValidMonthsMax) months.", status: 422,
                              extensions: ["field": .string("valid_months")])
        }
        let rate = annualRate ?? LendingProducts.revolvingDefaultAnnual
        guard rate.micros > 0, rate <= Rate.maxAnnual else {
            throw DomainError(.loanRateOutOfRange, "The annual rate must be above 0% and at most \(Rate.maxAnnual).", status: 422,
                              extensions: ["field": .string("annual_rate")])
        }
        let id = RongID.derived("lending.line", merchant.id, CreditLine.Kind.revolving.rawValue)
        if let existing = try await line(id: id), existing.status != .closed {
            throw DomainError(.lineAlreadyExists, "This merchant already has a 网贷通 contract (\(existing.status.rawValue)).", status: 409)
        }
        let today = self.today
        try await openLedgerAccounts(for: id, ownerRef: "merchant:\(merchant.id)")
        try await database.transaction { tx in
            try await tx.execute("DELETE FROM lending_lines WHERE id = ? AND status = 'closed'", [.id(id)])
            try await tx.execute(
                """
                INSERT INTO lending_lines (id, kind, merchant_id, account_id, limit_fen, rate_micros, penalty_rate_micros, valid_from, valid_until,
                    status, created_by, created_at) VALUES (?, 'revolving', ?, ?, ?, ?, ?, ?, ?, 'offered', ?, ?)
                """,
                [.id(id), .id(merchant.id), .id(merchant.settlementAccountID), .int(limitFen), .int(rate.micros),
                 .int(rate.penalty(multiplierPermille: LendingProducts.penaltyMultiplierPermille).micros), .date(today),
                 .date(today.adding(months: validMonths)), .text(staff.actorRef), .time(clock.now())])
            try await identity.audit.record(tx, actor: staff.actorRef, action: "lending.line.offer", target: "line:\(id)", address: address,
                                            detail: "limit=\(limitFen) rate=\(rate.micros) months=\(validMonths)")
        }
        return try await lineView(id)
    }

    /// The merchant signs the 网贷通 contract once; its validity runs from today for the offered months.
    public func signRevolvingLine(_ principal: Principal, lineID: RongID, address: String) async throws -> CreditLineView {
        let line = try await ownedLine(principal, id: lineID)
        if line.status == .active { return try await lineView(line.id) }
        guard line.status == .offered, line.kind == .revolving else {
            throw DomainError(.lineNotActive, "This contract cannot be signed (it is \(line.status.rawValue)).", status: 422)
        }
        let months = (line.validUntil.year - line.validFrom.year) * 12 + line.validUntil.month - line.validFrom.month
        let today = self.today
        try await database.transaction { tx in
            try await tx.execute("UPDATE lending_lines SET status = 'active', signed_at = ?, valid_from = ?, valid_until = ? WHERE id = ? AND status = 'offered'",
                                 [.time(clock.now()), .date(today), .date(today.adding(months: months)), .id(line.id)])
            try await identity.audit.record(tx, actor: principal.actorRef, action: "lending.line.sign", target: "line:\(line.id)", address: address,
                                            detail: "limit=\(line.limitFen)")
        }
        return try await lineView(line.id)
    }

    /// Lines of every merchant (operators), newest first.
    public func allLines(limit: Int = 200) async throws -> [CreditLineView] {
        var views: [CreditLineView] = []
        for row in try await database.query("SELECT id FROM lending_lines ORDER BY created_at DESC LIMIT ?", [.int(Int64(min(max(limit, 1), 500)))]) {
            views.append(try await lineView(row.id("id")))
        }
        return views
    }

    // MARK: Draws and repayments

    /// Draws on a line into the merchant's settlement account, in real time. Refused over the
    /// available limit, outside the validity, and while interest is in arrears.
    public func draw(_ principal: Principal, lineID: RongID, amountFen: Int64, idempotencyKey: String?, address: String) async throws -> CreditLineView {
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        let line = try await ownedLine(principal, id: lineID)
        let hash = Array("draw|\(amountFen)".utf8)
        guard amountFen > 0 else {
            throw DomainError(.invalidAmount, "A draw must be positive.", status: 422, extensions: ["field": .string("amount")])
        }
        return try await locks.withLock([line.id]) {
            if try await self.existingEvent(ownerID: line.id, key: key, hash: hash) != nil { return try await self.lineView(line.id) }
            guard let line = try await self.line(id: lineID), line.status == .active else {
                throw DomainError(.lineNotActive, "This line is not active.", status: 422)
            }
            let today = self.today
            guard today <= line.validUntil else {
                throw DomainError(.lineExpired, "This line ran until \(line.validUntil); draws are closed.", status: 422)
            }
            guard line.arrearsFen == 0 else {
                throw DomainError(.interestInArrears, "Interest of \(Money.fen(line.arrearsFen).formatted) is in arrears: pay it before drawing again.",
                                  status: 422, extensions: ["arrears_fen": .int(line.arrearsFen)])
            }
            let drawn = try await self.debitBalance(line.id)
            guard amountFen <= line.limitFen - drawn else {
                throw DomainError(.creditLimitExceeded, "Only \(Money.fen(max(0, line.limitFen - drawn)).formatted) of the line is available.",
                                  status: 422, extensions: ["available_fen": .int(max(0, line.limitFen - drawn))])
            }
            let draws = try await self.database.first("SELECT COUNT(*) AS n FROM lending_events WHERE owner_id = ? AND kind = 'draw' AND on_date = ?",
                                                      [.id(line.id), .date(today)])?.int("n") ?? 0
            guard draws < LendingProducts.drawsPerLinePerDayMax else {
                throw DomainError(.limitExceeded, "At most \(LendingProducts.drawsPerLinePerDayMax) draws a day.", status: 422)
            }
            var allocation = LendingAllocation()
            allocation.principalFen = amountFen
            do {
                try await self.postEvent(ownerID: line.id, accountID: line.accountID, kind: "draw", on: today, allocation: allocation,
                                         detail: line.kind == .merchant ? "商户逸贷提款" : "网贷通提款", idempotencyKey: key, requestHash: hash,
                                         actor: principal.actorRef, address: address)
            } catch let error as StorageError where error.kind == .uniqueViolation {
                _ = try await self.existingEvent(ownerID: line.id, key: key, hash: hash)
            }
            return try await self.lineView(line.id)
        }
    }

    /// Repays a line from the settlement account: interest and penalty owed first, then
    /// principal. More than is owed is refused, never kept.
    public func repayLine(_ principal: Principal, lineID: RongID, amountFen: Int64, idempotencyKey: String?, address: String) async throws -> CreditLineView {
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        let line = try await ownedLine(principal, id: lineID)
        let hash = Array("repay|\(amountFen)".utf8)
        guard amountFen > 0 else {
            throw DomainError(.invalidAmount, "A repayment must be positive.", status: 422, extensions: ["field": .string("amount")])
        }
        return try await locks.withLock([line.id]) {
            if try await self.existingEvent(ownerID: line.id, key: key, hash: hash) != nil { return try await self.lineView(line.id) }
            let owed = try await self.debitBalance(LendingLedgerAccounts.receivable(of: line.id))
            let drawn = try await self.debitBalance(line.id)
            guard amountFen <= owed + drawn else {
                throw DomainError(.repaymentExceedsOutstanding, "Only \(Money.fen(owed + drawn).formatted) is owed on this line; the excess is refused.",
                                  status: 422, extensions: ["outstanding_fen": .int(owed + drawn), "field": .string("amount")])
            }
            var allocation = LendingAllocation()
            allocation.receivableFen = min(owed, amountFen)
            allocation.principalFen = amountFen - allocation.receivableFen
            do {
                try await self.postEvent(ownerID: line.id, accountID: line.accountID, kind: "repay", on: self.today, allocation: allocation,
                                         detail: "还款", idempotencyKey: key, requestHash: hash, actor: principal.actorRef, address: address)
            } catch let error as StorageError where error.kind == .uniqueViolation {
                _ = try await self.existingEvent(ownerID: line.id, key: key, hash: hash)
            }
            return try await self.lineView(line.id)
        }
    }

    // MARK: End of day

    /// Drawn principal at the end of `date`: draws less principal repaid, by the date of each event.
    func drawnFen(_ lineID: RongID, endOf date: BusinessDate) async throws -> Int64 {
        try await database.first(
            """
            SELECT COALESCE(SUM(CASE WHEN kind = 'draw' THEN principal_fen ELSE -principal_fen END), 0) AS n
            FROM lending_events WHERE owner_id = ? AND status = 'posted' AND on_date <= ? AND kind IN ('draw', 'repay', 'sweep', 'autodebit', 'writeoff')
            """, [.id(lineID), .date(date)])?.int("n") ?? 0
    }

    /// Daily interest on each line's drawn amount for every day not yet accrued up to `date`
    /// (exact: kept in 1/360,000,000 fen, booked to the receivable in whole fen), penalty on
    /// interest in arrears, and on the 20th the month's interest falls due and is debited from
    /// the settlement account as far as its balance allows; what remains is arrears.
    public func accrueLines(for date: BusinessDate) async throws -> (lines: Int, interestFen: Int64, arrearsFen: Int64) {
        let rows = try await database.query("SELECT id FROM lending_lines WHERE status IN ('active', 'closed') ORDER BY id", [])
        var interest: Int64 = 0
        var arrears: Int64 = 0
        for row in rows {
            let lineID = row.id("id")
            let result = try await locks.withLock([lineID]) { try await self.accrueLine(lineID, through: date) }
            interest += result.interest
            arrears += result.arrears
        }
        return (rows.count, interest, arrears)
    }

    func accrueLine(_ lineID: RongID, through date: BusinessDate) async throws -> (interest: Int64, arrears: Int64) {
        guard let line = try await line(id: lineID), let state = try await database.first("SELECT accrued_micros FROM lending_lines WHERE id = ?", [.id(lineID)])
        else { return (0, 0) }
        var day = line.accruedThrough.map { $0.adding(days: 1) } ?? line.validFrom
        guard day <= date else { return (0, line.arrearsFen) }
        let unit = LoanMath.dayCountBasis * Rate.microsPerUnit
        var accrued = state.int("accrued_micros")
        var penaltyFen: Int64 = 0
        var interestFen: Int64 = 0
        var arrears = line.arrearsFen
        let receivable = LendingLedgerAccounts.receivable(of: lineID)
        while day <= date {
            accrued += try await drawnFen(lineID, endOf: day) * line.annualRate.micros
            penaltyFen += LoanMath.penaltyInterestFen(overdueFen: arrears, penaltyAnnual: line.penaltyAnnual, days: 1)
            if day.day == LendingProducts.lineSettlementDay || day == date {
                let fen = accrued / unit
                interestFen += try await postOnce(id: RongID.derived("lending.line.interest", lineID, day), from: receivable,
                                                  to: LendingLedgerAccounts.interestIncome, amountFen: fen, code: LendingTransferCode.interest, memo: "贷款利息")
                accrued -= fen * unit
            }
            if day.day == LendingProducts.lineSettlementDay {
                // Everything accrued through the 20th is now due (penalty is due as it accrues).
                arrears = try await debitBalance(receivable) + penaltyFen
            }
            day = day.adding(days: 1)
        }
        let penaltyBooked = try await postOnce(id: RongID.derived("lending.line.penalty", lineID, date), from: receivable,
                                               to: LendingLedgerAccounts.penaltyIncome, amountFen: penaltyFen, code: LendingTransferCode.penalty, memo: "罚息")
        if penaltyBooked > 0 && arrears == line.arrearsFen { arrears += penaltyBooked }
        let newArrears = arrears
        try await database.transaction { tx in
            try await tx.execute("UPDATE lending_lines SET accrued_micros = ?, accrued_through = ?, arrears_fen = ? WHERE id = ?",
                                 [.int(accrued), .date(date), .int(newArrears), .id(lineID)])
            if interestFen + penaltyBooked > 0 {
                try await recordEvent(tx, ownerID: lineID, kind: "interest", on: date, principalFen: 0, interestFen: interestFen, penaltyFen: penaltyBooked,
                                      detail: "计息")
            }
        }
        if newArrears > 0 { _ = try await collect(lineID, maxFen: newArrears, kind: "autodebit", on: date, detail: "结息自动扣款") }
        return (interestFen, try await self.line(id: lineID)?.arrearsFen ?? 0)
    }

    /// Takes up to `maxFen` from the line's settlement account: what is owed in the receivable
    /// first, then principal. Returns the amount taken.
    func collect(_ lineID: RongID, maxFen: Int64, kind: String, on date: BusinessDate, detail: String) async throws -> Int64 {
        guard let line = try await line(id: lineID) else { return 0 }
        let available = max(0, try await ledger.account(line.accountID)?.balance.availableCreditBalance ?? 0)
        let owed = try await debitBalance(LendingLedgerAccounts.receivable(of: lineID))
        let drawn = try await debitBalance(lineID)
        var allocation = LendingAllocation()
        var room = min(maxFen, available)
        allocation.receivableFen = min(owed, room); room -= allocation.receivableFen
        allocation.principalFen = kind == "sweep" ? min(drawn, room) : 0
        guard allocation.totalFen > 0 else { return 0 }
        do {
            try await postEvent(ownerID: lineID, accountID: line.accountID, kind: kind, on: date, allocation: allocation, detail: detail,
                                actor: "system:eod", address: "eod")
        } catch let error as DomainError where error.code == .insufficientFunds {
            return 0
        }
        return allocation.totalFen
    }

    /// Merchant 逸贷: each evening 30% of the day's net e-Pay proceeds repay the line.
    public func sweepMerchantLines(on date: BusinessDate) async throws -> (lines: Int, sweptFen: Int64) {
        let rows = try await database.query("SELECT id, merchant_id FROM lending_lines WHERE kind = 'merchant' AND status = 'active'", [])
        var swept: Int64 = 0
        var count = 0
        for row in rows {
            let lineID = row.id("id")
            if try await database.first("SELECT id FROM lending_events WHERE owner_id = ? AND kind = 'sweep' AND on_date = ? AND status = 'posted'",
                                        [.id(lineID), .date(date)]) != nil { continue }
            let proceeds = try await payments.dailyTurnover(merchantID: row.id("merchant_id"), on: date).netFen
            let share = max(0, proceeds) * LendingProducts.merchantSweepPercent / 100
            guard share > 0 else { continue }
            let taken = try await locks.withLock([lineID]) {
                try await self.collect(lineID, maxFen: share, kind: "sweep", on: date, detail: "商户逸贷结算款自动还款")
            }
            if taken > 0 { count += 1; swept += taken }
        }
        return (count, swept)
    }
}
