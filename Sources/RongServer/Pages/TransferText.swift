import Accounts
import BankKit
import Interbank
import Payments

/// Strings of the portal's transfer pages (`bank-transfer*`, `bank-payees`) and the console's
/// clearing and reconciliation pages (`console-clearing`, `console-reconciliation`), transfer
/// statuses and the reasons a transfer was refused.
enum TransferText {
    static let sharedChinese: [String: String] = [
        "transfer_accepted": "已受理", "transfer_sent": "已发送", "transfer_settled": "已到账", "transfer_returned": "被退回",
        "transfer_rejected": "已拒绝", "transfer_failed": "未成功",
        "timing_real_time": "实时到账", "timing_two_hours": "2小时后到账", "timing_next_day": "次日到账",
        "path_real_time": "实时", "path_large_value": "大额",
        "timingLabel": "到账时间", "pathLabel": "清算路径", "payeeName": "收款人户名", "payeeBank": "收款银行", "payeeAccount": "收款账号",
        "transferAmount": "金额", "transferMemo": "附言", "submittedAt": "提交时间", "settledAt": "入账时间", "failureReason": "原因",
        "payee": "收款人", "payer": "付款账户",
    ]

    static let sharedEnglish: [String: String] = [
        "transfer_accepted": "Accepted", "transfer_sent": "Sent", "transfer_settled": "Credited", "transfer_returned": "Returned",
        "transfer_rejected": "Rejected", "transfer_failed": "Failed",
        "timing_real_time": "Real time", "timing_two_hours": "In 2 hours", "timing_next_day": "Next day",
        "path_real_time": "Real-time", "path_large_value": "Large-value",
        "timingLabel": "Arrival", "pathLabel": "Clearing path", "payeeName": "Payee name", "payeeBank": "Payee's bank", "payeeAccount": "Payee account",
        "transferAmount": "Amount", "transferMemo": "Message", "submittedAt": "Submitted", "settledAt": "Credited at", "failureReason": "Reason",
        "payee": "Payee", "payer": "From account",
    ]

    static let portalChinese: [String: String] = sharedChinese.merging([
        "navTransfer": "转账", "navTransfers": "转账记录",
        "transferTitle": "转账", "transferHint": "向本行或他行账户转账。首次向新收款人转账需短信验证。",
        "payFrom": "付款账户", "availableShort": "可用", "savedPayee": "收款人", "newPayeeOption": "新收款人（填写以下信息）",
        "newPayeeHint": "选择已保存的收款人时无需填写户名、银行和账号。", "payeeChooseBank": "请选择收款银行",
        "transferAmountYuan": "转账金额（元）", "transferMemoOptional": "附言（选填，最多 60 字）",
        "timingHint": "跨行转账可选择延时到账，到账前发现受骗可及时止付；本行账户之间只能实时到账。",
        "transferNext": "下一步", "noSendingAccount": "您还没有可以转出的账户。",
        "transferCodeTitle": "验证新收款人", "transferCodeHint": "首次向该收款人转账，验证码已发送至您的预留手机号。",
        "transferConfirm": "确认转账", "transferStartOver": "重新填写",
        "transferResultTitle": "转账结果", "releaseAt": "预计发送时间", "newTransfer": "再转一笔", "historyLink": "转账记录",
        "transfersTitle": "转账记录", "transfersHint": "跨行转账，最新在前。", "noTransfers": "暂无转账记录。", "payeesLink": "已保存的收款人",
        "payeesTitle": "收款人", "payeesHint": "首次转账验证后保存的他行收款人；向他们转账无需短信验证。", "noPayees": "暂无收款人。",
        "savedAt": "保存时间", "payToLink": "转账",
    ]) { _, new in new }

    static let portalEnglish: [String: String] = sharedEnglish.merging([
        "navTransfer": "Transfer", "navTransfers": "Transfers",
        "transferTitle": "Transfer", "transferHint": "Send money to an account at Rong Bank or another bank. A new payee needs an SMS code the first time.",
        "payFrom": "From account", "availableShort": "available", "savedPayee": "Payee", "newPayeeOption": "New payee (fill in below)",
        "newPayeeHint": "With a saved payee, leave the name, bank and account number empty.", "payeeChooseBank": "Choose the payee's bank",
        "transferAmountYuan": "Amount (yuan)", "transferMemoOptional": "Message (optional, up to 60 characters)",
        "timingHint": "Transfers to other banks may arrive later, leaving time to stop a fraud; transfers within Rong Bank are real time only.",
        "transferNext": "Next", "noSendingAccount": "You have no account to send from yet.",
        "transferCodeTitle": "Confirm the new payee", "transferCodeHint": "This is your first transfer to this payee: a code has been sent to your registered mobile.",
        "transferConfirm": "Send", "transferStartOver": "Start over",
        "transferResultTitle": "Transfer", "releaseAt": "Sends at", "newTransfer": "New transfer", "historyLink": "Transfers",
        "transfersTitle": "Transfers", "transfersHint": "Transfers to other banks, newest first.", "noTransfers": "No transfers yet.", "payeesLink": "Saved payees",
        "payeesTitle": "Payees", "payeesHint": "Payees at other banks saved with a code on the first transfer; paying them needs no code.",
        "noPayees": "No payees yet.", "savedAt": "Saved", "payToLink": "Pay",
    ]) { _, new in new }

    static let consoleChinese: [String: String] = sharedChinese.merging([
        "navClearing": "跨行清算", "navReconciliation": "对账",
        "clearingTitle": "跨行清算", "clearingHint": "所有客户的跨行转账，最新在前（最多 100 笔）。", "statusFilter": "状态", "allStatuses": "全部",
        "filterButton": "筛选", "noClearing": "没有符合条件的转账。", "transferID": "报文标识",
        "reconTitle": "对账", "reconHint": "将清算中心的日终对账文件与本行记录逐笔核对（营业日按北京时间）。重复运行不会重复记录差错。",
        "reconDate": "对账日期", "showButton": "查看", "runButton": "运行对账", "breaksOfDate": "当日差错", "noBreaks": "当日无差错记录。",
        "breakKind": "差错类型", "break_missing_in_rong": "本行无记录", "break_missing_at_clearing": "清算中心无记录", "break_amount_differs": "金额不符",
        "movement": "交易", "rongAmount": "本行金额", "clearingAmount": "清算中心金额", "breakStatus_open": "待处理", "breakStatus_resolved": "已处理",
        "resolution": "处理说明", "resolutionHint": "1–200 个字符，记入审计日志。", "resolveButton": "处理", "resolvedBy": "处理人", "resolvedAt": "处理时间",
        "openBreaks": "所有待处理差错", "noOpenBreaks": "没有待处理的差错。", "businessDate": "营业日",
        "matchedSummary": "对账完成：匹配 {matched} 笔，当日差错 {breaks} 笔。",
        "breakDetail_missing_in_rong": "清算中心已清算，本行无记录。", "breakDetail_missing_at_clearing": "本行已记录，清算中心当日对账文件中没有。",
        "breakDetail_amount_differs": "本行 {rong}，清算中心 {clearing}。",
        "notice_reconciled": "对账已完成。", "notice_resolved": "差错已处理。",
    ]) { _, new in new }

    static let consoleEnglish: [String: String] = sharedEnglish.merging([
        "navClearing": "Clearing", "navReconciliation": "Reconciliation",
        "clearingTitle": "Interbank clearing", "clearingHint": "Every customer's transfers to other banks, newest first (up to 100).", "statusFilter": "Status",
        "allStatuses": "All", "filterButton": "Filter", "noClearing": "No transfers match.", "transferID": "Message id",
        "reconTitle": "Reconciliation", "reconHint": "Matches the clearing house's daily file against Rong's records line by line (business days in Asia/Shanghai). Running it again records no break twice.",
        "reconDate": "Business date", "showButton": "Show", "runButton": "Run reconciliation", "breaksOfDate": "Breaks of the day", "noBreaks": "No breaks recorded for this day.",
        "breakKind": "Kind", "break_missing_in_rong": "Missing at Rong", "break_missing_at_clearing": "Missing at the clearing house", "break_amount_differs": "Amounts differ",
        "movement": "Movement", "rongAmount": "Rong", "clearingAmount": "Clearing house", "breakStatus_open": "Open", "breakStatus_resolved": "Resolved",
        "resolution": "Resolution", "resolutionHint": "1–200 characters, recorded in the audit log.", "resolveButton": "Resolve", "resolvedBy": "By", "resolvedAt": "Resolved at",
        "openBreaks": "All open breaks", "noOpenBreaks": "No open breaks.", "businessDate": "Business date",
        "matchedSummary": "Reconciled: {matched} matched, {breaks} breaks on the day.",
        "notice_reconciled": "Reconciliation finished.", "notice_resolved": "Break resolved.",
    ]) { _, new in new }

    /// A refusal in the page's language: the transfer pages' own messages, then e-Pay's (limits by name) and the shared table.
    static func message(for error: DomainError, lang: PageLanguage) -> String {
        if !lang.isEnglish {
            if error.code == .invalidRequest, case .string(let field)? = error.extensions["field"], let text = invalidFieldChinese[field] { return text }
            if let text = chineseMessages[error.code.rawValue] { return text }
        }
        return PayText.message(for: error, lang: lang)
    }

    static let chineseMessages: [String: String] = [
        ErrorCode.payeeNotFound.rawValue: "本行没有该账号的正常账户，请核对收款账号。",
        ErrorCode.payeeNameMismatch.rawValue: "收款人户名与账号不符。",
        ErrorCode.unknownBank.rawValue: "请选择收款银行。",
        ErrorCode.conflict.rawValue: "该差错已处理。",
    ]

    static let invalidFieldChinese: [String: String] = [
        "account_id": "请选择付款账户。", "payee_id": "请选择已保存的收款人或填写新收款人。",
        "payee_name": "收款人户名为 1–40 个字符，不能包含 < > \" & 或控制字符。",
        "payee_account_number": "收款账号为 12–19 位数字，且不能是付款账户本身。", "account_number": "收款账号为 12–19 位数字。",
        "payee_bank_code": "请选择收款银行。", "bank_code": "请选择收款银行。",
        "timing": "本行账户之间只能实时到账。", "memo": "附言最多 60 个字，不能包含控制字符。",
        "resolution": "请填写处理说明（1–200 个字符）。", "date": "日期格式应为 YYYY-MM-DD。", "status": "请选择有效的状态。",
    ]

    /// Service field names → the transfer form's inputs.
    static let formFields: [String: String] = [
        "payee_account_number": "account_number", "payee_bank_code": "bank_code", "amount_fen": "amount", "Idempotency-Key": "amount",
    ]

    /// Why a transfer did not go through: an ISO 20022 reason from the other bank, or a refusal here.
    static func failure(code: String?, detail: String?, lang: PageLanguage) -> String? {
        guard let code else { return detail }
        let iso = code.count == 4 && code.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
        let text = lang.isEnglish ? (detail ?? (iso ? ReasonCode.text(code) : code))
            : (reasonChinese[code] ?? PageText.chineseMessages[code] ?? detail ?? code)
        return iso ? (lang.isEnglish ? "\(text) (\(code))" : "\(text)（\(code)）") : text
    }

    static let reasonChinese: [String: String] = [
        ReasonCode.accountNumberInvalid: "收款账号不存在", ReasonCode.accountClosed: "收款账户已销户", ReasonCode.accountBlocked: "收款账户已冻结",
        ReasonCode.transactionForbidden: "收款账户不允许此交易", ReasonCode.amountNotAllowed: "金额超出收款行允许范围",
        ReasonCode.insufficientFunds: "余额不足", ReasonCode.nameMismatch: "收款人户名与账号不符", ReasonCode.partyMismatch: "收款人户名与账号不符",
        ReasonCode.bankIdentifierIncorrect: "收款银行不在清算网络中", "NARR": "收款银行未能入账",
    ]
}

extension PageCall {
    /// A transfer form refused by a service, with the transfer pages' messages and field names.
    func transferFormError(_ error: DomainError, fieldNames: [String: String] = TransferText.formFields) -> FormState {
        formError(error, fieldNames: fieldNames, messages: TransferText.message)
    }
}
