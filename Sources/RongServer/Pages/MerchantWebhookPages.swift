import BankKit
import Hummingbird
import Identity
import Payments

/// The merchant's webhooks (`/merchant/webhooks`): each delivery with its status, attempts and
/// last response, one delivery's payload and attempts, and replaying a delivered or failed one.
struct MerchantWebhookPages {
    let site: PageSite
    static let pageSize = 20

    func register(on router: Router<RongRequestContext>) {
        router.get("merchant/webhooks") { request, context in
            try await site.page(request, context, area: .merchant, access: [.merchant]) { call in try await listPage(call) }
        }
        router.get("merchant/webhooks/:id") { request, context in
            try await site.page(request, context, area: .merchant, access: [.merchant]) { call in
                try await deliveryPage(call, id: try context.id("id"))
            }
        }
        router.post("merchant/signing-secret") { request, context in
            try await site.page(request, context, area: .merchant, access: [.merchant]) { call in
                let merchant = try await call.platform.payments.merchant(of: call.signedIn)
                let rotated = try await call.platform.payments.rotateSigningSecret(merchantID: merchant.id, actor: call.signedIn.actorRef, address: call.address)
                // Shown once, on this answer (not a redirect): it is never displayed again.
                return try await listPage(call, newSecret: (rotated.secret, PageFormat.shanghai(rotated.previousValidUntil)))
            }
        }
        router.post("merchant/webhooks/:id/replay") { request, context in
            try await site.page(request, context, area: .merchant, access: [.merchant]) { call in
                let merchant = try await call.platform.payments.merchant(of: call.signedIn)
                do {
                    try await call.platform.payments.webhooks.replay(webhookID: try context.id("id"), merchantID: merchant.id)
                    return PageResponse.redirect("/merchant/webhooks?notice=replayed")
                } catch let error as DomainError where error.code == .conflict {
                    let message = call.lang.isEnglish ? error.detail : "该通知正在等待发送，无需重新发送。"
                    return try await listPage(call, error: message, status: .conflict)
                }
            }
        }
    }

    func row(_ delivery: WebhookDelivery, _ t: [String: String]) -> [String: Any] {
        var last = delivery.lastStatusCode.map { "HTTP \($0)" } ?? "—"
        if delivery.lastStatusCode == nil, let error = delivery.lastError { last = String(error.prefix(80)) }
        return [
            "id": delivery.id.description, "href": "/merchant/webhooks/\(delivery.id)", "event": delivery.eventType,
            "status": t["webhook_\(delivery.status.rawValue)"] ?? delivery.status.rawValue, "statusKey": delivery.status.rawValue,
            "attempts": String(delivery.attempts), "last": last, "created": PageFormat.shanghai(delivery.createdAt),
            "next": delivery.nextAttemptAt.map(PageFormat.shanghai) ?? "—", "canReplay": delivery.status != .pending,
        ]
    }

    func listPage(_ call: PageCall, error: String? = nil, status: HTTPResponse.Status = .ok,
                  newSecret: (secret: String, previousUntil: String)? = nil) async throws -> Response {
        let merchant = try await call.platform.payments.merchant(of: call.signedIn)
        let beforeText = call.request.method == .get ? call.request.uri.queryParameters.get("before") : nil
        let before = try beforeText.map { try RongID($0) }
        let deliveries = try await call.platform.payments.webhooks.deliveries(merchantID: merchant.id, limit: MerchantWebhookPages.pageSize, before: before)
        let t = call.text
        var values: [String: Any] = ["webhooks": deliveries.map { row($0, t) }, "hasWebhooks": !deliveries.isEmpty, "wide": true]
        if deliveries.count == MerchantWebhookPages.pageSize, let last = deliveries.last { values["olderHref"] = "/merchant/webhooks?before=\(last.id)" }
        if before != nil { values["newestHref"] = "/merchant/webhooks" }
        if let error { values["error"] = error }
        if let newSecret { values["newSecret"] = ["secret": newSecret.secret, "until": newSecret.previousUntil] }
        return call.render("merchant-webhooks", title: "webhooksTitle", values, status: status, getPath: "/merchant/webhooks")
    }

    func deliveryPage(_ call: PageCall, id: RongID) async throws -> Response {
        let merchant = try await call.platform.payments.merchant(of: call.signedIn)
        let webhooks = call.platform.payments.webhooks
        let delivery = try await webhooks.delivery(webhookID: id, merchantID: merchant.id)
        let attempts: [[String: Any]] = try await webhooks.attempts(webhookID: id, merchantID: merchant.id).map {
            ["at": PageFormat.shanghai($0.attemptedAt), "status": $0.statusCode.map { "HTTP \($0)" } ?? "—", "error": $0.error ?? "",
             "duration": String($0.durationMilliseconds)]
        }
        var values = row(delivery, call.text)
        values["payload"] = delivery.payload
        values["attemptRows"] = attempts
        values["hasAttempts"] = !attempts.isEmpty
        return call.render("merchant-webhook", title: "webhookTitle", values)
    }
}
