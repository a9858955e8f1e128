import Accounts
import BankKit
import Wealth

/// Strings of the wealth pages: the portal's products, holdings and questionnaire
/// (`bank-products`, `bank-product`, `bank-holdings`, `bank-risk`) and the console's products
/// (`console-products`, `console-product`), and the wealth refusals in Chinese.
enum WealthText {
    static let sharedChinese: [String: String] = [
        "navProducts": "理财产品",
        "kind_nav": "开放式净值型", "kind_periodic": "期次型",
        "phase_open": "在售", "phase_closed": "已停售", "phase_upcoming": "未开始募集", "phase_subscribing": "募集中", "phase_pending": "待成立",
        "phase_running": "存续中", "phase_matured": "已到期",
        "productCode": "产品代码", "productName": "产品名称", "productKind": "产品类型", "riskRating": "风险等级", "latestNav": "最新净值",
        "navDate": "净值日期", "unitNav": "单位净值", "expectedYield": "业绩比较基准（年化）", "minimum": "起购金额", "quota": "产品额度", "sold": "已售",
        "remainingQuota": "剩余额度", "window": "募集期", "valueDate": "起息日", "maturityDate": "到期日", "termDays": "期限（天）", "phase": "状态",
        "navHistory": "历史净值", "noNavs": "尚未发布净值。", "productDetails": "详情", "windowTo": "至",
    ]

    static let sharedEnglish: [String: String] = [
        "navProducts": "Wealth products",
        "kind_nav": "Open-ended NAV", "kind_periodic": "Periodic",
        "phase_open": "On sale", "phase_closed": "Sales stopped", "phase_upcoming": "Not yet on sale", "phase_subscribing": "Subscribing",
        "phase_pending": "Awaiting value date", "phase_running": "Running", "phase_matured": "Matured",
        "productCode": "Code", "productName": "Product", "productKind": "Type", "riskRating": "Risk rating", "latestNav": "Latest NAV",
        "navDate": "NAV date", "unitNav": "NAV per unit", "expectedYield": "Expected yield (a year)", "minimum": "Minimum", "quota": "Quota", "sold": "Sold",
        "remainingQuota": "Quota left", "window": "Subscription window", "valueDate": "Value date", "maturityDate": "Maturity", "termDays": "Term (days)",
        "phase": "Status", "navHistory": "NAV history", "noNavs": "No NAV published yet.", "productDetails": "Details", "windowTo": "to",
    ]

    static let portalChinese: [String: String] = sharedChinese.merging([
        "navHoldings": "我的理财",
        "productsTitle": "理财产品",
        "productsHint": "风险等级由低到高为 R1–R5。购买前须完成风险承受能力评估，只能购买不高于您风险承受能力的产品（C1 可购买 R1，C2 可购买 R1–R2，依此类推）。理财非存款，产品有风险，投资须谨慎。",
        "yourLevel": "您的风险承受能力", "levelUpTo": "可购买 {max} 及以下产品", "profileValidUntil": "评估到期日 {date}",
        "noProfile": "您尚未进行风险承受能力评估，评估后才能购买理财产品。", "profileExpiredNote": "您的风险评估已于 {date} 到期，请重新评估。",
        "takeQuestionnaire": "进行风险评估", "retakeQuestionnaire": "重新评估",
        "suitable": "适合您", "notSuitable": "超出您的风险等级", "needProfile": "须先评估",
        "suitabilityTitle": "适当性评估结果",
        "suitabilityOK": "您的风险承受能力为 {level}，本产品风险等级为 {risk}，可以购买。",
        "suitabilityMismatch": "本产品风险等级为 {risk}，高于您的风险承受能力 {level}（最高可购买 {max}），不能购买。",
        "suitabilityRequired": "购买前请先完成风险承受能力评估。", "suitabilityExpired": "您的风险评估已于 {date} 到期，请重新评估后购买。",
        "buyTitle": "购买", "buyHintNav": "工作日 15:00 前提交按当日交易，15:00 后或非工作日按下一工作日交易；交易日的下一工作日（T+1）按当日单位净值确认份额。",
        "buyHintPeriodic": "募集期内认购，资金冻结至起息日；起息日按每份 ¥1.00 确认份额，到期日一次性兑付本金和按年化 365 天计算的收益。",
        "orderNow": "现在提交：交易日 {trade}，确认日 {confirm}", "wealthPayFrom": "付款账户", "payInto": "收款账户", "wealthAmount": "金额（元）",
        "buyButton": "确认购买", "notOnSale": "本产品当前不可购买。", "noInvestingAccount": "您还没有可以购买理财的Ⅰ类或Ⅱ类账户。",
        "redeemTitle": "赎回", "redeemHint": "赎回份额按确认日（T+1）单位净值计算金额，确认后到账。", "unitsLabel": "赎回份额（最多两位小数）",
        "redeemButton": "确认赎回", "periodicHoldHint": "期次型产品须持有到期，到期自动兑付至购买时的付款账户。",
        "yourHolding": "我的持有", "units": "持有份额", "availableUnits": "可赎回份额", "marketValue": "参考市值", "cost": "持有成本",
        "income": "持有收益", "realisedIncome": "已实现收益", "pendingSubscription": "待确认金额", "expectedPayout": "预计到期兑付",
        "holdingsTitle": "我的理财", "holdingsHint": "参考市值按最新单位净值计算（期次型按每份 ¥1.00），持有收益 = 参考市值 − 持有成本。",
        "noHoldings": "暂无持有的理财产品。", "browseProducts": "浏览理财产品",
        "ordersTitle": "交易记录", "noOrders": "暂无交易记录。", "orderKind": "交易", "orderKind_subscription": "购买", "orderKind_redemption": "赎回",
        "orderStatus_placing": "处理中", "orderStatus_accepted": "待确认", "orderStatus_confirmed": "已确认", "orderStatus_matured": "已兑付",
        "orderStatus_failed": "失败", "tradeDate": "交易日", "confirmDate": "确认日", "orderAmount": "金额", "orderUnits": "份额", "orderNav": "确认净值",
        "riskTitle": "风险承受能力评估",
        "riskHint": "共 10 题，请按实际情况作答。评估结果有效期一年，到期须重新评估；每天最多评估 3 次。",
        "currentLevel": "当前评估结果", "score": "得分", "assessedOn": "评估日期", "expiresOn": "到期日", "riskSubmit": "提交评估", "expired": "已过期",
        "notice_subscribed": "购买申请已受理，资金已冻结，确认日按单位净值确认份额。", "notice_redeemed": "赎回申请已受理，份额已冻结，确认后到账。",
        "notice_assessed": "风险评估已完成。",
        "failure_hold_expired": "未能在有效期内确认（无净值），资金或份额已解冻", "failure_account_closed": "收款账户已销户，份额已退回",
        "failure_amount_below_one_hundredth_unit": "金额不足 0.01 份，资金已解冻",
    ]) { _, new in new }

    static let portalEnglish: [String: String] = sharedEnglish.merging([
        "navHoldings": "My wealth",
        "productsTitle": "Wealth products",
        "productsHint": "Risk ratings run from R1 (lowest) to R5. Take the risk-profile questionnaire before buying: you may buy products rated up to your level (C1 buys R1, C2 buys R1–R2, and so on). Wealth products are not deposits and can lose value.",
        "yourLevel": "Your risk profile", "levelUpTo": "may buy products up to {max}", "profileValidUntil": "expires on {date}",
        "noProfile": "You have no risk profile yet: take the questionnaire to buy wealth products.", "profileExpiredNote": "Your risk profile expired on {date}; take the questionnaire again.",
        "takeQuestionnaire": "Take the questionnaire", "retakeQuestionnaire": "Take it again",
        "suitable": "Suits you", "notSuitable": "Above your level", "needProfile": "Profile needed",
        "suitabilityTitle": "Suitability",
        "suitabilityOK": "Your risk profile is {level} and this product is rated {risk}: you may buy it.",
        "suitabilityMismatch": "This product is rated {risk}, above your risk profile {level} (you may buy up to {max}): you cannot buy it.",
        "suitabilityRequired": "Take the risk-profile questionnaire before buying.", "suitabilityExpired": "Your risk profile expired on {date}; take the questionnaire again before buying.",
        "buyTitle": "Buy", "buyHintNav": "Orders on a business day before 15:00 trade that day; later, or on a non-business day, on the next business day. Units are confirmed on the business day after the trade date (T+1) at that day's NAV.",
        "buyHintPeriodic": "Subscribe inside the window; the money is held until the value date, when units are confirmed at ¥1.00 each. At maturity the principal and the income (over 365 days a year) are paid back.",
        "orderNow": "If you order now: trade date {trade}, confirmation {confirm}", "wealthPayFrom": "From account", "payInto": "Into account", "wealthAmount": "Amount (yuan)",
        "buyButton": "Buy", "notOnSale": "This product cannot be bought now.", "noInvestingAccount": "You have no Class I or II account to buy wealth products with.",
        "redeemTitle": "Redeem", "redeemHint": "Units are redeemed at the NAV of the confirmation day (T+1); the money arrives once confirmed.",
        "unitsLabel": "Units to redeem (up to 2 decimal places)", "redeemButton": "Redeem",
        "periodicHoldHint": "A periodic product is held to maturity; it pays back into the account it was bought from.",
        "yourHolding": "Your holding", "units": "Units", "availableUnits": "Redeemable units", "marketValue": "Market value", "cost": "Cost",
        "income": "Income", "realisedIncome": "Realised income", "pendingSubscription": "Awaiting confirmation", "expectedPayout": "Expected at maturity",
        "holdingsTitle": "My wealth", "holdingsHint": "Market value at the latest NAV (periodic products at ¥1.00 a unit); income = market value − cost.",
        "noHoldings": "You hold no wealth products.", "browseProducts": "Browse products",
        "ordersTitle": "Orders", "noOrders": "No orders yet.", "orderKind": "Order", "orderKind_subscription": "Buy", "orderKind_redemption": "Redeem",
        "orderStatus_placing": "Processing", "orderStatus_accepted": "Awaiting confirmation", "orderStatus_confirmed": "Confirmed", "orderStatus_matured": "Paid back",
        "orderStatus_failed": "Failed", "tradeDate": "Trade date", "confirmDate": "Confirmation", "orderAmount": "Amount", "orderUnits": "Units", "orderNav": "NAV",
        "riskTitle": "Risk-profile questionnaire",
        "riskHint": "Ten questions; answer as things are. The result is valid for one year; the questionnaire can be taken at most 3 times a day.",
        "currentLevel": "Current profile", "score": "Score", "assessedOn": "Assessed", "expiresOn": "Expires", "riskSubmit": "Submit", "expired": "Expired",
        "notice_subscribed": "Order accepted: the money is held and units will be confirmed at the NAV of the confirmation day.",
        "notice_redeemed": "Redemption accepted: the units are held and the money arrives once confirmed.",
        "notice_assessed": "Your risk profile is updated.",
        "failure_hold_expired": "Not confirmed in time (no NAV); the money or units were released", "failure_account_closed": "The account was closed; the units were given back",
        "failure_amount_below_one_hundredth_unit": "Less than 0.01 unit; the money was released",
    ]) { _, new in new }

    static let consoleChinese: [String: String] = sharedChinese.merging([
        "productsTitle": "理财产品管理", "productsHint": "产品目录、额度、最新净值。运营人员可新建产品、发布净值（仅限工作日，发布后不可修改）和停止销售。",
        "noProducts": "尚无产品。", "createTitle": "新建产品", "createHint": "期次型产品须填写募集期（最长 14 天）、期限和业绩比较基准；起息日为募集结束次日。",
        "nameEn": "英文名称", "minimumYuan": "起购金额（元）", "quotaYuan": "产品额度（元）", "windowStart": "募集开始日", "windowEnd": "募集结束日",
        "expectedYieldPct": "业绩比较基准（年化 %）", "createButton": "创建产品", "periodicOnly": "以下仅期次型产品填写",
        "publishTitle": "发布净值", "publishHint": "日期须为工作日且不晚于今天；同一日期的净值发布后不可修改。", "publishButton": "发布",
        "closeTitle": "停止销售", "closeHint": "停止后不再接受购买；已受理的订单照常确认，持有人仍可赎回。", "closeButton": "停止销售",
        "ordersByStatus": "订单统计", "orderKind": "交易", "count": "笔数", "amountTotal": "金额", "orderKind_subscription": "购买", "orderKind_redemption": "赎回",
        "orderStatus_placing": "处理中", "orderStatus_accepted": "待确认", "orderStatus_confirmed": "已确认", "orderStatus_matured": "已兑付", "orderStatus_failed": "失败",
        "noOrdersYet": "尚无订单。", "backToProducts": "返回产品列表", "publishedBy": "发布人",
        "notice_created": "产品已创建。", "notice_published": "净值已发布。", "notice_closed": "产品已停止销售。",
    ]) { _, new in new }

    static let consoleEnglish: [String: String] = sharedEnglish.merging([
        "productsTitle": "Wealth products", "productsHint": "The catalogue, quotas and latest NAVs. Operators create products, publish NAVs (business days only; final once published) and stop sales.",
        "noProducts": "No products yet.", "createTitle": "New product", "createHint": "Periodic products need a window (at most 14 days), a term and an expected yield; the value date is the day after the window closes.",
        "nameEn": "English name", "minimumYuan": "Minimum (yuan)", "quotaYuan": "Quota (yuan)", "windowStart": "Window opens", "windowEnd": "Window closes",
        "expectedYieldPct": "Expected yield (% a year)", "createButton": "Create", "periodicOnly": "Periodic products only",
        "publishTitle": "Publish a NAV", "publishHint": "A business day up to today; a published NAV is final.", "publishButton": "Publish",
        "closeTitle": "Stop sales", "closeHint": "No more purchases; accepted orders still confirm and holders may still redeem.", "closeButton": "Stop sales",
        "ordersByStatus": "Orders", "orderKind": "Order", "count": "Count", "amountTotal": "Amount", "orderKind_subscription": "Buy", "orderKind_redemption": "Redeem",
        "orderStatus_placing": "Processing", "orderStatus_accepted": "Awaiting confirmation", "orderStatus_confirmed": "Confirmed", "orderStatus_matured": "Paid back",
        "orderStatus_failed": "Failed", "noOrdersYet": "No orders yet.", "backToProducts": "Back to products", "publishedBy": "Published by",
        "notice_created": "Product created.", "notice_published": "NAV published.", "notice_closed": "Sales stopped.",
    ]) { _, new in new }

    /// A wealth refusal in the page's language, with the figures it carries (levels, window, minimum).
    static func message(for error: DomainError, lang: PageLanguage) -> String {
        guard !lang.isEnglish else { return error.detail }
        func ext(_ name: String) -> String {
            switch error.extensions[name] {
            case .string(let text)?: text
            case .int(let value)?: String(value)
            default: "-"
            }
        }
        func fen(_ name: String) -> String {
            if case .int(let value)? = error.extensions[name] { return Money.fen(value).formatted }
            return "-"
        }
        switch error.code {
        case .suitabilityMismatch:
            let level = ext("customer_level")
            let max = RiskTolerance.allCases.first { $0.code == level }?.highestProductRisk.code ?? "-"
            return "本产品风险等级为 \(ext("product_risk"))，高于您的风险承受能力 \(level)（最高可购买 \(max)），不能购买。"
        case .riskProfileRequired: return "购买前请先完成风险承受能力评估。"
        case .riskProfileExpired: return "您的风险评估已于 \(ext("expires_on")) 到期，请重新评估后购买。"
        case .outsideSubscriptionWindow: return "不在募集期内：本产品募集期为 \(ext("window_start")) 至 \(ext("window_end"))。"
        case .quotaExceeded: return "超过产品剩余额度（剩余 \(fen("remaining_fen"))）。"
        case .belowMinimum: return "低于起购金额 \(fen("minimum_fen"))。"
        case .insufficientUnits:
            if case .int(let units)? = error.extensions["available_units"] { return "可赎回份额不足：最多可赎回 \(ProductMath.unitsText(units)) 份。" }
            return "可赎回份额不足。"
        case .notABusinessDay: return "\(ext("date")) 不是工作日，只能发布工作日的净值。"
        case .productNotRedeemable: return "期次型产品须持有到期，不能赎回；到期日 \(ext("maturity_date")) 自动兑付。"
        case .productNotOnSale: return "该产品当前不在销售中。"
        case .productCodeTaken: return "该产品代码已存在。"
        case .navAlreadyPublished: return "该日净值已发布（\(ext("nav"))），发布后不可修改。"
        case .invalidNAV: return "单位净值格式不正确：0.0001–1000.0000，最多四位小数，例如 1.0234。"
        case .accountClassNotAllowed: return "Ⅲ类账户不能购买理财产品，请使用Ⅰ类或Ⅱ类账户。"
        case .limitExceeded: return "今日评估次数已达上限（每天 3 次），请明天再试。"
        case .invalidRate: return "业绩比较基准为大于 0、不超过 20 的百分数，最多四位小数，例如 3.10。"
        case .invalidDate: return "日期格式应为 YYYY-MM-DD，且须符合要求（募集开始日不早于今天，募集期最长 14 天，净值日期不晚于今天）。"
        case .invalidRequest:
            if case .string(let field)? = error.extensions["field"] {
                if field.hasPrefix("q"), let number = Int(field.dropFirst()) { return "请回答第 \(number) 题。" }
                if let text = invalidFieldChinese[field] { return text }
            }
            return PageText.message(for: error, lang: lang)
        default: return PageText.message(for: error, lang: lang)
        }
    }

    static let invalidFieldChinese: [String: String] = [
        "answers": "请回答全部 10 道题。", "account_id": "请选择账户。", "code": "产品代码为 2–16 位大写字母或数字，例如 RW001。",
        "name": "产品名称为 2–40 个字符，不能包含 < > \" & 或控制字符。", "name_en": "英文名称为 2–40 个字符，不能包含 < > \" & 或控制字符。",
        "kind": "请选择产品类型；开放式净值型产品不填写募集期、期限和业绩比较基准。", "risk": "请选择风险等级 R1–R5。",
        "window_start": "期次型产品须填写募集期。", "term_days": "期限为 1–1830 天。", "product": "期次型产品没有净值。",
    ]

    /// Service field names → the wealth forms' inputs.
    static let formFields: [String: String] = [
        "amount_fen": "amount", "Idempotency-Key": "amount", "minimum_fen": "minimum", "quota_fen": "quota", "expected_yield": "expected_yield",
    ]
}

extension PageCall {
    /// A wealth form refused by a service, with the wealth messages and field names.
    func wealthFormError(_ error: DomainError) -> FormState {
        formError(error, fieldNames: WealthText.formFields, messages: WealthText.message)
    }
}
