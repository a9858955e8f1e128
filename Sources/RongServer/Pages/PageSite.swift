import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Mustache

/// A part of the site with its own sign-in, navigation and strings.
enum PageArea: Sendable {
    /// The customer portal (`/bank`).
    case bank
    /// The staff console (`/console`).
    case console
    /// Development tools (`/dev`).
    case dev
    /// The merchant dashboard (`/merchant`).
    case merchant
    /// The hosted pay page (`/pay/{orderID}`): public.
    case pay

    var home: String {
        switch self {
        case .bank: "/bank"
        case .console: "/console"
        case .dev: "/dev/sms"
        case .merchant: "/merchant"
        case .pay: "/"
        }
    }

    var signInPath: String {
        switch self {
        case .console: "/console/sign-in"
        case .merchant: "/merchant/sign-in"
        case .bank, .dev, .pay: "/bank/sign-in"
        }
    }

    var signOutPath: String {
        switch self {
        case .console: "/console/sign-out"
        case .merchant: "/merchant/sign-out"
        case .bank, .dev, .pay: "/bank/sign-out"
        }
    }

    /// Who signs in here: anyone else is sent to this area's sign-in page.
    var realmRoles: Set<Role> {
        switch self {
        case .console: Set(Role.staff)
        case .merchant: [.merchant]
        case .bank, .dev, .pay: [.customer]
        }
    }

    func text(_ lang: PageLanguage) -> [String: String] {
        let en = lang.isEnglish
        let area: [String: String] = switch self {
        case .bank: (en ? PortalText.english : PortalText.chinese).merging(en ? EPayAreaText.portalEnglish : EPayAreaText.portalChinese) { _, new in new }
            .merging(en ? TransferText.portalEnglish : TransferText.portalChinese) { _, new in new }
            .merging(en ? DepositText.portalEnglish : DepositText.portalChinese) { _, new in new }
            .merging(en ? WealthText.portalEnglish : WealthText.portalChinese) { _, new in new }
            .merging(LoanText.portal(lang)) { _, new in new }
            .merging(en ? ElinkText.sharedEnglish : ElinkText.sharedChinese) { _, new in new }
        case .console: (en ? ConsoleText.english : ConsoleText.chinese).merging(en ? EPayAreaText.consoleEnglish : EPayAreaText.consoleChinese) { _, new in new }
            .merging(en ? TransferText.consoleEnglish : TransferText.consoleChinese) { _, new in new }
            .merging(en ? DepositText.consoleEnglish : DepositText.consoleChinese) { _, new in new }
            .merging(en ? WealthText.consoleEnglish : WealthText.consoleChinese) { _, new in new }
            .merging(LoanText.console(lang)) { _, new in new }
            .merging(en ? ElinkText.consoleEnglish : ElinkText.consoleChinese) { _, new in new }
        case .dev: [:]
        case .merchant: (en ? MerchantText.english : MerchantText.chinese).merging(LoanText.merchant(lang)) { _, new in new }
        case .pay: en ? PayText.english : PayText.chinese
        }
        return (en ? PageText.english : PageText.chinese).merging(area) { _, mine in mine }
    }
}

/// Registers every server-rendered page group: the portal, the console, the merchant
/// dashboard, the hosted pay page and (when `config.devPages`) the development pages.
enum SitePages {
    static func register(on router: Router<RongRequestContext>, platform: RongPlatform, config: RongConfig) async throws {
        let site = PageSite(platform: platform, templates: try await HomePage.loadTemplates())
        PortalPages(site: site).register(on: router)
        PortalCardPages(site: site).register(on: router)
        PortalAccountPages(site: site).register(on: router)
        PortalLimitPages(site: site).register(on: router)
        PortalTransferPages(site: site).register(on: router)
        PortalDepositPages(site: site).register(on: router)
        ConsolePages(site: site).register(on: router)
        ConsoleMerchantPages(site: site).register(on: router)
        ConsoleClearingPages(site: site).register(on: router)
        ConsoleRatePages(site: site).register(on: router)
        PortalWealthPages(site: site).register(on: router)
        ConsoleWealthPages(site: site).register(on: router)
        MerchantPages(site: site).register(on: router)
        MerchantWebhookPages(site: site).register(on: router)
        PortalLoanPages(site: site).register(on: router)
        MerchantCreditPages(site: site).register(on: router)
        ConsoleLoanPages(site: site).register(on: router)
        PayPages(site: site).register(on: router)
        ElinkPages(site: site).register(on: router)
        ElinkOfficialPages(site: site).register(on: router)
        if config.devPages { DevPages(site: site).register(on: router) }
    }
}

/// What every page handler shares: the platform, the templates and the session cookies.
struct PageSite: Sendable {
    let platform: RongPlatform
    let templates: MustacheLibrary

    var session: PageSession { PageSession(identity: platform.identity) }

    /// Runs a page handler. With `access`, the caller must be signed in with one of those roles:
    /// someone not signed in (or signed in elsewhere) is sent to the area's sign-in page, a
    /// staff member without the role sees 403. A service's `DomainError` not handled by the page
    /// becomes an error page. A POST's form is parsed first (its hidden `lang` chooses the language),
    /// up to `formBytesMax`.
    func page(_ request: Request, _ context: RongRequestContext, area: PageArea, access: Set<Role>? = nil,
              formBytesMax: Int = FormData.bodyBytesMax, _ body: (PageCall) async throws -> Response) async throws -> Response {
        let form = request.method == .post ? try await FormData.parse(request, context: context, bytesMax: formBytesMax) : nil
        var call = PageCall(site: self, request: request, context: context, area: area, lang: PageLanguage.of(request, form: form), form: form)
        var renewed: SessionTokens?
        var response: Response
        if let access {
            guard let resolved = try await session.resolve(request, address: context.clientAddress) else {
                response = PageResponse.redirect(area.signInPath)
                // A session that no longer works is removed, so the next page does not try it again.
                if request.cookies[Authenticator.refreshCookie] != nil || request.cookies[Authenticator.accessCookie] != nil {
                    response.setCookies(PageSession.clearedCookies(secure: call.isSecure))
                }
                return call.finish(response)
            }
            let role = resolved.principal.role
            renewed = resolved.renewed
            if area.realmRoles.contains(role) { call.principal = resolved.principal }
            // Signed in to the other area: that session stays (with its renewed cookies); this area asks for its own sign-in.
            let refused: Response? = !area.realmRoles.contains(role) ? PageResponse.redirect(area.signInPath)
                : !access.contains(role) ? call.errorPage(DomainError(.forbidden, "Your role (\(role.rawValue)) may not see this page.", status: 403))
                : nil
            if var refused {
                if let renewed { refused.setCookies(PageSession.cookies(renewed, secure: call.isSecure)) }
                return call.finish(refused)
            }
        }
        do {
            response = try await body(call)
        } catch let error as DomainError {
            response = call.errorPage(error)
        }
        if let renewed { response.setCookies(PageSession.cookies(renewed, secure: call.isSecure)) }
        return call.finish(response)
    }
}

/// One page request: who asks, in which language, with which form.
struct PageCall {
    let site: PageSite
    let request: Request
    let context: RongRequestContext
    let area: PageArea
    let lang: PageLanguage
    /// The parsed body of a POST.
    let form: FormData?
    var principal: Principal?

    init(site: PageSite, request: Request, context: RongRequestContext, area: PageArea, lang: PageLanguage, form: FormData?) {
        self.site = site
        self.request = request
        self.context = context
        self.area = area
        self.lang = lang
        self.form = form
    }

    var platform: RongPlatform { site.platform }
    var address: String { context.clientAddress }
    var text: [String: String] { area.text(lang) }
    var isSecure: Bool { PageSession.isSecure(request) }

    /// The signed-in caller (pages registered with `access` only).
    var signedIn: Principal {
        guard let principal else { preconditionFailure("signedIn is only used on pages that require a sign-in") }
        return principal
    }

    /// Renders `template` inside the shared layout.
    ///
    /// - Parameters:
    ///   - title: key of the page title in the area's strings.
    ///   - getPath: the page's GET address, for the language switch on a re-rendered POST.
    func render(_ template: String, title: String, _ values: [String: Any] = [:], status: HTTPResponse.Status = .ok,
                getPath: String? = nil) -> Response {
        let t = text
        var context = values
        context["t"] = t
        context["lang"] = lang.rawValue
        context["langCode"] = lang.code
        context["title"] = t[title] ?? title
        context["area"] = "\(area)"
        context["homeHref"] = area.home
        context["switchHref"] = switchHref(getPath: getPath)
        context["switchLabel"] = t["switchLabel"]
        context["nav"] = navigation(t)
        if let principal {
            context["user"] = principal.displayName
            context["role"] = lang.isEnglish ? principal.role.rawValue : principal.role.labelZH
            context["signOutAction"] = area.signOutPath
        }
        if context["notice"] == nil, let key = request.uri.queryParameters.get("notice"), let notice = t["notice_\(key)"] {
            context["notice"] = notice
        }
        guard let html = site.templates.render(context, withTemplate: template) else {
            return PageResponse.html("template \(template) missing", status: .internalServerError)
        }
        return PageResponse.html(html, status: status)
    }

    /// A service refusal as a page of its own (404 account, 403 role, …).
    func errorPage(_ error: DomainError) -> Response {
        render("error", title: "errorTitle", ["message": PageText.message(for: error, lang: lang), "code": error.code.rawValue],
               status: HTTPResponse.Status(code: error.status >= 400 ? error.status : 422), getPath: area.home)
    }

    /// A form refused by a service, shown again with the message (from a module's `messages`
    /// table when given), the field marked and the input kept.
    func formError(_ error: DomainError, fieldNames: [String: String] = [:],
                   messages: (DomainError, PageLanguage) -> String = PageText.message) -> FormState {
        FormState(error: error, form: form, lang: lang, fieldNames: fieldNames, messages: messages)
    }

    /// Remembers an explicit language choice.
    func finish(_ response: Response) -> Response {
        guard let asked = PageLanguage.requested(request) else { return response }
        var response = response
        response.setCookie(Cookie(name: PageLanguage.cookie, value: asked.code, path: "/", secure: isSecure, httpOnly: true, sameSite: .lax))
        return response
    }

    /// This page in the other language: the same address and query with `lang` switched.
    private func switchHref(getPath: String?) -> String {
        let target = lang.other.code
        if request.method != .get { return PageResponse.path(getPath ?? area.home, [("lang", target)]) }
        var query: [(String, String)] = []
        for (name, value) in request.uri.queryParameters where name != "lang" && name != "notice" {
            query.append((String(name), String(value)))
        }
        query.append(("lang", target))
        return PageResponse.path(request.uri.path, query)
    }

    private func navigation(_ t: [String: String]) -> [[String: String]] {
        let items: [(String, String, String)]
        switch area {
        case .bank:
            items = principal == nil
                ? [("nav-sign-in", "/bank/sign-in", "navSignIn"), ("nav-register", "/bank/register", "navRegister")]
                : [("nav-overview", "/bank", "navOverview"), ("nav-transfer", "/bank/transfer", "navTransfer"),
                   ("nav-transfers", "/bank/transfers", "navTransfers"), ("nav-deposits", "/bank/deposits", "navDeposits"), ("nav-products", "/bank/products", "navProducts"),
                   ("nav-holdings", "/bank/holdings", "navHoldings"), ("nav-loans", "/bank/loans", "navLoans"), ("nav-bind", "/bank/bind", "navBind"), ("nav-open", "/bank/open", "navOpen"),
                   ("nav-limits", "/bank/limits", "navLimits"), ("nav-password", "/bank/password", "navPassword"),
                   ("nav-elink", "/bank/elink", "navElink")]
        case .console:
            var list = [("nav-search", "/console", "navSearch"), ("nav-merchants", "/console/merchants", "navMerchants"),
                        ("nav-products", "/console/products", "navProducts")]
            if principal?.isOperator == true {
                list += [("nav-clearing", "/console/clearing", "navClearing"), ("nav-reconciliation", "/console/reconciliation", "navReconciliation"),
                         ("nav-loans", "/console/loans", "navLoans"), ("nav-lines", "/console/lines", "navLines")]
            }
            if principal != nil {
                list.append(("nav-rates", "/console/rates", "navRates"))
            }
            if principal?.role == .admin { list.append(("nav-audit", "/console/audit", "navAudit")) }
            if principal?.role == .accountManager { list.append(("nav-elink-customers", "/console/elink/customers", "navElinkCustomers")) }
            if principal?.role == .serviceAgent || principal?.role == .admin { list.append(("nav-elink-queue", "/console/elink/queue", "navElinkQueue")) }
            if principal?.isOperator == true { list.append(("nav-elink-official", "/console/elink/official", "navElinkOfficial")) }
            items = principal == nil ? [("nav-sign-in", "/console/sign-in", "navSignIn")] : list
        case .dev:
            items = [("nav-sms", "/dev/sms", "navSMS"), ("nav-bank", "/bank", "navBankPortal")]
        case .merchant:
            items = principal == nil ? [("nav-sign-in", "/merchant/sign-in", "navSignIn")]
                : [("nav-orders", "/merchant", "navOrders"), ("nav-webhooks", "/merchant/webhooks", "navWebhooks"), ("nav-credit", "/merchant/credit", "navCredit")]
        case .pay:
            items = []
        }
        return items.map { ["id": $0.0, "href": $0.1, "label": t[$0.2] ?? $0.2] }
    }
}
