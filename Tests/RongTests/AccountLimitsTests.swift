import Accounts
import BankKit
import Identity
import Testing

/// Class II and III limits at their boundaries (PBoC 302号 for Class II: ¥10,000/day and
/// ¥200,000/year in and out with non-bound accounts; 16号 for Class III: balance ≤ ¥2,000, out
/// ≤ ¥2,000/day and ¥50,000/year; DOMAIN.md §1). Days and years are Asia/Shanghai.
///
/// Money leaves and enters through `transfer` between two customers of this bank (non-bound
/// on both sides) and through `fund`/`withdraw` with the bound card (exempt from limits).
@Suite struct AccountLimitsTests {
    static let address = "127.0.0.1"

    /// A customer with an e-account, bound to a China Construction Bank card holding ¥1,000,000.
    struct Party: Sendable {
        let principal: Principal
        let account: EAccount
        let name: String
        let mobile: String
    }

    // MARK: Helpers

    func party(_ t: TestPlatform, _ index: Int, _ accountClass: AccountClass, _ name: String) async throws -> Party {
        let mobile = "1380000000\(index)"
        let (principal, account) = try await t.customerWithEAccount(accountClass, name: name, idNumber: ResidentIDs.make(birth: "19900307", sequence: 100 + index),
                                                                   mobile: mobile, cardNumber: Cards.ccb(index))
        return Party(principal: principal, account: account, name: name, mobile: mobile)
    }

    @discardableResult
    func fund(_ t: TestPlatform, _ party: Party, _ amountFen: Int64, key: String) async throws -> Movement {
        try await t.accounts.fund(party.principal, accountID: party.account.id, amountFen: amountFen, idempotencyKey: key, address: AccountLimitsTests.address)
    }

    /// Pays `amountFen` from `from` to `to`; a first payment to a payee answers the `new_payee` step-up code.
    @discardableResult
    func pay(_ t: TestPlatform, _ from: Party, _ to: Party, _ amountFen: Int64, key: String) async throws -> Movement {
        func send(_ challenge: RongID?, _ code: String?) async throws -> Movement {
            try await t.accounts.transfer(from.principal, accountID: from.account.id, payeeAccountNumber: to.account.accountNumber, payeeName: to.name,
                                          amountFen: amountFen, memo: nil, otpChallengeID: challenge, otpCode: code, idempotencyKey: key,
                                          address: AccountLimitsTests.address)
        }
        do {
            return try await send(nil, nil)
        } catch let error as DomainError where error.code == .stepUpRequired {
            let challenge = try await t.accounts.requestNewPayeeCode(from.principal, payeeAccountNumber: to.account.accountNumber)
            return try await send(challenge.id, try await t.lastCode(from.mobile))
        }
    }

    /// What `rule` has counted for the account in the current day or year.
    func used(_ t: TestPlatform, _ party: Party, _ rule: String) async throws -> Int64 {
        let usage = try await t.accounts.limitUsage(party.account)
        return try #require(usage.first { $0.rule.name == rule }).usedFen
    }

    func balance(_ t: TestPlatform, _ party: Party) async throws -> Int64 {
        try await t.accounts.view(party.account).balanceFen
    }

    /// A Shanghai wall time, e.g. `shanghai("2026-11-23T23:59:59")`.
    func shanghai(_ text: String) throws -> Timestamp { try Timestamp(rfc3339: text + "+08:00") }

    /// Runs `body`, which must fail with `code` (and, for `limit_exceeded`, name `limit`).
    @discardableResult
    func refused<T>(_ code: ErrorCode, limit: String? = nil, status: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                    _ body: () async throws -> T) async -> DomainError? {
        do {
            let value = try await body()
            Issue.record("expected \(code.rawValue) \(limit ?? ""), but it succeeded: \(value)", sourceLocation: sourceLocation)
            return nil
        } catch let error as DomainError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            if let limit { #expect(error.extensions["limit"] == .string(limit), "\(error.extensions)", sourceLocation: sourceLocation) }
            if let status { #expect(error.status == status, "\(error)", sourceLocation: sourceLocation) }
            return error
        } catch {
            Issue.record("expected DomainError \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    // MARK: The rules themselves

    @Test("The limit table matches DOMAIN.md §1")
    func ruleTable() {
        let table = Dictionary(uniqueKeysWithValues: LimitRule.all.map { ($0.name, $0) })
        #expect(table["class_ii_daily_in"]?.limitFen == 10_000_00)
        #expect(table["class_ii_yearly_in"]?.limitFen == 200_000_00)
        #expect(table["class_ii_daily_out"]?.limitFen == 10_000_00)
        #expect(table["class_ii_yearly_out"]?.limitFen == 200_000_00)
        #expect(table["class_iii_daily_out"]?.limitFen == 2_000_00)
        #expect(table["class_iii_yearly_out"]?.limitFen == 50_000_00)
        #expect(LimitRule.classIIIBalanceCapFen == 2_000_00)
        #expect(LimitRule.rules(for: .classI).isEmpty)
        let out = table["class_ii_daily_out"]!
        #expect(out.applies(to: .nonBound, direction: .outbound))
        #expect(out.applies(to: .spending, direction: .outbound))
        #expect(!out.applies(to: .bound, direction: .outbound))
        #expect(!out.applies(to: .exempt, direction: .outbound))
        #expect(!out.applies(to: .nonBound, direction: .inbound))
        let inbound = table["class_ii_daily_in"]!
        #expect(inbound.applies(to: .nonBound, direction: .inbound))
        #expect(!inbound.applies(to: .spending, direction: .inbound))
        #expect(!inbound.applies(to: .bound, direction: .inbound))
        let date = try! BusinessDate(iso: "2026-11-23")
        #expect(out.periodKey(date) == "2026-11-23")
        #expect(table["class_ii_yearly_out"]!.periodKey(date) == "2026")
    }

    // MARK: Class II

    @Test("Class II out: exactly ¥10,000.00 a day passes, one fen more is refused")
    func classIIDailyOut() async throws {
        let t = try await TestPlatform.make()
        let payer = try await party(t, 1, .classII, "张三")
        let payee = try await party(t, 3, .classII, "王五")
        try await fund(t, payer, 20_000_00, key: "fund")
        try await pay(t, payer, payee, 9_999_99, key: "t1")
        try await pay(t, payer, payee, 1, key: "t2")
        #expect(try await used(t, payer, "class_ii_daily_out") == 10_000_00)
        #expect(try await used(t, payer, "class_ii_yearly_out") == 10_000_00)
        #expect(try await used(t, payee, "class_ii_daily_in") == 10_000_00)
        let error = await refused(.limitExceeded, limit: "class_ii_daily_out", status: 422) { try await pay(t, payer, payee, 1, key: "t3") }
        #expect(error?.extensions["limit_fen"] == .int(10_000_00))
        #expect(error?.extensions["used_fen"] == .int(10_000_00))
        #expect(error?.extensions["remaining_fen"] == .int(0))
        #expect(try await balance(t, payer) == 10_000_00)
        #expect(try await balance(t, payee) == 10_000_00)
        let remaining = try await t.accounts.limitUsage(payer.account).first { $0.rule.name == "class_ii_daily_out" }?.remainingFen
        #expect(remaining == 0)
        // The refusal counted nothing, and the bound card is still open both ways.
        #expect(try await used(t, payer, "class_ii_daily_out") == 10_000_00)
        _ = try await t.accounts.withdraw(payer.principal, accountID: payer.account.id, amountFen: 10_000_00, idempotencyKey: "out",
                                          address: AccountLimitsTests.address)
        try await t.finish()
    }

    @Test("Class II in: the payee's ¥10,000.00 a day from non-bound accounts; the payer's reservation is rolled back")
    func classIIDailyIn() async throws {
        let t = try await TestPlatform.make()
        let first = try await party(t, 1, .classII, "张三")
        let second = try await party(t, 2, .classII, "李四")
        let payee = try await party(t, 3, .classII, "王五")
        try await fund(t, first, 10_000_00, key: "fund")
        try await fund(t, second, 100_00, key: "fund")
        try await pay(t, first, payee, 10_000_00, key: "t1")
        #expect(try await used(t, payee, "class_ii_daily_in") == 10_000_00)
        #expect(try await used(t, payee, "class_ii_yearly_in") == 10_000_00)
        await refused(.limitExceeded, limit: "class_ii_daily_in", status: 422) { try await pay(t, second, payee, 1, key: "t1") }
        #expect(try await used(t, second, "class_ii_daily_out") == 0)
        #expect(try await used(t, second, "class_ii_yearly_out") == 0)
        #expect(try await used(t, payee, "class_ii_daily_in") == 10_000_00)
        #expect(try await balance(t, second) == 100_00)
        #expect(try await balance(t, payee) == 10_000_00)
        // Money from the payee's own bound card does not count as non-bound money in.
        try await fund(t, payee, 1, key: "fund")
        #expect(try await used(t, payee, "class_ii_daily_in") == 10_000_00)
        // The next day the payee may receive again.
        t.clock.advance(seconds: 86_400)
        try await pay(t, second, payee, 100_00, key: "t2")
        #expect(try await used(t, payee, "class_ii_daily_in") == 100_00)
        #expect(try await used(t, payee, "class_ii_yearly_in") == 10_100_00)
        try await t.finish()
    }

    @Test("Class II out: ¥200,000.00 a year, spread over 20 days; one fen more is refused")
    func classIIYearlyOut() async throws {
        let t = try await TestPlatform.make()
        let payer = try await party(t, 1, .classII, "张三")
        let payee = try await party(t, 3, .classII, "王五")
        try await fund(t, payer, 200_000_01, key: "fund")
        for day in 0..<20 {
            try await pay(t, payer, payee, 10_000_00, key: "day-\(day)")
            t.clock.advance(seconds: 86_400)
        }
        #expect(t.clock.clock.businessDate() == (try BusinessDate(iso: "2026-12-13")))
        #expect(try await used(t, payer, "class_ii_yearly_out") == 200_000_00)
        #expect(try await used(t, payer, "class_ii_daily_out") == 0)
        let error = await refused(.limitExceeded, limit: "class_ii_yearly_out", status: 422) { try await pay(t, payer, payee, 1, key: "day-20") }
        #expect(error?.extensions["remaining_fen"] == .int(0))
        #expect(try await used(t, payer, "class_ii_daily_out") == 0)
        #expect(try await balance(t, payer) == 1)
        #expect(try await balance(t, payee) == 200_000_00)
        try await t.finish()
    }

    @Test("The day rolls over at midnight Asia/Shanghai, not UTC")
    func dayRollsOverAtShanghaiMidnight() async throws {
        let t = try await TestPlatform.make()
        let payer = try await party(t, 1, .classII, "张三")
        let payee = try await party(t, 3, .classII, "王五")
        try await fund(t, payer, 20_000_00, key: "fund")
        t.clock.set(try shanghai("2026-11-23T23:59:59"))
        try await pay(t, payer, payee, 10_000_00, key: "late")
        await refused(.limitExceeded, limit: "class_ii_daily_out") { try await pay(t, payer, payee, 1, key: "late-1") }
        t.clock.set(try shanghai("2026-11-23T23:59:59.999999999"))
        await refused(.limitExceeded, limit: "class_ii_daily_out") { try await pay(t, payer, payee, 1, key: "late-2") }
        // 00:00 in Shanghai is 16:00 UTC the day before: a UTC day would still be full.
        t.clock.set(try shanghai("2026-11-24T00:00:00"))
        #expect(t.clock.clock.businessDate() == (try BusinessDate(iso: "2026-11-24")))
        try await pay(t, payer, payee, 1, key: "early-1")
        try await pay(t, payer, payee, 9_999_99, key: "early-2")
        await refused(.limitExceeded, limit: "class_ii_daily_out") { try await pay(t, payer, payee, 1, key: "early-3") }
        #expect(try await used(t, payer, "class_ii_daily_out") == 10_000_00)
        #expect(try await used(t, payer, "class_ii_yearly_out") == 20_000_00)
        #expect(try await balance(t, payer) == 0)
        try await t.finish()
    }

    @Test("The year rolls over at 2027-01-01 00:00 Asia/Shanghai")
    func yearRollsOver() async throws {
        let t = try await TestPlatform.make()
        let payer = try await party(t, 1, .classII, "张三")
        let payee = try await party(t, 3, .classII, "王五")
        t.clock.set(try shanghai("2026-12-11T10:00:00"))
        try await fund(t, payer, 210_000_01, key: "fund")
        for day in 0..<20 {
            try await pay(t, payer, payee, 10_000_00, key: "day-\(day)")
            t.clock.advance(seconds: 86_400)
        }
        t.clock.set(try shanghai("2026-12-31T23:59:59"))
        #expect(try await used(t, payer, "class_ii_daily_out") == 0)
        #expect(try await used(t, payer, "class_ii_yearly_out") == 200_000_00)
        await refused(.limitExceeded, limit: "class_ii_yearly_out") { try await pay(t, payer, payee, 1, key: "new-year") }
        t.clock.set(try shanghai("2027-01-01T00:00:00"))
        #expect(try await used(t, payer, "class_ii_yearly_out") == 0)
        try await pay(t, payer, payee, 10_000_00, key: "new-year")
        #expect(try await used(t, payer, "class_ii_yearly_out") == 10_000_00)
        #expect(try await used(t, payee, "class_ii_yearly_in") == 10_000_00)
        #expect(try await balance(t, payer) == 1)
        try await t.finish()
    }

    @Test("Funding and withdrawal with the bound card do not count against Class II limits")
    func boundCardExempt() async throws {
        let t = try await TestPlatform.make()
        let payer = try await party(t, 1, .classII, "张三")
        let payee = try await party(t, 3, .classII, "王五")
        try await fund(t, payer, 50_000_00, key: "fund-1")
        _ = try await t.accounts.withdraw(payer.principal, accountID: payer.account.id, amountFen: 50_000_00, idempotencyKey: "out-1",
                                          address: AccountLimitsTests.address)
        try await fund(t, payer, 30_000_00, key: "fund-2")
        for rule in ["class_ii_daily_in", "class_ii_yearly_in", "class_ii_daily_out", "class_ii_yearly_out"] {
            #expect(try await used(t, payer, rule) == 0, "\(rule)")
        }
        // The whole non-bound allowance is still there.
        try await pay(t, payer, payee, 10_000_00, key: "t1")
        #expect(try await balance(t, payer) == 20_000_00)
        try await t.finish()
    }

    @Test("A movement that fails gives its reservation back")
    func failedMovementReleasesLimit() async throws {
        let t = try await TestPlatform.make()
        let payer = try await party(t, 1, .classII, "张三")
        let payee = try await party(t, 3, .classII, "王五")
        try await fund(t, payer, 5_000_00, key: "fund-1")
        let error = await refused(.insufficientFunds, status: 422) { try await pay(t, payer, payee, 6_000_00, key: "t1") }
        #expect(error?.extensions["movement_id"] != nil)
        #expect(try await used(t, payer, "class_ii_daily_out") == 0)
        #expect(try await used(t, payer, "class_ii_yearly_out") == 0)
        #expect(try await used(t, payee, "class_ii_daily_in") == 0)
        #expect(try await used(t, payee, "class_ii_yearly_in") == 0)
        // The retry answers with the stored failure and counts nothing either.
        await refused(.insufficientFunds) { try await pay(t, payer, payee, 6_000_00, key: "t1") }
        #expect(try await used(t, payer, "class_ii_daily_out") == 0)
        try await fund(t, payer, 5_000_00, key: "fund-2")
        t.clock.advance(seconds: OTPService.resendIntervalSeconds)
        try await pay(t, payer, payee, 10_000_00, key: "t2")
        #expect(try await used(t, payer, "class_ii_daily_out") == 10_000_00)
        #expect(try await balance(t, payee) == 10_000_00)
        try await t.finish()
    }

    @Test("Transfers sent at the same time never pass the day's limit together")
    func concurrentTransfersRespectLimit() async throws {
        let t = try await TestPlatform.make()
        let payer = try await party(t, 1, .classII, "张三")
        let payee = try await party(t, 3, .classII, "王五")
        try await fund(t, payer, 20_000_00, key: "fund")
        try await pay(t, payer, payee, 1_000_00, key: "c0")
        let outcomes = await withTaskGroup(of: String.self) { group in
            for i in 1...11 {
                group.addTask {
                    do {
                        _ = try await t.accounts.transfer(payer.principal, accountID: payer.account.id, payeeAccountNumber: payee.account.accountNumber,
                                                          payeeName: payee.name, amountFen: 1_000_00, memo: nil, otpChallengeID: nil, otpCode: nil,
                                                          idempotencyKey: "c\(i)", address: AccountLimitsTests.address)
                        return "ok"
                    } catch let error as DomainError {
                        if case .string(let limit) = error.extensions["limit"] { return limit }
                        return error.code.rawValue
                    } catch { return "\(error)" }
                }
            }
            var outcomes: [String] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.filter { $0 == "ok" }.count == 9, "\(outcomes)")
        #expect(outcomes.filter { $0 == "class_ii_daily_out" }.count == 2, "\(outcomes)")
        #expect(try await used(t, payer, "class_ii_daily_out") == 10_000_00)
        #expect(try await balance(t, payer) == 10_000_00)
        #expect(try await balance(t, payee) == 10_000_00)
        try await t.finish()
    }

    // MARK: Class III

    @Test("Class III balance: ¥2,000.00 exactly, then one fen more is refused however it comes")
    func classIIIBalanceCap() async throws {
        let t = try await TestPlatform.make()
        let wallet = try await party(t, 1, .classIII, "张三")
        let other = try await party(t, 3, .classII, "王五")
        try await fund(t, wallet, 2_000_00, key: "fund-1")
        #expect(try await balance(t, wallet) == 2_000_00)
        let error = await refused(.limitExceeded, limit: "class_iii_balance", status: 422) { try await fund(t, wallet, 1, key: "fund-2") }
        #expect(error?.extensions["limit_fen"] == .int(2_000_00))
        #expect(error?.extensions["remaining_fen"] == .int(0))
        #expect(try await balance(t, wallet) == 2_000_00)
        #expect(try await t.platform.interbankSimulator.balance(bankCode: "105", accountNumber: Cards.ccb(1)) == 1_000_000_00 - 2_000_00)
        // A transfer in hits the same cap, and the sender's allowance is not consumed.
        try await fund(t, other, 100_00, key: "fund")
        await refused(.limitExceeded, limit: "class_iii_balance") { try await pay(t, other, wallet, 1, key: "in-1") }
        #expect(try await used(t, other, "class_ii_daily_out") == 0)
        #expect(try await balance(t, other) == 100_00)
        // Room made by a withdrawal is room again.
        _ = try await t.accounts.withdraw(wallet.principal, accountID: wallet.account.id, amountFen: 1, idempotencyKey: "out-1",
                                          address: AccountLimitsTests.address)
        try await fund(t, wallet, 1, key: "fund-3")
        #expect(try await balance(t, wallet) == 2_000_00)
        try await t.finish()
    }

    @Test("Class III out: ¥2,000.00 a day to non-bound accounts")
    func classIIIDailyOut() async throws {
        let t = try await TestPlatform.make()
        let wallet = try await party(t, 1, .classIII, "张三")
        let payee = try await party(t, 3, .classII, "王五")
        try await fund(t, wallet, 2_000_00, key: "fund-1")
        try await pay(t, wallet, payee, 2_000_00, key: "t1")
        #expect(try await used(t, wallet, "class_iii_daily_out") == 2_000_00)
        try await fund(t, wallet, 1, key: "fund-2")
        let error = await refused(.limitExceeded, limit: "class_iii_daily_out", status: 422) { try await pay(t, wallet, payee, 1, key: "t2") }
        #expect(error?.extensions["limit_fen"] == .int(2_000_00))
        #expect(try await balance(t, wallet) == 1)
        // Withdrawal to the bound card is not limited.
        _ = try await t.accounts.withdraw(wallet.principal, accountID: wallet.account.id, amountFen: 1, idempotencyKey: "out-1",
                                          address: AccountLimitsTests.address)
        #expect(try await used(t, wallet, "class_iii_daily_out") == 2_000_00)
        t.clock.advance(seconds: 86_400)
        try await fund(t, wallet, 2_000_00, key: "fund-3")
        try await pay(t, wallet, payee, 2_000_00, key: "t3")
        #expect(try await used(t, wallet, "class_iii_yearly_out") == 4_000_00)
        try await t.finish()
    }

    @Test("Class III out: ¥50,000.00 a year, over 25 days; one fen more is refused")
    func classIIIYearlyOut() async throws {
        let t = try await TestPlatform.make()
        let wallet = try await party(t, 1, .classIII, "张三")
        let payee = try await party(t, 3, .classII, "王五")
        for day in 0..<25 {
            try await fund(t, wallet, 2_000_00, key: "fund-\(day)")
            try await pay(t, wallet, payee, 2_000_00, key: "day-\(day)")
            t.clock.advance(seconds: 86_400)
        }
        #expect(try await used(t, wallet, "class_iii_yearly_out") == 50_000_00)
        try await fund(t, wallet, 1, key: "fund-25")
        await refused(.limitExceeded, limit: "class_iii_yearly_out", status: 422) { try await pay(t, wallet, payee, 1, key: "day-25") }
        #expect(try await used(t, wallet, "class_iii_daily_out") == 0)
        #expect(try await balance(t, payee) == 50_000_00)
        try await t.finish()
    }

    // MARK: Freezes

    @Test("A frozen account cannot send but can receive; unfreezing restores it")
    func frozenAccount() async throws {
        let t = try await TestPlatform.make()
        let payer = try await party(t, 1, .classII, "张三")
        let payee = try await party(t, 3, .classII, "王五")
        try await fund(t, payer, 1_000_00, key: "fund-1")
        try await fund(t, payee, 1_000_00, key: "fund-1")
        try await pay(t, payer, payee, 1, key: "t0")
        _ = try await t.identity.createStaff(by: nil, role: .operator, mobile: "13700137000", displayName: "运营一号", password: "Operator2026x",
                                             address: AccountLimitsTests.address)
        let staff = try await t.identity.signIn(role: .operator, mobile: "13700137000", password: "Operator2026x", address: AccountLimitsTests.address)

        await refused(.forbidden, status: 403) {
            try await t.accounts.freeze(by: payee.principal, accountID: payer.account.id, kind: .fraud, reason: "x", address: AccountLimitsTests.address)
        }
        await refused(.invalidRequest) {
            try await t.accounts.freeze(by: staff.principal, accountID: payer.account.id, kind: .fraud, reason: "  ", address: AccountLimitsTests.address)
        }
        let freeze = try await t.accounts.freeze(by: staff.principal, accountID: payer.account.id, kind: .judicial, reason: "法院冻结 (2026)京0101执123号",
                                                 address: AccountLimitsTests.address)
        #expect(freeze.kind == .judicial && freeze.eAccountID == payer.account.id && freeze.frozenBy == staff.principal.actorRef)
        #expect(freeze.releasedAt == nil)
        #expect(try await t.accounts.eAccount(id: payer.account.id)?.status == "frozen")
        await refused(.accountFrozen, status: 409) {
            try await t.accounts.freeze(by: staff.principal, accountID: payer.account.id, kind: .fraud, reason: "again", address: AccountLimitsTests.address)
        }

        await refused(.accountFrozen, status: 422) { try await pay(t, payer, payee, 1, key: "t1") }
        await refused(.accountFrozen, status: 422) {
            try await t.accounts.withdraw(payer.principal, accountID: payer.account.id, amountFen: 1, idempotencyKey: "out-1", address: AccountLimitsTests.address)
        }
        #expect(try await used(t, payer, "class_ii_daily_out") == 1)
        // Money still comes in: from the bound card and from another customer.
        try await fund(t, payer, 100_00, key: "fund-2")
        try await pay(t, payee, payer, 200_00, key: "back-1")
        #expect(try await balance(t, payer) == 1_000_00 - 1 + 100_00 + 200_00)

        let released = try await t.accounts.unfreeze(by: staff.principal, accountID: payer.account.id, reason: "解除冻结", address: AccountLimitsTests.address)
        #expect(released.status == "active")
        await refused(.notFrozen, status: 409) {
            try await t.accounts.unfreeze(by: staff.principal, accountID: payer.account.id, reason: "again", address: AccountLimitsTests.address)
        }
        try await pay(t, payer, payee, 1, key: "t1")
        _ = try await t.accounts.withdraw(payer.principal, accountID: payer.account.id, amountFen: 1, idempotencyKey: "out-1", address: AccountLimitsTests.address)
        #expect(try await used(t, payer, "class_ii_daily_out") == 2)
        let detail = try await t.accounts.customerDetail(by: staff.principal, customerID: payer.account.customerID, address: AccountLimitsTests.address)
        #expect(detail.freezes.count == 1)
        #expect(detail.freezes.first?.releasedBy == staff.principal.actorRef)
        #expect(try await t.identity.audit.list(action: "account.unfreeze").count == 1)
        try await t.finish()
    }
}
