import BankKit
import Ledger
import Testing

// Helpers private to this file (other test files may define their own).
extension TestLedger {
    /// A plain account that can go negative: the source of funds in scenarios.
    fileprivate func bank(asset: Asset = .cny) async throws -> RongID {
        try await account([], asset: asset, chart: "1002", owner: "bank")
    }

    /// A customer account (`debits_must_not_exceed_credits`) funded with `amount` from a new bank account.
    fileprivate func funded(_ amount: Int64, flags: AccountFlags = .debitsMustNotExceedCredits, asset: Asset = .cny) async throws -> (account: RongID, bank: RongID) {
        let bank = try await bank(asset: asset)
        let account = try await account(flags, asset: asset)
        if amount > 0 {
            let result = try await ledger.submit(.posted(id: ids.next(), from: bank, to: account, amount: amount, asset: asset))
            #expect(result.status == .ok)
        }
        return (account, bank)
    }

    fileprivate func move(_ from: RongID, _ to: RongID, _ amount: Int64, asset: Asset = .cny, linked: Bool = false) async throws -> TransferResult {
        try await ledger.submit(.posted(id: ids.next(), from: from, to: to, amount: amount, asset: asset, linked: linked))
    }

    fileprivate func hold(_ from: RongID, _ to: RongID, _ amount: Int64, timeoutSeconds: Int64 = 0) async throws -> TransferResult {
        try await ledger.submit(TransferRequest(id: ids.next(), debitAccountID: from, creditAccountID: to, amount: amount,
                                                asset: "CNY", flags: [.pending], timeoutSeconds: timeoutSeconds))
    }

    fileprivate func post(_ pending: RongID, amount: Int64? = nil) async throws -> TransferResult {
        try await ledger.submit(TransferRequest(id: ids.next(), amount: amount, flags: [.postPending], pendingID: pending))
    }

    fileprivate func void(_ pending: RongID) async throws -> TransferResult {
        try await ledger.submit(TransferRequest(id: ids.next(), flags: [.voidPending], pendingID: pending))
    }

    fileprivate func balance(_ id: RongID) async throws -> AccountBalance {
        try #require(try await ledger.account(id)).balance
    }
}

/// Every rule of the ledger, positive and negative. Each scenario ends with `t.finish()`,
/// which asserts that debits equal credits per asset and no flagged account crossed its limit.
@Suite("Ledger")
struct LedgerTests {
    // MARK: Plain transfers

    @Test("An ok transfer returns the stored transfer and both post balances")
    func okTransfer() async throws {
        let t = try await TestLedger.make()
        let bank = try await t.bank()
        let customer = try await t.account(.debitsMustNotExceedCredits)
        let id = t.ids.next()
        let result = try await t.ledger.submit(.posted(id: id, from: bank, to: customer, amount: 10_000, code: 1001, metadata: "{\"k\":1}"))
        #expect(result.status == .ok)
        #expect(result.isSuccess)
        #expect(result.id == id)
        let transfer = try #require(result.transfer)
        #expect(transfer.id == id && transfer.amount == 10_000 && transfer.asset == "CNY" && transfer.code == 1001)
        #expect(transfer.debitAccountID == bank && transfer.creditAccountID == customer)
        #expect(transfer.debitBalanceAfter == -10_000)
        #expect(transfer.creditBalanceAfter == 10_000)
        #expect(transfer.metadata == "{\"k\":1}")
        #expect(result.debitBalance == AccountBalance(debitsPosted: 10_000))
        #expect(result.creditBalance == AccountBalance(creditsPosted: 10_000))
        #expect(try await t.ledger.transfer(id) == transfer)
        #expect(try await t.balance(customer) == AccountBalance(creditsPosted: 10_000))
        #expect(try await t.balance(bank) == AccountBalance(debitsPosted: 10_000))
        let second = try await t.move(customer, bank, 2_500)
        #expect(second.status == .ok)
        #expect(second.debitBalance?.postedCreditBalance == 7_500)
        #expect(second.transfer?.debitBalanceAfter == 7_500)
        #expect(second.transfer?.creditBalanceAfter == -7_500)
        #expect(try #require(second.transfer).timestamp > transfer.timestamp)
        try await t.finish()
    }

    enum Invalid: String, CaseIterable, Sendable {
        case zeroAmount, negativeAmount, missingAmount, sameAccount, unknownDebit, unknownCredit, missingDebit, missingCredit
        case accountsOfDifferentAssets, transferAssetMismatch, unknownAsset, missingAsset, zeroID, codeZero, codeTooLarge
        case metadataTooLarge, timeoutOnPlainTransfer, pendingIDOnPlainTransfer, pendingAndPost, expiredFlag
        case postWithoutPendingID, postUnknownPending, timeoutTooLong, negativeTimeout

        var expected: TransferStatus {
            switch self {
            case .zeroAmount, .negativeAmount, .missingAmount: .amountMustBePositive
            case .sameAccount: .accountsMustBeDifferent
            case .unknownDebit: .debitAccountNotFound
            case .unknownCredit: .creditAccountNotFound
            case .missingDebit: .debitAccountRequired
            case .missingCredit: .creditAccountRequired
            case .accountsOfDifferentAssets: .accountsMustHaveSameAsset
            case .transferAssetMismatch: .transferAssetMismatch
            case .unknownAsset, .missingAsset: .unknownAsset
            case .zeroID: .idMustNotBeZero
            case .codeZero, .codeTooLarge: .codeOutOfRange
            case .metadataTooLarge: .metadataTooLarge
            case .timeoutOnPlainTransfer: .timeoutReservedForPendingTransfer
            case .pendingIDOnPlainTransfer: .pendingIDMustBeEmpty
            case .pendingAndPost, .expiredFlag: .flagsAreMutuallyExclusive
            case .postWithoutPendingID: .pendingIDRequired
            case .postUnknownPending: .pendingTransferNotFound
            case .timeoutTooLong, .negativeTimeout: .timeoutTooLong
            }
        }

        func request(id: RongID, a: RongID, b: RongID, gold: RongID, missing: RongID) -> TransferRequest {
            var r = TransferRequest(id: id, debitAccountID: a, creditAccountID: b, amount: 100, asset: "CNY")
            switch self {
            case .zeroAmount: r.amount = 0
            case .negativeAmount: r.amount = -100
            case .missingAmount: r.amount = nil
            case .sameAccount: r.creditAccountID = a
            case .unknownDebit: r.debitAccountID = missing
            case .unknownCredit: r.creditAccountID = missing
            case .missingDebit: r.debitAccountID = nil
            case .missingCredit: r.creditAccountID = nil
            case .accountsOfDifferentAssets: r.creditAccountID = gold
            case .transferAssetMismatch: r.asset = "XAU_MG"
            case .unknownAsset: r.asset = "DOGE"
            case .missingAsset: r.asset = nil
            case .zeroID: r.id = .zero
            case .codeZero: r.code = 0
            case .codeTooLarge: r.code = 65_536
            case .metadataTooLarge: r.metadata = String(repeating: "x", count: LedgerLimits.metadataBytesMax + 1)
            case .timeoutOnPlainTransfer: r.timeoutSeconds = 60
            case .pendingIDOnPlainTransfer: r.pendingID = missing
            case .pendingAndPost: r.flags = [.pending, .postPending]
            case .expiredFlag: r.flags = [.expired]
            case .postWithoutPendingID: r.flags = [.postPending]
            case .postUnknownPending: r.flags = [.postPending]; r.pendingID = missing
            case .timeoutTooLong: r.flags = [.pending]; r.timeoutSeconds = LedgerLimits.pendingTimeoutSecondsMax + 1
            case .negativeTimeout: r.flags = [.pending]; r.timeoutSeconds = -1
            }
            return r
        }
    }

    @Test("Invalid transfers fail with their own code and change nothing", arguments: Invalid.allCases)
    func invalidTransfer(_ invalid: Invalid) async throws {
        let t = try await TestLedger.make()
        let (a, bank) = try await t.funded(1_000, flags: [])
        let b = try await t.account()
        let goldBank = try await t.bank(asset: .goldMilligram)
        let gold = try await t.account([], asset: .goldMilligram)
        #expect(try await t.move(goldBank, gold, 5_000, asset: .goldMilligram).status == .ok)
        let missing = t.ids.next()
        let before = try await [a, b, bank, gold].asyncMap { try await t.balance($0) }
        let request = invalid.request(id: t.ids.next(), a: a, b: b, gold: gold, missing: missing)
        let result = try await t.ledger.submit(request)
        #expect(result.status == invalid.expected)
        #expect(!result.isSuccess)
        #expect(result.transfer == nil)
        let after = try await [a, b, bank, gold].asyncMap { try await t.balance($0) }
        #expect(before == after)
        if request.id != .zero { #expect(try await t.ledger.transfer(request.id) == nil) }
        try await t.finish()
    }

    @Test("Accounts of different assets keep separate totals")
    func assetsBalanceSeparately() async throws {
        let t = try await TestLedger.make()
        _ = try await t.funded(12_345)
        let (gold, _) = try await t.funded(2_000, asset: .goldMilligram)
        let goldOther = try await t.account([], asset: .goldMilligram)
        #expect(try await t.move(gold, goldOther, 500, asset: .goldMilligram).status == .ok)
        let report = try await t.ledger.checkInvariants()
        #expect(report.isHealthy)
        let cny = try #require(report.totals.first { $0.asset == "CNY" })
        let xau = try #require(report.totals.first { $0.asset == "XAU_MG" })
        #expect(cny.debitsPosted == 12_345 && cny.creditsPosted == 12_345)
        #expect(xau.debitsPosted == 2_500 && xau.creditsPosted == 2_500)
        try await t.finish()
    }

    // MARK: Closed accounts

    @Test("A closed account takes part in no transfer until reopened")
    func closedAccounts() async throws {
        let t = try await TestLedger.make()
        let (customer, bank) = try await t.funded(1_000)
        #expect(try await t.ledger.setClosed(customer, closed: true))
        #expect(try await t.ledger.account(customer)?.flags.contains(.closed) == true)
        #expect(try await t.move(customer, bank, 100).status == .debitAccountClosed)
        #expect(try await t.move(bank, customer, 100).status == .creditAccountClosed)
        #expect(try await t.hold(customer, bank, 100).status == .debitAccountClosed)
        #expect(try await t.ledger.setClosed(customer, closed: false))
        #expect(try await t.ledger.account(customer)?.flags.contains(.closed) == false)
        #expect(try await t.move(customer, bank, 100).status == .ok)
        #expect(try await t.balance(customer).postedCreditBalance == 900)
        #expect(try await t.ledger.setClosed(t.ids.next(), closed: true) == false)
        try await t.finish()
    }

    // MARK: Balance limits

    @Test("debits_must_not_exceed_credits: exactly the balance passes, one fen more fails")
    func exceedsCredits() async throws {
        let t = try await TestLedger.make()
        let (customer, bank) = try await t.funded(1_000)
        #expect(try await t.move(customer, bank, 1_001).status == .exceedsCredits)
        #expect(try await t.balance(customer) == AccountBalance(creditsPosted: 1_000))
        #expect(try await t.move(customer, bank, 1_000).status == .ok)
        #expect(try await t.move(customer, bank, 1).status == .exceedsCredits)
        #expect(try await t.balance(customer) == AccountBalance(debitsPosted: 1_000, creditsPosted: 1_000))
        // A flagged account with no credits cannot be debited at all.
        let empty = try await t.account(.debitsMustNotExceedCredits)
        #expect(try await t.move(empty, bank, 1).status == .exceedsCredits)
        try await t.finish()
    }

    @Test("credits_must_not_exceed_debits: exactly the debits pass, one fen more fails")
    func exceedsDebits() async throws {
        let t = try await TestLedger.make()
        let loan = try await t.account(.creditsMustNotExceedDebits, chart: "1303")
        let customer = try await t.account()
        #expect(try await t.move(customer, loan, 1).status == .exceedsDebits)
        #expect(try await t.move(loan, customer, 500).status == .ok)   // disburse
        #expect(try await t.move(customer, loan, 501).status == .exceedsDebits)
        #expect(try await t.move(customer, loan, 500).status == .ok)   // repay in full
        #expect(try await t.move(customer, loan, 1).status == .exceedsDebits)
        #expect(try await t.balance(loan) == AccountBalance(debitsPosted: 500, creditsPosted: 500))
        try await t.finish()
    }

    @Test("A transfer that would overflow a balance fails with overflow")
    func overflow() async throws {
        let t = try await TestLedger.make()
        let a = try await t.account()
        let b = try await t.account()
        let target = try await t.account()
        let half = Int64.max / 2 + 1
        #expect(try await t.move(a, target, half).status == .ok)
        let result = try await t.move(b, target, half)
        #expect(result.status == .overflow)
        #expect(try await t.balance(target) == AccountBalance(creditsPosted: half))
        #expect(try await t.balance(b) == AccountBalance())
        try await t.finish()
    }

    @Test("The invariant check copes with per-asset totals beyond Int64")
    func invariantTotalsBeyondInt64() async throws {
        let t = try await TestLedger.make()
        let half = Int64.max / 2 + 1
        // Two independent transfers, each legal on its own accounts; together the asset's totals exceed Int64.max.
        #expect(try await t.move(try await t.account(), try await t.account(), half).status == .ok)
        #expect(try await t.move(try await t.account(), try await t.account(), half).status == .ok)
        do {
            let report = try await t.ledger.checkInvariants()
            #expect(report.isHealthy, "\(report)")
        } catch {
            Issue.record("checkInvariants threw instead of reporting: \(error)")
        }
        await t.ledger.shutdown()
        await t.db.cleanup()
    }

    // MARK: Idempotency

    @Test("Submitting a transfer again is idempotent on its id")
    func transferIdempotency() async throws {
        let t = try await TestLedger.make()
        let (customer, bank) = try await t.funded(1_000)
        let id = t.ids.next()
        let request = TransferRequest.posted(id: id, from: customer, to: bank, amount: 300)
        let first = try await t.ledger.submit(request)
        #expect(first.status == .ok)
        let again = try await t.ledger.submit(request)
        #expect(again.status == .exists)
        #expect(again.isSuccess)
        #expect(again.transfer == first.transfer)
        var otherAmount = request
        otherAmount.amount = 301
        #expect(try await t.ledger.submit(otherAmount).status == .existsWithDifferentFields)
        var otherCode = request
        otherCode.code = 2
        #expect(try await t.ledger.submit(otherCode).status == .existsWithDifferentFields)
        var otherCredit = request
        otherCredit.creditAccountID = try await t.account()
        #expect(try await t.ledger.submit(otherCredit).status == .existsWithDifferentFields)
        // Twice in one submission: the second is a repeat of the first.
        let id2 = t.ids.next()
        let pair = try await t.ledger.submit([.posted(id: id2, from: customer, to: bank, amount: 100), .posted(id: id2, from: customer, to: bank, amount: 100)])
        #expect(pair.map(\.status) == [.ok, .exists])
        #expect(try await t.balance(customer) == AccountBalance(debitsPosted: 400, creditsPosted: 1_000))
        // A failed transfer is not stored: the same id may succeed later.
        let id3 = t.ids.next()
        #expect(try await t.ledger.submit(.posted(id: id3, from: customer, to: bank, amount: 700)).status == .exceedsCredits)
        #expect(try await t.ledger.submit(.posted(id: id3, from: customer, to: bank, amount: 600)).status == .ok)
        try await t.finish()
    }

    @Test("Opening an account is idempotent on its id")
    func accountIdempotency() async throws {
        let t = try await TestLedger.make()
        let id = t.ids.next()
        let account = NewAccount(id: id, asset: .cny, chartCode: "2011", ownerRef: "customer:1", flags: .debitsMustNotExceedCredits)
        #expect(try await t.ledger.createAccounts([account]) == [.ok])
        let stored = try #require(try await t.ledger.account(id))
        #expect(stored.asset == "CNY" && stored.chartCode == "2011" && stored.ownerRef == "customer:1")
        #expect(stored.flags == .debitsMustNotExceedCredits)
        #expect(stored.balance == AccountBalance())
        #expect(try await t.ledger.createAccounts([account]) == [.exists])
        #expect(try await t.ledger.createAccount(account) == .exists)
        var other = account
        other.chartCode = "2012"
        #expect(try await t.ledger.createAccounts([other]) == [.existsWithDifferentFields])
        let error = await #expect(throws: DomainError.self) { try await t.ledger.createAccount(other) }
        #expect(error?.code.rawValue == "exists_with_different_fields")
        #expect(error?.status == 409)
        var otherFlags = account
        otherFlags.flags = []
        #expect(try await t.ledger.createAccounts([otherFlags]) == [.existsWithDifferentFields])
        // Closing does not make the same request look different.
        #expect(try await t.ledger.setClosed(id, closed: true))
        #expect(try await t.ledger.createAccounts([account]) == [.exists])
        #expect(try await t.ledger.accounts(ownerRef: "customer:1").map(\.id) == [id])
        try await t.finish()
    }

    @Test("An opened or closed account is readable as soon as the call returns")
    func readYourWrites() async throws {
        let t = try await TestLedger.make()
        var missing = 0
        var stale = 0
        for _ in 0..<100 {
            let id = t.ids.next()
            try await t.ledger.createAccount(NewAccount(id: id, asset: .cny, chartCode: "2011", ownerRef: "ryw"))
            if try await t.ledger.account(id) == nil { missing += 1 }
            _ = try await t.ledger.setClosed(id, closed: true)
            if try await t.ledger.account(id)?.flags.contains(.closed) != true { stale += 1 }
        }
        #expect(missing == 0, "accounts not yet visible after createAccount returned")
        #expect(stale == 0, "closed flag not yet visible after setClosed returned")
        try await t.finish()
    }

    @Test("Invalid accounts are refused", arguments: [
        ("", AccountCreateStatus.chartCodeInvalid),
        ("20A1", .chartCodeInvalid),
        ("12345678901234567", .chartCodeInvalid),
        ("2011 ", .chartCodeInvalid),
        ("asset:DOGE", .unknownAsset),
        ("flags:both", .flagsAreMutuallyExclusive),
        ("id:zero", .idMustNotBeZero),
        ("owner:long", .ownerRefTooLong),
        ("2011.01", .ok),
    ])
    func invalidAccounts(_ variant: String, _ expected: AccountCreateStatus) async throws {
        let t = try await TestLedger.make()
        var account = NewAccount(id: t.ids.next(), asset: .cny, chartCode: variant, ownerRef: "test")
        switch variant {
        case "asset:DOGE": account.chartCode = "2011"; account.asset = "DOGE"
        case "flags:both": account.chartCode = "2011"; account.flags = [.debitsMustNotExceedCredits, .creditsMustNotExceedDebits]
        case "id:zero": account.chartCode = "2011"; account.id = .zero
        case "owner:long": account.chartCode = "2011"; account.ownerRef = String(repeating: "o", count: LedgerLimits.ownerRefLengthMax + 1)
        default: break
        }
        #expect(try await t.ledger.createAccounts([account]) == [expected])
        if expected == .ok {
            #expect(try await t.ledger.account(account.id) != nil)
        } else {
            let error = await #expect(throws: DomainError.self) { try await t.ledger.createAccount(account) }
            #expect(error?.code.rawValue == expected.rawValue)
            #expect(try await t.ledger.account(account.id) == nil)
        }
        try await t.finish()
    }

    // MARK: Two-phase transfers

    @Test("A pending transfer holds funds; posting it in full moves them")
    func pendingPostFull() async throws {
        let t = try await TestLedger.make()
        let (customer, _) = try await t.funded(1_000)
        let merchant = try await t.account()
        let hold = try await t.hold(customer, merchant, 300)
        #expect(hold.status == .ok)
        #expect(hold.debitBalance == AccountBalance(debitsPending: 300, creditsPosted: 1_000))
        var balance = try await t.balance(customer)
        #expect(balance.availableCreditBalance == 700)
        #expect(balance.postedCreditBalance == 1_000)
        #expect(try await t.balance(merchant) == AccountBalance(creditsPending: 300))
        // Holds count against the limit.
        #expect(try await t.hold(customer, merchant, 701).status == .exceedsCredits)
        #expect(try await t.move(customer, merchant, 701).status == .exceedsCredits)
        let post = try await t.post(hold.id)
        #expect(post.status == .ok)
        #expect(post.transfer?.amount == 300)
        #expect(post.transfer?.pendingID == hold.id)
        #expect(post.transfer?.debitAccountID == customer)
        balance = try await t.balance(customer)
        #expect(balance == AccountBalance(debitsPosted: 300, creditsPosted: 1_000))
        #expect(try await t.balance(merchant) == AccountBalance(creditsPosted: 300))
        #expect(try await t.post(hold.id).status == .pendingTransferAlreadyPosted)
        #expect(try await t.void(hold.id).status == .pendingTransferAlreadyPosted)
        #expect(try await t.balance(customer) == balance)
        try await t.finish()
    }

    @Test("Posting part of a hold releases the remainder")
    func pendingPostPartial() async throws {
        let t = try await TestLedger.make()
        let (customer, _) = try await t.funded(1_000)
        let merchant = try await t.account()
        let hold = try await t.hold(customer, merchant, 500)
        #expect(try await t.post(hold.id, amount: 501).status == .exceedsPendingTransferAmount)
        #expect(try await t.post(hold.id, amount: 0).status == .amountMustBePositive)
        #expect(try await t.balance(customer) == AccountBalance(debitsPending: 500, creditsPosted: 1_000))
        let post = try await t.post(hold.id, amount: 200)
        #expect(post.status == .ok)
        #expect(post.transfer?.amount == 200)
        #expect(try await t.balance(customer) == AccountBalance(debitsPosted: 200, creditsPosted: 1_000))
        #expect(try await t.balance(merchant) == AccountBalance(creditsPosted: 200))
        #expect(try await t.post(hold.id, amount: 100).status == .pendingTransferAlreadyPosted)
        try await t.finish()
    }

    @Test("Voiding a hold releases it")
    func pendingVoid() async throws {
        let t = try await TestLedger.make()
        let (customer, _) = try await t.funded(1_000)
        let merchant = try await t.account()
        let hold = try await t.hold(customer, merchant, 400)
        let void = try await t.void(hold.id)
        #expect(void.status == .ok)
        #expect(void.transfer?.amount == 400)
        #expect(void.transfer?.flags.contains(.voidPending) == true)
        #expect(try await t.balance(customer) == AccountBalance(creditsPosted: 1_000))
        #expect(try await t.balance(merchant) == AccountBalance())
        #expect(try await t.void(hold.id).status == .pendingTransferAlreadyVoided)
        #expect(try await t.post(hold.id).status == .pendingTransferAlreadyVoided)
        try await t.finish()
    }

    @Test("Posts and voids are checked against the hold they name")
    func postVoidChecks() async throws {
        let t = try await TestLedger.make()
        let (customer, bank) = try await t.funded(1_000)
        let merchant = try await t.account()
        let hold = try await t.hold(customer, merchant, 400)
        var wrongAccounts = TransferRequest(id: t.ids.next(), debitAccountID: bank, flags: [.postPending], pendingID: hold.id)
        #expect(try await t.ledger.submit(wrongAccounts).status == .pendingTransferHasDifferentAccounts)
        wrongAccounts = TransferRequest(id: t.ids.next(), creditAccountID: bank, flags: [.voidPending], pendingID: hold.id)
        #expect(try await t.ledger.submit(wrongAccounts).status == .pendingTransferHasDifferentAccounts)
        let wrongAsset = TransferRequest(id: t.ids.next(), asset: "XAU_MG", flags: [.postPending], pendingID: hold.id)
        #expect(try await t.ledger.submit(wrongAsset).status == .pendingTransferHasDifferentAsset)
        let partialVoid = TransferRequest(id: t.ids.next(), amount: 100, flags: [.voidPending], pendingID: hold.id)
        #expect(try await t.ledger.submit(partialVoid).status == .exceedsPendingTransferAmount)
        let withTimeout = TransferRequest(id: t.ids.next(), flags: [.postPending], pendingID: hold.id, timeoutSeconds: 5)
        #expect(try await t.ledger.submit(withTimeout).status == .timeoutReservedForPendingTransfer)
        // A plain transfer is not a hold.
        let plain = try await t.move(customer, merchant, 10)
        #expect(try await t.post(plain.id).status == .pendingTransferNotFound)
        // Explicit matching fields are fine.
        let explicit = TransferRequest(id: t.ids.next(), debitAccountID: customer, creditAccountID: merchant, amount: 400, asset: "CNY",
                                       flags: [.postPending], pendingID: hold.id)
        #expect(try await t.ledger.submit(explicit).status == .ok)
        #expect(try await t.balance(customer) == AccountBalance(debitsPosted: 410, creditsPosted: 1_000))
        try await t.finish()
    }

    @Test("A hold and its post in the same submission")
    func pendingAndPostInOneSubmission() async throws {
        let t = try await TestLedger.make()
        let (customer, _) = try await t.funded(1_000)
        let merchant = try await t.account()
        let holdID = t.ids.next()
        let results = try await t.ledger.submit([
            TransferRequest(id: holdID, debitAccountID: customer, creditAccountID: merchant, amount: 600, asset: "CNY", flags: [.pending]),
            TransferRequest(id: t.ids.next(), flags: [.postPending], pendingID: holdID),
        ])
        #expect(results.map(\.status) == [.ok, .ok])
        #expect(try await t.balance(customer) == AccountBalance(debitsPosted: 600, creditsPosted: 1_000))
        // The hold is posted: it must not be postable a second time.
        let again = try await t.post(holdID)
        #expect(again.status == .pendingTransferAlreadyPosted)
        #expect(try await t.balance(customer) == AccountBalance(debitsPosted: 600, creditsPosted: 1_000))
        #expect(try await t.ledger.sweepExpired() == 0)
        try await t.finish()
    }

    @Test("A hold and its void in the same submission")
    func pendingAndVoidInOneSubmission() async throws {
        let t = try await TestLedger.make()
        let (customer, _) = try await t.funded(1_000)
        let merchant = try await t.account()
        let holdID = t.ids.next()
        let results = try await t.ledger.submit([
            TransferRequest(id: holdID, debitAccountID: customer, creditAccountID: merchant, amount: 600, asset: "CNY", flags: [.pending]),
            TransferRequest(id: t.ids.next(), flags: [.voidPending], pendingID: holdID),
        ])
        #expect(results.map(\.status) == [.ok, .ok])
        let post = try await t.post(holdID)
        #expect(post.status == .pendingTransferAlreadyVoided)
        #expect(try await t.balance(customer) == AccountBalance(creditsPosted: 1_000))
        try await t.finish()
    }

    @Test("Only a hold whose timeout has passed can be voided as expired")
    func expiredVoidNeedsAnExpiredHold() async throws {
        let t = try await TestLedger.make()
        let (customer, _) = try await t.funded(1_000)
        let merchant = try await t.account()
        let hold = try await t.hold(customer, merchant, 250, timeoutSeconds: 60)
        let early = try await t.ledger.submit(TransferRequest(id: t.ids.next(), flags: [.voidPending, .expired], pendingID: hold.id))
        #expect(early.status == .pendingTransferNotExpired)
        #expect(try await t.balance(customer).debitsPending == 250)
        t.clock.advance(seconds: 61)
        let swept = try await t.ledger.submit(TransferRequest(id: t.ids.next(), flags: [.voidPending, .expired], pendingID: hold.id))
        #expect(swept.status == .ok)
        #expect(try await t.balance(customer) == AccountBalance(creditsPosted: 1_000))
        try await t.finish()
    }

    @Test("An expired hold cannot be posted; the sweep releases it once")
    func pendingExpiry() async throws {
        let t = try await TestLedger.make()
        let (customer, _) = try await t.funded(1_000)
        let merchant = try await t.account()
        let hold = try await t.hold(customer, merchant, 250, timeoutSeconds: 60)
        #expect(hold.status == .ok)
        let lasting = try await t.hold(customer, merchant, 100)  // no timeout: never expires
        let later = try await t.hold(customer, merchant, 50, timeoutSeconds: 3_600)
        #expect(try await t.ledger.sweepExpired() == 0)
        t.clock.advance(seconds: 61)
        #expect(try await t.post(hold.id).status == .pendingTransferExpired)
        #expect(try await t.balance(customer).debitsPending == 400)
        #expect(try await t.ledger.sweepExpired() == 1)
        let balance = try await t.balance(customer)
        #expect(balance == AccountBalance(debitsPending: 150, creditsPosted: 1_000))
        #expect(try await t.balance(merchant) == AccountBalance(creditsPending: 150))
        #expect(try await t.ledger.sweepExpired() == 0)
        #expect(try await t.post(hold.id).status == .pendingTransferExpired)
        #expect(try await t.void(hold.id).status == .pendingTransferExpired)
        // The sweep's void is on the statement, marked expired.
        let page = try await t.ledger.statement(account: customer, limit: 50)
        let expiredVoid = try #require(page.entries.last)
        #expect(expiredVoid.transfer.pendingID == hold.id)
        #expect(expiredVoid.transfer.flags.contains(.expired))
        #expect(expiredVoid.transfer.flags.contains(.voidPending))
        // The other holds are unaffected.
        #expect(try await t.post(lasting.id).status == .ok)
        #expect(try await t.post(later.id).status == .ok)
        #expect(try await t.balance(customer) == AccountBalance(debitsPosted: 150, creditsPosted: 1_000))
        try await t.finish()
    }

    @Test("A hold can be posted until its timeout")
    func pendingBeforeExpiry() async throws {
        let t = try await TestLedger.make()
        let (customer, _) = try await t.funded(1_000)
        let merchant = try await t.account()
        let hold = try await t.hold(customer, merchant, 250, timeoutSeconds: 60)
        t.clock.advance(seconds: 59)
        #expect(try await t.post(hold.id).status == .ok)
        t.clock.advance(seconds: 10)
        #expect(try await t.ledger.sweepExpired() == 0)
        #expect(try await t.balance(customer) == AccountBalance(debitsPosted: 250, creditsPosted: 1_000))
        try await t.finish()
    }

    // MARK: Linked transfers

    @Test("A linked chain fails whole when one transfer fails")
    func linkedChainFails() async throws {
        let t = try await TestLedger.make()
        let (customer, bank) = try await t.funded(1_000)
        let merchant = try await t.account()
        let fees = try await t.account()
        let before = try await [customer, bank, merchant, fees].asyncMap { try await t.balance($0) }
        let chain: [TransferRequest] = [
            .posted(id: t.ids.next(), from: customer, to: merchant, amount: 600, linked: true),
            .posted(id: t.ids.next(), from: customer, to: fees, amount: 300, linked: true),
            .posted(id: t.ids.next(), from: customer, to: fees, amount: 101),  // 1,001 in total: too much
        ]
        let results = try await t.ledger.submit(chain)
        #expect(results.map(\.status) == [.linkedEventFailed, .linkedEventFailed, .exceedsCredits])
        #expect(results.allSatisfy { $0.transfer == nil })
        let after = try await [customer, bank, merchant, fees].asyncMap { try await t.balance($0) }
        #expect(before == after)
        for request in chain { #expect(try await t.ledger.transfer(request.id) == nil) }
        // The same chain within the limit commits whole.
        var fixed = chain
        fixed[2].amount = 100
        let retried = try await t.ledger.submit(fixed)
        #expect(retried.map(\.status) == [.ok, .ok, .ok])
        #expect(try await t.balance(customer).postedCreditBalance == 0)
        #expect(try await t.balance(fees).postedCreditBalance == 400)
        try await t.finish()
    }

    @Test("A linked chain with a pending transfer rolls the hold back too")
    func linkedChainWithHold() async throws {
        let t = try await TestLedger.make()
        let (customer, _) = try await t.funded(1_000)
        let merchant = try await t.account()
        let holdID = t.ids.next()
        let results = try await t.ledger.submit([
            TransferRequest(id: holdID, debitAccountID: customer, creditAccountID: merchant, amount: 500, asset: "CNY", flags: [.pending, .linked]),
            .posted(id: t.ids.next(), from: customer, to: customer, amount: 1),
        ])
        #expect(results.map(\.status) == [.linkedEventFailed, .accountsMustBeDifferent])
        #expect(try await t.balance(customer) == AccountBalance(creditsPosted: 1_000))
        #expect(try await t.post(holdID).status == .pendingTransferNotFound)
        try await t.finish()
    }

    @Test("A chain left open at the end of a submission fails", arguments: [1, 2, 3])
    func linkedChainOpen(_ length: Int) async throws {
        let t = try await TestLedger.make()
        let (customer, bank) = try await t.funded(1_000)
        let chain = (0..<length).map { _ in TransferRequest.posted(id: t.ids.next(), from: customer, to: bank, amount: 10, linked: true) }
        let results = try await t.ledger.submit(chain)
        #expect(results.map(\.status) == Array(repeating: .linkedEventFailed, count: length - 1) + [.linkedEventChainOpen])
        #expect(try await t.balance(customer) == AccountBalance(creditsPosted: 1_000))
        try await t.finish()
    }

    @Test("A failing transfer does not fail its neighbours")
    func failureIsolated() async throws {
        let t = try await TestLedger.make()
        let (customer, bank) = try await t.funded(1_000)
        let results = try await t.ledger.submit([
            .posted(id: t.ids.next(), from: customer, to: bank, amount: 100),
            .posted(id: t.ids.next(), from: customer, to: bank, amount: 5_000),
            .posted(id: t.ids.next(), from: customer, to: bank, amount: 0),
            .posted(id: t.ids.next(), from: customer, to: bank, amount: 200),
            .posted(id: t.ids.next(), from: customer, to: bank, amount: 20, linked: true),
            .posted(id: t.ids.next(), from: customer, to: bank, amount: 30),
        ])
        #expect(results.map(\.status) == [.ok, .exceedsCredits, .amountMustBePositive, .ok, .ok, .ok])
        #expect(try await t.balance(customer).postedCreditBalance == 650)
        try await t.finish()
    }

    @Test("Concurrent submissions never join one chain")
    func chainsDoNotSpanSubmissions() async throws {
        let t = try await TestLedger.make()
        let (customer, bank) = try await t.funded(1_000)
        let ledger = t.ledger
        let ids = t.ids
        let statuses = try await withThrowingTaskGroup(of: [TransferStatus].self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await ledger.submit([.posted(id: ids.next(), from: customer, to: bank, amount: 1, linked: true)]).map(\.status)
                }
                group.addTask {
                    try await ledger.submit([.posted(id: ids.next(), from: customer, to: bank, amount: 1)]).map(\.status)
                }
            }
            var all: [[TransferStatus]] = []
            for try await s in group { all.append(s) }
            return all
        }
        #expect(statuses.filter { $0 == [.linkedEventChainOpen] }.count == 20)
        #expect(statuses.filter { $0 == [.ok] }.count == 20)
        #expect(try await t.balance(customer).postedCreditBalance == 980)
        try await t.finish()
    }

    // MARK: Statement

    @Test("Statement shows the running balance and paginates with a cursor")
    func statement() async throws {
        let t = try await TestLedger.make()
        let bank = try await t.bank()
        let customer = try await t.account(.debitsMustNotExceedCredits)
        let other = try await t.account()
        let moves: [(from: RongID, to: RongID, amount: Int64)] = [
            (bank, customer, 1_000), (customer, other, 300), (bank, customer, 50), (customer, other, 700), (bank, customer, 5),
        ]
        var ids: [RongID] = []
        for move in moves {
            let result = try await t.move(move.from, move.to, move.amount)
            #expect(result.status == .ok)
            ids.append(result.id)
        }
        _ = try await t.move(bank, other, 1)  // not on the customer's statement
        var pages: [StatementPage] = []
        var cursor: String?
        repeat {
            let page = try await t.ledger.statement(account: customer, after: cursor, limit: 2)
            pages.append(page)
            cursor = page.nextCursor
        } while cursor != nil && pages.count < 10
        #expect(pages.map(\.entries.count) == [2, 2, 1])
        let entries = pages.flatMap(\.entries)
        #expect(entries.map(\.transfer.id) == ids)
        #expect(entries.map(\.balanceAfter) == [1_000, 700, 750, 50, 55])
        #expect(entries.map(\.isDebit) == [false, true, false, true, false])
        #expect(pages.last?.nextCursor == nil)
        let all = try await t.ledger.statement(account: customer)
        #expect(all.entries.map(\.transfer.id) == ids)
        #expect(all.nextCursor == nil)
        let exact = try await t.ledger.statement(account: customer, limit: 5)
        #expect(exact.entries.count == 5)
        #expect(exact.nextCursor == nil)
        // Newest first, as a customer reads it: the same entries reversed, paged the same way.
        var newest: [StatementEntry] = []
        cursor = nil
        repeat {
            let page = try await t.ledger.statement(account: customer, after: cursor, limit: 2, newestFirst: true)
            newest += page.entries
            cursor = page.nextCursor
        } while cursor != nil && newest.count < 10
        #expect(newest.map(\.transfer.id) == ids.reversed())
        #expect(newest.map(\.balanceAfter) == [55, 50, 750, 700, 1_000])
        try await t.finish()
    }

    @Test("Statement errors")
    func statementErrors() async throws {
        let t = try await TestLedger.make()
        let customer = try await t.account()
        let missing = await #expect(throws: DomainError.self) { try await t.ledger.statement(account: t.ids.next()) }
        #expect(missing?.code == .notFound)
        for cursor in ["", "garbage", "12_notanid", "x_0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f", "1_2_3"] {
            let bad = await #expect(throws: DomainError.self) { try await t.ledger.statement(account: customer, after: cursor) }
            #expect(bad?.code == .invalidRequest)
        }
        #expect(try await t.ledger.statement(account: customer).entries.isEmpty)
        try await t.finish()
    }

    // MARK: Submission limits

    @Test("Submissions must hold 1 to 8,190 transfers")
    func submissionLimits() async throws {
        let t = try await TestLedger.make()
        let (customer, bank) = try await t.funded(100_000)
        let tooMany = (0..<(LedgerLimits.eventsPerSubmissionMax + 1)).map { _ in
            TransferRequest.posted(id: t.ids.next(), from: customer, to: bank, amount: 1)
        }
        let large = await #expect(throws: DomainError.self) { try await t.ledger.submit(tooMany) }
        #expect(large?.code == .batchTooLarge)
        let empty = await #expect(throws: DomainError.self) { try await t.ledger.submit([TransferRequest]()) }
        #expect(empty?.code == .invalidRequest)
        let noAccounts = await #expect(throws: DomainError.self) { try await t.ledger.createAccounts([]) }
        #expect(noAccounts?.code == .invalidRequest)
        #expect(try await t.balance(customer) == AccountBalance(creditsPosted: 100_000))
        // The largest submission is accepted whole.
        let largest = Array(tooMany.dropLast())
        let results = try await t.ledger.submit(largest)
        #expect(results.count == LedgerLimits.eventsPerSubmissionMax)
        #expect(results.allSatisfy { $0.status == .ok })
        #expect(zip(results, largest).allSatisfy { $0.id == $1.id })
        #expect(try await t.balance(customer).postedCreditBalance == 100_000 - Int64(LedgerLimits.eventsPerSubmissionMax))
        try await t.finish()
    }

    @Test("A statement reads the same before and after the writer indexes its entries")
    func statementAcrossIndexedAndUnindexedEntries() async throws {
        var t = try await TestLedger.make()
        let bank = try await t.account(chart: "1003", owner: "bank"), customer = try await t.account(owner: "c")
        // Separate submissions with a frozen clock: the writer indexes the first when it goes idle,
        // and leaves the rest for later (SQLite); PostgreSQL indexes each in its own transaction.
        var expected: [Int64] = []
        var balance: Int64 = 0
        for amount in [100, 250, -50, 700, -1000] as [Int64] {
            let transfer: TransferRequest = amount > 0 ? .posted(id: t.ids.next(), from: bank, to: customer, amount: amount)
                                                       : .posted(id: t.ids.next(), from: customer, to: bank, amount: -amount)
            #expect(try await t.ledger.submit(transfer).status == .ok)
            balance += amount
            expected.append(balance)
        }
        let before = try await t.ledger.allStatementEntries(account: customer, limit: 2)
        #expect(before.map(\.balanceAfter) == expected)
        t = try await t.restarted()  // the SQLite writer indexes everything on the way out
        let after = try await t.ledger.allStatementEntries(account: customer, limit: 2)
        #expect(after.map(\.transfer.id) == before.map(\.transfer.id))
        #expect(after.map(\.balanceAfter) == expected)
        try await t.finish()
    }

    @Test("Statements page the same across many runs and the tail, oldest or newest first, with any page size")
    func statementAcrossRuns() async throws {
        var t = try await TestLedger.make()
        let bank = try await t.account(chart: "1003"), hot = try await t.account(), other = try await t.account()
        // Four stretches, each closed by a restart (the SQLite writer puts a stretch into one run
        // per account on the way out; PostgreSQL makes a run per batch); the last stays in the tail.
        var expected: [(id: RongID, balance: Int64)] = []
        var balance: Int64 = 0
        for stretch in 0..<5 {
            var batch: [TransferRequest] = []
            for k in 0..<(stretch == 2 ? 40 : 7) {
                let amount = Int64(stretch * 100 + k + 1)
                let toHot = k % 3 != 2
                let id = t.ids.next()
                batch.append(.posted(id: id, from: toHot ? bank : hot, to: toHot ? hot : bank, amount: amount))
                balance += toHot ? amount : -amount
                expected.append((id, balance))
                batch.append(.posted(id: t.ids.next(), from: bank, to: other, amount: 1))  // not on the statement
            }
            #expect(try await t.ledger.submit(batch).allSatisfy { $0.status == .ok })
            if stretch < 4 { t = try await t.restarted() }
        }
        for newestFirst in [false, true] {
            for limit in [1, 2, 7, 40, 500] {
                let seen = try await t.ledger.allStatementEntries(account: hot, limit: limit, newestFirst: newestFirst, max: expected.count)
                let want = newestFirst ? Array(expected.reversed()) : expected
                #expect(seen.map(\.transfer.id) == want.map(\.id), "newestFirst \(newestFirst), limit \(limit)")
                #expect(seen.map(\.balanceAfter) == want.map(\.balance), "newestFirst \(newestFirst), limit \(limit)")
            }
        }
        try await t.finish()
    }

    @Test("Two live ledgers on one database see each other's commits; other tables' commits change nothing")
    func twoWritersOneDatabase() async throws {
        let t = try await TestLedger.make()
        let a = t.ledger, ids = t.ids, db = t.db
        let b = try Ledger(database: db.database, clock: t.clock.clock, ids: ids)
        let bank = try await t.account(chart: "1002", owner: "bank"), customer = try await t.account(.debitsMustNotExceedCredits, owner: "c")
        #expect(try await a.submit(.posted(id: ids.next(), from: bank, to: customer, amount: 500)).status == .ok)
        // b spends 400 of a's 500; a, whose cache saw 500, must see 100 left.
        #expect(try await b.submit(.posted(id: ids.next(), from: customer, to: bank, amount: 400)).status == .ok)
        // Another module's commit between them moves data_version but not the ledger.
        try await db.database.execute("CREATE TABLE IF NOT EXISTS test_other (n INTEGER)", [])
        try await db.database.execute("INSERT INTO test_other (n) VALUES (1)", [])
        #expect(try await a.submit(.posted(id: ids.next(), from: customer, to: bank, amount: 101)).status == .exceedsCredits)
        #expect(try await a.submit(.posted(id: ids.next(), from: customer, to: bank, amount: 60)).status == .ok)
        try await db.database.execute("INSERT INTO test_other (n) VALUES (2)", [])
        #expect(try await b.submit(.posted(id: ids.next(), from: customer, to: bank, amount: 41)).status == .exceedsCredits)
        #expect(try await b.submit(.posted(id: ids.next(), from: customer, to: bank, amount: 40)).status == .ok)
        #expect(try await a.submit(.posted(id: ids.next(), from: customer, to: bank, amount: 1)).status == .exceedsCredits)
        #expect(try await a.account(customer)?.balance.postedCreditBalance == 0)
        await b.shutdown()
        try await t.finish()
    }

    @Test("A ledger reopened on the same database sees its state")
    func restart() async throws {
        let first = try await TestLedger.make()
        let bank = try await first.account(chart: "1002", owner: "bank"), customer = try await first.account(.debitsMustNotExceedCredits, owner: "c")
        let ids = first.ids
        let fund = TransferRequest.posted(id: ids.next(), from: bank, to: customer, amount: 500)
        #expect(try await first.ledger.submit(fund).status == .ok)
        let holdID = ids.next()
        #expect(try await first.ledger.submit(TransferRequest(id: holdID, debitAccountID: customer, creditAccountID: bank, amount: 200,
                                                              asset: "CNY", flags: [.pending])).status == .ok)
        let second = try await first.restarted()
        #expect(try await second.ledger.submit(fund).status == .exists)
        #expect(try await second.ledger.submit(.posted(id: ids.next(), from: customer, to: bank, amount: 301)).status == .exceedsCredits)
        #expect(try await second.ledger.submit(TransferRequest(id: ids.next(), flags: [.postPending], pendingID: holdID)).status == .ok)
        let last = try await second.ledger.submit(.posted(id: ids.next(), from: customer, to: bank, amount: 300))
        #expect(last.status == .ok)
        // Commit order keeps increasing across the restart.
        let page = try await second.ledger.statement(account: customer)
        #expect(page.entries.map(\.balanceAfter) == [500, 500, 300, 0])
        try await second.finish()
    }
}

/// A seeded random workload: after every submission the ledger's invariants hold, and the
/// balances match an independent model built from the results.
@Suite("Ledger property")
struct LedgerPropertyTests {
    @Test("Random transfers keep the ledger balanced", arguments: [UInt64(1), 2, 3])
    func randomWorkload(seed: UInt64) async throws {
        let t = try await TestLedger.make()
        var rng = Xoshiro256(seed: seed)
        let flagChoices: [AccountFlags] = [[], [], .debitsMustNotExceedCredits, .debitsMustNotExceedCredits,
                                           .debitsMustNotExceedCredits, .creditsMustNotExceedDebits, [], .debitsMustNotExceedCredits]
        var accounts: [RongID] = []
        for (index, flags) in flagChoices.enumerated() {
            accounts.append(try await t.account(flags, asset: index == 7 ? .goldMilligram : .cny))
        }
        let unknownAccount = t.ids.next()
        var model: [RongID: AccountBalance] = Dictionary(uniqueKeysWithValues: accounts.map { ($0, AccountBalance()) })
        var pendingAmounts: [RongID: Int64] = [:]
        var sent: [TransferRequest] = []
        var total = 0
        var okCount = 0
        while total < 300 {
            let size = Int.random(in: 1...25, using: &rng)
            var submission: [TransferRequest] = []
            for _ in 0..<size {
                // Posts and voids may name holds of earlier submissions or of this one.
                submission.append(randomRequest(&rng, t: t, accounts: accounts, unknown: unknownAccount, sent: sent + submission))
            }
            total += size
            sent.append(contentsOf: submission)
            let results = try await t.ledger.submit(submission)
            #expect(results.count == submission.count)
            for (request, result) in zip(submission, results) {
                #expect(result.id == request.id)
                guard result.status == .ok, let transfer = result.transfer else { continue }
                okCount += 1
                var debit = model[transfer.debitAccountID]!
                var credit = model[transfer.creditAccountID]!
                if transfer.flags.contains(.pending) {
                    debit.debitsPending += transfer.amount
                    credit.creditsPending += transfer.amount
                    pendingAmounts[transfer.id] = transfer.amount
                } else if let pendingID = transfer.pendingID {
                    let removed = pendingAmounts.removeValue(forKey: pendingID)
                    let held = try #require(removed, "a pending transfer resolved twice")
                    debit.debitsPending -= held
                    credit.creditsPending -= held
                    if transfer.flags.contains(.postPending) {
                        debit.debitsPosted += transfer.amount
                        credit.creditsPosted += transfer.amount
                    }
                } else {
                    debit.debitsPosted += transfer.amount
                    credit.creditsPosted += transfer.amount
                }
                model[transfer.debitAccountID] = debit
                model[transfer.creditAccountID] = credit
                #expect(result.debitBalance == debit)
                #expect(result.creditBalance == credit)
            }
            let report = try await t.ledger.checkInvariants()
            #expect(report.isHealthy, "after \(total) transfers: \(report)")
            if !report.isHealthy { break }
        }
        if total >= 300 { #expect(okCount > 30, "the workload should commit a fair share of its transfers") }
        for id in accounts {
            #expect(try await t.balance(id) == model[id], "account \(id)")
        }
        try await t.finish()
    }

    private func randomRequest(_ rng: inout Xoshiro256, t: TestLedger, accounts: [RongID], unknown: RongID,
                               sent: [TransferRequest]) -> TransferRequest {
        func pick() -> RongID {
            Int.random(in: 0..<100, using: &rng) < 3 ? unknown : accounts[Int.random(in: 0..<accounts.count, using: &rng)]
        }
        func amount() -> Int64 {
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<5: return 0
            case 5..<8: return -Int64.random(in: 1...100, using: &rng)
            case 8..<12: return Int64.max / 64 + Int64.random(in: 0...1_000, using: &rng)  // huge
            default: return Int64.random(in: 1...50_000, using: &rng)
            }
        }
        let roll = Int.random(in: 0..<100, using: &rng)
        let linked = Int.random(in: 0..<100, using: &rng) < 8
        var request: TransferRequest
        switch roll {
        case 0..<8 where !sent.isEmpty:
            // A repeat of an earlier transfer (often identical, sometimes altered).
            request = sent[Int.random(in: 0..<sent.count, using: &rng)]
            if Int.random(in: 0..<4, using: &rng) == 0 { request.code += 1 }
            return request
        case 8..<30:
            let pendings = sent.filter { $0.flags.contains(.pending) }
            if let target = pendings.randomElement(using: &rng) {
                let post = Int.random(in: 0..<3, using: &rng) > 0
                let partial: Int64? = post && Int.random(in: 0..<2, using: &rng) == 0 ? Int64.random(in: 0...max(1, (target.amount ?? 1)), using: &rng) : nil
                request = TransferRequest(id: t.ids.next(), amount: partial, flags: [post ? .postPending : .voidPending], pendingID: target.id)
            } else {
                request = .posted(id: t.ids.next(), from: pick(), to: pick(), amount: amount())
            }
        case 30..<50:
            request = TransferRequest(id: t.ids.next(), debitAccountID: pick(), creditAccountID: pick(), amount: amount(), asset: "CNY", flags: [.pending])
        case 50..<53:
            request = .posted(id: t.ids.next(), from: pick(), to: pick(), amount: amount(), asset: .goldMilligram)
        default:
            request = .posted(id: t.ids.next(), from: pick(), to: pick(), amount: amount())
        }
        if linked { request.flags.insert(.linked) }
        return request
    }
}

extension Array {
    /// Maps with an async transform, in order.
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        result.reserveCapacity(count)
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

/// The writer inserts first and looks ids up only when an insert finds one already stored: these
/// are the cases where a repeat must still answer exactly as a lookup-first writer would.
extension LedgerTests {
    @Test("Repeats inside one batch, with other (even invalid) fields, inside linked chains, a hold with its post, and racing submitters")
    func insertFirstIdempotencyEdges() async throws {
        let t = try await TestLedger.make()
        let (customer, bank) = try await t.funded(10_000)
        // Stored once; then the same id with an invalid amount and an unknown account is still "other fields".
        let stored = TransferRequest.posted(id: t.ids.next(), from: customer, to: bank, amount: 100)
        #expect(try await t.ledger.submit(stored).status == .ok)
        var invalid = stored
        invalid.amount = 0
        #expect(try await t.ledger.submit(invalid).status == .existsWithDifferentFields)
        var unknown = stored
        unknown.creditAccountID = t.ids.next()
        #expect(try await t.ledger.submit(unknown).status == .existsWithDifferentFields)
        // In one batch: new, its repeat, a variant of it, and a repeat of one stored earlier.
        let fresh = TransferRequest.posted(id: t.ids.next(), from: customer, to: bank, amount: 200)
        var variant = fresh
        variant.amount = 201
        #expect(try await t.ledger.submit([fresh, fresh, variant, stored]).map(\.status) == [.ok, .exists, .existsWithDifferentFields, .exists])
        // A linked chain stored, then submitted again whole: every member is a repeat.
        let chain = [TransferRequest.posted(id: t.ids.next(), from: customer, to: bank, amount: 10, linked: true),
                     TransferRequest.posted(id: t.ids.next(), from: customer, to: bank, amount: 20)]
        #expect(try await t.ledger.submit(chain).map(\.status) == [.ok, .ok])
        #expect(try await t.ledger.submit(chain).map(\.status) == [.exists, .exists])
        // A hold repeated together with its post, in one batch.
        let hold = TransferRequest(id: t.ids.next(), debitAccountID: customer, creditAccountID: bank, amount: 500, asset: "CNY", flags: [.pending])
        #expect(try await t.ledger.submit(hold).status == .ok)
        let post = TransferRequest(id: t.ids.next(), flags: [.postPending], pendingID: hold.id)
        #expect(try await t.ledger.submit([hold, post]).map(\.status) == [.exists, .ok])
        #expect(try await t.ledger.submit(post).status == .exists)
        // Eight submitters racing with one id: one stores it, the others see a repeat; money moves once.
        let raced = TransferRequest.posted(id: t.ids.next(), from: customer, to: bank, amount: 1_000)
        let ledger = t.ledger
        let statuses = await withTaskGroup(of: TransferStatus?.self) { group in
            for _ in 0..<8 { group.addTask { try? await ledger.submit(raced).status } }
            var all: [TransferStatus?] = []
            for await status in group { all.append(status) }
            return all
        }
        #expect(statuses.filter { $0 == .ok }.count == 1)
        #expect(statuses.filter { $0 == .exists }.count == 7)
        #expect(try await t.balance(customer).debitsPosted == 100 + 200 + 10 + 20 + 500 + 1_000)
        try await t.finish()
    }
}
