import Accounts
import BankKit
import Hummingbird
import Interbank

struct CustomerBody: ResponseEncodable {
    let object = "customer"
    let id: String
    let name: String
    let idNumberMasked: String
    let mobileMasked: String
    let birthDate: String
    let branchCode: String
    let status: String
    let createdAt: String

    init(_ customer: Customer) {
        id = customer.id.description
        name = customer.name
        idNumberMasked = customer.idNumberMasked
        mobileMasked = customer.mobileMasked
        birthDate = customer.birthDate.iso
        branchCode = customer.branchCode
        status = customer.status
        createdAt = customer.createdAt.description
    }
}

struct RegistrationBody: ResponseEncodable {
    let object = "registration"
    let customer: CustomerBody
    let session: SessionBody
}

struct BoundAccountBody: ResponseEncodable {
    let object = "bound_account"
    let id: String
    let bankCode: String
    let bankName: String
    let accountNumberMasked: String
    let status: String
    let boundAt: String

    init(_ bound: BoundAccount) {
        id = bound.id.description
        bankCode = bound.bankCode
        bankName = bound.bankName
        accountNumberMasked = bound.accountNumberMasked
        status = bound.status
        boundAt = bound.boundAt.description
    }
}

struct LimitBody: Encodable, Sendable {
    let limit: String
    let direction: String
    let period: String
    let limitFen: Int64
    let usedFen: Int64
    let remainingFen: Int64
}

struct EAccountBody: ResponseEncodable {
    let object = "account"
    let id: String
    let customerId: String
    let accountClass: String
    let accountNumber: String
    let boundAccountId: String?
    let status: String
    let openedAt: String
    let openedChannel: String
    let currency = "CNY"
    let balanceFen: Int64
    let availableFen: Int64
    let balanceFormatted: String
    let limits: [LimitBody]?

    init(_ view: EAccountView, limits: [LimitBody]? = nil) {
        let account = view.account
        id = account.id.description
        customerId = account.customerID.description
        accountClass = account.accountClass.rawValue
        accountNumber = account.accountNumber
        boundAccountId = account.boundAccountID?.description
        status = account.status
        openedAt = account.openedAt.description
        openedChannel = account.openedChannel
        balanceFen = view.balanceFen
        availableFen = view.availableFen
        balanceFormatted = Money.fen(view.balanceFen).formatted
        self.limits = limits
    }
}

struct StatementLineBody: Encodable, Sendable {
    let transferId: String
    let at: String
    let amountFen: Int64
    let amountFormatted: String
    let balanceAfterFen: Int64
    let balanceAfterFormatted: String
    let memo: String
    let code: Int
    let cursor: String

    init(_ line: StatementLine) {
        transferId = line.transferID.description
        at = line.at.description
        amountFen = line.amountFen
        amountFormatted = (line.amountFen > 0 ? "+" : "") + Money.fen(line.amountFen).formatted
        balanceAfterFen = line.balanceAfterFen
        balanceAfterFormatted = Money.fen(line.balanceAfterFen).formatted
        memo = line.memo
        code = line.code
        cursor = line.cursor
    }
}

struct MovementBody: ResponseEncodable {
    let object = "movement"
    let id: String
    let accountId: String
    let kind: String
    let amountFen: Int64
    let currency = "CNY"
    let counterpartyAccountMasked: String
    let counterpartyName: String
    let counterpartyBank: String
    let status: String
    let failureCode: String?
    let ledgerTransferId: String?
    let createdAt: String
    let completedAt: String?

    init(_ movement: Movement) {
        id = movement.id.description
        accountId = movement.eAccountID.description
        kind = movement.kind.rawValue
        amountFen = movement.amountFen
        counterpartyAccountMasked = AccountNumberFormat.masked(movement.counterpartyAccount)
        counterpartyName = movement.counterpartyName
        counterpartyBank = movement.counterpartyBank
        status = movement.status.rawValue
        failureCode = movement.failureCode
        ledgerTransferId = movement.ledgerTransferID?.description
        createdAt = movement.createdAt.description
        completedAt = movement.completedAt?.description
    }
}

struct FreezeBody: ResponseEncodable {
    let object = "freeze"
    let id: String
    let accountId: String
    let kind: String
    let reason: String
    let frozenBy: String
    let frozenAt: String
    let releasedBy: String?
    let releasedAt: String?

    init(_ freeze: Freeze) {
        id = freeze.id.description
        accountId = freeze.eAccountID.description
        kind = freeze.kind.rawValue
        reason = freeze.reason
        frozenBy = freeze.frozenBy
        frozenAt = freeze.frozenAt.description
        releasedBy = freeze.releasedBy
        releasedAt = freeze.releasedAt?.description
    }
}

struct CustomerDetailBody: ResponseEncodable {
    let object = "customer_detail"
    let customer: CustomerBody
    let accounts: [EAccountBody]
    let boundAccounts: [BoundAccountBody]
    let freezes: [FreezeBody]

    init(_ detail: CustomerDetail) {
        customer = CustomerBody(detail.customer)
        accounts = detail.accounts.map { EAccountBody($0) }
        boundAccounts = detail.boundAccounts.map(BoundAccountBody.init)
        freezes = detail.freezes.map(FreezeBody.init)
    }
}

struct BankBody: Encodable, Sendable {
    let bankCode: String
    let name: String
    let nameEnglish: String

    init(_ participant: Participant) {
        bankCode = participant.bankCode
        name = participant.name
        nameEnglish = participant.nameEnglish
    }
}
