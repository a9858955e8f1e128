import Accounts
import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Lending
import RongServer
import Testing

/// The financing API as an app drives it: the customer's offer, quote, acceptance, loan and
/// repayment; refusals as problem+json with stable codes; the operators' book and delinquency.
@Suite struct LendingHTTPTests: PageSuite {
    static let json: HTTPFields = [.contentType: "application/json"]

    func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, token: String,
              key: String? = nil) async throws -> TestResponse {
        var headers = LendingHTTPTests.json
        headers[.authorization] = "Bearer \(token)"
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    func signIn(_ client: some TestClientProtocol, mobile: String, password: String, realm: String = "retail") async throws -> String {
        let response = try await client.execute(uri: "/v1/auth/sessions", method: .post, headers: LendingHTTPTests.json,
                                                body: ByteBuffer(string: #"{"mobile":"\#(mobile)","password":"\#(password)","realm":"\#(realm)"}"#))
        return try #require(try object(response)["access_token"] as? String)
    }

    @Test func offerQuoteAcceptRepayOverHTTP() async throws {
        let t = try await TestPlatform.make()
        let s = try await LendingScenario.make(t)
        let order = try await s.purchase(2_400_00, number: "H-0001")
        let offer = try await s.offer(for: order)
        _ = try await t.identity.createStaff(by: nil, role: .operator, mobile: "13800001001", displayName: "运营", password: "Staff2026pw", address: "test")
        try await t.withApp { client in
            let token = try await signIn(client, mobile: s.mobile, password: "Rong2026pass")
            let credit = try object(try await call(client, .get, "/v1/me/credit", token: token))
            #expect(credit["approved"] as? Bool == true)
            let offers = try #require(try object(try await call(client, .get, "/v1/me/loan-offers", token: token))["data"] as? [[String: Any]])
            #expect(offers.first?["id"] as? String == offer.id.description)

            // The quote: 12 flat-fee instalments of ¥214.40 (¥200 + 0.60% × ¥2,400), ¥172.80 in fees.
            let quote = try object(try await call(client, .get, "/v1/me/loan-offers/\(offer.id)/quote?term_months=12&pricing=flat_fee", token: token))
            #expect(quote["total_cost_fen"] as? Int == 172_80)
            #expect((quote["schedule"] as? [[String: Any]])?.count == 12)
            #expect((quote["schedule"] as? [[String: Any]])?.first?["amount_fen"] as? Int == 214_40)
            #expect((quote["apr_percent"] as? String).map { !$0.isEmpty } == true)
            let badTerm = try await call(client, .get, "/v1/me/loan-offers/\(offer.id)/quote?term_months=7", token: token)
            #expect(try badTerm.status.code == 422 && (try object(badTerm))["code"] as? String == "term_not_offered")

            let accepted = try await call(client, .post, "/v1/me/loan-offers/\(offer.id)/accept", #"{"term_months":12,"pricing":"flat_fee"}"#, token: token)
            #expect(accepted.status == .ok)
            let loan = try object(accepted)
            let loanID = try #require(loan["id"] as? String)
            #expect(loan["outstanding_principal_fen"] as? Int == 2_400_00)
            let twice = try await call(client, .post, "/v1/me/loan-offers/\(offer.id)/accept", #"{"term_months":6,"pricing":"flat_fee"}"#, token: token)
            #expect(try twice.status.code == 409 && (try object(twice))["code"] as? String == "offer_already_accepted")

            // Repayments need a key; more principal than is outstanding is refused.
            let noKey = try await call(client, .post, "/v1/me/loans/\(loanID)/repayments", #"{"principal_fen":100000}"#, token: token)
            #expect(noKey.status.code == 400 || noKey.status.code == 422)
            let over = try await call(client, .post, "/v1/me/loans/\(loanID)/repayments", #"{"principal_fen":240001}"#, token: token, key: "over")
            #expect(try over.status.code == 422 && (try object(over))["code"] as? String == "repayment_exceeds_outstanding")
            let repayQuote = try object(try await call(client, .get, "/v1/me/loans/\(loanID)/repayment-quote?principal_fen=100000", token: token))
            #expect(repayQuote["total_fen"] as? Int == 1_000_00)
            let repaid = try object(try await call(client, .post, "/v1/me/loans/\(loanID)/repayments", #"{"principal_fen":100000}"#, token: token, key: "p1"))
            #expect(repaid["outstanding_principal_fen"] as? Int == 1_400_00)
            let paidOff = try object(try await call(client, .post, "/v1/me/loans/\(loanID)/repayments", #"{"full":true}"#, token: token, key: "p2"))
            #expect(paidOff["status"] as? String == "paid_off")

            // Operators: the book and the delinquency report; customers may not see them.
            let staff = try await signIn(client, mobile: "13800001001", password: "Staff2026pw", realm: "staff")
            let report = try object(try await call(client, .get, "/v1/staff/lending/delinquency", token: staff))
            #expect((report["rows"] as? [[String: Any]])?.count == 5)
            let dossier = try object(try await call(client, .get, "/v1/staff/lending/loans/\(loanID)", token: staff))
            #expect((dossier["decision"] as? [String: Any])?["inputs"] != nil)
            let forbidden = try await call(client, .get, "/v1/staff/lending/delinquency", token: token)
            #expect(forbidden.status == .forbidden)
        }
    }
}
