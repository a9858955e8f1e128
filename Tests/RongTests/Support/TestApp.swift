import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RongServer
import Testing

extension TestPlatform {
    static let ledgerAPIKey = "test-ledger-key-0123456789abcdef"

    /// Runs `body` against the real application in memory on this platform, then ends the
    /// scenario (the ledger invariant must hold) whether `body` passed or not.
    func withApp(devPages: Bool = false, ledgerAPIKey: String = TestPlatform.ledgerAPIKey,
                 _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var config = RongConfig()
        config.logLevel = .warning
        config.devPages = devPages
        let app = try await buildApplication(platform: platform, config: config, ledgerAPIKey: ledgerAPIKey, backgroundServices: false)
        do {
            try await app.test(.router) { client in try await body(client) }
        } catch {
            try? await finish()
            throw error
        }
        try await finish()
    }
}

/// Suites that drive the server-rendered pages: a fresh app, form posts, cookies, hidden fields.
protocol PageSuite {}

extension PageSuite {
    /// Runs `body` against the real application on a fresh platform.
    func withApp(devPages: Bool = false, _ body: @escaping @Sendable (any TestClientProtocol, TestPlatform) async throws -> Void) async throws {
        let t = try await TestPlatform.make()
        try await t.withApp(devPages: devPages) { client in try await body(client, t) }
    }

    func post(_ client: some TestClientProtocol, _ uri: String, _ fields: [(String, String)], cookie: String? = nil) async throws -> TestResponse {
        var headers = PageTests.formType
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: PageTests.encode(fields))
    }

    func get(_ client: some TestClientProtocol, _ uri: String, cookie: String? = nil) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: cookie.map { [.cookie: $0] } ?? [:])
    }

    /// The session cookies a sign-in answer set, as a `Cookie` header.
    func sessionCookie(_ response: TestResponse) -> String {
        let values = PageTests.cookies(response).values
        return "rong_at=\(values["rong_at"] ?? ""); rong_rt=\(values["rong_rt"] ?? "")"
    }

    /// The value of the hidden input `name` in a page.
    func hidden(_ html: String, _ name: String) throws -> String {
        let pattern = #"name="\#(name)" value="([^"]*)""#
        let match = try #require(html.range(of: pattern, options: .regularExpression))
        return String(html[match].dropFirst("name=\"\(name)\" value=\"".count).dropLast())
    }
}
