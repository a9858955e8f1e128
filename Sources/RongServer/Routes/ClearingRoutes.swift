import BankKit
import Hummingbird
import Identity
import Interbank
import Payments

/// Operators' view of transfers to other banks and of the daily reconciliation (`/v1/staff`).
struct ClearingRoutes {
    let platform: RongPlatform
    let auth: Authenticator

    struct ResolveInput: Decodable { let resolution: String }

    func register(on router: Router<RongRequestContext>) {
        let payments = platform.payments
        router.get("v1/staff/interbank-transfers") { request, _ -> ListBody<InterbankTransferBody> in
            _ = try await auth.require(request, .operators)
            let status = try request.uri.queryParameters.get("status").map { text -> InterbankTransfer.Status in
                guard let status = InterbankTransfer.Status(rawValue: text) else {
                    throw DomainError(.invalidRequest, "status is one of \(InterbankTransfer.Status.allCases.map(\.rawValue).joined(separator: ", ")).",
                                      status: 422, extensions: ["field": .string("status")])
                }
                return status
            }
            let transfers = try await payments.allInterbankTransfers(status: status, limit: try CustomerRoutes.pageLimit(request))
            return ListBody(data: transfers.map(InterbankTransferBody.init), hasMore: false, nextCursor: nil)
        }
        router.get("v1/staff/reconciliation/breaks") { request, _ -> ListBody<BreakBody> in
            _ = try await auth.require(request, .operators)
            let date = try request.uri.queryParameters.get("date").map { try BusinessDate(iso: String($0)) }
            return ListBody(data: try await payments.reconciliationBreaks(date: date).map(BreakBody.init), hasMore: false, nextCursor: nil)
        }
        router.post("v1/staff/reconciliation/runs") { request, context -> ReconciliationRunBody in
            _ = try await auth.require(request, .operators)
            struct Input: Decodable { let date: String }
            let input = try await request.decodeJSON(as: Input.self, context: context)
            let result = try await payments.reconcile(date: try BusinessDate(iso: input.date))
            return ReconciliationRunBody(date: input.date, matched: result.matched, breaks: result.breaks.map(BreakBody.init))
        }
        router.post("v1/staff/reconciliation/breaks/:id/resolve") { request, context -> BreakBody in
            let staff = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: ResolveInput.self, context: context)
            return BreakBody(try await payments.resolveBreak(by: staff, id: try context.id("id"), resolution: input.resolution, address: context.clientAddress))
        }
    }
}

struct BreakBody: ResponseEncodable {
    let object = "reconciliation_break"
    let id: String
    let businessDate: String
    let kind: String
    let movement: String
    let rongAmountFen: Int64?
    let clearingAmountFen: Int64?
    let detail: String
    let status: String
    let resolution: String?
    let resolvedBy: String?
    let resolvedAt: String?

    init(_ item: ReconciliationBreak) {
        id = item.id.description
        businessDate = item.businessDate.iso
        kind = item.kind.rawValue
        movement = item.movement
        rongAmountFen = item.rongAmountFen
        clearingAmountFen = item.clearingAmountFen
        detail = item.detail
        status = item.status
        resolution = item.resolution
        resolvedBy = item.resolvedBy
        resolvedAt = item.resolvedAt?.description
    }
}

struct ReconciliationRunBody: ResponseEncodable {
    let object = "reconciliation_run"
    let date: String
    let matched: Int
    let breaks: [BreakBody]
}
