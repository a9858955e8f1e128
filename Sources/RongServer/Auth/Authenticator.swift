import BankKit
import Hummingbird
import Identity

/// Who may call a route. Every route declares one; `AuthorizationMatrixTests` walks every
/// route with every role and checks the answer agrees with the OpenAPI document's `x-roles`.
enum Access: Sendable {
    /// Anyone, signed in or not.
    case anyone
    /// Any signed-in user.
    case signedIn
    /// Only these roles.
    case roles(Set<Role>)

    static let customer = Access.roles([.customer])
    static let merchant = Access.roles([.merchant])
    static let staff = Access.roles(Set(Role.staff))
    static let operators = Access.roles(Role.operators)
    static let admin = Access.roles([.admin])

    /// The roles allowed (all roles for `signedIn`, nil for `anyone`).
    var allowedRoles: Set<Role>? {
        switch self {
        case .anyone: nil
        case .signedIn: Set(Role.allCases)
        case .roles(let roles): roles
        }
    }
}

/// Finds the caller: a bearer access token (API clients) or the `rong_at` cookie (pages).
struct Authenticator: Sendable {
    static let accessCookie = "rong_at"
    static let refreshCookie = "rong_rt"
    let identity: IdentityService

    func principal(_ request: Request) async throws -> Principal? {
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer "), header.count > 7 else {
                throw DomainError(.unauthorized, "Send the access token as 'Authorization: Bearer <token>'.", status: 401)
            }
            return try await identity.authenticate(String(header.dropFirst(7)))
        }
        if let cookie = request.cookies[Authenticator.accessCookie]?.value, !cookie.isEmpty {
            return try? await identity.authenticate(cookie)
        }
        return nil
    }

    /// The caller if `access` admits them: 401 when not signed in, 403 when the role may not.
    func require(_ request: Request, _ access: Access) async throws -> Principal {
        guard let principal = try await principal(request) else {
            throw DomainError(.unauthorized, "Sign in first.", status: 401)
        }
        if let roles = access.allowedRoles, !roles.contains(principal.role) {
            throw DomainError(.forbidden, "Your role (\(principal.role.rawValue)) may not do this.", status: 403)
        }
        return principal
    }
}
