import BankKit

/// A party to a credit transfer: name, account and its bank's CNAPS code.
public struct ClearingParty: Sendable, Hashable, Codable {
    public var name: String
    public var accountNumber: String
    public var bankCode: String

    public init(name: String, accountNumber: String, bankCode: String) {
        self.name = name
        self.accountNumber = accountNumber
        self.bankCode = bankCode
    }
}

/// A customer credit transfer this bank sends (ISO 20022 pacs.008).
public struct CreditTransferInstruction: Sendable, Hashable {
    /// Unique per instruction (`MsgId`); sending it again never pays twice.
    public var messageID: RongID
    public var amountFen: Int64
    public var debtor: ClearingParty
    public var creditor: ClearingParty
    public var remittanceInfo: String

    public init(messageID: RongID, amountFen: Int64, debtor: ClearingParty, creditor: ClearingParty, remittanceInfo: String) {
        self.messageID = messageID
        self.amountFen = amountFen
        self.debtor = debtor
        self.creditor = creditor
        self.remittanceInfo = remittanceInfo
    }
}

/// Which path the clearing house chose (CNAPS-like routing by amount).
public enum ClearingPath: String, Sendable, Hashable, Codable {
    /// ≤ ¥50,000: real-time, 7×24 (IBPS-like).
    case realTime = "real_time"
    /// > ¥50,000: large-value, business days 08:30–17:00 Asia/Shanghai (HVPS-like); queued outside the window.
    case largeValue = "large_value"
}

/// Where a transfer stands at the clearing house (ISO 20022 pacs.002 `TxSts`).
public enum ClearingStatus: Sendable, Hashable {
    /// Accepted and waiting (e.g. queued for the large-value window) — `ACSP`/`PDNG`.
    case pending
    /// Settled: the creditor's bank has the money — `ACSC`.
    case settled
    /// Refused, nothing moved — `RJCT` with an ISO reason code (`AC01`, `AC04`, `AM04`, …).
    case rejected(reasonCode: String, reason: String)
    /// Settled earlier, then sent back by the creditor's bank (pacs.004) with a reason.
    case returned(reasonCode: String, reason: String)
    /// The clearing house has no record of this message id (it never arrived): safe to send again.
    case unknown
}

/// A status report for one transfer (pacs.002).
public struct ClearingReport: Sendable, Hashable {
    public var messageID: RongID
    public var status: ClearingStatus
    public var path: ClearingPath
    public var at: Timestamp

    public init(messageID: RongID, status: ClearingStatus, path: ClearingPath, at: Timestamp) {
        self.messageID = messageID
        self.status = status
        self.path = path
        self.at = at
    }
}

/// A credit from another bank to an account at this bank (an inbound pacs.008).
public struct IncomingCredit: Sendable, Hashable {
    public var messageID: RongID
    public var amountFen: Int64
    public var debtor: ClearingParty
    public var creditor: ClearingParty
    public var remittanceInfo: String
    public var receivedAt: Timestamp

    public init(messageID: RongID, amountFen: Int64, debtor: ClearingParty, creditor: ClearingParty, remittanceInfo: String, receivedAt: Timestamp) {
        self.messageID = messageID
        self.amountFen = amountFen
        self.debtor = debtor
        self.creditor = creditor
        self.remittanceInfo = remittanceInfo
        self.receivedAt = receivedAt
    }
}

/// What this bank did with an incoming credit.
public enum IncomingOutcome: Sendable, Hashable {
    /// Credited to the named account (pacs.002 ACSC back).
    case credited
    /// Sent back (pacs.004) with an ISO reason code, e.g. `AC01` no such account, `AC04` closed, `BE01` name mismatch.
    case returned(reasonCode: String, reason: String)
}

/// The seam to the clearing system for credit transfers (CNAPS: IBPS and HVPS).
///
/// The simulator (`ClearingHouse`) speaks ISO 20022 XML — pacs.008 out, pacs.002 back,
/// pacs.028 status requests, pacs.004 returns — in process or over HTTP
/// (`rong clearing-house --port`); a live adapter sends the same documents to the bank's
/// front-end processor. Every call is idempotent on the message id.
public protocol ClearingNetwork: Sendable {
    /// Sends a transfer; the report says settled, pending (queued), or rejected.
    func send(_ instruction: CreditTransferInstruction) async throws -> ClearingReport
    /// Asks where a transfer stands (after a timeout: query before anything is retried).
    func status(messageID: RongID) async throws -> ClearingReport
    /// Credits from other banks waiting for this bank (bounded), oldest first.
    func incoming(limit: Int) async throws -> [IncomingCredit]
    /// Answers an incoming credit: credited, or returned to the sender.
    func acknowledge(_ messageID: RongID, outcome: IncomingOutcome) async throws
    /// The clearing house's file of everything it settled for this bank on `date` (Asia/Shanghai).
    func reconciliationFile(for date: BusinessDate) async throws -> String
}

/// How ISO 20022 documents reach a clearing house and come back: the in-process `ClearingHouse`
/// (the simulator), `HTTPClearingConnection` (the simulator as its own process), or the bank's
/// CNAPS front-end processor. Errors are `DomainError`s; a lost answer is `clearing_timeout`, so
/// callers query the status before anything is sent again.
public protocol ClearingConnection: Sendable {
    /// Sends one document (pacs.008, pacs.028, pacs.002, pacs.004); returns the pacs.002 answering it.
    func handle(_ xml: String) async throws -> String
    /// The pacs.008 documents waiting for member `bankCode`, oldest first.
    func inbound(bankCode: String, limit: Int) async throws -> [String]
    /// The day's reconciliation file of `bankCode`.
    func reconciliationFile(bankCode: String, date: BusinessDate) async throws -> String
}

extension ClearingHouse: ClearingConnection {}
