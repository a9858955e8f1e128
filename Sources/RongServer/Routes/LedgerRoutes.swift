import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import Ledger

/// The internal ledger API (`/v1/ledger`), for Rong's own modules running elsewhere, for
/// operators' tools and for `rong bench`. Guarded by a service key (`RONG_LEDGER_API_KEY`):
/// customers never call it; their modules' routes do, with their own authorisation.
///
/// Every write is idempotent on the ids the caller chooses.
struct LedgerRoutes {
    let platform: RongPlatform
    let apiKey: String

    func register(on router: Router<RongRequestContext>) {
        let group = router.group("v1/ledger").add(middleware: ServiceKeyMiddleware(key: apiKey))
        group.post("accounts") { request, context -> ListBody<AccountResultBody> in
            let input = try await request.decodeJSON(as: AccountsInput.self, context: context)
            let accounts = try input.accounts.map { try $0.newAccount() }
            let statuses = try await platform.ledger.createAccounts(accounts)
            var results: [AccountResultBody] = []
            for (account, status) in zip(accounts, statuses) {
                let stored = status == .ok || status == .exists ? try await platform.ledger.account(account.id) : nil
                results.append(AccountResultBody(id: account.id.description, status: status.rawValue, account: stored.map(AccountBody.init)))
            }
            return ListBody(data: results, hasMore: false, nextCursor: nil)
        }
        group.get("accounts/:id") { _, context -> AccountBody in
            let id = try context.id("id")
            guard let account = try await platform.ledger.account(id) else { throw DomainError.notFound("Account \(id)") }
            return AccountBody(account)
        }
        group.post("accounts/:id/close") { _, context -> AccountBody in
            try await setClosed(context, closed: true)
        }
        group.post("accounts/:id/reopen") { _, context -> AccountBody in
            try await setClosed(context, closed: false)
        }
        group.get("accounts/:id/statement") { request, context -> ListBody<StatementEntryBody> in
            try await LedgerRoutes.statement(platform.ledger, id: try context.id("id"), request: request)
        }
        group.post("transfers") { request, context -> ListBody<TransferResultBody> in
            let input = try await request.decodeJSON(as: TransfersInput.self, context: context)
            let transfers = try input.transfers.map { try $0.request() }
            let results = try await platform.ledger.submit(transfers)
            return ListBody(data: results.map(TransferResultBody.init), hasMore: false, nextCursor: nil)
        }
        group.get("transfers/:id") { _, context -> TransferBody in
            let id = try context.id("id")
            guard let transfer = try await platform.ledger.transfer(id) else { throw DomainError.notFound("Transfer \(id)") }
            return TransferBody(transfer)
        }
        group.get("invariants") { _, _ -> InvariantBody in
            let report = try await platform.ledger.checkInvariants()
            return InvariantBody(healthy: report.isHealthy, violations: report.violations, assets: report.totals.map {
                InvariantBody.Totals(asset: $0.asset, debitsPosted: "\($0.debitsPosted)", creditsPosted: "\($0.creditsPosted)",
                                     debitsPending: "\($0.debitsPending)", creditsPending: "\($0.creditsPending)")
            })
        }
    }

    /// A statement page (shared with the staff console's read-only ledger routes).
    static func statement(_ ledger: Ledger, id: RongID, request: Request) async throws -> ListBody<StatementEntryBody> {
        let limit = try request.uri.queryParameters.get("limit").map { text -> Int in
            guard let value = Int(text), value >= 1, value <= LedgerLimits.statementPageMax else {
                throw DomainError(.invalidRequest, "limit must be 1–\(LedgerLimits.statementPageMax).", status: 422)
            }
            return value
        } ?? 50
        let page = try await ledger.statement(account: id, after: request.uri.queryParameters.get("starting_after"), limit: limit)
        let entries = page.entries.map { entry in
            StatementEntryBody(transfer: TransferBody(entry.transfer), direction: entry.isDebit ? "debit" : "credit",
                               balanceAfter: entry.balanceAfter,
                               balanceAfterFormatted: formatted(entry.balanceAfter, entry.transfer.asset),
                               cursor: entry.cursor)
        }
        return ListBody(data: entries, hasMore: page.nextCursor != nil, nextCursor: page.nextCursor)
    }

    private func setClosed(_ context: RongRequestContext, closed: Bool) async throws -> AccountBody {
        let id = try context.id("id")
        guard try await platform.ledger.setClosed(id, closed: closed), let account = try await platform.ledger.account(id) else {
            throw DomainError.notFound("Account \(id)")
        }
        return AccountBody(account)
    }
}

/// Checks `Authorization: Bearer <key>` in constant time.
struct ServiceKeyMiddleware: RouterMiddleware {
    typealias Context = RongRequestContext
    let key: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let presented = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        guard ServiceKeyMiddleware.constantTimeEqual(Array(presented.utf8), Array(key.utf8)) else {
            throw DomainError(.unauthorized, "This API needs the service key: Authorization: Bearer <RONG_LEDGER_API_KEY>.", status: 401)
        }
        return try await next(request, context)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

// MARK: JSON shapes (snake_case on the wire)

/// Display form of an amount of a stored asset code (always one the ledger accepted).
func formatted(_ minorUnits: Int64, _ assetCode: String) -> String {
    guard let asset = Asset.named(assetCode) else { return "\(minorUnits) \(assetCode)" }
    return Money(minorUnits: minorUnits, asset: asset).formatted
}

struct AccountsInput: Decodable {
    let accounts: [AccountInput]
}

struct AccountInput: Decodable {
    let id: RongID
    let asset: String
    let chartCode: String
    let ownerRef: String
    let flags: [String]?

    func newAccount() throws -> NewAccount {
        var account = NewAccount(id: id, asset: .cny, chartCode: chartCode, ownerRef: ownerRef, flags: try AccountFlags.parse(flags ?? []))
        account.asset = asset
        return account
    }
}

struct TransfersInput: Decodable {
    let transfers: [TransferInput]
}

struct TransferInput: Decodable {
    let id: RongID
    let debitAccountId: RongID?
    let creditAccountId: RongID?
    let amount: Int64?
    let asset: String?
    let code: Int?
    let flags: [String]?
    let pendingId: RongID?
    let timeoutSeconds: Int64?
    let metadata: [String: String]?

    func request() throws -> TransferRequest {
        var metadataText: String?
        if let metadata {
            let data = try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys, .withoutEscapingSlashes])
            metadataText = String(decoding: data, as: UTF8.self)
        }
        return TransferRequest(id: id, debitAccountID: debitAccountId, creditAccountID: creditAccountId, amount: amount, asset: asset,
                               code: code ?? 1, flags: try TransferFlags.parse(flags ?? []), pendingID: pendingId,
                               timeoutSeconds: timeoutSeconds ?? 0, metadata: metadataText)
    }
}

struct BalanceBody: Codable, Sendable {
    let debitsPending: Int64
    let debitsPosted: Int64
    let creditsPending: Int64
    let creditsPosted: Int64
    /// Credits minus debits posted.
    let posted: Int64
    /// Posted minus outgoing holds.
    let available: Int64
    let postedFormatted: String

    init(_ balance: AccountBalance, asset: String) {
        debitsPending = balance.debitsPending
        debitsPosted = balance.debitsPosted
        creditsPending = balance.creditsPending
        creditsPosted = balance.creditsPosted
        posted = balance.postedCreditBalance
        available = balance.availableCreditBalance
        postedFormatted = formatted(posted, asset)
    }
}

struct AccountBody: ResponseEncodable {
    let object = "ledger_account"
    let id: String
    let asset: String
    let chartCode: String
    let ownerRef: String
    let flags: [String]
    let balance: BalanceBody
    let createdAt: String

    init(_ account: LedgerAccount) {
        id = account.id.description
        asset = account.asset
        chartCode = account.chartCode
        ownerRef = account.ownerRef
        flags = account.flags.names
        balance = BalanceBody(account.balance, asset: account.asset)
        createdAt = account.createdAt.rfc3339
    }
}

struct AccountResultBody: Encodable, Sendable {
    let id: String
    let status: String
    let account: AccountBody?
}

struct TransferBody: ResponseEncodable {
    let object = "ledger_transfer"
    let id: String
    let debitAccountId: String
    let creditAccountId: String
    let amount: Int64
    let amountFormatted: String
    let asset: String
    let code: Int
    let flags: [String]
    let pendingId: String?
    let timeoutSeconds: Int64
    let metadata: String?
    let timestamp: String
    let debitBalanceAfter: Int64
    let creditBalanceAfter: Int64

    init(_ t: StoredTransfer) {
        id = t.id.description
        debitAccountId = t.debitAccountID.description
        creditAccountId = t.creditAccountID.description
        amount = t.amount
        amountFormatted = formatted(t.amount, t.asset)
        asset = t.asset
        code = t.code
        flags = t.flags.names
        pendingId = t.pendingID?.description
        timeoutSeconds = t.timeoutSeconds
        metadata = t.metadata
        timestamp = t.timestamp.rfc3339
        debitBalanceAfter = t.debitBalanceAfter
        creditBalanceAfter = t.creditBalanceAfter
    }
}

struct TransferResultBody: Encodable, Sendable {
    let object = "transfer_result"
    let id: String
    let status: String
    let transfer: TransferBody?
    let debitBalance: BalanceBody?
    let creditBalance: BalanceBody?

    init(_ result: TransferResult) {
        id = result.id.description
        status = result.status.rawValue
        transfer = result.transfer.map(TransferBody.init)
        let asset = result.transfer?.asset ?? "CNY"
        debitBalance = result.debitBalance.map { BalanceBody($0, asset: asset) }
        creditBalance = result.creditBalance.map { BalanceBody($0, asset: asset) }
    }
}

struct StatementEntryBody: Encodable, Sendable {
    let transfer: TransferBody
    let direction: String
    let balanceAfter: Int64
    let balanceAfterFormatted: String
    let cursor: String
}

struct InvariantBody: ResponseEncodable {
    /// Totals are decimal strings: summed over all accounts they may exceed 64 bits.
    struct Totals: Encodable, Sendable {
        let asset: String
        let debitsPosted: String
        let creditsPosted: String
        let debitsPending: String
        let creditsPending: String
    }

    let object = "ledger_invariants"
    let healthy: Bool
    let violations: [String]
    let assets: [Totals]
}
