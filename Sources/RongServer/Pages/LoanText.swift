import BankKit
import Lending

/// Strings of the 逸贷 pages (`/bank/loans…`), the merchant credit page (`/merchant/credit`) and
/// the console's loan book and lines (`/console/loans…`, `/console/lines`), and the Lending
/// module's refusals in the page's language.
enum LoanText {
    /// Labels every lending page shares (buckets, statuses, events, reasons, decision inputs).
    static let sharedChinese: [String: String] = [
        "bucket_current": "正常", "bucket_dpd_1_30": "逾期 1–30 天", "bucket_dpd_31_60": "逾期 31–60 天", "bucket_dpd_61_90": "逾期 61–90 天",
        "bucket_dpd_90_plus": "逾期 90 天以上",
        "loanStatus_active": "还款中", "loanStatus_paid_off": "已结清", "loanStatus_written_off": "已核销", "loanStatus_disbursing": "放款中",
        "offerStatus_offered": "待确认", "offerStatus_accepted": "已分期", "offerStatus_expired": "已过期",
        "lineStatus_offered": "待签约", "lineStatus_active": "有效", "lineStatus_closed": "已关闭",
        "lineKind_merchant": "商户逸贷", "lineKind_revolving": "网贷通",
        "instalment_paid": "已还", "instalment_overdue": "逾期", "instalment_due": "待还", "instalment_partial": "部分已还", "instalment_future": "未到期",
        "event_disburse": "放款", "event_repay": "还款", "event_autodebit": "自动扣款", "event_penalty": "罚息", "event_writeoff": "核销",
        "event_draw": "提款", "event_sweep": "结算款自动还款", "event_interest": "计息",
        "reason_age_out_of_range": "年龄不在 18–70 周岁之间", "reason_currently_overdue": "目前有逾期未还款项",
        "reason_short_tenure": "成为本行客户未满 3 个月", "reason_no_inflow": "近六个月没有资金转入", "reason_late_repayments": "以往有逾期还款记录",
        "reason_thin_relationship": "账户余额和资金流入只能支持很小的额度", "reason_capped_at_maximum": "额度已达产品上限",
        "reason_score_too_low": "综合评分未达到审批标准", "reason_insufficient_turnover": "近六个月 e支付结算流水不足以支持最低额度",
        "input_age_years": "年龄（周岁）", "input_tenure_months": "客户时长（月）", "input_average_balance": "近六个月日均余额",
        "input_average_monthly_inflow": "近六个月月均转入", "input_instalments_on_time": "按时还款期数", "input_instalments_late": "逾期还款期数",
        "input_overdue": "当前逾期金额", "input_average_monthly_turnover": "月均净结算流水", "input_factor_percent": "授信比例（%）",
        "input_turnover": "净结算流水", "points_tenure": "客户时长", "points_balance": "余额", "points_inflow": "资金流入", "points_history": "还款记录",
        "principal": "本金", "interest": "利息", "fee": "手续费", "penalty": "罚息", "total": "合计", "date": "日期", "memo": "说明",
        "dueDate": "还款日", "period": "期次", "instalment": "每期应还", "paid": "已还", "state": "状态", "status": "状态", "apr": "年化利率(APR)",
        "aprNominalNote": "按月复利折算；名义年化利率", "termMonths": "期数", "pricing": "还款方式", "outstanding": "剩余本金",
        "overdue": "逾期金额", "daysPastDue": "逾期天数", "bucket": "逾期分类", "scheduleTitle": "还款计划", "historyTitle": "交易记录",
        "noHistory": "暂无记录。", "instalmentsUnit": "期", "monthsUnit": "个月", "limit": "额度", "used": "已用", "availableCredit": "可用额度",
        "drawn": "已提款", "interestOwed": "应付利息", "arrears": "欠息", "validUntil": "有效期至", "annualRate": "年利率", "details": "查看",
        "totalInterest": "利息合计", "totalFee": "手续费合计",
    ]

    static let sharedEnglish: [String: String] = [
        "bucket_current": "Current", "bucket_dpd_1_30": "1–30 days past due", "bucket_dpd_31_60": "31–60 days past due",
        "bucket_dpd_61_90": "61–90 days past due", "bucket_dpd_90_plus": "90+ days past due",
        "loanStatus_active": "Repaying", "loanStatus_paid_off": "Paid off", "loanStatus_written_off": "Written off", "loanStatus_disbursing": "Disbursing",
        "offerStatus_offered": "Open", "offerStatus_accepted": "Accepted", "offerStatus_expired": "Expired",
        "lineStatus_offered": "Awaiting signature", "lineStatus_active": "Active", "lineStatus_closed": "Closed",
        "lineKind_merchant": "Merchant 逸贷", "lineKind_revolving": "网贷通 revolving loan",
        "instalment_paid": "Paid", "instalment_overdue": "Overdue", "instalment_due": "Due", "instalment_partial": "Partly paid", "instalment_future": "Not yet due",
        "event_disburse": "Disbursed", "event_repay": "Repayment", "event_autodebit": "Automatic debit", "event_penalty": "Penalty interest",
        "event_writeoff": "Written off", "event_draw": "Draw", "event_sweep": "Repaid from proceeds", "event_interest": "Interest",
        "reason_age_out_of_range": "Age outside 18–70", "reason_currently_overdue": "Something is overdue now",
        "reason_short_tenure": "A customer for less than 3 months", "reason_no_inflow": "No money came in over the last six months",
        "reason_late_repayments": "Earlier instalments were paid late", "reason_thin_relationship": "Balances and inflows support only a very small line",
        "reason_capped_at_maximum": "Capped at the product's maximum", "reason_score_too_low": "The score is below the approval cut-off",
        "reason_insufficient_turnover": "Six months of e-Pay turnover support no line",
        "input_age_years": "Age (years)", "input_tenure_months": "Tenure (months)", "input_average_balance": "Average daily balance, 6 months",
        "input_average_monthly_inflow": "Average monthly inflow, 6 months", "input_instalments_on_time": "Instalments paid on time",
        "input_instalments_late": "Instalments paid late", "input_overdue": "Overdue now", "input_average_monthly_turnover": "Average monthly net turnover",
        "input_factor_percent": "Line factor (%)", "input_turnover": "Net turnover", "points_tenure": "Tenure", "points_balance": "Balance",
        "points_inflow": "Inflow", "points_history": "Repayment history",
        "principal": "Principal", "interest": "Interest", "fee": "Fee", "penalty": "Penalty", "total": "Total", "date": "Date", "memo": "Detail",
        "dueDate": "Due", "period": "No.", "instalment": "Instalment", "paid": "Paid", "state": "State", "status": "Status", "apr": "APR",
        "aprNominalNote": "compounded monthly; nominal annual rate", "termMonths": "Instalments", "pricing": "Pricing", "outstanding": "Principal outstanding",
        "overdue": "Overdue", "daysPastDue": "Days past due", "bucket": "Bucket", "scheduleTitle": "Schedule", "historyTitle": "History",
        "noHistory": "Nothing yet.", "instalmentsUnit": " instalments", "monthsUnit": " months", "limit": "Limit", "used": "Used",
        "availableCredit": "Available", "drawn": "Drawn", "interestOwed": "Interest owed", "arrears": "Interest in arrears", "validUntil": "Valid until",
        "annualRate": "Annual rate", "details": "View", "totalInterest": "Interest in total", "totalFee": "Fees in total",
    ]

    static let portalChinese: [String: String] = [
        "navLoans": "逸贷",
        "loansTitle": "逸贷", "loansHint": "逸贷是本行根据您在本行的存款、资金往来和还款记录预先核定的消费分期额度：e支付消费满 ¥100 后 7 天内可将该笔消费转为 3–24 期分期，款项即时退回付款账户，每月还款日从该账户自动扣款。",
        "creditTitle": "我的逸贷额度", "creditDeclined": "暂未获得逸贷额度。原因：", "creditOverdue": "您有逾期未还款项，还清前不能办理新的分期。",
        "decidedAt": "评估时间",
        "offersTitle": "可分期的消费", "noOffers": "暂无可分期的消费。", "merchant": "商户", "purchase": "消费金额", "offerAmount": "可分期金额",
        "expires": "有效期至", "chooseTerms": "选择分期",
        "myLoansTitle": "我的分期", "noLoans": "暂无分期。", "createdOn": "办理日期", "nextDue": "下一还款日",
        "offerTitle": "逸贷分期", "offerHint": "选择期数和还款方式，先看完整的还款计划、总成本和年化利率，再确认分期。",
        "previewButton": "试算", "previewTitle": "试算结果", "totalCost": "总成本（利息+手续费）", "totalRepaid": "还款总额",
        "quotedRateFee": "月手续费率", "quotedRateInterest": "年利率", "acceptButton": "确认分期，款项退回付款账户",
        "acceptHint": "确认后，分期金额即时退回付款账户；首期还款日为一个月后的今天。", "offerAccepted": "该笔消费已办理分期。",
        "offerExpired": "该分期邀请已过期。", "viewLoan": "查看分期", "backToLoans": "返回逸贷",
        "loanTitle": "分期详情", "receivable": "已出账未还利息/手续费/罚息",
        "repayTitle": "还款", "repayHint": "还款从分期的付款账户扣款：先还罚息和已到期的各期（最早的先还），再按您的选择提前还本金；提前还款不收违约金，剩余各期重新计算。",
        "repayMode": "还款方式", "mode_due": "归还已到期款项", "mode_prepay": "提前归还部分本金（元）", "mode_full": "提前全部结清",
        "prepayAmount": "提前归还本金（元）", "quoteButton": "试算还款",
        "confirmTitle": "确认还款", "billedPrincipal": "到期本金", "billedInterest": "到期利息", "billedFee": "到期手续费",
        "prepaidPrincipal": "提前归还本金", "prepaidInterest": "提前还款应计利息", "prepaymentFee": "提前还款手续费", "noFee": "免收", "principalAfter": "还款后剩余本金",
        "repayButton": "确认还款", "changeRepay": "修改",
        "notice_loanAccepted": "分期成功，款项已退回付款账户。", "notice_repaid": "还款成功。",
    ]

    static let portalEnglish: [String: String] = [
        "navLoans": "逸贷 loans",
        "loansTitle": "逸贷 instalment loans", "loansHint": "逸贷 is a consumer instalment line the bank pre-approves from your deposits, money in and repayment record here: within 7 days of an e-Pay purchase of ¥100 or more you can turn it into 3–24 monthly instalments; the amount goes back to the paying account at once and each instalment is debited from it on its due date.",
        "creditTitle": "My 逸贷 line", "creditDeclined": "No 逸贷 line for now. Why:", "creditOverdue": "Something is overdue: repay it before taking new instalments.",
        "decidedAt": "Decided",
        "offersTitle": "Purchases you can pay in instalments", "noOffers": "No purchases to turn into instalments.", "merchant": "Merchant",
        "purchase": "Purchase", "offerAmount": "Amount", "expires": "Open until", "chooseTerms": "Choose instalments",
        "myLoansTitle": "My loans", "noLoans": "No loans yet.", "createdOn": "Taken", "nextDue": "Next due",
        "offerTitle": "逸贷 instalments", "offerHint": "Choose the number of instalments and the pricing; read the whole schedule, the total cost and the APR before you accept.",
        "previewButton": "Preview", "previewTitle": "Preview", "totalCost": "Total cost (interest + fees)", "totalRepaid": "Total repaid",
        "quotedRateFee": "Monthly fee rate", "quotedRateInterest": "Annual interest rate", "acceptButton": "Accept: pay the amount back to my account",
        "acceptHint": "On acceptance the amount goes back to the paying account at once; the first instalment is due in one month.",
        "offerAccepted": "This purchase is in instalments.", "offerExpired": "This offer has expired.", "viewLoan": "View the loan", "backToLoans": "Back to 逸贷",
        "loanTitle": "Loan", "receivable": "Billed interest, fees and penalty unpaid",
        "repayTitle": "Repay", "repayHint": "Repayments come from the loan's account: penalty and instalments due first (oldest first), then principal ahead of schedule as you choose; no fee for repaying early, later instalments are recomputed.",
        "repayMode": "What to repay", "mode_due": "What is due", "mode_prepay": "Part of the principal early (yuan)", "mode_full": "Everything (pay off)",
        "prepayAmount": "Principal to repay early (yuan)", "quoteButton": "See the amount",
        "confirmTitle": "Confirm the repayment", "billedPrincipal": "Principal due", "billedInterest": "Interest due", "billedFee": "Fees due",
        "prepaidPrincipal": "Principal repaid early", "prepaidInterest": "Interest accrued on it", "prepaymentFee": "Early repayment fee", "noFee": "None",
        "principalAfter": "Principal left after it", "repayButton": "Repay", "changeRepay": "Change",
        "notice_loanAccepted": "Done: the amount is back in the paying account.", "notice_repaid": "Repayment made.",
    ]

    static let merchantChinese: [String: String] = [
        "navCredit": "融资", "creditPageTitle": "商户融资",
        "merchantLineTitle": "商户逸贷", "merchantLineHint": "按近六个月 e支付净结算流水的月均值 × 50% 核定额度（¥10,000–¥1,000,000，取整至百元），有效期一年；随借随还，按日计息（年利率 6.00%），每月 20 日结息；每日日终自动以当日 e支付结算款的 30% 还款。",
        "applyButton": "申请额度", "resizeButton": "按最新流水重新核定额度", "noMerchantLine": "尚未申请商户逸贷。",
        "declinedTitle": "最近一次申请未获批准", "decisionInputs": "核定依据",
        "revolvingTitle": "网贷通", "revolvingHint": "银行为您核定的网贷通循环贷款合同：签约后在有效期内随借随还，按日计息，每月 20 日结息；有欠息时不能提款。",
        "noRevolving": "暂无网贷通合同。如需办理请联系您的客户经理。", "signButton": "签署网贷通合同", "signHint": "签约后合同有效期自今日起计算。",
        "validMonths": "有效期（月）", "drawTitle": "提款", "drawButton": "提款到结算账户", "lineRepayTitle": "还款", "lineRepayButton": "从结算账户还款",
        "lineRepayHint": "先还利息和罚息，再还本金；超过欠款的部分不予受理。", "amountYuan": "金额（元）", "settlement": "结算账户余额",
        "notice_lineSized": "额度已核定。", "notice_lineSigned": "网贷通合同已签署。", "notice_drawn": "提款成功，款项已入结算账户。", "notice_lineRepaid": "还款成功。",
    ]

    static let merchantEnglish: [String: String] = [
        "navCredit": "Credit", "creditPageTitle": "Merchant credit",
        "merchantLineTitle": "Merchant 逸贷", "merchantLineHint": "Sized at 50% of the monthly average net e-Pay turnover of the last six months (¥10,000–¥1,000,000, in hundreds), valid one year; draw and repay any time; interest daily at 6.00% a year, settled on the 20th; each evening 30% of the day's e-Pay proceeds repay it.",
        "applyButton": "Apply", "resizeButton": "Re-size from the latest turnover", "noMerchantLine": "No merchant 逸贷 line yet.",
        "declinedTitle": "The latest application was declined", "decisionInputs": "What it was based on",
        "revolvingTitle": "网贷通 revolving loan", "revolvingHint": "A revolving loan contract the bank offers you: once signed, draw and repay any time until it ends; interest daily, settled on the 20th; no draws while interest is in arrears.",
        "noRevolving": "No 网贷通 contract. Ask your account manager.", "signButton": "Sign the 网贷通 contract", "signHint": "The contract runs from the day you sign.",
        "validMonths": "Validity (months)", "drawTitle": "Draw", "drawButton": "Draw into the settlement account", "lineRepayTitle": "Repay",
        "lineRepayButton": "Repay from the settlement account", "lineRepayHint": "Interest and penalty first, then principal; more than is owed is refused.",
        "amountYuan": "Amount (yuan)", "settlement": "Settlement balance",
        "notice_lineSized": "Line sized.", "notice_lineSigned": "网贷通 contract signed.", "notice_drawn": "Drawn into the settlement account.",
        "notice_lineRepaid": "Repayment made.",
    ]

    static let consoleChinese: [String: String] = [
        "navLoans": "贷款", "navLines": "授信",
        "loanBookTitle": "贷款台账", "loanBookHint": "逸贷分期贷款，最新在前；逾期天数自最早一期未还款的还款日次日起算。",
        "delinquencyTitle": "逾期分类报告", "loansCount": "笔数", "asOf": "报告日期", "allBuckets": "全部", "includeClosed": "含已结清和已核销",
        "filterButton": "筛选", "customer": "客户", "noLoansInBook": "没有符合条件的贷款。", "createdOn": "放款日期",
        "dossierTitle": "贷款档案", "decisionTitle": "授信决策", "decisionApproved": "批准", "decisionDeclined": "拒绝", "score": "评分",
        "decidedAt": "决策时间", "inputsTitle": "输入", "pointsTitle": "评分构成", "reasonsTitle": "原因", "noReasons": "无",
        "noDecision": "没有找到该贷款的授信决策。", "writeOffTitle": "核销", "writeOffHint": "仅逾期 90 天以上的贷款可核销：本金和应收利息转入贷款核销损失，停止计息；须填写原因（4–200 个字符），操作记入审计日志。",
        "writeOffReason": "核销原因", "writeOffButton": "核销", "writeOffReasonShown": "核销原因", "backToBook": "返回贷款台账",
        "customerLink": "客户信息", "mobile": "手机号码", "idNumber": "证件号码",
        "linesTitle": "授信额度", "linesHint": "商户逸贷（按结算流水核定）和网贷通合同，最新在前。", "noLines": "暂无授信。", "kind": "品种",
        "merchantName": "商户", "offerLineTitle": "发放网贷通合同", "offerLineHint": "额度 ¥10,000–¥30,000,000；年利率留空为默认 4.785%（一年期基准 4.35% 上浮 10%）；有效期 1–24 个月。商户在商户管理台签约后生效。",
        "merchantID": "商户", "limitYuan": "额度（元）", "ratePercent": "年利率（%）", "validMonths": "有效期（月）", "offerLineButton": "发放合同",
        "createdBy": "发起人",
        "notice_writtenOff": "贷款已核销。", "notice_lineOffered": "网贷通合同已发放，等待商户签约。",
    ]

    static let consoleEnglish: [String: String] = [
        "navLoans": "Loans", "navLines": "Credit lines",
        "loanBookTitle": "Loan book", "loanBookHint": "逸贷 instalment loans, newest first; days past due count from the day after the oldest unpaid due date.",
        "delinquencyTitle": "Delinquency by bucket", "loansCount": "Loans", "asOf": "As of", "allBuckets": "All", "includeClosed": "Include paid-off and written-off",
        "filterButton": "Filter", "customer": "Customer", "noLoansInBook": "No loans match.", "createdOn": "Disbursed",
        "dossierTitle": "Loan dossier", "decisionTitle": "Credit decision", "decisionApproved": "Approved", "decisionDeclined": "Declined", "score": "Score",
        "decidedAt": "Decided", "inputsTitle": "Inputs", "pointsTitle": "Points", "reasonsTitle": "Reasons", "noReasons": "None",
        "noDecision": "No decision found for this loan.", "writeOffTitle": "Write off", "writeOffHint": "Only loans more than 90 days past due are written off: principal and receivables move to the write-off loss, accrual stops; a reason of 4–200 characters is required and the action is audited.",
        "writeOffReason": "Reason", "writeOffButton": "Write off", "writeOffReasonShown": "Write-off reason", "backToBook": "Back to the loan book",
        "customerLink": "Customer", "mobile": "Mobile", "idNumber": "ID number",
        "linesTitle": "Credit lines", "linesHint": "Merchant 逸贷 lines (sized from turnover) and 网贷通 contracts, newest first.", "noLines": "No lines yet.", "kind": "Product",
        "merchantName": "Merchant", "offerLineTitle": "Offer a 网贷通 contract", "offerLineHint": "Limit ¥10,000–¥30,000,000; leave the rate empty for the default 4.785% (the 1-year benchmark 4.35% plus 10%); 1–24 months. It takes effect when the merchant signs on the dashboard.",
        "merchantID": "Merchant", "limitYuan": "Limit (yuan)", "ratePercent": "Annual rate (%)", "validMonths": "Validity (months)", "offerLineButton": "Offer",
        "createdBy": "Created by",
        "notice_writtenOff": "Loan written off.", "notice_lineOffered": "网贷通 contract offered; the merchant signs it on the dashboard.",
    ]

    static func portal(_ lang: PageLanguage) -> [String: String] {
        lang.isEnglish ? sharedEnglish.merging(portalEnglish) { _, new in new } : sharedChinese.merging(portalChinese) { _, new in new }
    }

    static func merchant(_ lang: PageLanguage) -> [String: String] {
        lang.isEnglish ? sharedEnglish.merging(merchantEnglish) { _, new in new } : sharedChinese.merging(merchantChinese) { _, new in new }
    }

    static func console(_ lang: PageLanguage) -> [String: String] {
        lang.isEnglish ? sharedEnglish.merging(consoleEnglish) { _, new in new } : sharedChinese.merging(consoleChinese) { _, new in new }
    }

    // MARK: Formatting

    /// A rate in hundredths of a percent, as APRs are shown: `13.80%`.
    static func percent(_ rate: Rate) -> String {
        let basisPoints = rate.basisPointsRounded
        let cents = basisPoints % 100
        return "\(basisPoints / 100).\(cents < 10 ? "0" : "")\(cents)%"
    }

    /// `12期` / `12 instalments`.
    static func instalments(_ count: Int, _ t: [String: String]) -> String { "\(count)\(t["instalmentsUnit"] ?? "")" }

    static func pricingLabel(_ pricing: PricingChoice, lang: PageLanguage) -> String {
        guard lang.isEnglish else { return pricing.labelZH }
        return switch pricing {
        case .flatFee: "Monthly fee (instalment plan)"
        case .equalInstalment: "Equal instalments (等额本息)"
        case .equalPrincipal: "Equal principal (等额本金)"
        }
    }

    /// A reason code with its text: `目前有逾期未还款项（currently_overdue）`.
    static func reason(_ code: String, _ t: [String: String]) -> [String: String] {
        ["code": code, "text": t["reason_\(code)"] ?? code]
    }

    /// The decision's inputs as rows (label, value), in a stable order.
    static func inputs(_ inputs: [String: String], _ t: [String: String]) -> [[String: String]] {
        inputs.keys.sorted().map { key in
            let label = key.hasPrefix("turnover_") ? "\(t["input_turnover"] ?? "") \(key.dropFirst("turnover_".count))" : (t["input_\(key)"] ?? key)
            return ["key": key, "label": label, "value": inputs[key] ?? ""]
        }
    }

    /// The state of one instalment on `today`: paid, overdue, due (billed), partly paid or not yet due.
    static func instalmentState(_ instalment: Instalment, today: BusinessDate) -> String {
        if instalment.isPaid { return "paid" }
        if instalment.dueDate < today { return "overdue" }
        if instalment.billed || instalment.dueDate == today { return "due" }
        return instalment.unpaidFen < instalment.amountFen ? "partial" : "future"
    }

    /// Rows of a loan's or line's history.
    static func events(_ events: [LendingEvent], _ t: [String: String]) -> [[String: Any]] {
        events.map { event in
            ["kind": t["event_\(event.kind)"] ?? event.kind, "kindCode": event.kind, "date": event.onDate.iso,
             "principal": PageFormat.money(event.principalFen), "interest": PageFormat.money(event.interestFen), "fee": PageFormat.money(event.feeFen),
             "penalty": PageFormat.money(event.penaltyFen), "total": PageFormat.money(event.totalFen), "detail": event.detail,
             "time": PageFormat.shanghai(event.createdAt)]
        }
    }

    // MARK: Refusals

    /// A Lending refusal in the page's language: Chinese for the codes borrowers and operators
    /// meet, the service's own (English) detail otherwise.
    static func message(for error: DomainError, lang: PageLanguage) -> String {
        if lang.isEnglish { return error.detail }
        func fen(_ key: String) -> String {
            if case .int(let value)? = error.extensions[key] { return PageFormat.money(value) }
            return ""
        }
        var field = ""
        if case .string(let name)? = error.extensions["field"] { field = name }
        switch error.code {
        case .offerExpired: return "该分期邀请已过期（邀请有效期 7 天）。"
        case .offerAlreadyAccepted: return "该笔消费已办理分期（同一笔消费只能按一种方式分期一次）。"
        case .loanOverdue: return "您有逾期未还的分期，请先还清再办理新的分期。"
        case .creditLimitExceeded:
            let available = fen("available_fen")
            return available.isEmpty ? "超过可用额度。" : "超过可用额度：目前可用 \(available)。"
        case .lineNotActive: return "该额度未生效或已关闭。"
        case .lineExpired: return "该额度已过有效期，不能再提款。"
        case .interestInArrears: return "有欠息 \(fen("arrears_fen"))，请先归还欠息再提款。"
        case .creditDeclined: return "未获批准：近六个月 e支付净结算流水不足以支持最低额度 ¥10,000.00。"
        case .loanNotActive: return "该贷款已结清或已核销，无需还款。"
        case .nothingDue: return "目前没有到期应还的款项；如需提前还款，请填写提前归还的本金或选择全部结清。"
        case .writeOffNotAllowed:
            if case .int(let days)? = error.extensions["days_past_due"] {
                return "不能核销：只有逾期 90 天以上的贷款可以核销，该贷款目前逾期 \(days) 天。"
            }
            return "不能核销：只有逾期 90 天以上的贷款可以核销。"
        case .lineAlreadyExists: return "该商户已有网贷通合同（待签约或有效），不能重复发放。"
        case .termNotOffered:
            return field == "valid_months" ? "网贷通合同有效期为 1–24 个月。" : "不提供该期数：可选 3、6、9、12、18、24 期。"
        case .repaymentExceedsOutstanding:
            let outstanding = fen("outstanding_fen")
            return outstanding.isEmpty ? "还款金额超过欠款。" : "还款金额超过欠款：目前最多 \(outstanding)，多出的部分不予受理。"
        case .loanAmountOutOfRange: return field == "limit" ? "网贷通额度为 ¥10,000.00–¥30,000,000.00。" : "贷款金额超出范围。"
        case .loanRateOutOfRange, .invalidRate: return "年利率须大于 0% 且不超过 24%，最多四位小数，例如 4.785。"
        case .invalidRequest:
            switch field {
            case "reason": return "请填写核销原因（4–200 个字符）。"
            case "pricing": return "请选择还款方式。"
            case "merchant_id": return "请选择商户。"
            case "valid_months": return "网贷通合同有效期为 1–24 个月。"
            case "mode": return "请选择还款方式。"
            default: return PageText.message(for: error, lang: lang)
            }
        default: return PageText.message(for: error, lang: lang)
        }
    }
}

extension PageCall {
    /// A lending form refused by the service: the message in the page's language, its stable
    /// code, the field marked and the input kept.
    func loanFormError(_ error: DomainError, fieldNames: [String: String] = [:]) -> FormState {
        formError(error, fieldNames: fieldNames, messages: LoanText.message)
    }
}
