import BankKit

/// Who a caller is to the bank. Every route declares the roles that may call it.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case customer
    case merchant
    case biller
    case accountManager = "account_manager"
    case serviceAgent = "service_agent"
    case `operator`
    case admin

    /// Bank staff: signed in to the console, created by an admin, never self-registered.
    public var isStaff: Bool {
        switch self {
        case .accountManager, .serviceAgent, .operator, .admin: true
        case .customer, .merchant, .biller: false
        }
    }

    /// Who runs the bank's books: operators and admins.
    public static let operators: Set<Role> = [.operator, .admin]

    /// Roles an admin may create through the console or `rong admin create`.
    public static let staff: [Role] = allCases.filter(\.isStaff)

    public static func parse(_ text: String) throws(DomainError) -> Role {
        guard let role = Role(rawValue: text) else {
            throw DomainError(.invalidRequest, "Unknown role '\(text.prefix(40))'.", status: 422, extensions: ["field": .string("role")])
        }
        return role
    }

    /// Chinese label for pages.
    public var labelZH: String {
        switch self {
        case .customer: "客户"
        case .merchant: "商户"
        case .biller: "收费单位"
        case .accountManager: "客户经理"
        case .serviceAgent: "客服坐席"
        case .operator: "运营人员"
        case .admin: "管理员"
        }
    }
}

/// The authenticated caller of a request.
public struct Principal: Sendable, Hashable {
    public let userID: RongID
    public let role: Role
    /// The sign-in session (refresh-token family) the access token belongs to.
    public let sessionID: RongID
    /// Display name (a customer's real name, a staff member's name).
    public let displayName: String

    public init(userID: RongID, role: Role, sessionID: RongID, displayName: String) {
        self.userID = userID
        self.role = role
        self.sessionID = sessionID
        self.displayName = displayName
    }

    /// The audit-log form of the caller, e.g. `operator:0190…`.
    public var actorRef: String { "\(role.rawValue):\(userID)" }

    /// Operators and admins run the bank's books (onboarding, rates, loan book, write-offs).
    public var isOperator: Bool { Role.operators.contains(role) }

    /// Refuses anyone but an operator or admin with 403 and `detail`.
    public func requireOperator(_ detail: String = "Operators and admins only.") throws(DomainError) {
        guard isOperator else { throw DomainError(.forbidden, detail, status: 403) }
    }
}
