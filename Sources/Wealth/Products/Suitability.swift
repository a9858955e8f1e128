import Accounts
import BankKit
import Identity
import Storage

/// One question of the risk-profile questionnaire (风险承受能力评估问卷).
public struct RiskQuestion: Sendable, Hashable {
    public struct Option: Sendable, Hashable {
        /// `A`, `B`, …
        public let code: String
        public let textZh: String
        public let textEnglish: String
        public let score: Int
    }

    /// `q1` … `q10` (the form field and the position in `answers`).
    public let id: String
    public let textZh: String
    public let textEnglish: String
    public let options: [Option]
}

/// The questionnaire: ten questions, each option scored 1–4 (A lowest), the total (10–40) banded
/// into C1–C5. A profile is valid for one year.
public enum RiskQuestionnaire {
    /// Total score → level: 10–16 C1, 17–22 C2, 23–28 C3, 29–34 C4, 35–40 C5.
    public static let bands: [(scores: ClosedRange<Int>, level: RiskTolerance)] = [
        (10...16, .c1), (17...22, .c2), (23...28, .c3), (29...34, .c4), (35...40, .c5),
    ]

    public static let validityMonths = 12

    public static let questions: [RiskQuestion] = [
        question(1, "您的年龄", "Your age", [("65岁以上", "Over 65"), ("51–65岁", "51–65"), ("18–30岁", "18–30"), ("31–50岁", "31–50")]),
        question(2, "您的家庭年收入", "Your household's yearly income",
                 [("10万元以下", "Under ¥100,000"), ("10万–30万元", "¥100,000–300,000"), ("30万–100万元", "¥300,000–1,000,000"), ("100万元以上", "Over ¥1,000,000")]),
        question(3, "拟投资金额占家庭金融资产的比例", "The share of your household's financial assets you plan to invest",
                 [("50%以上", "Over 50%"), ("30%–50%", "30%–50%"), ("10%–30%", "10%–30%"), ("10%以下", "Under 10%")]),
        question(4, "您的投资经验", "Your investment experience",
                 [("仅有存款或国债", "Deposits or government bonds only"), ("银行理财、货币基金", "Bank wealth products or money-market funds"),
                  ("股票、基金3年以上", "Shares or funds for over 3 years"), ("期货、期权等衍生品", "Futures, options or other derivatives")]),
        question(5, "您的金融知识", "Your knowledge of finance",
                 [("很少", "Very little"), ("一般", "Some"), ("较丰富", "Good"), ("专业", "Professional")]),
        question(6, "这笔资金可以投资多久", "How long this money can stay invested",
                 [("1年以内", "Under 1 year"), ("1–3年", "1–3 years"), ("3–5年", "3–5 years"), ("5年以上", "Over 5 years")]),
        question(7, "您的投资目标", "Your goal",
                 [("保本，资金安全第一", "Keep the principal safe above all"), ("稳定收益，略高于存款", "Steady income, a little above deposits"),
                  ("较高收益，可承受一定波动", "Higher returns with some ups and downs"), ("追求高收益，可承受较大波动", "High returns with large swings")]),
        question(8, "您能承受的最大本金亏损", "The largest loss of principal you can bear",
                 [("不能亏损", "No loss"), ("10%以内", "Up to 10%"), ("10%–30%", "10%–30%"), ("30%以上", "Over 30%")]),
        question(9, "若一项投资三个月内下跌20%，您会", "If an investment fell 20% in three months, you would",
                 [("全部卖出", "Sell it all"), ("卖出一部分", "Sell some"), ("继续持有", "Hold on"), ("加仓买入", "Buy more")]),
        question(10, "您对未来三年收入的预期", "Your income over the next three years",
                 [("可能减少", "May fall"), ("基本不变", "About the same"), ("稳定增长", "Steady growth"), ("较快增长", "Fast growth")]),
    ]

    static func question(_ number: Int, _ zh: String, _ en: String, _ options: [(String, String)]) -> RiskQuestion {
        let letters = ["A", "B", "C", "D", "E"]
        return RiskQuestion(id: "q\(number)", textZh: zh, textEnglish: en, options: options.enumerated().map { index, option in
            RiskQuestion.Option(code: letters[index], textZh: option.0, textEnglish: option.1, score: index + 1)
        })
    }

    /// Scores a full set of answers (one option code per question, in order).
    public static func assess(_ answers: [String]) throws(DomainError) -> (score: Int, level: RiskTolerance) {
        guard answers.count == questions.count else {
            throw DomainError(.invalidRequest, "Answer all \(questions.count) questions: answers has one option code (A–D) per question, in order.",
                              status: 422, extensions: ["field": .string("answers")])
        }
        var score = 0
        for (question, answer) in zip(questions, answers) {
            guard let option = question.options.first(where: { $0.code == answer.uppercased() }) else {
                throw DomainError(.invalidRequest, "Question \(question.id.dropFirst()): choose one of \(question.options.map(\.code).joined(separator: ", ")).",
                                  status: 422, extensions: ["field": .string(question.id)])
            }
            score += option.score
        }
        guard let band = bands.first(where: { $0.scores.contains(score) }) else { preconditionFailure("score \(score) outside every band") }
        return (score, band.level)
    }
}

/// Risk profiles and the suitability rule (适当性): a customer may buy a product rated up to
/// their level, and only while their profile is less than a year old.
extension WealthService {
    /// A customer may take the questionnaire at most this often a day (a profile is not to be
    /// shopped for by retrying until the answer allows a product).
    public static let riskAssessmentsPerDayMax = 3
    static let riskAssessmentRule = "risk_assessment"

    /// Scores the answers and records the profile, valid for a year from today.
    public func assessRiskProfile(_ principal: Principal, answers: [String], address: String) async throws -> RiskProfile {
        let customer = try await accounts.customer(of: principal)
        let (score, level) = try RiskQuestionnaire.assess(answers)
        let today = self.today
        let id = ids.next()
        let normalized = answers.map { $0.uppercased() }
        try await database.transaction { tx in
            // Counted with the module's usage counters (a conditional UPDATE), exact across nodes.
            if try await usage.reserve(tx, owner: customer.id, rule: WealthService.riskAssessmentRule, period: today.iso, amount: 1,
                                       limit: Int64(WealthService.riskAssessmentsPerDayMax)) != nil {
                throw DomainError(.limitExceeded, "The questionnaire can be taken at most \(WealthService.riskAssessmentsPerDayMax) times a day.", status: 422,
                                  extensions: ["limit": .int(Int64(WealthService.riskAssessmentsPerDayMax))])
            }
            try await tx.execute(
                "INSERT INTO wealth_risk_profiles (id, customer_id, level, score, answers, assessed_on, expires_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [.id(id), .id(customer.id), .int(Int64(level.rawValue)), .int(Int64(score)), .text(normalized.joined(separator: ",")), .date(today),
                 .date(today.adding(months: RiskQuestionnaire.validityMonths)), .time(clock.now())])
            try await identity.audit.record(tx, actor: principal.actorRef, action: "wealth.risk.assess", target: "customer:\(customer.id)", address: address,
                                            detail: "\(level.code) score \(score)")
        }
        return try await riskProfile(customerID: customer.id)!
    }

    /// The customer's latest profile (valid or expired), or nil when never assessed.
    public func riskProfile(_ principal: Principal) async throws -> RiskProfile? {
        try await riskProfile(customerID: try await accounts.customer(of: principal).id)
    }

    public func riskProfile(customerID: RongID) async throws -> RiskProfile? {
        guard let row = try await database.first(
            "SELECT id, customer_id, level, score, answers, assessed_on, expires_on, created_at FROM wealth_risk_profiles WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
            [.id(customerID)]) else { return nil }
        return RiskProfile(id: row.id("id"), customerID: row.id("customer_id"), level: RiskTolerance(rawValue: Int(row.int("level"))) ?? .c1,
                           score: Int(row.int("score")), answers: row.text("answers").split(separator: ",").map(String.init),
                           assessedOn: row.date("assessed_on"), expiresOn: row.date("expires_on"), createdAt: row.time("created_at"))
    }

    /// Whether the signed-in customer may buy `product` today.
    public func suitability(_ principal: Principal, product: WealthProduct) async throws -> Suitability {
        let customer = try await accounts.customer(of: principal)
        return Suitability.check(try await riskProfile(customerID: customer.id), risk: product.risk, on: today)
    }

    /// Throws the suitability refusal (`risk_profile_required`, `risk_profile_expired`, `suitability_mismatch`).
    func requireSuitable(customerID: RongID, _ product: WealthProduct) async throws {
        if let error = Suitability.check(try await riskProfile(customerID: customerID), risk: product.risk, on: today).error { throw error }
    }
}
