import Wealth
import Accounts
import BankKit
import Identity

/// Strings every page shares, the service errors in Chinese, and form field names.
enum PageText {
    static let chinese: [String: String] = [
        "brand": "融 Rong", "switchLabel": "English", "signOut": "退出登录", "footer": "融 Rong — 开源互联网金融平台",
        "errorTitle": "无法完成", "errorBack": "返回", "homeLink": "首页",
        "navSignIn": "登录", "navRegister": "注册", "navOverview": "我的账户", "navBind": "绑定银行卡", "navOpen": "开立电子账户",
        "navPassword": "修改密码", "navSearch": "客户查询", "navAudit": "审计日志", "navSMS": "短信发件箱", "navBankPortal": "融e行",
        "navLimits": "e支付限额", "navMerchants": "商户",
        "statusActive": "正常", "statusFrozen": "冻结", "statusClosed": "已销户",
        "mobile": "手机号码", "password": "登录密码", "signInButton": "登录", "idNumber": "居民身份证号码", "bank": "开户银行",
        "accountClass": "账户类别", "accountNumber": "账号", "balance": "余额", "available": "可用余额", "status": "状态", "time": "时间",
        "boundAccounts": "绑定账户", "noAccounts": "尚无账户。", "noBound": "尚未绑定银行卡。",
    ]

    static let english: [String: String] = [
        "brand": "融 Rong", "switchLabel": "中文", "signOut": "Sign out", "footer": "融 Rong — open-source internet finance",
        "errorTitle": "Could not complete", "errorBack": "Back", "homeLink": "Home",
        "navSignIn": "Sign in", "navRegister": "Register", "navOverview": "My accounts", "navBind": "Bind a card", "navOpen": "Open an e-account",
        "navPassword": "Change password", "navSearch": "Customers", "navAudit": "Audit log", "navSMS": "SMS outbox", "navBankPortal": "e-Bank",
        "navLimits": "e-Pay limits", "navMerchants": "Merchants",
        "statusActive": "Active", "statusFrozen": "Frozen", "statusClosed": "Closed",
        "mobile": "Mobile number", "password": "Password", "signInButton": "Sign in", "idNumber": "Resident ID number", "bank": "Bank",
        "accountClass": "Account class", "accountNumber": "Account number", "balance": "Balance", "available": "Available", "status": "Status",
        "time": "Time", "boundAccounts": "Bound accounts", "noAccounts": "No accounts yet.", "noBound": "No bound cards yet.",
    ]

    /// A service's error in the page's language: Chinese for the codes a customer meets, the
    /// service's own (English) detail otherwise.
    static func message(for error: DomainError, lang: PageLanguage) -> String {
        if lang.isEnglish { return error.detail }
        return chineseMessages[error.code.rawValue] ?? error.detail
    }

    static let chineseMessages: [String: String] = [
        // Deposits and wealth
        ErrorCode.invalidRate.rawValue: "利率应大于 0% 且不超过 20%，最多四位小数，例如 1.75。",
        ErrorCode.rateNotInFuture.rawValue: "新利率须自未来日期起生效。",
        ErrorCode.termNotOffered.rawValue: "不提供该存期：可选 3、6、12、24、36、60 个月。",
        ErrorCode.belowMinimum.rawValue: "金额低于起存金额 ¥50.00（部分支取后留存金额也不得低于 ¥50.00）。",
        ErrorCode.depositNotOpen.rawValue: "该存款已结清。",
        ErrorCode.partialWithdrawalUsed.rawValue: "该笔整存整取已办理过一次部分提前支取，剩余部分只能全部支取。",
        ErrorCode.accountClassNotAllowed.rawValue: "Ⅲ类账户不能办理存款和购买理财，请使用Ⅰ类或Ⅱ类账户。",
        ErrorCode.sweepRedemptionLimit.rawValue: "超过聚财宝每日快速赎回限额。",
        ErrorCode.suitabilityMismatch.rawValue: "该产品风险等级高于您的风险承受能力评估结果，不能购买。",
        ErrorCode.riskProfileRequired.rawValue: "购买理财产品前请先完成风险承受能力评估。",
        ErrorCode.riskProfileExpired.rawValue: "您的风险评估已过期（有效期一年），请重新评估。",
        ErrorCode.outsideSubscriptionWindow.rawValue: "不在该产品的认购期内。",
        ErrorCode.quotaExceeded.rawValue: "超过产品剩余额度。",
        ErrorCode.insufficientUnits.rawValue: "赎回份额超过持有份额。",
        ErrorCode.notABusinessDay.rawValue: "该日期不是工作日。",
        ErrorCode.productNotRedeemable.rawValue: "期次型产品到期前不可赎回。",
        ErrorCode.depositsOutstanding.rawValue: "该账户下仍有未支取的存款，请先支取后再销户。",
        ErrorCode.accountHasPendingMovements.rawValue: "该账户仍有处理中的支付或转账，请稍后再销户。",
        ErrorCode.invalidMobile.rawValue: "手机号码应为 13–19 开头的 11 位数字。",
        ErrorCode.invalidCredentials.rawValue: "手机号码或密码错误。",
        ErrorCode.signInLocked.rawValue: "密码错误次数过多，登录已锁定 15 分钟。",
        ErrorCode.otpInvalid.rawValue: "验证码错误或不适用于本次操作。",
        ErrorCode.otpExpired.rawValue: "验证码已过期，请重新获取。",
        ErrorCode.otpAttemptsExceeded.rawValue: "验证码错误次数过多，请重新获取。",
        ErrorCode.otpRateLimited.rawValue: "验证码发送过于频繁，请稍后再试。",
        ErrorCode.weakPassword.rawValue: "密码强度不足：8–64 位，须同时包含字母和数字，不得包含手机号。",
        ErrorCode.invalidIDNumber.rawValue: "居民身份证号码无效。",
        ErrorCode.underage.rawValue: "线上开户须年满 16 周岁。",
        ErrorCode.termsNotAccepted.rawValue: "请阅读并同意服务协议。",
        ErrorCode.idNumberAlreadyRegistered.rawValue: "该身份证号码已注册，请直接登录。",
        ErrorCode.mobileAlreadyRegistered.rawValue: "该手机号码已注册，请直接登录或重置密码。",
        ErrorCode.invalidAmount.rawValue: "金额格式不正确：请输入大于 0 的金额，最多两位小数，例如 1234.56。",
        ErrorCode.insufficientFunds.rawValue: "账户可用余额不足。",
        ErrorCode.limitExceeded.rawValue: "超过账户限额。",
        ErrorCode.fourElementsMismatch.rawValue: "该账户的户名、证件号码或预留手机号与您的信息不符。",
        ErrorCode.boundAccountNotFound.rawValue: "未找到该账户，请核对开户行和账号。",
        ErrorCode.boundAccountUnavailable.rawValue: "该账户已销户或冻结，无法绑定。",
        ErrorCode.unknownBank.rawValue: "请选择开户银行。",
        ErrorCode.alreadyBound.rawValue: "该账户已绑定。",
        ErrorCode.boundAccountsMax.rawValue: "绑定账户数量已达上限。",
        ErrorCode.eAccountCountExceeded.rawValue: "同类电子账户数量已达上限。",
        ErrorCode.accountFrozen.rawValue: "账户已冻结，暂不能转出。",
        ErrorCode.accountClosed.rawValue: "账户已销户。",
        ErrorCode.interbankRejected.rawValue: "对方银行拒绝了本次交易。",
        ErrorCode.notFrozen.rawValue: "该账户未被冻结。",
        ErrorCode.forbidden.rawValue: "您的角色无权进行此操作。",
        ErrorCode.notFound.rawValue: "未找到。",
        ErrorCode.customerNotFound.rawValue: "未找到客户信息。",
        ErrorCode.idempotencyConflict.rawValue: "该表单已提交过，请刷新页面后重试。",
    ]

    /// Service field names (the API's) → the pages' input names.
    static let formField: [String: String] = [
        "otp_code": "code", "terms_accepted": "terms", "amount_fen": "amount", "Idempotency-Key": "amount",
    ]

    /// `statusActive`, `statusFrozen`, `statusClosed`.
    static func statusKey(_ status: String) -> String {
        switch status {
        case "frozen": "statusFrozen"
        case "closed": "statusClosed"
        default: "statusActive"
        }
    }

    /// `Ⅱ类电子账户` / `Class II e-account`.
    static func classLabel(_ accountClass: AccountClass, lang: PageLanguage) -> String {
        guard lang.isEnglish else { return accountClass.labelZH }
        return switch accountClass {
        case .classI: "Class I account"
        case .classII: "Class II e-account"
        case .classIII: "Class III e-account"
        }
    }
}
