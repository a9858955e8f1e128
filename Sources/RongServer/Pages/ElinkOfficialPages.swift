import BankKit
import Foundation
import Hummingbird
import Identity
import Messaging

/// The operators' official-account pages (`/console/elink/official`): every account with a form
/// to open one, and per account the forms to publish an article and broadcast a text, with its
/// recent articles. The broadcast form carries a hidden client id made when it is rendered, so a
/// form sent twice (a double click, a resend after a lost answer) reaches followers once.
struct ElinkOfficialPages {
    let site: PageSite

    func register(on router: Router<RongRequestContext>) {
        router.get("console/elink/official") { request, context in
            try await site.page(request, context, area: .console, access: Role.operators) { call in try await listPage(call) }
        }
        router.post("console/elink/official") { request, context in
            try await site.page(request, context, area: .console, access: Role.operators) { call in try await create(call) }
        }
        router.get("console/elink/official/:id") { request, context in
            try await site.page(request, context, area: .console, access: Role.operators) { call in
                try await accountPage(call, id: try call.context.id("id"))
            }
        }
        router.post("console/elink/official/:id/articles") { request, context in
            try await site.page(request, context, area: .console, access: Role.operators, formBytesMax: FormData.longTextBodyBytesMax) { call in
                try await publish(call)
            }
        }
        router.post("console/elink/official/:id/broadcasts") { request, context in
            try await site.page(request, context, area: .console, access: Role.operators) { call in try await broadcast(call) }
        }
    }

    /// A textarea posts its line breaks as CR LF; the service keeps plain LF (a CR is a control character to it).
    static func lines(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    func create(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            guard let kind = OfficialAccount.Kind(rawValue: form.text("kind")) else {
                throw DomainError(.invalidRequest, "kind is service or subscription.", status: 422, extensions: ["field": .string("kind")])
            }
            let branch = form.text("branch_code")
            let account = try await call.platform.messaging.createOfficialAccount(
                call.signedIn, name: form.text("name"), kind: kind, branchCode: branch.isEmpty ? nil : branch, description: form.text("description"),
                autoFollow: form["auto_follow"] != nil, address: call.address)
            return PageResponse.redirect("/console/elink/official/\(account.id)?notice=officialCreated")
        } catch let error as DomainError {
            return try await listPage(call, failed: ElinkText.formError(error, call))
        }
    }

    func publish(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        let id = try call.context.id("id")
        do {
            _ = try await call.platform.messaging.publishArticle(call.signedIn, accountID: id, title: form.text("title"), summary: form.text("summary"),
                                                                 body: ElinkOfficialPages.lines(form["body"] ?? ""), address: call.address)
            return PageResponse.redirect("/console/elink/official/\(id)?notice=articlePublished")
        } catch let error as DomainError where error.code != .officialAccountNotFound {
            return try await accountPage(call, id: id, failedArticle: ElinkText.formError(error, call))
        }
    }

    func broadcast(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        let id = try call.context.id("id")
        do {
            let clientID = form.text("client_id")
            _ = try await call.platform.messaging.broadcast(call.signedIn, accountID: id, text: ElinkOfficialPages.lines(form["text"] ?? ""),
                                                            clientID: clientID.isEmpty ? nil : clientID, address: call.address)
            return PageResponse.redirect("/console/elink/official/\(id)?notice=broadcastSent")
        } catch let error as DomainError where error.code != .officialAccountNotFound {
            return try await accountPage(call, id: id, failedBroadcast: ElinkText.formError(error, call, fieldNames: ["client_id": "text"]))
        }
    }

    func kindLabel(_ kind: OfficialAccount.Kind, _ t: [String: String]) -> String { t["officialKind_\(kind.rawValue)"] ?? kind.rawValue }

    func listPage(_ call: PageCall, failed: FormState? = nil) async throws -> Response {
        let t = call.text
        let accounts = try await call.platform.messaging.officialAccounts(call.signedIn).map(\.account)
        let chosenKind = failed?.values["kind"] ?? OfficialAccount.Kind.subscription.rawValue
        var form = failed?.context ?? FormState().context
        if let failed { form["autoFollow"] = failed.values["auto_follow"] != nil }
        return call.render("console-elink-official", title: "officialAdminTitle", [
            "accounts": accounts.map { account -> [String: Any] in
                ["id": account.id.description, "name": account.name, "kind": kindLabel(account.kind, t), "kindCode": account.kind.rawValue,
                 "branch": account.branchCode ?? (t["headOffice"] ?? ""), "description": account.description, "autoFollow": account.autoFollow]
            },
            "empty": accounts.isEmpty,
            "kinds": OfficialAccount.Kind.allCases.map { ["value": $0.rawValue, "name": kindLabel($0, t), "selected": $0.rawValue == chosenKind] },
            "form": form,
        ], status: failed == nil ? .ok : .unprocessableContent, getPath: "/console/elink/official")
    }

    func accountPage(_ call: PageCall, id: RongID, failedArticle: FormState? = nil, failedBroadcast: FormState? = nil) async throws -> Response {
        let t = call.text
        let messaging = call.platform.messaging
        let account = try await messaging.officialAccount(id: id)
        let articles = try await messaging.articles(accountID: id, limit: 20)
        var broadcastForm = failedBroadcast?.context ?? FormState().context
        // A refused broadcast keeps its client id: nothing was sent, and a resend stays one message.
        broadcastForm["clientID"] = failedBroadcast?.values["client_id"].flatMap { $0.isEmpty ? nil : $0 } ?? "web-\(call.platform.ids.next())"
        return call.render("console-elink-official-account", title: "officialAdminTitle", [
            "id": account.id.description, "name": account.name, "kind": kindLabel(account.kind, t), "branch": account.branchCode ?? (t["headOffice"] ?? ""),
            "description": account.description, "hasDescription": !account.description.isEmpty, "autoFollow": account.autoFollow,
            "articles": articles.map { ["id": $0.id.description, "title": $0.title, "summary": $0.summary, "published": PageFormat.shanghai($0.publishedAt)] },
            "noArticles": articles.isEmpty,
            "articleForm": failedArticle?.context ?? FormState().context,
            "broadcastForm": broadcastForm,
        ], status: failedArticle == nil && failedBroadcast == nil ? .ok : .unprocessableContent, getPath: "/console/elink/official/\(id)")
    }
}
