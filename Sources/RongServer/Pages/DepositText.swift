import Wealth

/// Strings of the deposit pages (`/bank/deposits…`) and the console's rate pages (`/console/rates`).
enum DepositText {
    static let portalChinese: [String: String] = [
        "navDeposits": "存款", "date": "日期",
        "depositsTitle": "存款与利率", "depositsHint": "活期存款每日计息、按季结息（每季末月20日结息，21日入账）；整存整取、节节高和聚财宝从Ⅰ类或Ⅱ类账户办理。",
        "rateBoardTitle": "挂牌利率", "rateProduct": "品种", "rate": "年利率", "effectiveFrom": "生效日期",
        "myDepositsTitle": "我的存款", "noDeposits": "暂无定期或节节高存款。", "depositKind": "品种", "principal": "本金", "openedOn": "存入日",
        "maturesOn": "到期日", "ifWithdrawnToday": "今日支取可得利息", "kind_time": "整存整取", "kind_tiered": "节节高",
        "openDepositTitle": "存入", "fromAccount": "转出账户", "term": "存期", "onMaturity": "到期处理", "onMaturity_renew": "自动转存（本息续存）",
        "onMaturity_return": "转回活期账户", "openDepositButton": "确认存入", "tieredHint": "节节高：随存随取，按实际持有天数达到的最高档次利率计息。",
        "months": "个月", "noInvestingAccounts": "办理存款需要一个Ⅰ类或Ⅱ类账户。",
        "demandInterestTitle": "活期利息", "accruedInterest": "已计未付利息", "accruedThrough": "计至", "nextSettlement": "下一结息日",
        "sweepTitle": "聚财宝", "sweepHint": "每日日终将超过留存金额的部分自动转入货币基金；支付时余额不足自动快速赎回（每日限额内）。",
        "threshold": "留存金额（元）", "fundBalance": "基金份额（元）", "sweepYield": "七日年化", "redeemedToday": "今日已快速赎回",
        "sweepOn": "已开通", "sweepOff": "未开通", "setSweepButton": "开通 / 修改", "stopSweepButton": "关闭并全部赎回",
        "depositDetailTitle": "存款详情", "historyTitle": "存款记录", "event_open": "存入", "event_partial": "部分提前支取", "event_withdraw": "支取",
        "event_mature": "到期支取", "event_renew": "到期转存", "interest": "利息", "days": "天数", "withdrawTitle2": "支取",
        "withdrawAmountHint": "留空为全部支取。整存整取只可部分提前支取一次，剩余部分不少于 ¥50.00 并按原利率计息。",
        "withdrawDepositButton": "确认支取", "quoteTitle": "今日支取试算", "interestAtMaturity": "到期利息", "tiersTitle": "靠档利率",
        "fromDays": "持有天数 ≥", "backToDeposits": "返回存款", "status_open": "持有中", "status_closed": "已结清",
        "notice_depositOpened": "存款成功。", "notice_depositWithdrawn": "支取成功，本息已转入原账户。", "notice_sweepSet": "聚财宝已开通。",
        "notice_sweepStopped": "聚财宝已关闭，基金份额已全部赎回。",
    ]

    static let portalEnglish: [String: String] = [
        "navDeposits": "Deposits", "date": "Date",
        "depositsTitle": "Deposits and rates", "depositsHint": "Demand deposits accrue daily and are paid quarterly (settled on the 20th of Mar/Jun/Sep/Dec, credited on the 21st); time, tiered and sweep deposits use a Class I or II account.",
        "rateBoardTitle": "Posted rates", "rateProduct": "Product", "rate": "Annual rate", "effectiveFrom": "Effective from",
        "myDepositsTitle": "My deposits", "noDeposits": "No time or tiered deposits yet.", "depositKind": "Product", "principal": "Principal",
        "openedOn": "Opened", "maturesOn": "Matures", "ifWithdrawnToday": "Interest if withdrawn today", "kind_time": "Time deposit", "kind_tiered": "Tiered (节节高)",
        "openDepositTitle": "Deposit", "fromAccount": "From account", "term": "Term", "onMaturity": "At maturity", "onMaturity_renew": "Renew with interest",
        "onMaturity_return": "Back to the demand account", "openDepositButton": "Deposit", "tieredHint": "Tiered: withdraw any time; interest at the highest tier the holding period reached.",
        "months": " months", "noInvestingAccounts": "Deposits need a Class I or II account.",
        "demandInterestTitle": "Demand interest", "accruedInterest": "Accrued, unpaid", "accruedThrough": "Through", "nextSettlement": "Next settlement",
        "sweepTitle": "Sweep (聚财宝)", "sweepHint": "Each evening the balance above the threshold moves into a money-market fund; a payment short of funds redeems instantly (within a daily limit).",
        "threshold": "Threshold (yuan)", "fundBalance": "Fund holding", "sweepYield": "7-day yield", "redeemedToday": "Redeemed instantly today",
        "sweepOn": "On", "sweepOff": "Off", "setSweepButton": "Turn on / change", "stopSweepButton": "Turn off and redeem all",
        "depositDetailTitle": "Deposit", "historyTitle": "History", "event_open": "Deposited", "event_partial": "Partial early withdrawal", "event_withdraw": "Withdrawn",
        "event_mature": "Matured, paid out", "event_renew": "Renewed", "interest": "Interest", "days": "Days", "withdrawTitle2": "Withdraw",
        "withdrawAmountHint": "Leave empty to withdraw it all. A time deposit allows one partial early withdrawal; at least ¥50.00 must stay, at its original rate.",
        "withdrawDepositButton": "Withdraw", "quoteTitle": "If withdrawn today", "interestAtMaturity": "Interest at maturity", "tiersTitle": "Tier rates",
        "fromDays": "Days held ≥", "backToDeposits": "Back to deposits", "status_open": "Open", "status_closed": "Closed",
        "notice_depositOpened": "Deposit made.", "notice_depositWithdrawn": "Withdrawn: principal and interest are in the account.", "notice_sweepSet": "Sweep turned on.",
        "notice_sweepStopped": "Sweep turned off; the holding was redeemed.",
    ]

    static let consoleChinese: [String: String] = [
        "navRates": "利率", "ratesTitle": "利率管理", "ratesHint": "新利率自指定的未来日期起生效，历史保留；节节高档次对新存入的存款生效。",
        "currentRates": "当前挂牌利率", "rateHistory": "利率历史", "publishRateTitle": "发布新利率", "ratePercent": "年利率（%）",
        "publishButton": "发布", "publishedBy": "发布人", "rateProduct": "品种", "rate": "年利率", "effectiveFrom": "生效日期",
        "tierLadderTitle": "节节高档次", "fromDays": "持有天数 ≥", "notice_ratePublished": "利率已发布。",
    ]

    static let consoleEnglish: [String: String] = [
        "navRates": "Rates", "ratesTitle": "Rates", "ratesHint": "New rates take effect from a future date; history is kept. The tier ladder applies to new tiered deposits.",
        "currentRates": "Rates in force", "rateHistory": "History", "publishRateTitle": "Publish a rate", "ratePercent": "Annual rate (%)",
        "publishButton": "Publish", "publishedBy": "Published by", "rateProduct": "Product", "rate": "Annual rate", "effectiveFrom": "Effective from",
        "tierLadderTitle": "Tiered deposit ladder", "fromDays": "Days held ≥", "notice_ratePublished": "Rate published.",
    ]

    static func productName(_ product: RateProduct, english: Bool) -> String {
        guard english else { return product.nameZh }
        switch product {
        case .demand: return "Demand"
        case .time3m: return "Time, 3 months"
        case .time6m: return "Time, 6 months"
        case .time1y: return "Time, 1 year"
        case .time2y: return "Time, 2 years"
        case .time3y: return "Time, 3 years"
        case .time5y: return "Time, 5 years"
        case .notice1d: return "1-day notice"
        case .notice7d: return "7-day notice"
        case .sweepFund: return "Sweep fund, 7-day yield"
        }
    }
}
