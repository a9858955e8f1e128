import BankKit

/// An account as the batch writer holds it in memory.
struct AccountState: Sendable {
    let num: Int64
    let id: RongID
    let asset: String
    var flags: AccountFlags
    var balance: AccountBalance
}

/// State of a two-phase transfer.
enum PendingStatus: Int64, Sendable {
    case pending = 0, posted = 1, voided = 2, expired = 3
}

/// A pending transfer (a hold) and what became of it.
struct PendingRecord: Sendable {
    let id: RongID
    let debitID: RongID
    let creditID: RongID
    let debitNum: Int64
    let creditNum: Int64
    let asset: String
    let amount: Int64
    var status: PendingStatus
    /// Nanoseconds since the epoch; 0 = never expires.
    let expiresAt: Int64
}

/// A transfer ready to insert, with the internal account numbers.
struct TransferRow: Sendable {
    let transfer: StoredTransfer
    let debitNum: Int64
    let creditNum: Int64
}

/// What one batch changes.
struct BatchOutput: Sendable {
    var results: [TransferResult] = []
    var inserted: [TransferRow] = []
    var dirtyAccounts: Set<RongID> = []
    var newPendings: [PendingRecord] = []
    var pendingStatusChanges: [RongID: PendingStatus] = [:]
}

/// The ledger's rules, applied to a batch of transfers against balances held in memory.
///
/// Pure: no I/O. Backends preload the accounts, pending transfers and already-stored
/// transfers a batch refers to, run this, then persist `BatchOutput` in one transaction.
/// A failing transfer never touches its neighbours; a linked chain fails whole.
struct LedgerStateMachine {
    var accounts: [RongID: AccountState]
    /// Transfers already stored (before or earlier in this batch), by id, for idempotency.
    var existing: [RongID: StoredTransfer]
    var pendings: [RongID: PendingRecord]
    let now: Int64
    var lastTimestamp: Int64

    init(accounts: [RongID: AccountState], existing: [RongID: StoredTransfer], pendings: [RongID: PendingRecord],
         now: Int64, lastTimestamp: Int64) {
        self.accounts = accounts
        self.existing = existing
        self.pendings = pendings
        self.now = now
        self.lastTimestamp = lastTimestamp
    }

    /// Applies `events`; `submissionEnds` marks the last index of each submission so a chain
    /// never spans two clients' submissions.
    mutating func apply(_ events: [TransferRequest], submissionEnds: Set<Int>) -> BatchOutput {
        var output = BatchOutput()
        output.results.reserveCapacity(events.count)
        output.inserted.reserveCapacity(events.count)
        var index = 0
        while index < events.count {
            // A chain runs from `index` through the first event without `linked`, or the submission's end.
            var end = index
            while events[end].flags.contains(.linked) && !submissionEnds.contains(end) && end + 1 < events.count { end += 1 }
            if end == index && !events[index].flags.contains(.linked) {
                let result = applyOne(events[index], into: &output)
                output.results.append(result)
                index += 1
                continue
            }
            let chainOpen = events[end].flags.contains(.linked)
            applyChain(events[index...end], chainOpen: chainOpen, into: &output)
            index = end + 1
        }
        // A hold created and resolved in this batch is inserted with its final state, so
        // writers insert `newPendings` and update `pendingStatusChanges` without special cases.
        for i in output.newPendings.indices {
            if let status = output.pendingStatusChanges.removeValue(forKey: output.newPendings[i].id) { output.newPendings[i].status = status }
        }
        return output
    }

    private mutating func applyChain(_ chain: ArraySlice<TransferRequest>, chainOpen: Bool, into output: inout BatchOutput) {
        let savedAccounts = accounts
        let savedExisting = existing
        let savedPendings = pendings
        let savedOutput = (output.inserted.count, output.dirtyAccounts, output.newPendings.count, output.pendingStatusChanges)
        let savedTimestamp = lastTimestamp
        var chainResults: [TransferResult] = []
        var failedAt: Int?
        for (offset, event) in chain.enumerated() {
            if chainOpen && offset == chain.count - 1 {
                chainResults.append(TransferResult(id: event.id, status: .linkedEventChainOpen, transfer: nil, debitBalance: nil, creditBalance: nil))
                failedAt = offset
                break
            }
            let result = applyOne(event, into: &output)
            chainResults.append(result)
            if !result.isSuccess { failedAt = offset; break }
        }
        guard let failedAt else {
            output.results.append(contentsOf: chainResults)
            return
        }
        // Roll the whole chain back. Copies are cheap relative to chains being rare.
        accounts = savedAccounts
        existing = savedExisting
        pendings = savedPendings
        lastTimestamp = savedTimestamp
        output.inserted.removeSubrange(savedOutput.0...)
        output.dirtyAccounts = savedOutput.1
        output.newPendings.removeSubrange(savedOutput.2...)
        output.pendingStatusChanges = savedOutput.3
        for (offset, event) in chain.enumerated() {
            let status: TransferStatus = offset == failedAt ? chainResults[failedAt].status : .linkedEventFailed
            output.results.append(TransferResult(id: event.id, status: status, transfer: nil, debitBalance: nil, creditBalance: nil))
        }
    }

    private func fail(_ event: TransferRequest, _ status: TransferStatus) -> TransferResult {
        TransferResult(id: event.id, status: status, transfer: nil, debitBalance: nil, creditBalance: nil)
    }

    private mutating func applyOne(_ event: TransferRequest, into output: inout BatchOutput) -> TransferResult {
        if event.id == .zero { return fail(event, .idMustNotBeZero) }
        let kinds = [TransferFlags.pending, .postPending, .voidPending].filter { event.flags.contains($0) }.count
        // `expired` only qualifies a void (the expiry sweep's).
        if kinds > 1 || (event.flags.contains(.expired) && !event.flags.contains(.voidPending)) { return fail(event, .flagsAreMutuallyExclusive) }
        if let stored = existing[event.id] {
            return TransferResult(id: event.id, status: LedgerStateMachine.matches(event, stored) ? .exists : .existsWithDifferentFields,
                                  transfer: stored, debitBalance: accounts[stored.debitAccountID]?.balance,
                                  creditBalance: accounts[stored.creditAccountID]?.balance)
        }
        guard (1...65535).contains(event.code) else { return fail(event, .codeOutOfRange) }
        if let metadata = event.metadata, metadata.utf8.count > LedgerLimits.metadataBytesMax { return fail(event, .metadataTooLarge) }
        if event.flags.contains(.postPending) || event.flags.contains(.voidPending) {
            return applyPostOrVoid(event, into: &output)
        }
        if event.pendingID != nil { return fail(event, .pendingIDMustBeEmpty) }
        if event.timeoutSeconds != 0 && !event.flags.contains(.pending) { return fail(event, .timeoutReservedForPendingTransfer) }
        if event.timeoutSeconds < 0 || event.timeoutSeconds > LedgerLimits.pendingTimeoutSecondsMax { return fail(event, .timeoutTooLong) }
        guard let amount = event.amount, amount > 0 else { return fail(event, .amountMustBePositive) }
        guard let debitID = event.debitAccountID else { return fail(event, .debitAccountRequired) }
        guard let creditID = event.creditAccountID else { return fail(event, .creditAccountRequired) }
        if debitID == creditID { return fail(event, .accountsMustBeDifferent) }
        guard let assetCode = event.asset, Asset.named(assetCode) != nil else { return fail(event, .unknownAsset) }
        guard var debit = accounts[debitID] else { return fail(event, .debitAccountNotFound) }
        guard var credit = accounts[creditID] else { return fail(event, .creditAccountNotFound) }
        if debit.asset != credit.asset { return fail(event, .accountsMustHaveSameAsset) }
        if debit.asset != assetCode { return fail(event, .transferAssetMismatch) }
        if debit.flags.contains(.closed) { return fail(event, .debitAccountClosed) }
        if credit.flags.contains(.closed) { return fail(event, .creditAccountClosed) }
        let isPending = event.flags.contains(.pending)
        if isPending {
            guard let dp = add(debit.balance.debitsPending, amount), let cp = add(credit.balance.creditsPending, amount) else { return fail(event, .overflow) }
            debit.balance.debitsPending = dp
            credit.balance.creditsPending = cp
        } else {
            guard let dp = add(debit.balance.debitsPosted, amount), let cp = add(credit.balance.creditsPosted, amount) else { return fail(event, .overflow) }
            debit.balance.debitsPosted = dp
            credit.balance.creditsPosted = cp
        }
        if let status = limitViolation(debit: debit, credit: credit) { return fail(event, status) }
        let expiresAt = isPending && event.timeoutSeconds > 0 ? now + event.timeoutSeconds * 1_000_000_000 : 0
        if isPending {
            let record = PendingRecord(id: event.id, debitID: debitID, creditID: creditID, debitNum: debit.num, creditNum: credit.num,
                                       asset: assetCode, amount: amount, status: .pending, expiresAt: expiresAt)
            pendings[event.id] = record
            output.newPendings.append(record)
        }
        return commit(event, debit: debit, credit: credit, amount: amount, asset: assetCode, pendingID: nil, into: &output)
    }

    private mutating func applyPostOrVoid(_ event: TransferRequest, into output: inout BatchOutput) -> TransferResult {
        guard let pendingID = event.pendingID else { return fail(event, .pendingIDRequired) }
        if event.timeoutSeconds != 0 { return fail(event, .timeoutReservedForPendingTransfer) }
        guard var record = pendings[pendingID] else { return fail(event, .pendingTransferNotFound) }
        switch record.status {
        case .posted: return fail(event, .pendingTransferAlreadyPosted)
        case .voided: return fail(event, .pendingTransferAlreadyVoided)
        case .expired: return fail(event, .pendingTransferExpired)
        case .pending: break
        }
        // A hold past its timeout can only be released, by a void marked `expired` (the sweep's).
        let hasExpired = record.expiresAt != 0 && record.expiresAt <= now
        let isExpirySweep = event.flags.contains(.expired)
        if hasExpired && !isExpirySweep { return fail(event, .pendingTransferExpired) }
        if isExpirySweep && !hasExpired { return fail(event, .pendingTransferNotExpired) }
        if let debitID = event.debitAccountID, debitID != record.debitID { return fail(event, .pendingTransferHasDifferentAccounts) }
        if let creditID = event.creditAccountID, creditID != record.creditID { return fail(event, .pendingTransferHasDifferentAccounts) }
        if let asset = event.asset, asset != record.asset { return fail(event, .pendingTransferHasDifferentAsset) }
        guard var debit = accounts[record.debitID] else { return fail(event, .debitAccountNotFound) }
        guard var credit = accounts[record.creditID] else { return fail(event, .creditAccountNotFound) }
        let isPost = event.flags.contains(.postPending)
        let amount: Int64
        if isPost {
            amount = event.amount ?? record.amount
            if amount <= 0 { return fail(event, .amountMustBePositive) }
            if amount > record.amount { return fail(event, .exceedsPendingTransferAmount) }
        } else {
            if let requested = event.amount, requested != record.amount { return fail(event, .exceedsPendingTransferAmount) }
            amount = record.amount
        }
        debit.balance.debitsPending -= record.amount
        credit.balance.creditsPending -= record.amount
        if isPost {
            guard let dp = add(debit.balance.debitsPosted, amount), let cp = add(credit.balance.creditsPosted, amount) else { return fail(event, .overflow) }
            debit.balance.debitsPosted = dp
            credit.balance.creditsPosted = cp
        }
        // Posting no more than was held never crosses a limit the hold respected, but check anyway.
        if let status = limitViolation(debit: debit, credit: credit), isPost { return fail(event, status) }
        let newStatus: PendingStatus = isPost ? .posted : (isExpirySweep ? .expired : .voided)
        record.status = newStatus
        pendings[pendingID] = record
        output.pendingStatusChanges[pendingID] = newStatus
        return commit(event, debit: debit, credit: credit, amount: amount, asset: record.asset, pendingID: pendingID, into: &output)
    }

    private mutating func commit(_ event: TransferRequest, debit: AccountState, credit: AccountState, amount: Int64, asset: String,
                                 pendingID: RongID?, into output: inout BatchOutput) -> TransferResult {
        lastTimestamp = max(now, lastTimestamp + 1)
        accounts[debit.id] = debit
        accounts[credit.id] = credit
        output.dirtyAccounts.insert(debit.id)
        output.dirtyAccounts.insert(credit.id)
        let stored = StoredTransfer(
            id: event.id, debitAccountID: debit.id, creditAccountID: credit.id, amount: amount, asset: asset,
            code: event.code, flags: event.flags, pendingID: pendingID, timeoutSeconds: event.timeoutSeconds,
            metadata: event.metadata, timestamp: Timestamp(nanosecondsSinceEpoch: lastTimestamp),
            debitBalanceAfter: debit.balance.postedCreditBalance, creditBalanceAfter: credit.balance.postedCreditBalance)
        existing[event.id] = stored
        output.inserted.append(TransferRow(transfer: stored, debitNum: debit.num, creditNum: credit.num))
        return TransferResult(id: event.id, status: .ok, transfer: stored, debitBalance: debit.balance, creditBalance: credit.balance)
    }

    private func limitViolation(debit: AccountState, credit: AccountState) -> TransferStatus? {
        let d = debit.balance
        if debit.flags.contains(.debitsMustNotExceedCredits) {
            guard let total = add(d.debitsPosted, d.debitsPending), total <= d.creditsPosted else { return .exceedsCredits }
        }
        let c = credit.balance
        if credit.flags.contains(.creditsMustNotExceedDebits) {
            guard let total = add(c.creditsPosted, c.creditsPending), total <= c.debitsPosted else { return .exceedsDebits }
        }
        return nil
    }

    private func add(_ a: Int64, _ b: Int64) -> Int64? {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : sum
    }

    static func matches(_ event: TransferRequest, _ stored: StoredTransfer) -> Bool {
        if let debit = event.debitAccountID, debit != stored.debitAccountID { return false }
        if let credit = event.creditAccountID, credit != stored.creditAccountID { return false }
        if let amount = event.amount, amount != stored.amount { return false }
        if let asset = event.asset, asset != stored.asset { return false }
        return event.code == stored.code && event.flags == stored.flags && event.pendingID == stored.pendingID
            && event.timeoutSeconds == stored.timeoutSeconds && event.metadata == stored.metadata
    }
}
