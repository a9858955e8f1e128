import BankKit
import Hummingbird
import Identity

/// Development-only pages, registered only when `config.devPages` (`rong serve --demo`):
/// `/dev/sms` shows the text messages the outbox sent, codes included, so a developer or the
/// browser test can register without a phone. Never enabled in production.
struct DevPages {
    let site: PageSite
    static let messagesShown = 50

    func register(on router: Router<RongRequestContext>) {
        router.get("dev/sms") { request, context in
            try await site.page(request, context, area: .dev) { call in
                let messages = try await call.platform.identity.sms.recent(limit: DevPages.messagesShown)
                let rows: [[String: Any]] = messages.map {
                    ["mobile": $0.mobile, "purpose": $0.purpose, "body": $0.body, "at": PageFormat.shanghai($0.createdAt)]
                }
                let t = call.lang.isEnglish ? DevPages.english : DevPages.chinese
                return call.render("dev-sms", title: t["smsTitle"]!, ["messages": rows, "hasMessages": !rows.isEmpty, "d": t])
            }
        }
    }

    static let chinese = [
        "smsTitle": "短信发件箱（开发环境）", "devOnly": "仅限开发环境：本页显示发出的全部短信（含验证码），生产环境不会启用。",
        "mobile": "手机号码", "purpose": "用途", "body": "内容", "time": "时间（北京时间）", "none": "尚未发送短信。",
    ]

    static let english = [
        "smsTitle": "SMS outbox (development)", "devOnly": "Development only: every text message sent, codes included. Never enabled in production.",
        "mobile": "Mobile", "purpose": "Purpose", "body": "Message", "time": "Time (Asia/Shanghai)", "none": "No messages sent yet.",
    ]
}
