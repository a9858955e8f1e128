import BankKit
import Lending
import Testing

/// The pure loan arithmetic of DOMAIN.md §5 (issue 6): schedules, APR, prepayment, delinquency.
///
/// Conventions used in the working below: r = annual ÷ 12 (4.35% → 0.3625% a month);
/// every figure is rounded half up to the fen once; accrual between dates is actual days ÷ 360.
/// Expected tables were worked by hand from these rules and checked with exact rational
/// arithmetic (Python `fractions`), not with floating point.
@Suite struct LoanMathTests {
    static let start = try! BusinessDate(iso: "2026-01-15")
    static let rate435 = LoanRate(micros: 43_500)

    func day(_ iso: String) throws -> BusinessDate { try BusinessDate(iso: iso) }

    func schedule(_ principalFen: Int64, _ months: Int, _ method: RepaymentMethod, start: BusinessDate = LoanMathTests.start) throws -> LoanSchedule {
        LoanSchedule(try LoanTerms(principalFen: principalFen, termMonths: months, method: method, startDate: start))
    }

    /// (principal, interest or fee, instalment, remaining) of every line.
    func rows(_ schedule: LoanSchedule) -> [[Int64]] {
        schedule.lines.map { [$0.principalFen, $0.interestFen + $0.feeFen, $0.instalmentFen, $0.remainingPrincipalFen] }
    }

    func expectBalanced(_ schedule: LoanSchedule, sourceLocation: SourceLocation = #_sourceLocation) {
        let principal = schedule.lines.reduce(Int64(0)) { $0 + $1.principalFen } + schedule.prepayments.reduce(Int64(0)) { $0 + $1.principalFen }
        #expect(principal == schedule.terms.principalFen, sourceLocation: sourceLocation)
        // Nothing is left once every line is due (a closing prepayment leaves the last line's balance to it).
        let end = max(schedule.lines.last?.dueDate ?? schedule.terms.startDate, schedule.prepayments.last?.date ?? schedule.terms.startDate)
        #expect(schedule.outstandingPrincipalFen(on: end) == 0, sourceLocation: sourceLocation)
        #expect(schedule.prepayments.isEmpty ? schedule.lines.last?.remainingPrincipalFen == 0 : true, sourceLocation: sourceLocation)
        #expect(schedule.lines.allSatisfy { $0.principalFen >= 0 && $0.interestFen >= 0 && $0.feeFen >= 0 }, sourceLocation: sourceLocation)
    }

    // MARK: 等额本息

    /// ¥12,000 over 12 months at 4.35%: r = 0.003625, (1+r)¹² = 1.04436…,
    /// A = 1,200,000 × 0.003625 × 1.04436 ÷ 0.04436 = 102,371.880… → 102,372 fen (¥1,023.72, the
    /// figure every mortgage calculator gives). Period 1: interest 1,200,000 × 0.003625 = 4,350;
    /// principal 102,372 − 4,350 = 98,022; remaining 1,101,978. Period 2: 1,101,978 × 0.003625 =
    /// 3,994.67 → 3,995; principal 98,377. … Period 12 takes the 102,000 left plus 102,000 ×
    /// 0.003625 = 369.75 → 370: 102,370 (2 fen less, the rounding of A absorbed).
    @Test func equalInstalment12Months() throws {
        #expect(LoanMath.equalInstalmentFen(principalFen: 1_200_000, annual: Self.rate435, months: 12) == 102_372)
        let plan = try schedule(1_200_000, 12, .equalInstalment(annual: Self.rate435))
        #expect(rows(plan) == [
            [98_022, 4_350, 102_372, 1_101_978],
            [98_377, 3_995, 102_372, 1_003_601],
            [98_734, 3_638, 102_372, 904_867],
            [99_092, 3_280, 102_372, 805_775],
            [99_451, 2_921, 102_372, 706_324],
            [99_812, 2_560, 102_372, 606_512],
            [100_173, 2_199, 102_372, 506_339],
            [100_537, 1_835, 102_372, 405_802],
            [100_901, 1_471, 102_372, 304_901],
            [101_267, 1_105, 102_372, 203_634],
            [101_634, 738, 102_372, 102_000],
            [102_000, 370, 102_370, 0],
        ])
        #expect(plan.totalInterestFen == 28_462)
        #expect(plan.totalFeeFen == 0)
        #expect(plan.totalRepaidFen == 1_228_462)
        expectBalanced(plan)
        #expect(plan.lines.map(\.period) == Array(1...12))
        #expect(plan.lines.first?.dueDate == (try day("2026-02-15")))
        #expect(plan.lines.last?.dueDate == (try day("2027-01-15")))
    }

    /// ¥12,000 over 3 months at 4.35%: A = 1,200,000 × r(1+r)³ ÷ ((1+r)³ − 1) = 402,903.498 →
    /// 402,903. Interest 4,350; 801,447 × r = 2,905.25 → 2,905; 401,449 × r = 1,455.25 → 1,455.
    /// The last line pays the 401,449 left: 402,904 (1 fen more).
    @Test func equalInstalment3Months() throws {
        let plan = try schedule(1_200_000, 3, .equalInstalment(annual: Self.rate435))
        #expect(rows(plan) == [
            [398_553, 4_350, 402_903, 801_447],
            [399_998, 2_905, 402_903, 401_449],
            [401_449, 1_455, 402_904, 0],
        ])
        #expect(plan.totalInterestFen == 8_710)
        #expect(plan.totalRepaidFen == 1_208_710)
    }

    /// A zero rate (an interest-free promotion): A = P ÷ n = 100,001 ÷ 3 = 33,333.67 → 33,334;
    /// the last line takes the 33,333 left.
    @Test func equalInstalmentAtZeroRate() throws {
        let plan = try schedule(100_001, 3, .equalInstalment(annual: LoanRate(micros: 0)))
        #expect(rows(plan) == [[33_334, 0, 33_334, 66_667], [33_334, 0, 33_334, 33_333], [33_333, 0, 33_333, 0]])
    }

    // MARK: 等额本金

    /// ¥12,000 over 12 at 4.35%: principal 100,000 a month; interest on the remaining principal:
    /// 1,200,000 × 0.003625 = 4,350; 1,100,000 × r = 3,987.5 → 3,988 (half up); 1,000,000 × r =
    /// 3,625; … 100,000 × r = 362.5 → 363. Total interest 28,278 (unrounded: 0.003625 × 100,000 ×
    /// 78 = 28,275; the six half-fen periods each round up).
    @Test func equalPrincipal12Months() throws {
        let plan = try schedule(1_200_000, 12, .equalPrincipal(annual: Self.rate435))
        #expect(plan.lines.map(\.principalFen) == Array(repeating: 100_000, count: 12))
        #expect(plan.lines.map(\.interestFen) == [4_350, 3_988, 3_625, 3_263, 2_900, 2_538, 2_175, 1_813, 1_450, 1_088, 725, 363])
        #expect(plan.lines.first?.instalmentFen == 104_350)
        #expect(plan.lines.last?.instalmentFen == 100_363)
        #expect(plan.totalInterestFen == 28_278)
        #expect(plan.totalRepaidFen == 1_228_278)
        expectBalanced(plan)
    }

    /// ¥1,000 over 3: 100,000 ÷ 3 = 33,333 r 1, the extra fen in the first period (payments never
    /// rise). Interest: 100,000 × r = 362.5 → 363; 66,666 × r = 241.66 → 242; 33,333 × r = 120.83 → 121.
    @Test func equalPrincipalRemainderFenGoesFirst() throws {
        let plan = try schedule(100_000, 3, .equalPrincipal(annual: Self.rate435))
        #expect(rows(plan) == [[33_334, 363, 33_697, 66_666], [33_333, 242, 33_575, 33_333], [33_333, 121, 33_454, 0]])
        #expect(LoanMath.split(100, into: 3) == [34, 33, 33])
    }

    // MARK: Flat monthly fee

    /// ¥6,000 over 6 at 0.6% a month: principal 600,000 ÷ 6 = 100,000; fee 600,000 × 0.006 = 3,600
    /// each; instalment 103,600; total fee 600,000 × 0.006 × 6 = 21,600.
    @Test func flatFee6Months() throws {
        let plan = try schedule(600_000, 6, .flatFee(monthly: LoanRate(micros: 6_000)))
        #expect(rows(plan) == [
            [100_000, 3_600, 103_600, 500_000], [100_000, 3_600, 103_600, 400_000], [100_000, 3_600, 103_600, 300_000],
            [100_000, 3_600, 103_600, 200_000], [100_000, 3_600, 103_600, 100_000], [100_000, 3_600, 103_600, 0],
        ])
        #expect(plan.lines.allSatisfy { $0.interestFen == 0 })
        #expect(plan.totalFeeFen == 21_600)
        #expect(plan.totalInterestFen == 0)
        #expect(plan.totalRepaidFen == 621_600)
    }

    /// ¥1,234.56 over 9 at 0.66%: total fee 123,456 × 0.0066 × 9 = 7,333.2864 → 7,333, split
    /// 815 × 7 + 814 × 2 (7,333 = 9 × 814 + 7); principal 123,456 = 9 × 13,717 + 3 → 13,718 × 3,
    /// 13,717 × 6. Both remainders go to the first periods.
    @Test func flatFeeRemainders() throws {
        let plan = try schedule(123_456, 9, .flatFee(monthly: LoanRate(micros: 6_600)))
        #expect(plan.lines.map(\.principalFen) == [13_718, 13_718, 13_718, 13_717, 13_717, 13_717, 13_717, 13_717, 13_717])
        #expect(plan.lines.map(\.feeFen) == [815, 815, 815, 815, 815, 815, 815, 814, 814])
        #expect(plan.totalFeeFen == 7_333)
        #expect(plan.totalRepaidFen == 130_789)
        expectBalanced(plan)
    }

    // MARK: Due dates

    /// Counted from the start each time and clamped to the month's end: a loan started on
    /// 2026-01-31 falls due 02-28, 03-31, 04-30 (not 03-28).
    @Test func dueDatesClampToMonthEnd() throws {
        let plan = try schedule(300_000, 3, .equalPrincipal(annual: Self.rate435), start: try day("2026-01-31"))
        #expect(plan.lines.map(\.dueDate.iso) == ["2026-02-28", "2026-03-31", "2026-04-30"])
    }

    /// Every term, method and a spread of principals and rates: principal sums to P exactly,
    /// nothing is negative and the balance ends at zero — including ¥1 over 360 months at 24%,
    /// where the instalment (≈ 2 fen) is mostly rounding.
    @Test func principalAlwaysSumsToP() throws {
        for months in LoanTerms.easyLoanTermsMonths + [1, 2, 36, 120, 360] {
            for principal: Int64 in [100, 10_001, 1_234_567, 3_000_000_000] {
                for method: RepaymentMethod in [.equalInstalment(annual: LoanRate(micros: 240_000)), .equalInstalment(annual: Self.rate435),
                                                .equalPrincipal(annual: LoanRate(micros: 1)), .flatFee(monthly: LoanRate(micros: 10_000))] {
                    let plan = try schedule(principal, months, method)
                    #expect(plan.lines.count == months)
                    expectBalanced(plan)
                }
            }
        }
    }

    // MARK: APR

    /// DOMAIN §5: 0.09% a month flat over 12 months, quoted by ICBC Asia as 2.01% APR.
    /// ¥12,000: 12 payments of 100,000 + 1,080 = 101,080. The monthly IRR i solves
    /// Σ 101,080 ÷ (1+i)^k = 1,200,000: i = 0.0016565119…, so 12i = 1.98781% and
    /// (1+i)¹² − 1 = 2.00603%. ICBC Asia's 2.01% is the effective (compounded) figure; the
    /// nominal 12i rounds to 1.99% — the same as the approximation f·12·2n/(n+1) = 1.9938%.
    /// The search is exact to 10⁻⁴ micro (see `LoanAPR`), so the micros are compared exactly;
    /// the published 2.01% is itself rounded to 0.01%, so it agrees to within half a basis point.
    @Test func aprOfFlatFeeMatchesDomainExample() throws {
        let plan = try schedule(1_200_000, 12, .flatFee(monthly: LoanRate(micros: 900)))
        #expect(plan.lines.allSatisfy { $0.instalmentFen == 101_080 })
        let apr = plan.apr
        #expect(apr.nominalAnnual.micros == 19_878)
        #expect(apr.effectiveAnnual.micros == 20_060)
        #expect(apr.effectiveAnnual.basisPointsRounded == 201)
        #expect(abs(apr.effectiveAnnual.micros - 20_100) <= 50)
        #expect(apr.nominalAnnual.basisPointsRounded == 199)
    }

    /// The same 0.09% flat fee for each 逸贷 term (nominal, effective, micros), from the exact IRR.
    /// The approximation f·12·2n/(n+1) gives 1.62, 1.85, 1.94, 1.99, 2.05, 2.07%.
    @Test func aprOfFlatFeeByTerm() throws {
        let expected: [Int: (Int64, Int64)] = [3: (16_193, 16_313), 6: (18_491, 18_648), 9: (19_398, 19_572),
                                               12: (19_878, 20_060), 18: (20_365, 20_557), 24: (20_601, 20_796)]
        for (months, (nominal, effective)) in expected {
            let apr = try schedule(1_200_000, months, .flatFee(monthly: LoanRate(micros: 900))).apr
            #expect(apr.nominalAnnual.micros == nominal, "\(months) months")
            #expect(apr.effectiveAnnual.micros == effective, "\(months) months")
        }
    }

    /// ¥6,000 over 6 at 0.6%: 6 × 103,600 against 600,000: 12i = 12.2394%, effective 12.9498%
    /// (approximation: 0.6% × 12 × 12 ÷ 7 = 12.34%).
    @Test func aprOfFlatFee6Months() throws {
        let apr = try schedule(600_000, 6, .flatFee(monthly: LoanRate(micros: 6_000))).apr
        #expect(apr.nominalAnnual.micros == 122_394)
        #expect(apr.effectiveAnnual.micros == 129_498)
    }

    /// An interest-bearing loan's nominal APR is its contract rate, give or take the fen
    /// rounding: 等额本息 4.35% → 4.3499% (the last payment is 2 fen short of A);
    /// 等额本金 4.35% → 4.3505% (six half-fen interests rounded up). A free loan: 0.
    @Test func aprOfInterestLoans() throws {
        let instalment = try schedule(1_200_000, 12, .equalInstalment(annual: Self.rate435)).apr
        #expect(instalment.nominalAnnual.micros == 43_499)
        #expect(instalment.effectiveAnnual.micros == 44_377)
        #expect(try schedule(1_200_000, 12, .equalPrincipal(annual: Self.rate435)).apr.nominalAnnual.micros == 43_505)
        #expect(try schedule(1_200_000, 12, .equalInstalment(annual: LoanRate(micros: 0))).apr.nominalAnnual.micros == 0)
        // 360 months at 24%: the exact search still finishes and finds the contract rate.
        let long = try schedule(3_000_000_000, 360, .equalInstalment(annual: LoanRate(micros: 240_000))).apr
        #expect(abs(long.nominalAnnual.micros - 240_000) <= 1)
    }

    // MARK: Early repayment

    /// ¥12,000 / 12 / 4.35% 等额本息 from 2026-01-15; periods 1–3 paid (last due 04-15, 904,867
    /// left). On 2026-05-05 (20 days later) ¥3,000 is prepaid: interest on it 300,000 × 0.0435 ×
    /// 20 ÷ 360 = 725 exactly. 604,867 remain over 9 periods: A' = 68,431.456 → 68,431; period 4
    /// interest 604,867 × r = 2,192.64 → 2,193, principal 66,238; the last line 68,189 + 247 = 68,436.
    @Test func partialPrepaymentEqualInstalment() throws {
        let plan = try schedule(1_200_000, 12, .equalInstalment(annual: Self.rate435))
        let after = try plan.prepaying(principalFen: 300_000, on: try day("2026-05-05"))
        let prepayment = try #require(after.prepayments.first)
        #expect(after.prepayments.count == 1)
        #expect(prepayment.date == (try day("2026-05-05")) && prepayment.afterPeriod == 3)
        #expect(prepayment.principalFen == 300_000 && prepayment.interestFen == 725 && prepayment.totalFen == 300_725)
        #expect(Array(after.lines.prefix(3)) == Array(plan.lines.prefix(3)))
        #expect(rows(after).dropFirst(3).map { $0 } == [
            [66_238, 2_193, 68_431, 538_629], [66_478, 1_953, 68_431, 472_151], [66_719, 1_712, 68_431, 405_432],
            [66_961, 1_470, 68_431, 338_471], [67_204, 1_227, 68_431, 271_267], [67_448, 983, 68_431, 203_819],
            [67_692, 739, 68_431, 136_127], [67_938, 493, 68_431, 68_189], [68_189, 247, 68_436, 0],
        ])
        #expect(after.lines.map(\.period) == Array(1...12))           // the term is kept
        #expect(after.lines[3].dueDate == (try day("2026-05-15")))
        #expect(after.outstandingPrincipalFen(on: try day("2026-05-05")) == 604_867)
        expectBalanced(after)
    }

    /// 等额本金 ¥12,000 / 12: on the 6th due date (2026-07-15, no broken days, so no extra
    /// interest) ¥1,000 is prepaid: 600,000 − 100,000 = 500,000 over 6 = 83,334 × 2 + 83,333 × 4;
    /// period 7 interest 500,000 × 0.003625 = 1,812.5 → 1,813.
    @Test func partialPrepaymentEqualPrincipal() throws {
        let plan = try schedule(1_200_000, 12, .equalPrincipal(annual: Self.rate435))
        let after = try plan.prepaying(principalFen: 100_000, on: try day("2026-07-15"))
        #expect(after.prepayments.first?.interestFen == 0)
        #expect(after.lines.dropFirst(6).map(\.principalFen) == [83_334, 83_334, 83_333, 83_333, 83_333, 83_333])
        #expect(after.lines[6].interestFen == 1_813)
        expectBalanced(after)
    }

    /// Flat fee ¥6,000 / 6 / 0.6%: periods 1–2 paid (fees 3,600 each, not refunded); ¥2,000
    /// prepaid on 2026-04-01: 200,000 left over 4 periods, 50,000 each; fee on the remaining
    /// principal 200,000 × 0.006 = 1,200 a period. No interest on the prepayment.
    @Test func partialPrepaymentFlatFee() throws {
        let plan = try schedule(600_000, 6, .flatFee(monthly: LoanRate(micros: 6_000)))
        let after = try plan.prepaying(principalFen: 200_000, on: try day("2026-04-01"))
        #expect(after.prepayments.first?.interestFen == 0)
        #expect(rows(after).dropFirst(2).map { $0 } == [[50_000, 1_200, 51_200, 150_000], [50_000, 1_200, 51_200, 100_000],
                                                        [50_000, 1_200, 51_200, 50_000], [50_000, 1_200, 51_200, 0]])
        #expect(after.totalFeeFen == 2 * 3_600 + 4 * 1_200)
        expectBalanced(after)
    }

    /// Full repayment on 2026-05-05 of the 等额本息 loan: 904,867 outstanding after period 3 plus
    /// 904,867 × 0.0435 × 20 ÷ 360 = 2,186.76 → 2,187: 907,054. On a due date no broken-period
    /// interest; before the first due date interest runs from the start (2026-01-15 → 02-01 is
    /// 17 days: 1,200,000 × 0.0435 × 17 ÷ 360 = 2,465). Prepaying all of it closes the schedule.
    @Test func fullRepayment() throws {
        let plan = try schedule(1_200_000, 12, .equalInstalment(annual: Self.rate435))
        let payoff = try plan.payoff(on: try day("2026-05-05"))
        #expect(payoff.principalFen == 904_867)
        #expect(payoff.accruedDays == 20)
        #expect(payoff.interestFen == 2_187)
        #expect(payoff.totalFen == 907_054)
        let onDueDate = try plan.payoff(on: try day("2026-04-15"))
        #expect(onDueDate.principalFen == 904_867 && onDueDate.interestFen == 0)
        #expect(try plan.payoff(on: try day("2026-02-01")).interestFen == 2_465)
        #expect(try plan.payoff(on: try day("2027-02-01")).totalFen == 0)

        let closed = try plan.prepaying(principalFen: 904_867, on: try day("2026-05-05"))
        #expect(closed.lines.count == 3)
        #expect(closed.prepayments.last?.totalFen == 907_054)
        #expect(closed.totalRepaidFen == 3 * 102_372 + 907_054)
        expectBalanced(closed)
        // A flat-fee loan pays off at its principal: no fee for periods not yet due.
        let flat = try schedule(600_000, 6, .flatFee(monthly: LoanRate(micros: 6_000)))
        #expect(try flat.payoff(on: try day("2026-04-01")).totalFen == 400_000)
    }

    /// A prepayment after a partial one starts from the lowered balance: on 2026-06-15 periods 4
    /// and 5 of the recomputed plan are due (472,151 left), then 4,867 more is prepaid.
    @Test func secondPrepayment() throws {
        let plan = try schedule(1_200_000, 12, .equalInstalment(annual: Self.rate435))
        let once = try plan.prepaying(principalFen: 300_000, on: try day("2026-05-05"))
        #expect(try once.payoff(on: try day("2026-05-05")).principalFen == 604_867)
        let twice = try once.prepaying(principalFen: 4_867, on: try day("2026-06-15"))
        #expect(twice.outstandingPrincipalFen(on: try day("2026-06-15")) == 472_151 - 4_867)
        #expect(twice.lines.count == 12)
        expectBalanced(twice)
    }

    // MARK: Delinquency

    @Test func bucketBoundaries() {
        let cases: [(Int, DelinquencyBucket)] = [(-3, .current), (0, .current), (1, .dpd1to30), (30, .dpd1to30), (31, .dpd31to60),
                                                 (60, .dpd31to60), (61, .dpd61to90), (90, .dpd61to90), (91, .dpd90plus), (1_000, .dpd90plus)]
        for (days, bucket) in cases { #expect(DelinquencyBucket(daysPastDue: days) == bucket, "\(days) days") }
        #expect(DelinquencyBucket.dpd31to60 < .dpd90plus)
        #expect(DelinquencyBucket.dpd90plus.rawValue == "dpd_90_plus")
    }

    /// An overdue instalment of 102,372 fen, 10 days late, at 1.5 × 4.35% = 6.525%:
    /// 102,372 × 0.06525 × 10 ÷ 360 = 185.549 → 186. 1.3 × 4.35% = 5.655%.
    @Test func penaltyInterest() {
        let penalty = Self.rate435.penalty(multiplierPermille: 1_500)
        #expect(penalty.micros == 65_250)
        #expect(Self.rate435.penalty(multiplierPermille: 1_300).micros == 56_550)
        #expect(LoanMath.penaltyInterestFen(overdueFen: 102_372, penaltyAnnual: penalty, days: 10) == 186)
        #expect(LoanMath.penaltyInterestFen(overdueFen: 102_372, penaltyAnnual: penalty, days: 0) == 0)
        #expect(LoanMath.penaltyInterestFen(overdueFen: 0, penaltyAnnual: penalty, days: 10) == 0)
        // 360,000 fen for 1 day at 6.525%: 360,000 × 0.06525 ÷ 360 = 65.25 → 65.
        #expect(LoanMath.penaltyInterestFen(overdueFen: 360_000, penaltyAnnual: penalty, days: 1) == 65)
    }

    // MARK: Bad input

    func code(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let error as DomainError { return error.code.rawValue } catch { return "\(error)" }
    }

    @Test func badInputIsRefusedWithStableCodes() throws {
        let start = Self.start
        func terms(_ principal: Int64, _ months: Int, _ method: RepaymentMethod, offered: [Int]? = nil) -> String? {
            code { _ = try LoanTerms(principalFen: principal, termMonths: months, method: method, startDate: start, offeredTermsMonths: offered) }
        }
        let ok = RepaymentMethod.equalInstalment(annual: Self.rate435)
        #expect(terms(100_000, 0, ok) == "term_not_offered")
        #expect(terms(100_000, 361, ok) == "term_not_offered")
        #expect(terms(100_000, 7, ok, offered: LoanTerms.easyLoanTermsMonths) == "term_not_offered")
        #expect(terms(100_000, 18, ok, offered: LoanTerms.easyLoanTermsMonths) == nil)
        #expect(terms(-1, 12, ok) == "invalid_amount")
        #expect(terms(0, 12, ok) == "invalid_amount")
        #expect(terms(99, 12, ok) == "loan_amount_out_of_range")
        #expect(terms(3_000_000_001, 12, ok) == "loan_amount_out_of_range")
        #expect(terms(100_000, 12, .equalPrincipal(annual: LoanRate(micros: -1))) == "loan_rate_out_of_range")
        #expect(terms(100_000, 12, .equalInstalment(annual: LoanRate(micros: 240_001))) == "loan_rate_out_of_range")
        #expect(terms(100_000, 12, .equalInstalment(annual: LoanRate(micros: 240_000))) == nil)
        #expect(terms(100_000, 12, .flatFee(monthly: LoanRate(micros: 10_001))) == "loan_rate_out_of_range")

        let plan = try schedule(1_200_000, 12, ok)
        #expect(code { _ = try plan.prepaying(principalFen: 904_868, on: try day("2026-05-05")) } == "repayment_exceeds_outstanding")
        #expect(code { _ = try plan.prepaying(principalFen: 0, on: try day("2026-05-05")) } == "invalid_amount")
        #expect(code { _ = try plan.prepaying(principalFen: 100, on: try day("2026-01-14")) } == "repayment_date_out_of_range")
        #expect(code { _ = try plan.payoff(on: try day("2025-12-31")) } == "repayment_date_out_of_range")
        let once = try plan.prepaying(principalFen: 100, on: try day("2026-05-05"))
        #expect(code { _ = try once.prepaying(principalFen: 100, on: try day("2026-05-04")) } == "repayment_date_out_of_range")
        let closed = try plan.prepaying(principalFen: 904_867, on: try day("2026-05-05"))
        #expect(code { _ = try closed.prepaying(principalFen: 1, on: try day("2026-06-01")) } == "repayment_exceeds_outstanding")
    }
}
