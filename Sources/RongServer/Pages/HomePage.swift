import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Mustache

/// The first page at `/`: what Rong is, today's business date, links to the API document.
/// Chinese first; `?lang=en` switches to English.
struct HomePage {
    let platform: RongPlatform
    let templates: MustacheLibrary

    func register(on router: Router<RongRequestContext>) {
        router.get("/") { request, _ -> Response in
            let english = request.uri.queryParameters.get("lang") == "en"
            let html = try await render(english: english)
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }

    func render(english: Bool) async throws -> String {
        let today = platform.clock.businessDate()
        let deposits = try await platform.ledger.holdings(asset: .cny, chartCode: ChartOfAccounts.customerDemandDeposits)
        // A total beyond Int64 fen (¥92 trillion) is shown unformatted rather than wrapped.
        let held = Int64(exactly: deposits.postedCreditBalance).map { Money.fen($0).formatted } ?? "¥\(deposits.postedCreditBalance / 100)"
        let t = english ? HomePage.english : HomePage.chinese
        var context: [String: Any] = t
        context["lang"] = english ? "en" : "zh-CN"
        context["switchHref"] = english ? "/" : "/?lang=en"
        context["businessDate"] = today.iso
        context["businessDay"] = platform.calendar.isBusinessDay(today) ? t["yes"]! : t["no"]!
        context["database"] = platform.database.dialect == .sqlite ? "SQLite" : "PostgreSQL"
        context["accountCount"] = String(deposits.accounts)
        context["deposits"] = held
        context["platforms"] = (english ? HomePage.platformsEnglish : HomePage.platformsChinese).map { ["name": $0.0, "text": $0.1] }
        return templates.render(context, withTemplate: "home") ?? ""
    }

    static let chinese: [String: String] = [
        "title": "融 · 互联网金融平台", "brand": "融 Rong", "switchLabel": "English",
        "aboutTitle": "关于融", "about": "融是一个银行可以自己运行的开源互联网金融平台：直销银行、快捷支付与缴费、在线收银台、消费与商户信贷、存款与理财、贵金属与外汇交易、银行商城，以及客户与客户经理沟通的即时通讯。",
        "statusTitle": "系统状态", "businessDateLabel": "营业日期（北京时间）", "businessDayLabel": "工作日", "yes": "是", "no": "否（节假日或周末）",
        "databaseLabel": "数据库", "accountsLabel": "客户活期账户数", "depositsLabel": "客户活期存款余额",
        "apiTitle": "开发者接口", "apiText": "所有接口以 OpenAPI 3.1 文档描述；错误以 RFC 9457 problem+json 返回，并带有稳定的错误代码。",
        "footer": "融 Rong — 开源互联网金融平台",
    ]

    static let english: [String: String] = [
        "title": "Rong · Internet finance platform", "brand": "融 Rong", "switchLabel": "中文",
        "aboutTitle": "About Rong", "about": "Rong is an open-source internet-finance platform a bank can run itself: a direct bank, quick pay and bill pay, an online cashier, consumer and merchant credit, deposits and wealth products, precious-metals and FX trading, a bank e-mall, and instant messaging between customers and their account manager.",
        "statusTitle": "Status", "businessDateLabel": "Business date (Asia/Shanghai)", "businessDayLabel": "Business day", "yes": "Yes", "no": "No (holiday or weekend)",
        "databaseLabel": "Database", "accountsLabel": "Customer demand accounts", "depositsLabel": "Customer demand deposits",
        "apiTitle": "For developers", "apiText": "Every route is described in the OpenAPI 3.1 document; errors are RFC 9457 problem+json with a stable code.",
        "footer": "融 Rong — open-source internet finance",
    ]

    static let platformsChinese: [(String, String)] = [
        ("融e行 直销银行", "线上开立电子账户、存款、理财、支付与跨行转账"),
        ("融e联 即时通讯", "与客户经理和客服沟通，接收提醒与优惠"),
        ("融e购 银行商城", "严选商户的网上购物、积分与分期"),
        ("e支付 · e缴费 · 线上POS", "短信验证快捷支付、缴费、在线收银台"),
        ("逸贷 · 网贷通", "消费即时分期、商户与小微企业循环贷款"),
        ("e投资", "账户贵金属、原油与外汇交易"),
    ]

    static let platformsEnglish: [(String, String)] = [
        ("e-Bank (direct bank)", "open an electronic account online, deposit, invest, pay, transfer to any bank"),
        ("e-Link (messaging)", "talk to your account manager and customer service, receive alerts and offers"),
        ("e-Mall", "shop with vetted merchants, with points and instalments"),
        ("e-Pay · bill pay · online POS", "quick pay with an SMS code, pay bills, online cashier"),
        ("Easy Loan · Online Revolving Loan", "instant credit at checkout, merchant and SME revolving loans"),
        ("e-Invest", "account gold, silver, crude oil and FX"),
    ]

    /// Loads the page templates shipped in the module's resources.
    static func loadTemplates() async throws -> MustacheLibrary {
        guard let directory = Bundle.module.url(forResource: "Resources", withExtension: nil)?.appendingPathComponent("templates").path else {
            throw DomainError(.internalError, "templates folder missing from the bundle", status: 500)
        }
        let library = try await MustacheLibrary(directory: directory)
        guard library.getTemplate(named: "home") != nil else {
            throw DomainError(.internalError, "no templates in \(directory)", status: 500)
        }
        return library
    }
}
