import BankKit
import EndOfDay
import Hummingbird

/// Operators' end-of-day API: run a date, read its journal. Same service key as the ledger API.
struct EndOfDayRoutes {
    let platform: RongPlatform
    let apiKey: String

    func register(on router: Router<RongRequestContext>) {
        let group = router.group("v1/eod").add(middleware: ServiceKeyMiddleware(key: apiKey))
        group.post("runs") { request, context -> EODJournalBody in
            let input = try await request.decodeJSON(as: EODRunInput.self, context: context)
            let date = try BusinessDate(iso: input.date)
            _ = try await platform.endOfDay.run(date: date)
            return try await journal(date)
        }
        group.get("runs/:date") { _, context -> EODJournalBody in
            try await journal(try BusinessDate(iso: context.parameters.get("date") ?? ""))
        }
    }

    private func journal(_ date: BusinessDate) async throws -> EODJournalBody {
        let rows = try await platform.endOfDay.journal(date: date)
        return EODJournalBody(date: date.iso, steps: rows.map { .init(step: $0.step, status: $0.status, attempts: $0.attempts, summary: $0.summary) })
    }
}

struct EODRunInput: Decodable {
    let date: String
}

struct EODJournalBody: ResponseEncodable {
    struct Step: Encodable, Sendable {
        let step: String
        let status: String
        let attempts: Int64
        let summary: String?
    }

    let object = "eod_run"
    let date: String
    let steps: [Step]
}
