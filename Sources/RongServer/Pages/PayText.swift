import BankKit
import Payments

/// The hosted pay page's strings (`{{t.key}}` in `pay`), order statuses shared with the
/// merchant dashboard, and e-Pay refusals in the page's language.
enum PayText {
    static let chinese: [String: String] = [
        "payTitle": "e支付收银台", "payHint": "融银行 e支付：凭预留手机号、账号后六位和短信验证码付款，无需登录。",
        "merchant": "收款商户", "amount": "金额", "description": "商品", "orderNumber": "订单号", "status": "状态",
        "expiresIn": "剩余支付时间", "expiresAt": "请在此时间前完成支付", "payMobile": "预留手机号码", "accountLast6": "账号后六位",
        "accountLast6Hint": "您在融银行的电子账户或借记卡账号的最后六位数字。", "getCode": "获取验证码", "codeSentTo": "验证码已发送至",
        "code": "短信验证码", "payButton": "确认支付", "newCode": "重新获取验证码",
        "paidTitle": "支付成功", "paidAt": "支付时间", "refusedTitle": "支付未完成", "tryAgain": "重新支付", "limitsLink": "调整 e支付限额",
        "refundedNote": "本订单已有退款。",
        "footer": "融 Rong — 开源互联网金融平台",
    ]

    static let english: [String: String] = [
        "payTitle": "e-Pay checkout", "payHint": "Rong Bank e-Pay: pay with your registered mobile, the last six digits of your account and an SMS code; no sign-in.",
        "merchant": "Merchant", "amount": "Amount", "description": "Item", "orderNumber": "Order number", "status": "Status",
        "expiresIn": "Time left to pay", "expiresAt": "Pay before", "payMobile": "Registered mobile number", "accountLast6": "Last 6 digits of your account",
        "accountLast6Hint": "The last six digits of your Rong Bank e-account or debit card.", "getCode": "Send code", "codeSentTo": "Code sent to",
        "code": "SMS code", "payButton": "Pay now", "newCode": "Send a new code",
        "paidTitle": "Payment successful", "paidAt": "Paid at", "refusedTitle": "Payment not completed", "tryAgain": "Try again",
        "limitsLink": "Change e-Pay limits", "refundedNote": "This order has refunds.",
        "footer": "融 Rong — open-source internet finance",
    ]

    /// `待支付` / `Awaiting payment`, …; an unpaid order past its expiry reads as expired.
    static func status(_ order: PaymentOrder, now: Timestamp, lang: PageLanguage) -> (label: String, key: String) {
        let status: PaymentOrder.Status = order.status == .created && order.expiresAt <= now ? .expired : order.status
        let labels: (String, String) = switch status {
        case .created: ("待支付", "Awaiting payment")
        case .confirming: ("支付确认中", "Being confirmed")
        case .paid: ("已支付", "Paid")
        case .partiallyRefunded: ("部分退款", "Partly refunded")
        case .refunded: ("已全额退款", "Refunded")
        case .closed: ("已关闭", "Closed")
        case .expired: ("已过期", "Expired")
        }
        return (lang.isEnglish ? labels.1 : labels.0, status.rawValue)
    }

    /// `剩余 29 分 05 秒` / `29 min 05 s left`; nil once expired.
    static func timeLeft(until end: Timestamp, now: Timestamp, lang: PageLanguage) -> String? {
        let seconds = end.secondsSinceEpoch - now.secondsSinceEpoch
        guard seconds > 0 else { return nil }
        let (hours, minutes, rest) = (seconds / 3600, seconds / 60 % 60, seconds % 60)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if lang.isEnglish {
            return hours > 0 ? "\(hours) h \(two(minutes)) min left" : "\(minutes) min \(two(rest)) s left"
        }
        return hours > 0 ? "剩余 \(hours) 小时 \(two(minutes)) 分" : "剩余 \(minutes) 分 \(two(rest)) 秒"
    }

    /// Yuan for a form field: `5000.00`.
    static func plainYuan(_ fen: Int64) -> String {
        let cents = fen % 100
        return "\(fen / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// A refusal in the page's language: e-Pay's own codes and limits first, then the shared table.
    static func message(for error: DomainError, lang: PageLanguage) -> String {
        if error.code == .limitExceeded, case .string(let rule)? = error.extensions["limit"] {
            return limitMessage(rule: rule, error: error, lang: lang)
        }
        if lang.isEnglish { return error.detail }
        if error.code == .invalidRequest, case .string(let field)? = error.extensions["field"], let text = invalidFieldChinese[field] { return text }
        return chineseMessages[error.code.rawValue] ?? PageText.message(for: error, lang: lang)
    }

    /// `超过e支付日累计限额 ¥5,000.00（剩余 ¥1,200.00）`.
    static func limitMessage(rule: String, error: DomainError, lang: PageLanguage) -> String {
        func fen(_ key: String) -> Int64? { if case .int(let value)? = error.extensions[key] { value } else { nil } }
        let names = limitNames[rule] ?? (rule, rule)
        let limit = fen("limit_fen").map(PageFormat.money) ?? ""
        // What is left matters for a period's total, not for one payment's cap.
        let remaining = rule.hasSuffix("per_transaction") ? nil : fen("remaining_fen").map(PageFormat.money)
        if lang.isEnglish {
            return "This payment would exceed your \(names.1) of \(limit)" + (remaining.map { " (\($0) left)." } ?? ".")
        }
        return "超过\(names.0) \(limit)" + (remaining.map { "（剩余 \($0)）。" } ?? "。")
    }

    static let limitNames: [String: (String, String)] = [
        "epay_per_transaction": ("e支付单笔限额", "e-Pay per-payment limit"),
        "epay_daily": ("e支付日累计限额", "e-Pay daily limit"),
        "epay_monthly": ("e支付月累计限额", "e-Pay monthly limit"),
        "class_ii_daily_out": ("Ⅱ类户日累计转出限额", "Class II daily outgoing limit"),
        "class_ii_yearly_out": ("Ⅱ类户年累计转出限额", "Class II yearly outgoing limit"),
        "class_iii_daily_out": ("Ⅲ类户日累计转出限额", "Class III daily outgoing limit"),
        "class_iii_yearly_out": ("Ⅲ类户年累计转出限额", "Class III yearly outgoing limit"),
        "class_iii_balance": ("Ⅲ类户余额上限", "Class III balance cap"),
    ]

    static let chineseMessages: [String: String] = [
        ErrorCode.orderNumberConflict.rawValue: "该订单号已用于金额或描述不同的订单，请换一个订单号。",
        ErrorCode.orderExpired.rawValue: "订单已过期，请返回商户重新下单。",
        ErrorCode.orderNotPayable.rawValue: "订单已关闭或已支付，不能再支付。",
        ErrorCode.orderBeingConfirmed.rawValue: "订单正在确认中，请稍后刷新页面。",
        ErrorCode.payerVerificationFailed.rawValue: "手机号码与账号后六位未能匹配本行账户，请核对后重试。",
        ErrorCode.refundExceedsCaptured.rawValue: "退款总额不能超过订单实收金额。",
        ErrorCode.refundNumberConflict.rawValue: "该退款单号已用于其他金额的退款，请换一个退款单号。",
        ErrorCode.orderNotRefundable.rawValue: "只有已支付的订单可以退款。",
        ErrorCode.invalidLicence.rawValue: "营业执照号码应为 18 位统一社会信用代码，且校验位正确。",
        ErrorCode.merchantExists.rawValue: "该统一社会信用代码的商户已入驻。",
        ErrorCode.invalidID.rawValue: "验证码已失效，请重新获取。",
    ]

    /// `invalid_request` by the field it names.
    static let invalidFieldChinese: [String: String] = [
        "order_number": "订单号为 1–32 位字母、数字、下划线或连字符。",
        "refund_number": "退款单号为 1–32 位字母、数字、下划线或连字符。",
        "description": "商品描述为 1–128 个字符，不能包含 < > 或控制字符。",
        "notify_url": "通知地址须为 http(s) 地址，最长 300 个字符。",
        "name": "商户名称为 1–40 个字符，不能包含 < > \" & 或控制字符。",
        "contact_password": "请设置联系人的初始登录密码。",
        "per_transaction_fen": "单笔限额不能超过日累计限额。",
        "per_transaction": "单笔限额不能超过日累计限额。",
        "expires_in_seconds": "有效期为 1 分钟到 24 小时。",
    ]
}

extension PageCall {
    /// A form refused by an e-Pay service: like `formError`, with e-Pay's messages.
    func payFormError(_ error: DomainError, fieldNames: [String: String] = [:]) -> FormState {
        formError(error, fieldNames: fieldNames, messages: PayText.message)
    }

    /// Yuan typed into `field` as fen (strict, positive), the error naming that field.
    func yuan(_ field: String) throws(DomainError) -> Int64 {
        do { return try PageFormat.amountFen((form ?? FormData()).text(field)) } catch {
            throw DomainError(error.code, error.detail, status: error.status, extensions: ["field": .string(field)])
        }
    }
}
