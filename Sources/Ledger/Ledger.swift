import BankKit
import Logging
import Storage

/// The double-entry ledger: the only writer of balances in Rong.
///
/// Every movement of value is a transfer between two accounts of the same asset. Transfers
/// are submitted in submissions of up to 8,190; the writer merges concurrent submissions
/// into batches and commits each batch in one database transaction. Reads go straight to
/// the database. See `docs/ledger.md`.
public final class Ledger: Sendable {
    public let database: Database
    let clock: BankClock
    let ids: IDGenerator
    private let backend: Backend

    enum Backend: Sendable {
        case sqlite(SQLiteLedgerWriter)
        case postgres(PostgresLedgerWriter)
    }

    /// Starts the writer. `batchEventsMax: 1` gives the naive one-transaction-per-transfer mode
    /// that `rong bench ledger` compares against.
    public init(database: Database, clock: BankClock, ids: IDGenerator, metrics: LedgerMetrics = .none,
                batchEventsMax: Int = LedgerLimits.eventsPerBatchMax, logger: Logger = Logger(label: "rong.ledger")) throws {
        precondition(batchEventsMax >= 1 && batchEventsMax <= LedgerLimits.eventsPerBatchMax)
        self.database = database
        self.clock = clock
        self.ids = ids
        if let path = database.sqlitePath {
            backend = .sqlite(try SQLiteLedgerWriter(path: path, gate: database.sqliteWriteGate, syncer: database.walSyncer!, checkpointer: database.walCheckpointer!, clock: clock, writerID: ids.next(),
                                                   metrics: metrics, batchEventsMax: batchEventsMax))
        } else if let client = database.postgres {
            backend = .postgres(PostgresLedgerWriter(client: client, clock: clock, metrics: metrics, logger: logger, batchEventsMax: batchEventsMax))
        } else {
            preconditionFailure("database without backend")
        }
    }

    /// Finishes queued work and stops the writer.
    public func shutdown() async {
        switch backend {
        case .sqlite(let writer): writer.stop()
        case .postgres(let writer): await writer.stop()
        }
    }

    // MARK: Writes

    /// Opens accounts; idempotent on id (same fields: `exists`; other fields: `exists_with_different_fields`).
    public func createAccounts(_ accounts: [NewAccount]) async throws -> [AccountCreateStatus] {
        try Ledger.checkCount(accounts.count)
        let now = clock.now()
        switch backend {
        case .sqlite(let writer): return try await writer.exclusive { try $0.createAccounts(accounts, now: now) }
        case .postgres(let writer): return try await writer.createAccounts(accounts, now: now)
        }
    }

    /// Opens one account, throwing a domain error unless it was created or already existed identically.
    @discardableResult
    public func createAccount(_ account: NewAccount) async throws -> AccountCreateStatus {
        let status = try await createAccounts([account])[0]
        guard status == .ok || status == .exists else {
            throw DomainError(ErrorCode(rawValue: status.rawValue), "Account \(account.id) was not created: \(status.rawValue).", status: status == .existsWithDifferentFields ? 409 : 422)
        }
        return status
    }

    /// Submits transfers; the results come back in the same order, one per transfer.
    public func submit(_ transfers: [TransferRequest]) async throws -> [TransferResult] {
        try Ledger.checkCount(transfers.count)
        let queue = switch backend {
        case .sqlite(let writer): writer.queue
        case .postgres(let writer): writer.queue
        }
        return try await withCheckedThrowingContinuation { continuation in
            do {
                try queue.enqueue(.transfers(Submission(events: transfers, continuation: continuation)))
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Submits one transfer and returns its result (failures are results, not errors).
    public func submit(_ transfer: TransferRequest) async throws -> TransferResult {
        try await submit([transfer])[0]
    }

    /// Closes (or reopens) an account: a closed account takes part in no transfer.
    public func setClosed(_ id: RongID, closed: Bool) async throws -> Bool {
        switch backend {
        case .sqlite(let writer): return try await writer.exclusive { try $0.setClosed(id, closed: closed) }
        case .postgres(let writer): return try await writer.setClosed(id, closed: closed)
        }
    }

    /// Voids every pending transfer whose timeout has passed; returns how many.
    @discardableResult
    public func sweepExpired() async throws -> Int {
        let now = clock.now()
        let rows = try await database.query(
            "SELECT id FROM ledger_pending WHERE state = 0 AND expires_at > 0 AND expires_at <= ? ORDER BY expires_at LIMIT ?",
            [.time(now), .int(LedgerLimits.expirySweepMax)])
        guard !rows.isEmpty else { return 0 }
        let voids = rows.map { row in
            TransferRequest(id: ids.next(), flags: [.voidPending, .expired], pendingID: row.id("id"))
        }
        let results = try await submit(voids)
        return results.filter { $0.status == .ok }.count
    }

    /// Runs `sweepExpired` every `intervalSeconds` until the task is cancelled.
    public func runExpirySweeper(intervalSeconds: Int = 1, logger: Logger) async {
        while !Task.isCancelled {
            do {
                let count = try await sweepExpired()
                if count > 0 { logger.info("voided expired holds", metadata: ["count": "\(count)"]) }
            } catch {
                logger.warning("expiry sweep failed: \(error)")
            }
            try? await Task.sleep(nanoseconds: UInt64(intervalSeconds) * 1_000_000_000)
        }
    }

    static func checkCount(_ count: Int) throws(DomainError) {
        guard count > 0 else { throw DomainError(.invalidRequest, "Nothing to submit.", status: 422) }
        guard count <= LedgerLimits.eventsPerSubmissionMax else {
            throw DomainError(.batchTooLarge, "At most \(LedgerLimits.eventsPerSubmissionMax) items per request; got \(count).", status: 422,
                              extensions: ["limit": .int(Int64(LedgerLimits.eventsPerSubmissionMax))])
        }
    }
}
