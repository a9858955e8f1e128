import BankKit
import Hummingbird
import Payments

struct OrderBody: ResponseEncodable {
    let object = "payment_order"
    let id: String
    let merchantId: String
    let orderNumber: String
    let amountFen: Int64
    let amountFormatted: String
    let currency = "CNY"
    let description: String
    let status: String
    let expiresAt: String
    let capturedFen: Int64
    let refundedFen: Int64
    let createdAt: String
    let paidAt: String?
    let payUrl: String

    init(_ order: PaymentOrder) {
        id = order.id.description
        merchantId = order.merchantID.description
        orderNumber = order.orderNumber
        amountFen = order.amountFen
        amountFormatted = Money.fen(order.amountFen).formatted
        description = order.description
        status = order.status.rawValue
        expiresAt = order.expiresAt.description
        capturedFen = order.capturedFen
        refundedFen = order.refundedFen
        createdAt = order.createdAt.description
        paidAt = order.paidAt?.description
        payUrl = "/pay/\(order.id)"
    }

    /// The body as `RongRequestContext.encoder` writes it (sorted snake_case keys, nil members
    /// left out), written by hand: every e-Pay payment answers with an order twice (create and
    /// confirm), and `JSONEncoder` was 4% of the pay path's CPU. A test holds the two equal.
    var jsonBytes: [UInt8] {
        var object = JSONObjectText()
        object.int("amount_fen", amountFen)
        object.string("amount_formatted", amountFormatted)
        object.int("captured_fen", capturedFen)
        object.string("created_at", createdAt)
        object.string("currency", currency)
        object.string("description", description)
        object.string("expires_at", expiresAt)
        object.string("id", id)
        object.string("merchant_id", merchantId)
        object.string("object", self.object)
        object.string("order_number", orderNumber)
        if let paidAt { object.string("paid_at", paidAt) }
        object.string("pay_url", payUrl)
        object.int("refunded_fen", refundedFen)
        object.string("status", status)
        return object.finishBytes()
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: jsonBytes)))
    }
}

struct CheckoutBody: ResponseEncodable {
    let object = "checkout"
    let orderId: String
    let merchantName: String
    let amountFen: Int64
    let amountFormatted: String
    let description: String
    let status: String
    let expiresAt: String

    init(order: PaymentOrder, merchant: Merchant) {
        orderId = order.id.description
        merchantName = merchant.name
        amountFen = order.amountFen
        amountFormatted = Money.fen(order.amountFen).formatted
        description = order.description
        status = order.status.rawValue
        expiresAt = order.expiresAt.description
    }
}

struct RefundBody: ResponseEncodable {
    let object = "refund"
    let id: String
    let orderId: String
    let refundNumber: String
    let amountFen: Int64
    let reason: String
    let status: String
    let failureCode: String?
    let createdAt: String
    let completedAt: String?

    init(_ refund: Refund) {
        id = refund.id.description
        orderId = refund.orderID.description
        refundNumber = refund.refundNumber
        amountFen = refund.amountFen
        reason = refund.reason
        status = refund.status.rawValue
        failureCode = refund.failureCode
        createdAt = refund.createdAt.description
        completedAt = refund.completedAt?.description
    }
}

struct LimitsBody: ResponseEncodable {
    let object = "epay_limits"
    let perTransactionFen: Int64
    let perDayFen: Int64
    let perMonthFen: Int64

    init(_ limits: EPayLimits) {
        perTransactionFen = limits.perTransactionFen
        perDayFen = limits.perDayFen
        perMonthFen = limits.perMonthFen
    }
}

struct MerchantBody: ResponseEncodable {
    let object = "merchant"
    let id: String
    let name: String
    let licenceNumber: String
    let settlementAccountId: String
    let notifyUrl: String
    let status: String
    let createdAt: String

    init(_ merchant: Merchant) {
        id = merchant.id.description
        name = merchant.name
        licenceNumber = merchant.licenceNumber
        settlementAccountId = merchant.settlementAccountID.description
        notifyUrl = merchant.notifyURL
        status = merchant.status
        createdAt = merchant.createdAt.description
    }
}

struct MerchantCredentialsBody: ResponseEncodable {
    let object = "merchant_credentials"
    let merchant: MerchantBody
    let apiKey: String
    let signingSecret: String

    init(_ credentials: MerchantCredentials) {
        merchant = MerchantBody(credentials.merchant)
        apiKey = credentials.apiKey
        signingSecret = credentials.signingSecret
    }
}

struct WebhookBody: ResponseEncodable {
    let object = "webhook_delivery"
    let id: String
    let eventType: String
    let status: String
    let attempts: Int
    let lastStatusCode: Int?
    let lastError: String?
    let createdAt: String
    let nextAttemptAt: String?
    let deliveredAt: String?
    let payload: String

    init(_ delivery: WebhookDelivery) {
        id = delivery.id.description
        eventType = delivery.eventType
        status = delivery.status.rawValue
        attempts = delivery.attempts
        lastStatusCode = delivery.lastStatusCode
        lastError = delivery.lastError
        createdAt = delivery.createdAt.description
        nextAttemptAt = delivery.nextAttemptAt?.description
        deliveredAt = delivery.deliveredAt?.description
        payload = delivery.payload
    }
}

struct SigningSecretBody: ResponseEncodable {
    let object = "webhook_signing_secret"
    let signingSecret: String
    /// Deliveries until then also carry a signature with the previous secret.
    let previousValidUntil: String
}

struct MerchantKeyBody: ResponseEncodable {
    let object = "merchant_api_key"
    let apiKey: String
}
