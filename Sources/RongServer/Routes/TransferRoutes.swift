import Accounts
import BankKit
import HTTPTypes
import Hummingbird
import Identity
import Interbank
import Payments

/// Transfers to other banks through the clearing house, and saved payees (`/v1/me`).
struct TransferRoutes {
    let platform: RongPlatform
    let auth: Authenticator

    struct TransferInput: Decodable {
        let payeeName: String
        let payeeAccountNumber: String
        let payeeBankCode: String
        let amountFen: Int64
        let timing: String?
        let memo: String?
        let otpChallengeId: String?
        let otpCode: String?
    }
    struct PayeeInput: Decodable {
        let payeeName: String
        let payeeAccountNumber: String
        let payeeBankCode: String
        let otpChallengeId: String
        let otpCode: String
    }

    func register(on router: Router<RongRequestContext>) {
        let payments = platform.payments
        router.post("v1/me/accounts/:id/interbank-transfers") { request, context -> InterbankTransferBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: TransferInput.self, context: context)
            guard let timing = TransferTiming(rawValue: input.timing ?? "real_time") else {
                throw DomainError(.invalidRequest, "timing is real_time, two_hours or next_day.", status: 422, extensions: ["field": .string("timing")])
            }
            return InterbankTransferBody(try await payments.transferToOtherBank(
                principal, accountID: try context.id("id"),
                creditor: ClearingParty(name: input.payeeName, accountNumber: input.payeeAccountNumber, bankCode: input.payeeBankCode),
                amountFen: input.amountFen, timing: timing, memo: input.memo, otpChallengeID: try input.otpChallengeId.map { try RongID($0) },
                otpCode: input.otpCode, idempotencyKey: request.headers[.idempotencyKey], address: context.clientAddress))
        }
        router.get("v1/me/interbank-transfers") { request, _ -> ListBody<InterbankTransferBody> in
            let principal = try await auth.require(request, .customer)
            return ListBody(data: try await payments.interbankTransfers(principal, limit: try CustomerRoutes.pageLimit(request)).map(InterbankTransferBody.init),
                            hasMore: false, nextCursor: nil)
        }
        router.get("v1/me/interbank-transfers/:id") { request, context -> InterbankTransferBody in
            let principal = try await auth.require(request, .customer)
            return InterbankTransferBody(try await payments.interbankTransfer(principal, id: try context.id("id")))
        }
        router.get("v1/me/payees") { request, _ -> ListBody<PayeeBody> in
            let principal = try await auth.require(request, .customer)
            return ListBody(data: try await payments.payees(principal).map(PayeeBody.init), hasMore: false, nextCursor: nil)
        }
        router.post("v1/me/payees") { request, context -> PayeeBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: PayeeInput.self, context: context)
            return PayeeBody(try await payments.addPayee(
                principal, creditor: ClearingParty(name: input.payeeName, accountNumber: input.payeeAccountNumber, bankCode: input.payeeBankCode),
                otpChallengeID: try RongID(input.otpChallengeId), otpCode: input.otpCode, address: context.clientAddress))
        }
    }
}

struct InterbankTransferBody: ResponseEncodable {
    let object = "interbank_transfer"
    let id: String
    let accountId: String
    let amountFen: Int64
    let amountFormatted: String
    let currency = "CNY"
    let payeeName: String
    let payeeAccountMasked: String
    let payeeBankCode: String
    let memo: String
    let timing: String
    let status: String
    let releaseAt: String
    let clearingPath: String?
    let failureCode: String?
    let failureDetail: String?
    let createdAt: String
    let sentAt: String?
    let settledAt: String?

    init(_ transfer: InterbankTransfer) {
        id = transfer.id.description
        accountId = transfer.eAccountID.description
        amountFen = transfer.amountFen
        amountFormatted = Money.fen(transfer.amountFen).formatted
        payeeName = transfer.creditor.name
        payeeAccountMasked = AccountNumberFormat.masked(transfer.creditor.accountNumber)
        payeeBankCode = transfer.creditor.bankCode
        memo = transfer.memo
        timing = transfer.timing.rawValue
        status = transfer.status.rawValue
        releaseAt = transfer.releaseAt.description
        clearingPath = transfer.path?.rawValue
        failureCode = transfer.failureCode
        failureDetail = transfer.failureDetail
        createdAt = transfer.createdAt.description
        sentAt = transfer.sentAt?.description
        settledAt = transfer.settledAt?.description
    }
}

struct PayeeBody: ResponseEncodable {
    let object = "payee"
    let id: String
    let name: String
    let accountNumberMasked: String
    let bankCode: String
    let createdAt: String

    init(_ payee: Payee) {
        id = payee.id.description
        name = payee.name
        accountNumberMasked = AccountNumberFormat.masked(payee.accountNumber)
        bankCode = payee.bankCode
        createdAt = payee.createdAt.description
    }
}
