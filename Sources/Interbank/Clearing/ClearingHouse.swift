import BankKit
import Logging
import Storage
import Synchronization

/// A CNAPS-like clearing house speaking ISO 20022: it takes pacs.008 credit transfers from
/// member banks (Rong) and answers with pacs.002 status reports, settles against the
/// simulator's directory of other banks' accounts, and delivers credits from those banks to
/// its members.
///
/// Routing follows CNAPS:
/// - up to ¥50,000.00 (`realTimeAmountFenMax`) goes real-time (IBPS-like, 7×24): settled at
///   once (`ACSC`) or refused (`RJCT` with `AC01` unknown account, `AC04` closed, `AG01` frozen,
///   `BE01` name mismatch, `RC01` unknown bank);
/// - above it goes large-value (HVPS-like): settled at once inside business days
///   08:30–17:00 Asia/Shanghai (`BusinessCalendar`), otherwise checked, accepted (`ACSP`) and
///   queued until `processQueue()` runs with the window open.
///
/// Every message is idempotent on its `MsgId`: the same pacs.008 again answers with the
/// transfer's current status; the same `MsgId` with another body is refused with `AM05` and
/// changes nothing. Members are the bank codes in `memberBankCodes`; directory banks are the
/// simulator's participants, whose side is simulated here (their accounts are debited and
/// credited in the same database transaction that records the transfer).
///
/// See `docs/clearing-house.md` for the messages, the status codes and the reconciliation file.
public struct ClearingHouse: Sendable {
    /// The clearing house's own participant code (`InstgAgt` of its reports).
    public static let bankCode = "000"
    /// The real-time ceiling: ¥50,000.00 and below clears real-time, above it large-value.
    public static let realTimeAmountFenMax: Int64 = 50_000_00
    /// The large-value window on business days, Asia/Shanghai: opens 08:30:00 (inclusive)…
    public static let largeValueOpensSecondOfDay: Int64 = 8 * 3600 + 30 * 60
    /// …and closes 17:00:00 (exclusive): a transfer at 17:00:00 or later waits for the next business day.
    public static let largeValueClosesSecondOfDay: Int64 = 17 * 3600
    /// Most inbound credits handed out by one `inbound(bankCode:limit:)` call.
    public static let inboundBatchMax = 500
    /// Queued transfers read per query while `processQueue()` drains the queue…
    static let queueBatchMax = 200
    /// …and the most it settles in one call (the rest waits for the next call).
    public static let queueDrainMax = 10_000
    /// Retries of a transaction that lost a race to record the same `MsgId` (PostgreSQL).
    static let recordAttemptsMax = 3

    let database: Database
    let clock: BankClock
    let calendar: BusinessCalendar
    let directory: InterbankSimulator
    let logger: Logger
    let ids: IDGenerator
    /// Banks connected to the clearing house (their books are their own), not simulated.
    public let memberBankCodes: Set<String>
    let faults: ClearingHouseFaults

    /// - Parameters:
    ///   - database: holds the clearing house's tables and the directory's (one transaction moves both).
    ///   - directory: the simulator whose participants and accounts stand for the other banks.
    ///   - memberBankCodes: banks that connect to the clearing house themselves (Rong's `999`).
    ///   - ids: makes the `MsgId` of transfers `originateIncoming` starts.
    public init(database: Database, clock: BankClock, calendar: BusinessCalendar, directory: InterbankSimulator,
                logger: Logger = Logger(label: "rong.interbank.clearing-house"),
                memberBankCodes: Set<String> = [SimulatedInterbankNetwork.defaultOwnBankCode], ids: IDGenerator = .live) {
        precondition(directory.database === database, "the clearing house and its directory share one database")
        precondition(!memberBankCodes.contains(Self.bankCode), "000 is the clearing house itself")
        self.database = database
        self.clock = clock
        self.calendar = calendar
        self.directory = directory
        self.logger = logger
        self.memberBankCodes = memberBankCodes
        self.ids = ids
        self.faults = ClearingHouseFaults()
    }

    // MARK: Messages

    /// Answers one document: pacs.008 (a transfer), pacs.028 (a status request), pacs.002 (a
    /// member crediting an incoming transfer) or pacs.004 (a member returning one), always
    /// with a pacs.002.
    ///
    /// Throws `interbank_message_invalid` / `interbank_amount_invalid` for a document the codec
    /// refuses (nothing is written), `interbank_message_unexpected` for a well-formed one sent
    /// the wrong way, `clearing_unavailable` while switched off, and `clearing_timeout` when
    /// the reply is dropped after processing (`dropReplies`).
    public func handle(_ xml: String) async throws -> String {
        try faults.checkAvailable()
        let document = try ISO20022Codec.decode(xml)
        let report: TransferStatusReport
        switch document {
        case .creditTransfer(let transfer):
            guard memberBankCodes.contains(transfer.debtor.bankCode) else {
                throw DomainError(.interbankMessageUnexpected,
                                  "pacs.008 must come from a member bank (\(memberBankCodes.sorted().joined(separator: ", "))); "
                                  + "directory banks are simulated here.", status: 422)
            }
            report = try await receive(transfer)
        case .statusRequest(let request):
            report = try await answer(request)
        case .statusReport(let answer):
            report = try await applyCredited(answer)
        case .paymentReturn(let paymentReturn):
            report = try await applyReturn(paymentReturn, fromMember: true)
        }
        let reply = try ISO20022Codec.encode(.statusReport(report))
        try faults.deliverReply()
        return reply
    }

    // MARK: Routing

    /// The path a transfer of `amountFen` takes.
    public static func path(forAmountFen amountFen: Int64) -> ClearingPath {
        amountFen <= realTimeAmountFenMax ? .realTime : .largeValue
    }

    /// True inside the large-value window: a business day, 08:30:00 ≤ Shanghai time < 17:00:00.
    public func isLargeValueWindowOpen(at instant: Timestamp) -> Bool {
        let date = BusinessDate(at: instant)
        guard calendar.isBusinessDay(date) else { return false }
        let secondOfDay = instant.secondsSinceEpoch - date.startInstant.secondsSinceEpoch
        return secondOfDay >= Self.largeValueOpensSecondOfDay && secondOfDay < Self.largeValueClosesSecondOfDay
    }

    /// When the large-value window next opens at or after `instant` (`instant` itself if open).
    public func nextLargeValueOpening(atOrAfter instant: Timestamp) -> Timestamp {
        if isLargeValueWindowOpen(at: instant) { return instant }
        let date = BusinessDate(at: instant)
        let opening = date.startInstant.adding(seconds: Self.largeValueOpensSecondOfDay)
        if calendar.isBusinessDay(date), instant < opening { return opening }
        return calendar.nextBusinessDay(after: date).startInstant.adding(seconds: Self.largeValueOpensSecondOfDay)
    }

    // MARK: Faults (test hooks)

    /// Switches the clearing house off (every message throws `clearing_unavailable` before
    /// anything is read) or back on.
    public func setUnavailable(_ unavailable: Bool) {
        faults.setUnavailable(unavailable)
    }

    /// Drops the reply to the next `count` messages: each is processed and committed, then
    /// `handle` throws `clearing_timeout`, as a reply lost on the network would look. The
    /// sender must ask for the status (pacs.028), never resend blindly.
    public func dropReplies(_ count: Int = 1) {
        precondition(count >= 0, "a count of replies")
        faults.dropReplies(count)
    }
}

/// The switchable faults, shared by every copy of one `ClearingHouse` value.
final class ClearingHouseFaults: Sendable {
    private struct State {
        var unavailable = false
        var repliesToDrop = 0
    }

    private let state = Mutex(State())

    func setUnavailable(_ unavailable: Bool) { state.withLock { $0.unavailable = unavailable } }
    func dropReplies(_ count: Int) { state.withLock { $0.repliesToDrop = count } }

    func checkAvailable() throws {
        if state.withLock({ $0.unavailable }) {
            throw DomainError(.clearingUnavailable, "The clearing house is unavailable; nothing was processed.", status: 503)
        }
    }

    /// Throws `clearing_timeout` while replies are being dropped (counting one down).
    func deliverReply() throws {
        let drop = state.withLock { state -> Bool in
            guard state.repliesToDrop > 0 else { return false }
            state.repliesToDrop -= 1
            return true
        }
        if drop {
            throw DomainError(.clearingTimeout, "No reply from the clearing house; ask for the status before retrying.", status: 504)
        }
    }
}
