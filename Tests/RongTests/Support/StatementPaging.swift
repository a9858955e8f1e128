import BankKit
import Ledger
import Testing

extension Ledger {
    /// Every entry of an account's statement, following the cursor page by page; a page larger
    /// than `limit`, or more than `max` entries in all (a cursor that loops), fails the test.
    func allStatementEntries(account: RongID, limit: Int, newestFirst: Bool = false, max: Int = 10_000) async throws -> [StatementEntry] {
        var entries: [StatementEntry] = []
        var cursor: String?
        repeat {
            let page = try await statement(account: account, after: cursor, limit: limit, newestFirst: newestFirst)
            #expect(page.entries.count <= limit)
            entries += page.entries
            cursor = page.nextCursor
        } while cursor != nil && entries.count <= max
        return entries
    }
}
