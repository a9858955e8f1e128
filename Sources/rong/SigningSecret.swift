import BankKit
import Foundation

/// The token-signing secret from `RONG_SIGNING_SECRET` (at least 32 bytes); nil means "random per
/// process", which is right for development and means tokens do not survive a restart.
enum SigningSecret {
    static func load(_ text: String?) throws -> [UInt8]? {
        guard let text else {
            print("Note: RONG_SIGNING_SECRET is not set; access tokens are signed with a random key for this run.")
            return nil
        }
        let bytes = Array(text.utf8)
        guard bytes.count >= 32 else {
            throw DomainError(.invalidRequest, "RONG_SIGNING_SECRET must be at least 32 bytes.", status: 500)
        }
        return bytes
    }
}
