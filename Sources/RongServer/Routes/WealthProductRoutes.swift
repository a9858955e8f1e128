import BankKit
import HTTPTypes
import Hummingbird
import Identity
import Wealth

/// Wealth products (`/v1/wealth`): the catalogue with NAVs and the customer's suitability,
/// subscriptions and redemptions (Idempotency-Key), orders, holdings and the risk-profile
/// questionnaire; and the operators' side (`/v1/staff/wealth`): products and NAVs.
struct WealthProductRoutes {
    let platform: RongPlatform
    let auth: Authenticator

    struct SubscriptionInput: Decodable { let accountId: String; let amountFen: Int64 }
    struct RedemptionInput: Decodable { let accountId: String; let units: Int64 }
    struct RiskInput: Decodable { let answers: [String] }
    struct ProductInput: Decodable {
        let code: String
        let name: String
        let nameEn: String?
        let kind: String
        let risk: String
        let minimumFen: Int64
        let quotaFen: Int64
        let windowStart: String?
        let windowEnd: String?
        let termDays: Int?
        /// Percent a year, `"3.10"`.
        let expectedYield: String?
    }
    struct NAVInput: Decodable { let date: String; let nav: String }

    func register(on router: Router<RongRequestContext>) {
        let wealth = platform.wealth
        // The customer's side
        router.get("v1/wealth/products") { request, _ -> ListBody<WealthProductBody> in
            let principal = try await auth.require(request, .customer)
            let today = platform.clock.businessDate()
            var bodies: [WealthProductBody] = []
            for listing in try await wealth.products() {
                let suitability = try await wealth.suitability(principal, product: listing.product)
                bodies.append(WealthProductBody(listing.product, latestNAV: listing.latestNAV, today: today, suitability: suitability))
            }
            return ListBody(data: bodies, hasMore: false, nextCursor: nil)
        }
        router.get("v1/wealth/products/:id") { request, context -> WealthProductDetailBody in
            let principal = try await auth.require(request, .customer)
            let product = try await wealth.requireProduct(try context.id("id"))
            let dates = product.kind == .nav ? wealth.navOrderDates(at: platform.clock.now()) : nil
            return WealthProductDetailBody(
                product: WealthProductBody(product, latestNAV: try await wealth.latestNAV(product.id), today: platform.clock.businessDate(),
                                     suitability: try await wealth.suitability(principal, product: product)),
                navs: try await wealth.navHistory(product.id, limit: 30).map(WealthNAVBody.init), orderNowTradeDate: dates?.trade.iso,
                orderNowConfirmDate: dates?.confirm.iso, holding: WealthHoldingBody(try await wealth.holding(principal, productID: product.id)), orders: nil)
        }
        router.post("v1/wealth/products/:id/subscriptions") { request, context -> WealthOrderBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: SubscriptionInput.self, context: context)
            return WealthOrderBody(try await wealth.subscribe(principal, productID: try context.id("id"), accountID: try RongID(input.accountId),
                                                        amountFen: input.amountFen, idempotencyKey: request.headers[.idempotencyKey],
                                                        address: context.clientAddress))
        }
        router.post("v1/wealth/products/:id/redemptions") { request, context -> WealthOrderBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: RedemptionInput.self, context: context)
            return WealthOrderBody(try await wealth.redeem(principal, productID: try context.id("id"), accountID: try RongID(input.accountId),
                                                     units: input.units, idempotencyKey: request.headers[.idempotencyKey], address: context.clientAddress))
        }
        router.get("v1/wealth/orders") { request, _ -> ListBody<WealthOrderBody> in
            let principal = try await auth.require(request, .customer)
            return ListBody(data: try await wealth.orders(principal, limit: try CustomerRoutes.pageLimit(request)).map(WealthOrderBody.init),
                            hasMore: false, nextCursor: nil)
        }
        router.get("v1/wealth/orders/:id") { request, context -> WealthOrderBody in
            let principal = try await auth.require(request, .customer)
            return WealthOrderBody(try await wealth.order(principal, id: try context.id("id")))
        }
        router.get("v1/wealth/holdings") { request, _ -> ListBody<WealthHoldingBody> in
            let principal = try await auth.require(request, .customer)
            return ListBody(data: try await wealth.holdings(principal).map(WealthHoldingBody.init), hasMore: false, nextCursor: nil)
        }
        router.get("v1/wealth/risk-profile") { request, _ -> RiskProfileBody in
            let principal = try await auth.require(request, .customer)
            guard let profile = try await wealth.riskProfile(principal) else {
                throw DomainError(.riskProfileRequired, "No risk profile yet: take the questionnaire.", status: 404)
            }
            return RiskProfileBody(profile, today: platform.clock.businessDate())
        }
        router.post("v1/wealth/risk-profile") { request, context -> RiskProfileBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: RiskInput.self, context: context)
            let profile = try await wealth.assessRiskProfile(principal, answers: input.answers, address: context.clientAddress)
            return RiskProfileBody(profile, today: platform.clock.businessDate())
        }
        router.get("v1/wealth/risk-profile/questionnaire") { request, _ -> RiskQuestionnaireBody in
            _ = try await auth.require(request, .customer)
            return RiskQuestionnaireBody()
        }
        // The operators' side
        router.get("v1/staff/wealth/products") { request, _ -> ListBody<WealthProductBody> in
            _ = try await auth.require(request, .staff)
            let today = platform.clock.businessDate()
            return ListBody(data: try await wealth.products().map { WealthProductBody($0.product, latestNAV: $0.latestNAV, today: today) },
                            hasMore: false, nextCursor: nil)
        }
        router.post("v1/staff/wealth/products") { request, context -> WealthProductBody in
            let staff = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: ProductInput.self, context: context)
            let product = try await wealth.createProduct(by: staff, try WealthProductRoutes.draft(input), address: context.clientAddress)
            return WealthProductBody(product, latestNAV: nil, today: platform.clock.businessDate())
        }
        router.get("v1/staff/wealth/products/:id") { request, context -> WealthProductDetailBody in
            _ = try await auth.require(request, .staff)
            let product = try await wealth.requireProduct(try context.id("id"))
            let counts = try await wealth.orderCounts(productID: product.id).map {
                WealthOrderCountBody(kind: $0.kind.rawValue, status: $0.status.rawValue, count: $0.count, amountFen: $0.amountFen)
            }
            return WealthProductDetailBody(product: WealthProductBody(product, latestNAV: try await wealth.latestNAV(product.id), today: platform.clock.businessDate()),
                                     navs: try await wealth.navHistory(product.id, limit: 30).map(WealthNAVBody.init), orderNowTradeDate: nil,
                                     orderNowConfirmDate: nil, holding: nil, orders: counts)
        }
        router.post("v1/staff/wealth/products/:id/close") { request, context -> WealthProductBody in
            let staff = try await auth.require(request, .operators)
            let product = try await wealth.closeProduct(by: staff, id: try context.id("id"), address: context.clientAddress)
            return WealthProductBody(product, latestNAV: try await wealth.latestNAV(product.id), today: platform.clock.businessDate())
        }
        router.get("v1/staff/wealth/products/:id/navs") { request, context -> ListBody<WealthNAVBody> in
            _ = try await auth.require(request, .staff)
            let product = try await wealth.requireProduct(try context.id("id"))
            return ListBody(data: try await wealth.navHistory(product.id, limit: WealthService.navHistoryMax).map(WealthNAVBody.init), hasMore: false, nextCursor: nil)
        }
        router.post("v1/staff/wealth/products/:id/navs") { request, context -> WealthNAVBody in
            let staff = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: NAVInput.self, context: context)
            let date = try WealthProductRoutes.date(input.date, field: "date")
            return WealthNAVBody(try await wealth.publishNAV(by: staff, productID: try context.id("id"), date: date, nav: try NetAssetValue.parse(input.nav),
                                                       address: context.clientAddress))
        }
    }

    /// A date field, refused with its name.
    static func date(_ text: String, field: String) throws(DomainError) -> BusinessDate {
        do { return try BusinessDate(iso: text) } catch {
            throw DomainError(.invalidDate, error.detail, status: 422, extensions: ["field": .string(field)])
        }
    }

    static func draft(_ input: ProductInput) throws(DomainError) -> ProductDraft {
        guard let kind = WealthProduct.Kind(rawValue: input.kind) else {
            throw DomainError(.invalidRequest, "kind is nav or periodic.", status: 422, extensions: ["field": .string("kind")])
        }
        var yield: AnnualRate?
        if let text = input.expectedYield {
            do { yield = try AnnualRate.parsePercent(text) } catch {
                throw DomainError(.invalidRate, error.detail, status: 422, extensions: ["field": .string("expected_yield")])
            }
        }
        return ProductDraft(code: input.code, name: input.name, nameEnglish: input.nameEn ?? "", kind: kind, risk: try ProductRisk.parse(input.risk),
                            minimumFen: input.minimumFen, quotaFen: input.quotaFen,
                            windowStart: try input.windowStart.map { text throws(DomainError) in try date(text, field: "window_start") },
                            windowEnd: try input.windowEnd.map { text throws(DomainError) in try date(text, field: "window_end") },
                            termDays: input.termDays, expectedYield: yield)
    }
}
