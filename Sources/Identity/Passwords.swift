import BankKit
import Foundation
import HummingbirdBcrypt

/// Strength rules for a sign-in password (登录密码).
public enum PasswordPolicy {
    public static let minLength = 8
    public static let maxLength = 64

    /// 8–64 characters, printable ASCII, with letters and digits, not all one character
    /// and not containing the mobile number.
    public static func check(_ password: String, mobile: String? = nil) throws(DomainError) {
        func weak(_ why: String) -> DomainError {
            DomainError(.weakPassword, "The password is too weak: \(why).", status: 422, extensions: ["field": .string("password")])
        }
        guard password.count >= minLength, password.count <= maxLength else { throw weak("use 8 to 64 characters") }
        guard password.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
            throw weak("use letters, digits and symbols only, without spaces")
        }
        guard password.contains(where: \.isLetter), password.contains(where: \.isNumber) else {
            throw weak("mix letters and digits")
        }
        guard Set(password).count >= 4 else { throw weak("use at least 4 different characters") }
        if let mobile, mobile.count >= 6, password.contains(mobile.suffix(6)) { throw weak("do not use your mobile number") }
    }
}

/// bcrypt hashing with a configurable cost, off the caller's executor (a hash takes
/// ~250 ms at cost 12 on this machine; tests use the minimum cost 4).
public struct PasswordHasher: Sendable {
    public let cost: UInt8

    public init(cost: UInt8 = 12) {
        precondition((4...16).contains(cost), "bcrypt cost 4–16")
        self.cost = cost
    }

    public func hash(_ password: String) async -> String {
        let cost = self.cost
        return await Self.offload { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        await Self.offload { Bcrypt.verify(password, hash: hash) }
    }

    /// A hash of a random password, compared against when a mobile is unknown so that a
    /// failed sign-in takes the same time whether or not the account exists.
    /// (Its password does not matter: the decoy is only ever compared for an unknown mobile, whose
    /// sign-in fails whatever the answer.)
    static let decoy = Bcrypt.hash("rong-decoy-password", cost: 4)

    private static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}

extension ErrorCode {
    public static let weakPassword: ErrorCode = "weak_password"
}
