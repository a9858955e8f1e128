import Accounts
import BankKit
import HTTPTypes
import Hummingbird
import Identity
import Payments

/// e-Pay: the merchant API (`/v1/pay/orders`, merchant API key), the payer's checkout
/// (`/v1/pay/checkout`, no sign-in: the SMS code is the authentication), the customer's limits
/// and the operators' merchant onboarding.
struct PaymentRoutes {
    let platform: RongPlatform
    let auth: Authenticator

    struct OrderInput: Decodable {
        let orderNumber: String
        let amountFen: Int64
        let description: String
        let expiresInSeconds: Int64?
    }
    struct RefundInput: Decodable {
        let refundNumber: String
        let amountFen: Int64
        let reason: String?
    }
    struct IdentifyInput: Decodable { let mobile: String; let accountLast6: String }
    struct ConfirmInput: Decodable { let otpChallengeId: String; let otpCode: String }
    struct LimitsInput: Decodable {
        let perTransactionFen: Int64
        let perDayFen: Int64
        let otpChallengeId: String?
        let otpCode: String?
    }
    struct MerchantInput: Decodable {
        let name: String
        let licenceNumber: String
        let notifyUrl: String
        let contactMobile: String?
        let contactPassword: String?
    }

    /// The merchant whose API key is the bearer credential.
    func merchant(_ request: Request) async throws -> Merchant {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer mk_") else {
            throw DomainError(.unauthorized, "Send the merchant API key as 'Authorization: Bearer mk_…'.", status: 401)
        }
        return try await platform.payments.authenticateMerchant(apiKey: String(header.dropFirst(7)))
    }

    func register(on router: Router<RongRequestContext>) {
        let payments = platform.payments
        // Merchant API
        router.post("v1/pay/orders") { request, context -> OrderBody in
            let merchant = try await merchant(request)
            let input = try await request.decodeJSON(as: OrderInput.self, context: context)
            return OrderBody(try await payments.createOrder(merchant: merchant, orderNumber: input.orderNumber, amountFen: input.amountFen,
                                                            description: input.description, expiresInSeconds: input.expiresInSeconds))
        }
        router.get("v1/pay/orders") { request, _ -> ListBody<OrderBody> in
            let merchant = try await merchant(request)
            if let number = request.uri.queryParameters.get("order_number") {
                return ListBody(data: [OrderBody(try await payments.order(number: number, of: merchant))], hasMore: false, nextCursor: nil)
            }
            return ListBody(data: try await payments.orders(of: merchant, limit: try CustomerRoutes.pageLimit(request)).map { OrderBody($0) },
                            hasMore: false, nextCursor: nil)
        }
        router.get("v1/pay/orders/:id") { request, context -> OrderBody in
            OrderBody(try await payments.order(id: try context.id("id"), of: try await merchant(request)))
        }
        router.post("v1/pay/orders/:id/close") { request, context -> OrderBody in
            OrderBody(try await payments.closeOrder(id: try context.id("id"), merchant: try await merchant(request)))
        }
        router.post("v1/pay/orders/:id/refunds") { request, context -> RefundBody in
            let merchant = try await merchant(request)
            let input = try await request.decodeJSON(as: RefundInput.self, context: context)
            return RefundBody(try await payments.refund(orderID: try context.id("id"), merchant: merchant, refundNumber: input.refundNumber,
                                                        amountFen: input.amountFen, reason: input.reason ?? ""))
        }
        router.get("v1/pay/orders/:id/refunds") { request, context -> ListBody<RefundBody> in
            let refunds = try await payments.refunds(orderID: try context.id("id"), merchant: try await merchant(request))
            return ListBody(data: refunds.map(RefundBody.init), hasMore: false, nextCursor: nil)
        }
        router.get("v1/pay/webhooks") { request, _ -> ListBody<WebhookBody> in
            let merchant = try await merchant(request)
            let deliveries = try await payments.webhooks.deliveries(merchantID: merchant.id, limit: try CustomerRoutes.pageLimit(request), before: nil)
            return ListBody(data: deliveries.map(WebhookBody.init), hasMore: false, nextCursor: nil)
        }
        router.post("v1/pay/signing-secrets") { request, context -> SigningSecretBody in
            let merchant = try await merchant(request)
            let rotated = try await payments.rotateSigningSecret(merchantID: merchant.id, actor: "merchant:\(merchant.id)", address: context.clientAddress)
            return SigningSecretBody(signingSecret: rotated.secret, previousValidUntil: rotated.previousValidUntil.description)
        }
        router.post("v1/pay/webhooks/:id/replay") { request, context -> WebhookBody in
            let merchant = try await merchant(request)
            return WebhookBody(try await payments.webhooks.replay(webhookID: try context.id("id"), merchantID: merchant.id))
        }
        // The payer's checkout (hosted pay page and apps)
        router.get("v1/pay/checkout/:id") { _, context -> CheckoutBody in
            let order = try await payments.order(id: try context.id("id"))
            guard let order, let merchant = try await payments.merchant(id: order.merchantID) else { throw DomainError.notFound("Order") }
            return CheckoutBody(order: order, merchant: merchant)
        }
        router.post("v1/pay/checkout/:id/otp") { request, context -> ChallengeBody in
            let input = try await request.decodeJSON(as: IdentifyInput.self, context: context)
            return ChallengeBody(try await payments.requestPaymentCode(orderID: try context.id("id"), mobile: input.mobile,
                                                                       accountLast6: input.accountLast6, address: context.clientAddress))
        }
        router.post("v1/pay/checkout/:id/confirm") { request, context -> OrderBody in
            let input = try await request.decodeJSON(as: ConfirmInput.self, context: context)
            return OrderBody(try await payments.confirm(orderID: try context.id("id"), challengeID: try RongID(input.otpChallengeId),
                                                        code: input.otpCode, address: context.clientAddress))
        }
        // The customer's e-Pay limits
        router.get("v1/me/epay-limits") { request, _ -> LimitsBody in
            let customer = try await platform.accounts.customer(of: try await auth.require(request, .customer))
            return LimitsBody(try await payments.limits(of: customer))
        }
        router.post("v1/me/epay-limits/otp") { request, context -> ChallengeBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: LimitsInput.self, context: context)
            return ChallengeBody(try await payments.requestLimitCode(principal, perTransactionFen: input.perTransactionFen, perDayFen: input.perDayFen))
        }
        router.post("v1/me/epay-limits") { request, context -> LimitsBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: LimitsInput.self, context: context)
            guard let challenge = input.otpChallengeId, let code = input.otpCode else {
                throw DomainError(.stepUpRequired, "A limit change needs a verification code (purpose limit_change).", status: 403,
                                  extensions: ["purpose": .string(OTPPurpose.limitChange.rawValue)])
            }
            return LimitsBody(try await payments.setLimits(principal, perTransactionFen: input.perTransactionFen, perDayFen: input.perDayFen,
                                                           otpChallengeID: try RongID(challenge), otpCode: code, address: context.clientAddress))
        }
        // Operators onboard merchants
        router.post("v1/staff/merchants") { request, context -> MerchantCredentialsBody in
            let staff = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: MerchantInput.self, context: context)
            return MerchantCredentialsBody(try await payments.onboardMerchant(by: staff, name: input.name, licenceNumber: input.licenceNumber,
                                                                              notifyURL: input.notifyUrl, contactMobile: input.contactMobile,
                                                                              contactPassword: input.contactPassword, address: context.clientAddress))
        }
        router.post("v1/staff/merchants/:id/api-keys") { request, context -> MerchantKeyBody in
            let staff = try await auth.require(request, .operators)
            return MerchantKeyBody(apiKey: try await payments.rotateMerchantKey(by: staff, merchantID: try context.id("id"), address: context.clientAddress))
        }
        router.post("v1/staff/merchants/:id/signing-secrets") { request, context -> SigningSecretBody in
            let staff = try await auth.require(request, .operators)
            let rotated = try await payments.rotateSigningSecret(merchantID: try context.id("id"), actor: staff.actorRef, address: context.clientAddress)
            return SigningSecretBody(signingSecret: rotated.secret, previousValidUntil: rotated.previousValidUntil.description)
        }
        router.get("v1/staff/merchants") { request, _ -> ListBody<MerchantBody> in
            _ = try await auth.require(request, .staff)
            return ListBody(data: try await payments.merchants().map(MerchantBody.init), hasMore: false, nextCursor: nil)
        }
    }
}
