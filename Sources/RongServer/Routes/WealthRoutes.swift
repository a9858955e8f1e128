import BankKit
import Hummingbird
import Identity
import Wealth

/// Deposits (time, 节节高), the rate table, demand interest and the 聚财宝 sweep.
struct WealthRoutes {
    let platform: RongPlatform
    let auth: Authenticator

    struct DepositInput: Decodable {
        let kind: String
        let sourceAccountId: String
        let amountFen: Int64
        let termMonths: Int?
        let onMaturity: String?
    }
    struct WithdrawalInput: Decodable { let amountFen: Int64? }
    struct SweepInput: Decodable {
        let thresholdFen: Int64
        let dailyRedeemMaxFen: Int64?
    }
    struct RedemptionInput: Decodable { let amountFen: Int64 }
    struct RateInput: Decodable {
        let product: String
        let ratePercent: String
        let effectiveFrom: String
    }
    struct TiersInput: Decodable { let tiers: [TierBody] }

    func register(on router: Router<RongRequestContext>) {
        let wealth = platform.wealth
        router.get("v1/wealth/rates") { request, _ -> ListBody<RateBody> in
            let date = try request.uri.queryParameters.get("date").map { try BusinessDate(iso: String($0)) } ?? platform.clock.businessDate()
            return ListBody(data: try await wealth.rateBoard(on: date).map(RateBody.init), hasMore: false, nextCursor: nil)
        }
        router.get("v1/me/deposits") { request, _ -> ListBody<DepositBody> in
            let principal = try await auth.require(request, .customer)
            return ListBody(data: try await wealth.deposits(principal).map { DepositBody($0) }, hasMore: false, nextCursor: nil)
        }
        router.post("v1/me/deposits") { request, context -> DepositBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: DepositInput.self, context: context)
            let source = try RongID(input.sourceAccountId)
            let key = request.headers[.idempotencyKey]
            switch input.kind {
            case "time":
                guard let term = input.termMonths else {
                    throw DomainError(.termNotOffered, "A time deposit needs term_months.", status: 422, extensions: ["field": .string("term_months")])
                }
                guard let onMaturity = Deposit.OnMaturity(rawValue: input.onMaturity ?? "return") else {
                    throw DomainError(.invalidRequest, "on_maturity is renew or return.", status: 422, extensions: ["field": .string("on_maturity")])
                }
                return DepositBody(try await wealth.openTimeDeposit(principal, sourceAccountID: source, amountFen: input.amountFen, termMonths: term,
                                                                    onMaturity: onMaturity, idempotencyKey: key, address: context.clientAddress))
            case "tiered":
                return DepositBody(try await wealth.openTieredDeposit(principal, sourceAccountID: source, amountFen: input.amountFen,
                                                                      idempotencyKey: key, address: context.clientAddress))
            default:
                throw DomainError(.invalidRequest, "kind is time or tiered.", status: 422, extensions: ["field": .string("kind")])
            }
        }
        router.get("v1/me/deposits/:id") { request, context -> DepositBody in
            let principal = try await auth.require(request, .customer)
            let (view, events) = try await wealth.deposit(principal, id: try context.id("id"))
            return DepositBody(view, events: events)
        }
        router.get("v1/me/deposits/:id/quote") { request, context -> DepositQuoteBody in
            let principal = try await auth.require(request, .customer)
            let amount = try request.uri.queryParameters.get("amount_fen").map { text -> Int64 in
                guard let value = Int64(text) else { throw DomainError(.invalidAmount, "amount_fen is a whole number of fen.", status: 422) }
                return value
            }
            return DepositQuoteBody(try await wealth.quoteWithdrawal(principal, depositID: try context.id("id"), amountFen: amount))
        }
        router.post("v1/me/deposits/:id/withdrawals") { request, context -> DepositQuoteBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: WithdrawalInput.self, context: context)
            return DepositQuoteBody(try await wealth.withdraw(principal, depositID: try context.id("id"), amountFen: input.amountFen,
                                                              idempotencyKey: request.headers[.idempotencyKey], address: context.clientAddress))
        }
        router.get("v1/me/accounts/:id/demand-interest") { request, context -> DemandInterestBody in
            let principal = try await auth.require(request, .customer)
            let id = try context.id("id")
            _ = try await platform.accounts.accountView(principal, id: id)
            let (micros, through) = try await wealth.demandAccrual(accountID: id)
            let today = platform.clock.businessDate()
            return DemandInterestBody(accountId: id.description, accruedMicros: micros, accruedFen: InterestMath.roundToFen(micros: micros),
                                      accruedFormatted: Money.fen(InterestMath.roundToFen(micros: micros)).formatted, accruedThrough: through?.iso,
                                      ratePercent: try await wealth.rate(.demand, on: today).percentText,
                                      nextSettlementDate: WealthService.nextDemandSettlementDate(onOrAfter: today).iso)
        }
        router.get("v1/me/sweeps") { request, _ -> ListBody<SweepBody> in
            let principal = try await auth.require(request, .customer)
            return ListBody(data: try await wealth.sweeps(principal).map(SweepBody.init), hasMore: false, nextCursor: nil)
        }
        router.post("v1/me/accounts/:id/sweep") { request, context -> SweepBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: SweepInput.self, context: context)
            return SweepBody(try await wealth.setSweep(principal, accountID: try context.id("id"), thresholdFen: input.thresholdFen,
                                                       dailyRedeemMaxFen: input.dailyRedeemMaxFen, address: context.clientAddress))
        }
        router.post("v1/me/accounts/:id/sweep/stop") { request, context -> SweepBody in
            let principal = try await auth.require(request, .customer)
            return SweepBody(try await wealth.stopSweep(principal, accountID: try context.id("id"), address: context.clientAddress))
        }
        router.post("v1/me/accounts/:id/sweep/redemptions") { request, context -> SweepBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: RedemptionInput.self, context: context)
            return SweepBody(try await wealth.redeemSweep(principal, accountID: try context.id("id"), amountFen: input.amountFen,
                                                          idempotencyKey: request.headers[.idempotencyKey]))
        }
        router.get("v1/staff/wealth/rates") { request, _ -> ListBody<RateBody> in
            _ = try await auth.require(request, .staff)
            let product = try request.uri.queryParameters.get("product").map { try RateProduct.parse(String($0)) }
            return ListBody(data: try await wealth.rateHistory(product).map(RateBody.init), hasMore: false, nextCursor: nil)
        }
        router.post("v1/staff/wealth/rates") { request, context -> RateBody in
            let staff = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: RateInput.self, context: context)
            return RateBody(try await wealth.publishRate(by: staff, product: try RateProduct.parse(input.product),
                                                         rate: try AnnualRate.parsePercent(input.ratePercent),
                                                         effectiveFrom: try BusinessDate(iso: input.effectiveFrom), address: context.clientAddress))
        }
        router.get("v1/staff/wealth/tiers") { request, _ -> ListBody<TierBody> in
            _ = try await auth.require(request, .staff)
            return ListBody(data: try await wealth.tierLadder().map { TierBody(fromDays: $0.fromDays, product: $0.product.rawValue, ratePercent: nil) },
                            hasMore: false, nextCursor: nil)
        }
        router.post("v1/staff/wealth/tiers") { request, context -> ListBody<TierBody> in
            let staff = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: TiersInput.self, context: context)
            var ladder: [DepositTier] = []
            for tier in input.tiers.prefix(11) { ladder.append(DepositTier(fromDays: tier.fromDays, product: try RateProduct.parse(tier.product))) }
            try await wealth.setTierLadder(by: staff, ladder, address: context.clientAddress)
            return ListBody(data: ladder.map { TierBody(fromDays: $0.fromDays, product: $0.product.rawValue, ratePercent: nil) }, hasMore: false, nextCursor: nil)
        }
    }
}
