import BankKit
import Identity
import Storage

/// The rate table: one rate per product and effective date, history kept. Operators publish new
/// rates from a future date; a rate applies from its date until the next one.
extension WealthService {
    /// The rate of `product` in force on `date`.
    public func rate(_ product: RateProduct, on date: BusinessDate) async throws -> AnnualRate {
        try await rate(database, product, on: date)
    }

    func rate(_ session: any SQLSession, _ product: RateProduct, on date: BusinessDate) async throws -> AnnualRate {
        guard let row = try await session.first(
            "SELECT rate_micros FROM wealth_rates WHERE product = ? AND effective_from <= ? ORDER BY effective_from DESC LIMIT 1",
            [.text(product.rawValue), .date(date)]) else {
            throw DomainError(.notFound, "No \(product.rawValue) rate is in force on \(date).", status: 404)
        }
        return AnnualRate(micros: row.int("rate_micros"))
    }

    /// Every product's rate in force on `date`, in the table's order.
    public func rateBoard(on date: BusinessDate) async throws -> [PublishedRate] {
        var board: [PublishedRate] = []
        for product in RateProduct.allCases {
            if let row = try await database.first(
                "SELECT product, effective_from, rate_micros, published_by, published_at FROM wealth_rates WHERE product = ? AND effective_from <= ? ORDER BY effective_from DESC LIMIT 1",
                [.text(product.rawValue), .date(date)]) {
                board.append(WealthService.publishedRate(row))
            }
        }
        return board
    }

    /// The history of one product (or all), newest first, including rates not yet in force.
    public func rateHistory(_ product: RateProduct?, limit: Int = 200) async throws -> [PublishedRate] {
        let rows = if let product {
            try await database.query("SELECT product, effective_from, rate_micros, published_by, published_at FROM wealth_rates WHERE product = ? ORDER BY effective_from DESC LIMIT ?",
                                     [.text(product.rawValue), .int(Int64(min(max(limit, 1), 500)))])
        } else {
            try await database.query("SELECT product, effective_from, rate_micros, published_by, published_at FROM wealth_rates ORDER BY effective_from DESC, product LIMIT ?",
                                     [.int(Int64(min(max(limit, 1), 500)))])
        }
        return rows.map(WealthService.publishedRate)
    }

    /// Publishes `rate` for `product` from `effectiveFrom`, which must be after today (a rate
    /// already in force is never rewritten). Publishing again for the same future date replaces it.
    public func publishRate(by staff: Principal, product: RateProduct, rate: AnnualRate, effectiveFrom: BusinessDate,
                            address: String) async throws -> PublishedRate {
        guard AnnualRate.publishable.contains(rate.micros) else {
            throw DomainError(.invalidRate, "A rate must be above 0% and at most 20%; got \(rate).", status: 422,
                              extensions: ["field": .string("rate")])
        }
        guard effectiveFrom > today else {
            throw DomainError(.rateNotInFuture, "New rates take effect from a future date (after \(today)); got \(effectiveFrom).", status: 422,
                              extensions: ["field": .string("effective_from")])
        }
        guard effectiveFrom <= today.adding(days: 366) else {
            throw DomainError(.invalidDate, "Rates are published at most a year ahead.", status: 422, extensions: ["field": .string("effective_from")])
        }
        let now = clock.now()
        try await database.transaction { tx in
            try await tx.execute("DELETE FROM wealth_rates WHERE product = ? AND effective_from = ?", [.text(product.rawValue), .date(effectiveFrom)])
            try await tx.execute("INSERT INTO wealth_rates (product, effective_from, rate_micros, published_by, published_at) VALUES (?, ?, ?, ?, ?)",
                                 [.text(product.rawValue), .date(effectiveFrom), .int(rate.micros), .text(staff.actorRef), .time(now)])
            try await identity.audit.record(tx, actor: staff.actorRef, action: "wealth.rate.publish", target: "rate:\(product.rawValue)", address: address,
                                            detail: "\(rate) from \(effectiveFrom)")
        }
        return PublishedRate(product: product, effectiveFrom: effectiveFrom, rate: rate, publishedBy: staff.actorRef, publishedAt: now)
    }

    static func publishedRate(_ row: SQLRow) -> PublishedRate {
        PublishedRate(product: RateProduct(rawValue: row.text("product")) ?? .demand, effectiveFrom: row.date("effective_from"),
                      rate: AnnualRate(micros: row.int("rate_micros")), publishedBy: row.text("published_by"), publishedAt: row.time("published_at"))
    }
}
