import Accounts
import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Interbank
import RongServer
import Testing

/// The onboarding journey through the HTTP API, as a mobile app would drive it.
@Suite struct OnboardingAPITests {
    static let json: HTTPFields = [.contentType: "application/json"]

    func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, token: String? = nil, key: String? = nil) async throws -> TestResponse {
        var headers = OnboardingAPITests.json
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    func get(_ client: some TestClientProtocol, _ uri: String, token: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"])
    }

    func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func registerBindOpenFundAndReadTheStatement() async throws {
        let t = try await TestPlatform.make()
        let person = InterbankSimulator.browserTestZhaoMin
        try await t.withApp { client in
            // Registration: a code by SMS, then real-name data.
            let challenge = try object(try await post(client, "/v1/registrations/otp", #"{"mobile":"\#(person.mobile)"}"#))
            let code = try await t.lastCode(person.mobile)
            let badID = try await post(client, "/v1/registrations", """
                {"mobile":"\(person.mobile)","otp_challenge_id":"\(challenge["id"]!)","otp_code":"\(code)","name":"\(person.holderName)",
                 "id_number":"440306199506120025","password":"Zhao2026min","terms_accepted":true}
                """)
            #expect(badID.status == .unprocessableContent)
            let problem = try object(badID)
            #expect(problem["code"] as? String == "invalid_id_number")
            #expect(problem["field"] as? String == "id_number")
            let registered = try await post(client, "/v1/registrations", """
                {"mobile":"\(person.mobile)","otp_challenge_id":"\(challenge["id"]!)","otp_code":"\(code)","name":"\(person.holderName)",
                 "id_number":"\(person.idNumber)","password":"Zhao2026min","terms_accepted":true}
                """)
            #expect(registered.status == .ok)
            let session = try #require(try object(registered)["session"] as? [String: Any])
            let token = try #require(session["access_token"] as? String)

            // Bind the ABC card with a step-up code.
            let bindChallenge = try object(try await post(client, "/v1/me/bound-accounts/otp",
                                                          #"{"bank_code":"103","account_number":"\#(person.accountNumber)"}"#, token: token))
            let bound = try await post(client, "/v1/me/bound-accounts", """
                {"bank_code":"103","account_number":"\(person.accountNumber)","otp_challenge_id":"\(bindChallenge["id"]!)","otp_code":"\(try await t.lastCode(person.mobile))"}
                """, token: token)
            #expect(bound.status == .ok)
            let boundID = try #require(try object(bound)["id"] as? String)

            // Open a Class II e-account and fund it from the card.
            let opened = try await post(client, "/v1/me/accounts", #"{"account_class":"II","bound_account_id":"\#(boundID)"}"#, token: token)
            #expect(opened.status == .ok)
            let account = try object(opened)
            let accountID = try #require(account["id"] as? String)
            let number = try #require(account["account_number"] as? String)
            #expect(number.hasPrefix(ThisBank.eAccountPrefix) && number.count == 19 && Luhn.isValid(number))

            let noKey = try await post(client, "/v1/me/accounts/\(accountID)/fundings", #"{"amount_fen":123456}"#, token: token)
            #expect(noKey.status == .badRequest, "money moves only with an Idempotency-Key")
            let funded = try await post(client, "/v1/me/accounts/\(accountID)/fundings", #"{"amount_fen":123456}"#, token: token, key: "fund-1")
            #expect(funded.status == .ok)
            #expect(try object(funded)["status"] as? String == "completed")
            let again = try await post(client, "/v1/me/accounts/\(accountID)/fundings", #"{"amount_fen":123456}"#, token: token, key: "fund-1")
            #expect(try object(again)["id"] as? String == (try object(funded)["id"] as? String))
            let conflict = try await post(client, "/v1/me/accounts/\(accountID)/fundings", #"{"amount_fen":100}"#, token: token, key: "fund-1")
            #expect(conflict.status == .conflict)

            let detail = try object(try await get(client, "/v1/me/accounts/\(accountID)", token: token))
            #expect(detail["balance_fen"] as? Int == 123456)
            #expect(detail["balance_formatted"] as? String == "¥1,234.56")
            let statement = try object(try await get(client, "/v1/me/accounts/\(accountID)/statement", token: token))
            let lines = try #require(statement["data"] as? [[String: Any]])
            #expect(lines.count == 1)
            #expect(lines.first?["amount_formatted"] as? String == "+¥1,234.56")
            #expect(lines.first?["balance_after_fen"] as? Int == 123456)
            #expect(try await t.platform.interbankSimulator.balance(bankCode: "103", accountNumber: person.accountNumber) == 100_000_00 - 123456)

            // Another customer cannot see this account: 404, not 403.
            let other = try await t.register(name: "钱多", idNumber: ResidentIDs.make(birth: "19880808", sequence: 31), mobile: "13655556666")
            let foreign = try await get(client, "/v1/me/accounts/\(accountID)", token: other.1.accessToken)
            #expect(foreign.status == .notFound)
            let foreignFunding = try await post(client, "/v1/me/accounts/\(accountID)/fundings", #"{"amount_fen":1}"#, token: other.1.accessToken, key: "x")
            #expect(foreignFunding.status == .notFound)
        }
    }
}
