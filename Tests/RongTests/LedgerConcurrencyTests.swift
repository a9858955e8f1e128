import BankKit
import Ledger
import Testing

/// Many concurrent clients against one account: the batch writer must never let a
/// `debits_must_not_exceed_credits` account go below zero, batched or not.
@Suite("Ledger concurrency", .serialized)
struct LedgerConcurrencyTests {
    @Test("1,000 concurrent ¥1 debits against ¥500: exactly 500 succeed",
          arguments: [LedgerLimits.eventsPerBatchMax, 1])
    func concurrentDebits(batchEventsMax: Int) async throws {
        let t = try await TestLedger.make(batchEventsMax: batchEventsMax)
        let bank = try await t.account([], chart: "1002", owner: "bank")
        let customer = try await t.account(.debitsMustNotExceedCredits)
        let merchant = try await t.account()
        let fund = try await t.ledger.submit(.posted(id: t.ids.next(), from: bank, to: customer, amount: 500 * 100))
        #expect(fund.status == .ok)
        let ledger = t.ledger
        let ids = t.ids
        let results = try await withThrowingTaskGroup(of: TransferResult.self) { group in
            for _ in 0..<1_000 {
                group.addTask {
                    try await ledger.submit(.posted(id: ids.next(), from: customer, to: merchant, amount: 100))
                }
            }
            var all: [TransferResult] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 1_000)
        #expect(results.filter { $0.status == .ok }.count == 500)
        #expect(results.filter { $0.status == .exceedsCredits }.count == 500)
        #expect(Set(results.map(\.id)).count == 1_000)
        // Every ok result saw a balance that never went below zero.
        #expect(results.allSatisfy { $0.status != .ok || ($0.debitBalance?.postedCreditBalance ?? -1) >= 0 })
        let okBalances = results.compactMap { $0.status == .ok ? $0.transfer?.debitBalanceAfter : nil }.sorted()
        #expect(okBalances == (0..<500).map { Int64($0) * 100 })
        let balance = try #require(try await t.ledger.account(customer)).balance
        #expect(balance.postedCreditBalance == 0)
        #expect(balance == AccountBalance(debitsPosted: 50_000, creditsPosted: 50_000))
        #expect(try #require(try await t.ledger.account(merchant)).balance == AccountBalance(creditsPosted: 50_000))
        try await t.finish()
    }

    @Test("Concurrent holds, posts and voids keep the books balanced", arguments: [LedgerLimits.eventsPerBatchMax, 1])
    func concurrentTwoPhase(batchEventsMax: Int) async throws {
        let t = try await TestLedger.make(batchEventsMax: batchEventsMax)
        let bank = try await t.account([], chart: "1002", owner: "bank")
        let customer = try await t.account(.debitsMustNotExceedCredits)
        let merchant = try await t.account()
        #expect(try await t.ledger.submit(.posted(id: t.ids.next(), from: bank, to: customer, amount: 20_000)).status == .ok)
        let ledger = t.ledger
        let ids = t.ids
        // 200 clients: each holds ¥1, then posts (even) or voids (odd) its own hold.
        let outcomes = try await withThrowingTaskGroup(of: (TransferStatus, TransferStatus?).self) { group in
            for index in 0..<200 {
                group.addTask {
                    let holdID = ids.next()
                    let hold = try await ledger.submit(TransferRequest(id: holdID, debitAccountID: customer, creditAccountID: merchant,
                                                                      amount: 100, asset: "CNY", flags: [.pending]))
                    guard hold.status == .ok else { return (hold.status, nil) }
                    let flags: TransferFlags = index % 2 == 0 ? [.postPending] : [.voidPending]
                    let second = try await ledger.submit(TransferRequest(id: ids.next(), flags: flags, pendingID: holdID))
                    return (hold.status, second.status)
                }
            }
            var all: [(TransferStatus, TransferStatus?)] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 200)
        #expect(outcomes.allSatisfy { $0.0 == .ok && $0.1 == .ok })
        let balance = try #require(try await t.ledger.account(customer)).balance
        #expect(balance == AccountBalance(debitsPending: 0, debitsPosted: 10_000, creditsPosted: 20_000))
        try await t.finish()
    }
}
