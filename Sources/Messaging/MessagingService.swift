import Accounts
import BankKit
import Foundation
import Identity
import Logging
import Storage

/// e-Link (融e联): the bank's own messenger. Customers talk to their account manager, to their
/// contacts and in groups, queue for customer service, follow official accounts, and receive
/// the bank's notifications.
///
/// Files: `Conversations.swift` (membership, lists, groups), `Messages.swift` (sequenced sends,
/// sync, receipts, recall, archive), `Contacts.swift`, `ServiceQueue.swift`,
/// `OfficialAccounts.swift`, `AccountManagers.swift`, `BlobStore.swift`,
/// `NotificationDelivery.swift`, `MessageHub.swift` + `PostgresMessageHub.swift` (fan-out),
/// `ElinkProtocol.swift` + `ElinkConnection.swift` (the WebSocket frame protocol, transport-free).
///
/// The database is the truth: every message has a gap-free per-conversation sequence number
/// assigned in the transaction that stores it; the hub only pushes, and a client that missed a
/// push gets it with `sync`.
public final class MessagingService: Sendable {
    public let database: Database
    public let identity: IdentityService
    public let accounts: AccountsService
    public let hub: any MessageHub
    public let blobs: BlobStore
    public let clock: BankClock
    public let ids: IDGenerator
    let logger: Logger
    /// Customers enrolled by this process (see `Enrolment.swift`).
    let enrolled = EnrolledUsers()
    /// Where this process stands in the bank notification outbox.
    let notificationCursor = NotificationCursor()

    public init(database: Database, identity: IdentityService, accounts: AccountsService, hub: any MessageHub, blobs: BlobStore,
                clock: BankClock, ids: IDGenerator, logger: Logger) {
        self.database = database
        self.identity = identity
        self.accounts = accounts
        self.hub = hub
        self.blobs = blobs
        self.clock = clock
        self.ids = ids
        self.logger = logger
    }

    /// Opens the bank's service account (idempotent); call once at start.
    public func prepare() async throws {
        try await ensureBankServiceAccount()
    }

    // MARK: Who is calling

    /// Customers are enrolled on first use: they follow the auto-follow accounts, get their
    /// notice conversation with the bank's service account, and an account manager of their branch.
    func caller(_ principal: Principal) async throws -> Principal {
        if principal.role == .customer { try await enrol(customerUserID: principal.userID) }
        return principal
    }

    static func requireStaff(_ principal: Principal) throws(DomainError) {
        guard principal.role.isStaff else { throw DomainError(.forbidden, "Bank staff only.", status: 403) }
    }

    static func requireOperator(_ principal: Principal) throws(DomainError) { try principal.requireOperator() }

    static func requireRole(_ principal: Principal, _ roles: Set<Role>, _ detail: String) throws(DomainError) {
        guard roles.contains(principal.role) else { throw DomainError(.forbidden, detail, status: 403) }
    }

    /// The customer record of a customer user (their branch, name, id for Accounts reads).
    func customerRecord(userID: RongID) async throws -> Customer? {
        // AccountsService looks a customer up by the signed-in principal; only its user id and role are read.
        let principal = Principal(userID: userID, role: .customer, sessionID: .zero, displayName: "")
        do { return try await accounts.customer(of: principal) } catch let error as DomainError where error.status == 404 { return nil }
    }

    // MARK: Validation shared by the files of this module

    /// Trims and bounds a one-line text field (no control characters).
    static func line(_ text: String, field: String, max: Int, allowEmpty: Bool = false) throws(DomainError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard allowEmpty || !trimmed.isEmpty else {
            throw DomainError(.invalidRequest, "The \(field) must not be empty.", status: 422, extensions: ["field": .string(field)])
        }
        guard trimmed.count <= max else {
            throw DomainError(.invalidRequest, "The \(field) is at most \(max) characters.", status: 422,
                              extensions: ["field": .string(field), "limit": .int(Int64(max))])
        }
        guard !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw DomainError(.invalidRequest, "The \(field) must not contain control characters.", status: 422, extensions: ["field": .string(field)])
        }
        return trimmed
    }

    static func encodeJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding Rong's own value types cannot fail.
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(type, from: Data(text.utf8))
    }
}
