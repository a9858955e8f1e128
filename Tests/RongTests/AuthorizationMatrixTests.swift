import Accounts
import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Payments
import RongServer
import Testing

/// Every user-facing route × every role (and no sign-in): the running application must answer
/// as the OpenAPI document's `x-roles` declares — 401 without a token, 403 for a role not listed,
/// and something other than 401/403 for a role listed.
@Suite struct AuthorizationMatrixTests {
    @Test func everyRouteAgreesWithItsDeclaredRoles() async throws {
        let t = try await TestPlatform.make()
        var tokensByRole: [Role: String] = [:]
        for (index, role) in Role.allCases.enumerated() {
            let mobile = "1390000\(String(format: "%04d", index))"
            if role == .customer {
                tokensByRole[role] = try await t.register(name: "甲乙", idNumber: ResidentIDs.make(birth: "19900101", sequence: 11), mobile: mobile).1.accessToken
                continue
            }
            if role == .merchant {
                // A merchant user works for an onboarded merchant (the dashboard and credit-line routes look it up).
                let first17 = "91330100MA2" + String(format: "%06d", 990)
                _ = try await t.payments.onboardMerchant(by: t.operatorPrincipal, name: "矩阵商户", licenceNumber: first17 + String(CreditCode.checkCharacter(for: first17)!),
                                                         notifyURL: "https://merchant.example.com/notify", contactMobile: mobile,
                                                         contactPassword: "Matrix2026pw", address: "test")
                tokensByRole[role] = try await t.identity.signIn(role: role, mobile: mobile, password: "Matrix2026pw", address: "test").accessToken
                continue
            }
            let hash = await t.identity.hasher.hash("Matrix2026pw")
            try await t.platform.database.transaction { tx in
                try await t.identity.insertUser(tx, id: t.platform.ids.next(), role: role, mobile: mobile, displayName: role.rawValue,
                                                passwordHash: hash, createdBy: "test")
            }
            tokensByRole[role] = try await t.identity.signIn(role: role, mobile: mobile, password: "Matrix2026pw", address: "test").accessToken
        }
        var config = RongConfig()
        config.logLevel = .warning
        let app = try await buildApplication(platform: t.platform, config: config, ledgerAPIKey: "matrix-key-0123456789abcdefghij", backgroundServices: false)
        let routes = documentedAccess().filter { $0.roles != nil }
        #expect(routes.count >= 30)
        let tokens = tokensByRole
        let checked = try await app.test(.router) { client -> Int in
            var checked = 0
            for route in routes {
                let uri = route.path.replacingOccurrences(of: "{id}", with: "01900000-0000-7000-8000-000000000000")
                let method = HTTPRequest.Method(rawValue: route.method)!
                let body: ByteBuffer? = route.method == "GET" || route.method == "DELETE" ? nil : ByteBuffer(string: "{}")
                let anonymous = try await client.execute(uri: uri, method: method, headers: [.contentType: "application/json"], body: body)
                #expect(anonymous.status == .unauthorized, "\(route.method) \(route.path) without a token answered \(anonymous.status)")
                for role in Role.allCases {
                    // Signing out would end the session the next routes use; check it with its own token below.
                    if route.path == "/v1/auth/sessions/current" { continue }
                    let response = try await client.execute(uri: uri, method: method,
                                                            headers: [.contentType: "application/json", .authorization: "Bearer \(tokens[role]!)"],
                                                            body: body)
                    if route.roles!.contains(role.rawValue) {
                        #expect(response.status != .unauthorized && response.status != .forbidden,
                                "\(role.rawValue) may call \(route.method) \(route.path) but got \(response.status)")
                    } else {
                        #expect(response.status == .forbidden, "\(role.rawValue) must not call \(route.method) \(route.path) but got \(response.status)")
                    }
                    checked += 1
                }
            }
            let logout = try await client.execute(uri: "/v1/auth/sessions/current", method: .delete, headers: [.authorization: "Bearer \(tokens[.operator]!)"])
            #expect(logout.status == .noContent)
            let after = try await client.execute(uri: "/v1/auth/me", method: .get, headers: [.authorization: "Bearer \(tokens[.operator]!)"])
            #expect(after.status == .unauthorized, "a signed-out session's access token is refused")
            return checked
        }
        #expect(checked == (routes.count - 1) * Role.allCases.count)
        try await t.finish()
    }
}
