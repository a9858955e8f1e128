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

/// What one batch changes. The accounts it changed are `AccountTable.dirtySlots`.
struct BatchOutput: Sendable {
    var results: [TransferResult] = []
    var inserted: [TransferRow] = []
    var newPendings: [PendingRecord] = []
    var pendingStatusChanges: [RongID: PendingStatus] = [:]
}

/// Accounts held in memory, each in a slot: the 128-bit id is hashed once, when a batch
/// resolves the accounts its transfers name; the rules then work on slots (array indexes).
///
/// The SQLite writer keeps one table across batches (it is its balance cache, so nothing is
/// rebuilt per batch); the PostgreSQL writer builds one per batch. Changes are tracked per
/// slot (`dirtySlots`) and, inside a linked chain, journaled so a failed chain is undone
/// without copying the table.
struct AccountTable: Sendable {
    private var index: [RongID: Int32] = [:]
    private(set) var states: [AccountState] = []
    private var isDirty: [Bool] = []
    /// Slots changed since `clearDirty`, each once, in the order first changed.
    private(set) var dirtySlots: [Int32] = []
    private var journal: [(slot: Int32, state: AccountState)] = []
    private var journaling = false

    init() {}

    init<S: Sequence>(_ accounts: S) where S.Element == AccountState {
        for account in accounts { insert(account) }
    }

    var count: Int { states.count }

    func slot(of id: RongID) -> Int32? { index[id] }

    subscript(slot: Int32) -> AccountState { states[Int(slot)] }

    /// Adds an account loaded from the database (or replaces the one held for its id).
    @discardableResult
    mutating func insert(_ state: AccountState) -> Int32 {
        if let slot = index[state.id] {
            states[Int(slot)] = state
            return slot
        }
        let slot = Int32(states.count)
        index[state.id] = slot
        states.append(state)
        isDirty.append(false)
        return slot
    }

    /// Changes an account's state and marks it for writing back.
    mutating func update(_ slot: Int32, _ state: AccountState) {
        let i = Int(slot)
        if journaling { journal.append((slot, states[i])) }
        states[i] = state
        if !isDirty[i] {
            isDirty[i] = true
            dirtySlots.append(slot)
        }
    }

    /// Starts journaling (a linked chain); returns the mark `endJournal` rolls back to.
    mutating func beginJournal() -> Int {
        journal.removeAll(keepingCapacity: true)
        journaling = true
        return dirtySlots.count
    }

    /// Stops journaling; with `rollbackTo`, undoes every change since `beginJournal`.
    mutating func endJournal(rollbackTo mark: Int?) {
        journaling = false
        guard let mark else { return }
        for entry in journal.reversed() { states[Int(entry.slot)] = entry.state }
        for slot in dirtySlots[mark...] { isDirty[Int(slot)] = false }
        dirtySlots.removeSubrange(mark...)
        journal.removeAll(keepingCapacity: true)
    }

    /// After the changes were written back.
    mutating func clearDirty() {
        for slot in dirtySlots { isDirty[Int(slot)] = false }
        dirtySlots.removeAll(keepingCapacity: true)
    }

    mutating func removeAll() {
        index.removeAll(keepingCapacity: true)
        states.removeAll(keepingCapacity: true)
        isDirty.removeAll(keepingCapacity: true)
        dirtySlots.removeAll(keepingCapacity: true)
        journal.removeAll(keepingCapacity: true)
        journaling = false
    }
}

/// The ledger's rules, applied to a batch of transfers against balances held in memory.
///
/// Pure: no I/O. Backends preload the accounts, pending transfers and already-stored
/// transfers a batch refers to (SQLite: only those `watched`), run this, then persist
/// `BatchOutput` and the accounts' `dirtySlots` in one transaction.
/// A failing transfer never touches its neighbours; a linked chain fails whole.
struct LedgerStateMachine {
    var accounts: AccountTable
    /// Transfers already stored (before or earlier in this batch), by id, for idempotency.
    var existing: [RongID: StoredTransfer]
    /// Which transfers stored by this batch join `existing`: nil, all of them (the caller
    /// preloaded every id of the batch); otherwise only these ids. The SQLite writer inserts
    /// first and looks ids up only on a conflict: it runs with an empty set and, on a conflict,
    /// again with the conflicting ids (see `SQLiteLedgerWriter.apply`).
    let watched: Set<RongID>?
    var pendings: [RongID: PendingRecord]
    let now: Int64
    var lastTimestamp: Int64
    /// Optional: the debit and credit slot of event i at 2i and 2i+1 (-1: none), resolved by
    /// the caller while loading; otherwise slots are looked up by id.
    private let eventSlots: [Int32]?

    init(accounts: AccountTable, existing: [RongID: StoredTransfer], watched: Set<RongID>? = nil,
         pendings: [RongID: PendingRecord], now: Int64, lastTimestamp: Int64, eventSlots: [Int32]? = nil) {
        self.accounts = accounts
        self.existing = existing
        self.watched = watched
        self.pendings = pendings
        self.now = now
        self.lastTimestamp = lastTimestamp
        self.eventSlots = eventSlots
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
                let result = applyOne(events[index], at: index, into: &output)
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
        let accountsMark = accounts.beginJournal()
        let savedExisting = existing
        let savedPendings = pendings
        let savedOutput = (output.inserted.count, output.newPendings.count, output.pendingStatusChanges)
        let savedTimestamp = lastTimestamp
        var chainResults: [TransferResult] = []
        var failedAt: Int?
        for (offset, (index, event)) in zip(chain.indices, chain).enumerated() {
            if chainOpen && offset == chain.count - 1 {
                chainResults.append(TransferResult(id: event.id, status: .linkedEventChainOpen, transfer: nil, debitBalance: nil, creditBalance: nil))
                failedAt = offset
                break
            }
            let result = applyOne(event, at: index, into: &output)
            chainResults.append(result)
            if !result.isSuccess { failedAt = offset; break }
        }
        guard let failedAt else {
            accounts.endJournal(rollbackTo: nil)
            output.results.append(contentsOf: chainResults)
            return
        }
        // Roll the whole chain back: accounts from the journal; the rest are small copies.
        accounts.endJournal(rollbackTo: accountsMark)
        existing = savedExisting
        pendings = savedPendings
        lastTimestamp = savedTimestamp
        output.inserted.removeSubrange(savedOutput.0...)
        output.newPendings.removeSubrange(savedOutput.1...)
        output.pendingStatusChanges = savedOutput.2
        for (offset, event) in chain.enumerated() {
            let status: TransferStatus = offset == failedAt ? chainResults[failedAt].status : .linkedEventFailed
            output.results.append(TransferResult(id: event.id, status: status, transfer: nil, debitBalance: nil, creditBalance: nil))
        }
    }

    private func fail(_ event: TransferRequest, _ status: TransferStatus) -> TransferResult {
        TransferResult(id: event.id, status: status, transfer: nil, debitBalance: nil, creditBalance: nil)
    }

    /// The slot of an account named by event `index` (side 0 debit, 1 credit).
    @inline(__always)
    private func slot(_ id: RongID, event index: Int, side: Int) -> Int32? {
        if let eventSlots {
            let slot = eventSlots[index &* 2 &+ side]
            return slot >= 0 ? slot : nil
        }
        return accounts.slot(of: id)
    }

    private func balance(of id: RongID) -> AccountBalance? {
        accounts.slot(of: id).map { accounts[$0].balance }
    }

    /// Statuses decided before a transfer's id is looked up: they never depend on whether it exists.
    static func isDecidedBeforeLookup(_ status: TransferStatus) -> Bool {
        status == .idMustNotBeZero || status == .flagsAreMutuallyExclusive
    }

    private mutating func applyOne(_ event: TransferRequest, at index: Int, into output: inout BatchOutput) -> TransferResult {
        if event.id == .zero { return fail(event, .idMustNotBeZero) }
        let flags = event.flags
        let kinds = (flags.contains(.pending) ? 1 : 0) + (flags.contains(.postPending) ? 1 : 0) + (flags.contains(.voidPending) ? 1 : 0)
        // `expired` only qualifies a void (the expiry sweep's).
        if kinds > 1 || (flags.contains(.expired) && !flags.contains(.voidPending)) { return fail(event, .flagsAreMutuallyExclusive) }
        if !existing.isEmpty, let stored = existing[event.id] {
            return TransferResult(id: event.id, status: LedgerStateMachine.matches(event, stored) ? .exists : .existsWithDifferentFields,
                                  transfer: stored, debitBalance: balance(of: stored.debitAccountID),
                                  creditBalance: balance(of: stored.creditAccountID))
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
        guard let debitSlot = slot(debitID, event: index, side: 0) else { return fail(event, .debitAccountNotFound) }
        guard let creditSlot = slot(creditID, event: index, side: 1) else { return fail(event, .creditAccountNotFound) }
        var debit = accounts[debitSlot]
        var credit = accounts[creditSlot]
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
        return commit(event, debit: debit, debitSlot, credit: credit, creditSlot, amount: amount, asset: assetCode, pendingID: nil, into: &output)
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
        guard let debitSlot = accounts.slot(of: record.debitID) else { return fail(event, .debitAccountNotFound) }
        guard let creditSlot = accounts.slot(of: record.creditID) else { return fail(event, .creditAccountNotFound) }
        var debit = accounts[debitSlot]
        var credit = accounts[creditSlot]
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
        return commit(event, debit: debit, debitSlot, credit: credit, creditSlot, amount: amount, asset: record.asset, pendingID: pendingID, into: &output)
    }

    private mutating func commit(_ event: TransferRequest, debit: AccountState, _ debitSlot: Int32, credit: AccountState, _ creditSlot: Int32,
                                 amount: Int64, asset: String, pendingID: RongID?, into output: inout BatchOutput) -> TransferResult {
        lastTimestamp = max(now, lastTimestamp + 1)
        accounts.update(debitSlot, debit)
        accounts.update(creditSlot, credit)
        let stored = StoredTransfer(
            id: event.id, debitAccountID: debit.id, creditAccountID: credit.id, amount: amount, asset: asset,
            code: event.code, flags: event.flags, pendingID: pendingID, timeoutSeconds: event.timeoutSeconds,
            metadata: event.metadata, timestamp: Timestamp(nanosecondsSinceEpoch: lastTimestamp),
            debitBalanceAfter: debit.balance.postedCreditBalance, creditBalanceAfter: credit.balance.postedCreditBalance)
        if let watched {
            if !watched.isEmpty && watched.contains(event.id) { existing[event.id] = stored }
        } else {
            existing[event.id] = stored
        }
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
