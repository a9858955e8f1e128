import BankKit
import Lending
import Testing

/// The 逸贷 scorecard: knock-outs, points by band, the limit from capacity × score, reason codes.
@Suite struct ScorecardTests {
    let card = Scorecard.consumer

    @Test("A long-standing customer with savings and salary: score 1000, the line capped at ¥50,000")
    func strongCustomer() throws {
        // tenure 48 months → 180; balance ¥60,000 → 300; inflow ¥15,000 → 240; 12 of 12 on time → 280. Σ = 1000.
        // capacity = 3 × ¥15,000 + ¥60,000 ÷ 2 = ¥75,000; × 1000 ÷ 1000 = ¥75,000 > cap ¥50,000.
        let decision = try card.evaluate(CreditInputs(ageYears: 35, tenureMonths: 48, averageBalanceFen: 60_000_00,
                                                      averageMonthlyInflowFen: 15_000_00, instalmentsOnTime: 12))
        #expect(decision.approved && decision.score == 1000 && decision.limitFen == 50_000_00)
        #expect(decision.points == ["tenure": 180, "balance": 300, "inflow": 240, "history": 280])
        #expect(decision.reasons == [.cappedAtMaximum])
    }

    @Test("A newer customer: approved at 460 with ¥10,100")
    func middleCustomer() throws {
        // tenure 6 → 60; balance ¥8,000 → 100; inflow ¥6,000 → 160; no loans → 140. Σ = 460 ≥ 400.
        // capacity = 3 × ¥6,000 + ¥8,000 ÷ 2 = ¥22,000; × 460 ÷ 1000 = ¥10,120 → ¥10,100 (down to ¥100).
        let decision = try card.evaluate(CreditInputs(ageYears: 28, tenureMonths: 6, averageBalanceFen: 8_000_00, averageMonthlyInflowFen: 6_000_00))
        #expect(decision.approved && decision.score == 460 && decision.limitFen == 10_100_00 && decision.reasons.isEmpty)
    }

    @Test("Age 18–70 only; anything overdue declines", arguments: [(17, false), (18, true), (70, true), (71, false)])
    func knockOuts(age: Int, eligible: Bool) throws {
        let inputs = CreditInputs(ageYears: age, tenureMonths: 48, averageBalanceFen: 60_000_00, averageMonthlyInflowFen: 15_000_00)
        let decision = try card.evaluate(inputs)
        #expect(decision.approved == eligible)
        #expect(decision.reasons.contains(.ageOutOfRange) == !eligible)
        var overdue = inputs
        overdue.overdueFen = 1
        let refused = try card.evaluate(overdue)
        #expect(!refused.approved && refused.limitFen == 0 && refused.reasons.contains(.currentlyOverdue))
    }

    @Test("Below the cut-off: declined with every reason")
    func lowScore() throws {
        // tenure 1 → 0; balance ¥500 → 0; inflow 0 → 0; no loans → 140. Σ = 140 < 400.
        let decision = try card.evaluate(CreditInputs(ageYears: 40, tenureMonths: 1, averageBalanceFen: 500_00, averageMonthlyInflowFen: 0))
        #expect(!decision.approved && decision.score == 140)
        #expect(decision.reasons == [.shortTenure, .noInflow, .scoreTooLow])
    }

    @Test("Late instalments cost points: 8 on time, 2 late → 280 × 8 ÷ 10 − 2 × 40 = 144")
    func lateHistory() throws {
        let decision = try card.evaluate(CreditInputs(ageYears: 40, tenureMonths: 48, averageBalanceFen: 60_000_00, averageMonthlyInflowFen: 15_000_00,
                                                      instalmentsOnTime: 8, instalmentsLate: 2))
        #expect(decision.points["history"] == 144 && decision.score == 864 && decision.reasons.contains(.lateRepayments))
        // capacity ¥75,000 × 864 ÷ 1000 = ¥64,800 → capped at ¥50,000.
        #expect(decision.limitFen == 50_000_00)
    }

    @Test("Enough points but too little capacity: declined, not raised to the floor")
    func thinRelationship() throws {
        // tenure 48 → 180; balance ¥1,200 → 100; inflow ¥100 → 80; no loans → 140. Σ = 500.
        // capacity = 3 × ¥100 + ¥1,200 ÷ 2 = ¥900; × 500 ÷ 1000 = ¥450 < floor ¥1,000.
        let decision = try card.evaluate(CreditInputs(ageYears: 30, tenureMonths: 48, averageBalanceFen: 1_200_00, averageMonthlyInflowFen: 100_00))
        #expect(!decision.approved && decision.score == 500 && decision.reasons == [.thinRelationship])
    }

    @Test("Negative inputs are refused")
    func badInput() {
        #expect(throws: DomainError.self) { try card.evaluate(CreditInputs(ageYears: 30, tenureMonths: -1, averageBalanceFen: 0, averageMonthlyInflowFen: 0)) }
        #expect(throws: DomainError.self) { try card.evaluate(CreditInputs(ageYears: 30, tenureMonths: 1, averageBalanceFen: -5, averageMonthlyInflowFen: 0)) }
    }
}
