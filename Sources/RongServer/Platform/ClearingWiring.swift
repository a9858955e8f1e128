import BankKit
import Interbank

/// Until the clearing-house simulator lands in `Interbank/Clearing`, transfers to other banks
/// answer 503; this file is replaced when it does.
struct ClearingNotConnected: ClearingNetwork {
    static let error = DomainError(.unavailable, "Transfers to other banks are not connected yet.", status: 503)
    func send(_ instruction: CreditTransferInstruction) async throws -> ClearingReport { throw Self.error }
    func status(messageID: RongID) async throws -> ClearingReport { throw Self.error }
    func incoming(limit: Int) async throws -> [IncomingCredit] { [] }
    func acknowledge(_ messageID: RongID, outcome: IncomingOutcome) async throws { throw Self.error }
    func reconciliationFile(for date: BusinessDate) async throws -> String { throw Self.error }
}
