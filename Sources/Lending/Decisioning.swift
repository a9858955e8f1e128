import Accounts
import BankKit
import Foundation
import Ledger
import Storage

extension LendingService {
    /// A consumer decision is reused for 30 days (the pre-approved limit is refreshed monthly),
    /// so an offer after a purchase costs a lookup, not a scan of six months of statements.
    public static let decisionValidSeconds: Int64 = 30 * 86_400
    /// At most this many statement lines per account are read to work out averages.
    static let statementLinesMax = 2_000
    static let averagingDays = 183

    /// Codes of money moving between a customer's own places at this bank, or coming from the
    /// bank itself: not "money in from outside" for the scorecard.
    static let internalCodes: Set<Int> = [AccountsTransferCode.refund, LendingTransferCode.disbursement, AccountsTransferCode.transferThisBank]

    /// The customer's current 逸贷 decision: the latest one if under 30 days old, else a new one.
    public func consumerDecision(for customer: Customer, fresh: Bool = false) async throws -> RecordedDecision {
        if !fresh, let latest = try await latestDecision(subjectRef: "customer:\(customer.id)", product: "easy_loan"),
           latest.decidedAt.adding(seconds: LendingService.decisionValidSeconds) > clock.now() {
            return latest
        }
        return try await recordConsumerDecision(for: customer, inputs: try await creditInputs(for: customer))
    }

    /// Scores `inputs` with the scorecard and records the decision as the customer's current
    /// one. `consumerDecision` passes what the bank's books say; demo data, whose books are only
    /// minutes old, passes the history it stands for (shown to operators as the decision's inputs).
    public func recordConsumerDecision(for customer: Customer, inputs: CreditInputs) async throws -> RecordedDecision {
        let decision = try scorecard.evaluate(inputs)
        let shown: [String: String] = [
            "age_years": String(inputs.ageYears), "tenure_months": String(inputs.tenureMonths),
            "average_balance": Money.fen(inputs.averageBalanceFen).formatted,
            "average_monthly_inflow": Money.fen(inputs.averageMonthlyInflowFen).formatted,
            "instalments_on_time": String(inputs.instalmentsOnTime), "instalments_late": String(inputs.instalmentsLate),
            "overdue": Money.fen(inputs.overdueFen).formatted,
        ]
        return try await recordDecision(subjectRef: "customer:\(customer.id)", product: "easy_loan", inputs: shown, approved: decision.approved,
                                        limitFen: decision.limitFen, score: decision.score, points: decision.points,
                                        reasons: decision.reasons.map(\.rawValue))
    }

    func recordDecision(subjectRef: String, product: String, inputs: [String: String], approved: Bool, limitFen: Int64, score: Int,
                        points: [String: Int], reasons: [String]) async throws -> RecordedDecision {
        let decision = RecordedDecision(id: ids.next(), subjectRef: subjectRef, product: product, inputs: inputs, approved: approved,
                                        limitFen: limitFen, score: score, points: points, reasons: reasons, decidedAt: clock.now())
        try await database.execute(
            """
            INSERT INTO lending_decisions (id, subject_ref, product, inputs, approved, limit_fen, score, points, reasons, decided_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.id(decision.id), .text(subjectRef), .text(product), .json(inputs), .int(approved ? 1 : 0), .int(limitFen),
             .int(Int64(score)), .json(points), .text(reasons.joined(separator: ",")), .time(decision.decidedAt)])
        return decision
    }

    public func latestDecision(subjectRef: String, product: String) async throws -> RecordedDecision? {
        try await database.first(
            "\(LendingService.decisionSelect) WHERE subject_ref = ? AND product = ? ORDER BY decided_at DESC, id DESC LIMIT 1",
            [.text(subjectRef), .text(product)]).map(LendingService.decision)
    }

    public func decision(id: RongID) async throws -> RecordedDecision? {
        try await database.first("\(LendingService.decisionSelect) WHERE id = ?", [.id(id)]).map(LendingService.decision)
    }

    /// Decisions about one subject, newest first (operators).
    public func decisions(subjectRef: String, limit: Int = 50) async throws -> [RecordedDecision] {
        try await database.query("\(LendingService.decisionSelect) WHERE subject_ref = ? ORDER BY decided_at DESC, id DESC LIMIT ?",
                                 [.text(subjectRef), .int(Int64(min(max(limit, 1), 200)))]).map(LendingService.decision)
    }

    static let decisionSelect = "SELECT id, subject_ref, product, inputs, approved, limit_fen, score, points, reasons, decided_at FROM lending_decisions"

    static func decision(_ row: SQLRow) -> RecordedDecision {
        RecordedDecision(id: row.id("id"), subjectRef: row.text("subject_ref"), product: row.text("product"),
                         inputs: row.json([String: String].self, "inputs") ?? [:], approved: row.bool("approved"),
                         limitFen: row.int("limit_fen"), score: Int(row.int("score")), points: row.json([String: Int].self, "points") ?? [:],
                         reasons: row.text("reasons").split(separator: ",").map(String.init), decidedAt: row.time("decided_at"))
    }

    /// What the scorecard reads, from the bank's own books: age from the resident ID, tenure
    /// from registration, the average end-of-day balance of all the customer's accounts and the
    /// average monthly inflow from outside over the last six months (from the ledger's
    /// statements), and the repayment history and arrears of earlier loans.
    public func creditInputs(for customer: Customer) async throws -> CreditInputs {
        let today = self.today
        let (year, month, day) = today.components
        let born = customer.birthDate.components
        var age = year - born.year
        if (month, day) < (born.month, born.day) { age -= 1 }
        let registered = BusinessDate(at: customer.createdAt)
        var tenure = (year - registered.year) * 12 + (month - registered.month)
        if day < registered.day { tenure -= 1 }

        let windowStart = today.adding(days: -LendingService.averagingDays)
        var balanceDaySum: Int64 = 0
        var inflowFen: Int64 = 0
        for view in try await accounts.accounts(of: customer) {
            var lines: [StatementLine] = []
            var cursor: String?
            repeat {
                let page = try await accounts.statement(of: view.account, cursor: cursor, limit: 200)
                lines += page.lines
                cursor = page.next
            } while cursor != nil && lines.count < LendingService.statementLinesMax && (lines.last.map { BusinessDate(at: $0.at) >= windowStart } ?? false)
            // Newest first: walk back day by day from yesterday, carrying the balance back past each line.
            var balance = view.balanceFen
            var index = 0
            for back in 1...LendingService.averagingDays {
                let endOfDay = today.adding(days: 1 - back).startInstant
                while index < lines.count, lines[index].at >= endOfDay {
                    balance -= lines[index].amountFen
                    index += 1
                }
                balanceDaySum += max(0, balance)
            }
            for line in lines where line.amountFen > 0 && line.at >= windowStart.startInstant && !LendingService.internalCodes.contains(line.code)
                && !(4000..<5000).contains(line.code) {
                inflowFen += line.amountFen
            }
        }
        let history = try await database.first(
            """
            SELECT COALESCE(SUM(CASE WHEN i.paid_on IS NOT NULL AND i.paid_on <= i.due_date THEN 1 ELSE 0 END), 0) AS on_time,
                   COALESCE(SUM(CASE WHEN (i.paid_on IS NOT NULL AND i.paid_on > i.due_date) OR (i.paid_on IS NULL AND i.due_date < ?) THEN 1 ELSE 0 END), 0) AS late
            FROM lending_instalments i JOIN lending_loans l ON l.id = i.loan_id WHERE l.customer_id = ?
            """, [.date(today), .id(customer.id)])
        return CreditInputs(ageYears: age, tenureMonths: max(0, tenure), averageBalanceFen: balanceDaySum / Int64(LendingService.averagingDays),
                            averageMonthlyInflowFen: inflowFen / 6, instalmentsOnTime: Int(history?.int("on_time") ?? 0),
                            instalmentsLate: Int(history?.int("late") ?? 0), overdueFen: try await overdueFen(customerID: customer.id, on: today))
    }
}
