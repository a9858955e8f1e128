import BankKit
import Storage

/// One line of the append-only audit log: who did what to what, when, from where.
public struct AuditEvent: Sendable, Hashable, Codable {
    public let seq: Int64
    public let id: RongID
    public let at: Timestamp
    /// `customer:0190…`, `admin:0190…`, `anonymous`, `system`.
    public let actor: String
    /// Dotted verb, e.g. `auth.sign_in`, `account.freeze`, `staff.create`.
    public let action: String
    /// What it acted on, e.g. `user:0190…`, `e_account:0190…`, `mobile:138****8000`.
    public let target: String
    /// `ok`, or the error code when refused.
    public let outcome: String
    public let address: String
    public let detail: String
}

/// The append-only log of security-relevant events and staff actions (the database refuses
/// updates and deletes). Admins read it; nobody edits it.
public struct AuditLog: Sendable {
    public static let detailMaxBytes = 1000
    public static let pageMax = 200
    let database: Database
    let clock: BankClock
    let ids: IDGenerator

    public init(database: Database, clock: BankClock, ids: IDGenerator) {
        self.database = database
        self.clock = clock
        self.ids = ids
    }

    /// Appends an event, inside `session` when given (so it commits with the action it records).
    public func record(_ session: (any SQLSession)? = nil, actor: String, action: String, target: String,
                       outcome: String = "ok", address: String, detail: String = "") async throws {
        let sql = "INSERT INTO identity_audit (id, at, actor, action, target, outcome, address, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        let binds: [SQLValue] = [.id(ids.next()), .time(clock.now()), .text(String(actor.prefix(80))), .text(String(action.prefix(64))),
                                 .text(String(target.prefix(120))), .text(String(outcome.prefix(64))), .text(String(address.prefix(64))),
                                 .text(String(detail.utf8.prefix(AuditLog.detailMaxBytes)) ?? "")]
        if let session { try await session.execute(sql, binds) } else { try await database.execute(sql, binds) }
    }

    /// Events newest first, optionally for one actor or target, before a cursor (`seq`).
    public func list(actor: String? = nil, target: String? = nil, action: String? = nil, before: Int64? = nil,
                     limit: Int = 50) async throws -> [AuditEvent] {
        var conditions: [String] = []
        var binds: [SQLValue] = []
        if let actor { conditions.append("actor = ?"); binds.append(.text(actor)) }
        if let target { conditions.append("target = ?"); binds.append(.text(target)) }
        if let action { conditions.append("action = ?"); binds.append(.text(action)) }
        if let before { conditions.append("seq < ?"); binds.append(.int(before)) }
        binds.append(.int(max(1, min(limit, AuditLog.pageMax))))
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try await database.query(
            "SELECT seq, id, at, actor, action, target, outcome, address, detail FROM identity_audit \(whereClause) ORDER BY seq DESC LIMIT ?",
            binds)
        return rows.map {
            AuditEvent(seq: $0.int("seq"), id: $0.id("id"), at: $0.time("at"), actor: $0.text("actor"), action: $0.text("action"),
                       target: $0.text("target"), outcome: $0.text("outcome"), address: $0.text("address"), detail: $0.text("detail"))
        }
    }
}
