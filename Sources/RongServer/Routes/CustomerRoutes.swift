import Accounts
import BankKit
import HTTPTypes
import Hummingbird
import Identity
import Interbank

/// The customer's own profile, bound accounts, e-accounts and their movements (`/v1/me`).
/// Every id in a path is checked against the caller: another customer's account answers 404.
struct CustomerRoutes {
    let platform: RongPlatform
    let auth: Authenticator

    struct BindCodeInput: Decodable { let bankCode: String; let accountNumber: String }
    struct BindInput: Decodable {
        let bankCode: String
        let accountNumber: String
        let otpChallengeId: String
        let otpCode: String
    }
    struct OpenInput: Decodable { let accountClass: String; let boundAccountId: String }
    struct AmountInput: Decodable { let amountFen: Int64 }
    struct TransferInput: Decodable {
        let payeeAccountNumber: String
        let payeeName: String
        let amountFen: Int64
        let memo: String?
        let otpChallengeId: String?
        let otpCode: String?
    }
    struct PayeeCodeInput: Decodable {
        let payeeAccountNumber: String
        /// Omitted or this bank's code: a payee here; another bank's: a saved interbank payee.
        let payeeBankCode: String?
        let payeeName: String?
    }

    func register(on router: Router<RongRequestContext>) {
        let accounts = platform.accounts
        router.get("v1/banks") { _, _ -> ListBody<BankBody> in
            let banks = try await accounts.interbank.participants().map(BankBody.init)
            return ListBody(data: banks, hasMore: false, nextCursor: nil)
        }
        router.get("v1/me") { request, _ -> CustomerBody in
            CustomerBody(try await accounts.customer(of: try await auth.require(request, .customer)))
        }
        router.get("v1/me/bound-accounts") { request, _ -> ListBody<BoundAccountBody> in
            let customer = try await accounts.customer(of: try await auth.require(request, .customer))
            return ListBody(data: try await accounts.boundAccounts(of: customer).map(BoundAccountBody.init), hasMore: false, nextCursor: nil)
        }
        router.post("v1/me/bound-accounts/otp") { request, context -> ChallengeBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: BindCodeInput.self, context: context)
            return ChallengeBody(try await accounts.requestBindCode(principal, bankCode: input.bankCode, accountNumber: input.accountNumber))
        }
        router.post("v1/me/bound-accounts") { request, context -> BoundAccountBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: BindInput.self, context: context)
            return BoundAccountBody(try await accounts.bindAccount(principal, bankCode: input.bankCode, accountNumber: input.accountNumber,
                                                                   otpChallengeID: try RongID(input.otpChallengeId), otpCode: input.otpCode,
                                                                   address: context.clientAddress))
        }
        router.get("v1/me/accounts") { request, _ -> ListBody<EAccountBody> in
            let customer = try await accounts.customer(of: try await auth.require(request, .customer))
            return ListBody(data: try await accounts.accounts(of: customer).map { EAccountBody($0) }, hasMore: false, nextCursor: nil)
        }
        router.post("v1/me/accounts") { request, context -> EAccountBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: OpenInput.self, context: context)
            let account = try await accounts.openEAccount(principal, accountClass: try AccountClass.parse(input.accountClass),
                                                          boundAccountID: try RongID(input.boundAccountId), address: context.clientAddress)
            return EAccountBody(try await accounts.view(account))
        }
        router.get("v1/me/accounts/:id") { request, context -> EAccountBody in
            let principal = try await auth.require(request, .customer)
            let view = try await accounts.accountView(principal, id: try context.id("id"))
            let limits = try await accounts.limitUsage(view.account).map {
                LimitBody(limit: $0.rule.name, direction: $0.rule.direction.rawValue, period: $0.rule.period.rawValue,
                          limitFen: $0.rule.limitFen, usedFen: $0.usedFen, remainingFen: $0.remainingFen)
            }
            return EAccountBody(view, limits: limits)
        }
        router.get("v1/me/accounts/:id/statement") { request, context -> ListBody<StatementLineBody> in
            let principal = try await auth.require(request, .customer)
            let limit = try CustomerRoutes.pageLimit(request)
            let page = try await accounts.statement(principal, id: try context.id("id"), cursor: request.uri.queryParameters.get("starting_after"),
                                                    limit: limit)
            return ListBody(data: page.lines.map(StatementLineBody.init), hasMore: page.next != nil, nextCursor: page.next)
        }
        router.get("v1/me/accounts/:id/movements") { request, context -> ListBody<MovementBody> in
            let principal = try await auth.require(request, .customer)
            let movements = try await accounts.movements(principal, accountID: try context.id("id"), limit: try CustomerRoutes.pageLimit(request))
            return ListBody(data: movements.map(MovementBody.init), hasMore: false, nextCursor: nil)
        }
        router.post("v1/me/accounts/:id/fundings") { request, context -> MovementBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: AmountInput.self, context: context)
            return MovementBody(try await accounts.fund(principal, accountID: try context.id("id"), amountFen: input.amountFen,
                                                        idempotencyKey: request.headers[.idempotencyKey], address: context.clientAddress))
        }
        router.post("v1/me/accounts/:id/withdrawals") { request, context -> MovementBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: AmountInput.self, context: context)
            return MovementBody(try await accounts.withdraw(principal, accountID: try context.id("id"), amountFen: input.amountFen,
                                                            idempotencyKey: request.headers[.idempotencyKey], address: context.clientAddress))
        }
        router.post("v1/me/accounts/:id/close") { request, context -> EAccountBody in
            let principal = try await auth.require(request, .customer)
            return EAccountBody(try await accounts.closeEAccount(principal, accountID: try context.id("id"), idempotencyKey: request.headers[.idempotencyKey],
                                                                 address: context.clientAddress))
        }
        router.post("v1/me/accounts/:id/transfers") { request, context -> MovementBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: TransferInput.self, context: context)
            return MovementBody(try await accounts.transfer(
                principal, accountID: try context.id("id"), payeeAccountNumber: input.payeeAccountNumber, payeeName: input.payeeName,
                amountFen: input.amountFen, memo: input.memo, otpChallengeID: try input.otpChallengeId.map { try RongID($0) }, otpCode: input.otpCode,
                idempotencyKey: request.headers[.idempotencyKey], address: context.clientAddress))
        }
        router.post("v1/me/payees/otp") { request, context -> ChallengeBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: PayeeCodeInput.self, context: context)
            if let bank = input.payeeBankCode, bank != ThisBank.bankCode {
                return ChallengeBody(try await platform.payments.requestPayeeCode(
                    principal, creditor: ClearingParty(name: input.payeeName ?? "", accountNumber: input.payeeAccountNumber, bankCode: bank)))
            }
            return ChallengeBody(try await accounts.requestNewPayeeCode(principal, payeeAccountNumber: input.payeeAccountNumber))
        }
    }

    static func pageLimit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return 50 }
        guard let value = Int(text), (1...200).contains(value) else {
            throw DomainError(.invalidRequest, "limit must be 1–200.", status: 422, extensions: ["field": .string("limit")])
        }
        return value
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
