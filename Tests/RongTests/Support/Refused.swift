import BankKit
import Testing

/// Runs `body`, which must fail with a `DomainError` of `code` (and `status`, and
/// `extensions["field"] == field` when given); returns the error for further checks.
@discardableResult
func refused<T>(_ code: ErrorCode, status: Int? = nil, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                _ body: () async throws -> T) async -> DomainError? {
    do {
        let value = try await body()
        Issue.record("expected \(code.rawValue), but it succeeded: \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as DomainError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        if let status { #expect(error.status == status, "\(error)", sourceLocation: sourceLocation) }
        if let field { #expect(error.extensions["field"] == .string(field), "\(error.extensions)", sourceLocation: sourceLocation) }
        return error
    } catch {
        Issue.record("expected DomainError \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
