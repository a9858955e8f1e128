import Accounts
import BankKit
import HTTPTypes
import Hummingbird
import Identity
import Ledger

/// The staff console's API (`/v1/staff`): customers, accounts, freezes, the audit log, staff
/// users and read-only ledger access. Every read of a customer is itself audited.
struct StaffRoutes {
    let platform: RongPlatform
    let auth: Authenticator

    struct EnrolInput: Decodable {
        let name: String
        let idNumber: String
        let mobile: String
        let password: String
    }
    struct ClassIInput: Decodable { let cashDepositFen: Int64? }
    struct FreezeInput: Decodable { let kind: String; let reason: String }
    struct ReasonInput: Decodable { let reason: String }
    struct StaffInput: Decodable {
        let role: String
        let mobile: String
        let name: String
        let password: String
    }

    func register(on router: Router<RongRequestContext>) {
        let accounts = platform.accounts
        let identity = platform.identity
        router.get("v1/staff/customers") { request, context -> ListBody<CustomerBody> in
            let staff = try await auth.require(request, .staff)
            let found = try await accounts.searchCustomers(by: staff, query: request.uri.queryParameters.get("q") ?? "", address: context.clientAddress)
            return ListBody(data: found.map(CustomerBody.init), hasMore: false, nextCursor: nil)
        }
        router.post("v1/staff/customers") { request, context -> CustomerBody in
            let staff = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: EnrolInput.self, context: context)
            return CustomerBody(try await accounts.enrolAtCounter(by: staff, name: input.name, idNumber: input.idNumber, mobile: input.mobile,
                                                                  password: input.password, address: context.clientAddress))
        }
        router.get("v1/staff/customers/:id") { request, context -> CustomerDetailBody in
            let staff = try await auth.require(request, .staff)
            return CustomerDetailBody(try await accounts.customerDetail(by: staff, customerID: try context.id("id"), address: context.clientAddress))
        }
        router.post("v1/staff/customers/:id/class-i-accounts") { request, context -> EAccountBody in
            let staff = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: ClassIInput.self, context: context)
            let account = try await accounts.openClassIAccount(by: staff, customerID: try context.id("id"), cashDepositFen: input.cashDepositFen ?? 0, idempotencyKey: request.headers[.idempotencyKey],
                                                               address: context.clientAddress)
            return EAccountBody(try await accounts.view(account))
        }
        router.get("v1/staff/accounts/:id") { request, context -> EAccountBody in
            let staff = try await auth.require(request, .staff)
            return EAccountBody(try await accounts.accountDetail(by: staff, accountID: try context.id("id")))
        }
        router.post("v1/staff/accounts/:id/freeze") { request, context -> FreezeBody in
            let staff = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: FreezeInput.self, context: context)
            guard let kind = Freeze.Kind(rawValue: input.kind) else {
                throw DomainError(.invalidRequest, "kind is judicial or fraud.", status: 422, extensions: ["field": .string("kind")])
            }
            return FreezeBody(try await accounts.freeze(by: staff, accountID: try context.id("id"), kind: kind, reason: input.reason,
                                                        address: context.clientAddress))
        }
        router.post("v1/staff/accounts/:id/unfreeze") { request, context -> EAccountBody in
            let staff = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: ReasonInput.self, context: context)
            let account = try await accounts.unfreeze(by: staff, accountID: try context.id("id"), reason: input.reason, address: context.clientAddress)
            return EAccountBody(try await accounts.view(account))
        }
        router.get("v1/staff/audit") { request, _ -> ListBody<AuditEventBody> in
            _ = try await auth.require(request, .admin)
            let query = request.uri.queryParameters
            let before = try query.get("before").map { text -> Int64 in
                guard let value = Int64(text), value > 0 else {
                    throw DomainError(.invalidRequest, "before is a positive sequence number.", status: 422, extensions: ["field": .string("before")])
                }
                return value
            }
            let limit = try CustomerRoutes.pageLimit(request)
            let events = try await identity.audit.list(actor: query.get("actor"), target: query.get("target"), action: query.get("action"),
                                                       before: before, limit: limit)
            return ListBody(data: events.map(AuditEventBody.init), hasMore: events.count == limit, nextCursor: events.last.map { String($0.seq) })
        }
        router.get("v1/staff/users") { request, _ -> ListBody<UserBody> in
            _ = try await auth.require(request, .admin)
            return ListBody(data: try await identity.staff().map(UserBody.init), hasMore: false, nextCursor: nil)
        }
        router.post("v1/staff/users") { request, context -> UserBody in
            let admin = try await auth.require(request, .admin)
            let input = try await request.decodeJSON(as: StaffInput.self, context: context)
            return UserBody(try await identity.createStaff(by: admin, role: try Role.parse(input.role), mobile: input.mobile, displayName: input.name,
                                                           password: input.password, address: context.clientAddress))
        }
        // Read-only ledger access for operators and admins (the service-key API stays for machines).
        router.get("v1/staff/ledger/accounts/:id") { request, context -> AccountBody in
            let staff = try await auth.require(request, .operators)
            let id = try context.id("id")
            try await identity.audit.record(actor: staff.actorRef, action: "ledger.view", target: "ledger_account:\(id)", address: context.clientAddress)
            guard let account = try await platform.ledger.account(id) else { throw DomainError.notFound("Account \(id)") }
            return AccountBody(account)
        }
        router.get("v1/staff/ledger/accounts/:id/statement") { request, context -> ListBody<StatementEntryBody> in
            let staff = try await auth.require(request, .operators)
            let id = try context.id("id")
            try await identity.audit.record(actor: staff.actorRef, action: "ledger.statement", target: "ledger_account:\(id)", address: context.clientAddress)
            return try await LedgerRoutes.statement(platform.ledger, id: id, request: request)
        }
        router.get("v1/staff/ledger/transfers/:id") { request, context -> TransferBody in
            let staff = try await auth.require(request, .operators)
            let id = try context.id("id")
            try await identity.audit.record(actor: staff.actorRef, action: "ledger.transfer", target: "ledger_transfer:\(id)", address: context.clientAddress)
            guard let transfer = try await platform.ledger.transfer(id) else { throw DomainError.notFound("Transfer \(id)") }
            return TransferBody(transfer)
        }
    }
}
