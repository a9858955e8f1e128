import Accounts
import BankKit
import Identity
import Storage

/// A customer in an account manager's book.
public struct ManagedCustomer: Sendable, Hashable, Codable {
    public let customerUserID: RongID
    public let customerID: RongID
    public let name: String
    public let branchCode: String
    public let conversationID: RongID?
    public let assignedAt: Timestamp
}

/// A customer's account manager as the customer sees them.
public struct AssignedManager: Sendable, Hashable, Codable {
    public let managerID: RongID
    public let displayName: String
    public let conversationID: RongID
}

/// A read-only view of a customer's products for their account manager.
public struct CustomerProductSummary: Sendable, Hashable, Codable {
    public struct AccountLine: Sendable, Hashable, Codable {
        public let accountID: RongID
        public let accountClass: String
        public let accountNumberMasked: String
        public let status: String
        public let balanceFen: Int64
        public let availableFen: Int64
    }
    public let customerUserID: RongID
    public let name: String
    public let mobileMasked: String
    public let branchCode: String
    public let accounts: [AccountLine]
    public let totalBalanceFen: Int64
}

/// Account managers: each customer has one, chosen by branch (the branch's manager with the
/// fewest customers); operators maintain which managers serve a branch and reassign customers.
extension MessagingService {
    /// Adds an account manager to a branch's roster, and gives them the branch's customers who
    /// had nobody (at most `unassignedBatchMax` per call).
    public func addManagerToBranch(_ principal: Principal, managerID: RongID, branchCode: String, address: String) async throws {
        try MessagingService.requireOperator(principal)
        guard branchCode.count == 4, branchCode.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DomainError(.invalidRequest, "A branch code is 4 digits.", status: 422, extensions: ["field": .string("branch_code")])
        }
        guard let manager = try await identity.user(managerID), manager.role == .accountManager, manager.status == "active" else {
            throw DomainError(.managerNotFound, "No active account manager has this id.", status: 422, extensions: ["field": .string("manager_id")])
        }
        try await database.transaction { tx in
            try await tx.execute(
                "INSERT INTO messaging_manager_branches (manager_id, branch_code, added_by, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (branch_code, manager_id) DO NOTHING",
                [.id(managerID), .text(branchCode), .text(principal.actorRef), .time(clock.now())])
            try await identity.audit.record(tx, actor: principal.actorRef, action: "messaging.manager.branch.add", target: "user:\(managerID)",
                                            address: address, detail: "branch=\(branchCode)")
        }
        let orphans = try await database.query(
            "SELECT customer_user_id FROM messaging_manager_assignments WHERE branch_code = ? AND manager_id IS NULL LIMIT ?",
            [.text(branchCode), .int(MessagingService.unassignedBatchMax)])
        for orphan in orphans {
            try await database.transaction { tx in
                try await assignByBranch(tx, customerUserID: orphan.id("customer_user_id"), assignedBy: "branch-roster")
            }
        }
    }

    static let unassignedBatchMax = 1_000

    /// Chooses a manager for a customer whose assignment row has none (in the caller's transaction).
    func assignByBranch(_ tx: any SQLSession, customerUserID: RongID, assignedBy: String) async throws {
        guard let row = try await tx.first(
            "SELECT customer_name, branch_code, manager_id FROM messaging_manager_assignments WHERE customer_user_id = ?", [.id(customerUserID)]),
              row.optionalID("manager_id") == nil else { return }
        guard let manager = try await tx.first(
            """
            SELECT b.manager_id, (SELECT COUNT(*) FROM messaging_manager_assignments a WHERE a.manager_id = b.manager_id) AS n
            FROM messaging_manager_branches b WHERE b.branch_code = ? ORDER BY n, b.manager_id LIMIT 1
            """, [.text(row.text("branch_code"))])?.id("manager_id") else { return }
        try await setManager(tx, customerUserID: customerUserID, customerName: row.text("customer_name"), managerID: manager, assignedBy: assignedBy)
    }

    func setManager(_ tx: any SQLSession, customerUserID: RongID, customerName: String, managerID: RongID, assignedBy: String) async throws {
        let conversation = try await pairConversation(tx, kind: .manager, (customerUserID, .customer), (managerID, .manager), title: "我的客户经理")
        try await tx.execute(
            "UPDATE messaging_manager_assignments SET manager_id = ?, conversation_id = ?, assigned_by = ?, assigned_at = ? WHERE customer_user_id = ?",
            [.id(managerID), .id(conversation), .text(assignedBy), .time(clock.now()), .id(customerUserID)])
    }

    /// Moves a customer to another account manager (operators); the former manager leaves the
    /// conversation and no longer sees the customer.
    public func reassignManager(_ principal: Principal, customerUserID: RongID, managerID: RongID, address: String) async throws -> AssignedManager {
        try MessagingService.requireOperator(principal)
        guard let manager = try await identity.user(managerID), manager.role == .accountManager, manager.status == "active" else {
            throw DomainError(.managerNotFound, "No active account manager has this id.", status: 422, extensions: ["field": .string("manager_id")])
        }
        try await enrol(customerUserID: customerUserID)
        try await database.transaction { tx in
            guard let row = try await tx.first(
                "SELECT customer_name, manager_id, conversation_id FROM messaging_manager_assignments WHERE customer_user_id = ?",
                [.id(customerUserID)]) else {
                throw DomainError(.invalidRequest, "No such customer.", status: 404)
            }
            if let old = row.optionalID("manager_id"), old != managerID, let conversation = row.optionalID("conversation_id") {
                try await removeMember(tx, conversationID: conversation, userID: old)
            }
            try await setManager(tx, customerUserID: customerUserID, customerName: row.text("customer_name"), managerID: managerID,
                                 assignedBy: principal.actorRef)
            try await identity.audit.record(tx, actor: principal.actorRef, action: "messaging.manager.reassign", target: "user:\(customerUserID)",
                                            address: address, detail: "from=\(row.optionalID("manager_id").map(String.init(describing:)) ?? "none") to=\(managerID)")
        }
        guard let assigned = try await assignedManager(customerUserID: customerUserID) else {
            throw DomainError(.internalError, "The assignment did not stick.", status: 500)
        }
        return assigned
    }

    /// The caller's account manager (nil until their branch has one).
    public func myManager(_ principal: Principal) async throws -> AssignedManager? {
        let principal = try await caller(principal)
        try MessagingService.requireRole(principal, [.customer], "Customers have account managers.")
        return try await assignedManager(customerUserID: principal.userID)
    }

    func assignedManager(customerUserID: RongID) async throws -> AssignedManager? {
        guard let row = try await database.first(
            "SELECT manager_id, conversation_id FROM messaging_manager_assignments WHERE customer_user_id = ? AND manager_id IS NOT NULL",
            [.id(customerUserID)]), let conversation = row.optionalID("conversation_id") else { return nil }
        let manager = row.id("manager_id")
        return AssignedManager(managerID: manager, displayName: try await identity.user(manager)?.displayName ?? "", conversationID: conversation)
    }

    /// An account manager's customers (at most 500).
    public func managerCustomers(_ principal: Principal) async throws -> [ManagedCustomer] {
        try MessagingService.requireRole(principal, [.accountManager], "Account managers only.")
        return try await database.query(
            """
            SELECT customer_user_id, customer_id, customer_name, branch_code, conversation_id, assigned_at
            FROM messaging_manager_assignments WHERE manager_id = ? ORDER BY assigned_at, customer_user_id LIMIT ?
            """, [.id(principal.userID), .int(MessagingLimits.managerCustomersPageMax)]).map {
                ManagedCustomer(customerUserID: $0.id("customer_user_id"), customerID: $0.id("customer_id"), name: $0.text("customer_name"),
                                branchCode: $0.text("branch_code"), conversationID: $0.optionalID("conversation_id"), assignedAt: $0.time("assigned_at"))
            }
    }

    /// The customer's e-accounts and balances, read through Accounts and the ledger; only for
    /// the customer's own manager (others get 404), and audited as a staff read of a customer.
    public func customerSummary(_ principal: Principal, customerUserID: RongID, address: String) async throws -> CustomerProductSummary {
        let customer = try await managedCustomer(principal, customerUserID: customerUserID)
        let views = try await accounts.accounts(of: customer)
        try await identity.audit.record(actor: principal.actorRef, action: "customer.view", target: "customer:\(customer.id)", address: address,
                                        detail: "via=elink")
        let lines = views.map {
            CustomerProductSummary.AccountLine(accountID: $0.account.id, accountClass: $0.account.accountClass.rawValue,
                                               accountNumberMasked: AccountNumberFormat.masked($0.account.accountNumber), status: $0.account.status,
                                               balanceFen: $0.balanceFen, availableFen: $0.availableFen)
        }
        return CustomerProductSummary(customerUserID: customerUserID, name: customer.name, mobileMasked: customer.mobileMasked,
                                      branchCode: customer.branchCode, accounts: lines, totalBalanceFen: lines.reduce(0) { $0 + $1.balanceFen })
    }

    /// Sends a product (or loan-offer, transfer-request) card to one of the manager's customers.
    public func pushCard(_ principal: Principal, customerUserID: RongID, card: MessageCard, clientID: String?) async throws -> SendResult {
        _ = try await managedCustomer(principal, customerUserID: customerUserID)
        guard let assigned = try await assignedManager(customerUserID: customerUserID) else {
            throw DomainError(.conversationNotFound, "This customer has no conversation with you.", status: 404)
        }
        return try await send(principal, conversationID: assigned.conversationID, clientID: clientID, content: .card(card))
    }

    func managedCustomer(_ principal: Principal, customerUserID: RongID) async throws -> Customer {
        try MessagingService.requireRole(principal, [.accountManager], "Account managers only.")
        guard try await database.first("SELECT 1 AS one FROM messaging_manager_assignments WHERE customer_user_id = ? AND manager_id = ?",
                                       [.id(customerUserID), .id(principal.userID)]) != nil,
              let customer = try await customerRecord(userID: customerUserID) else {
            throw DomainError(.notFound, "Customer not found among yours.", status: 404)
        }
        return customer
    }
}
