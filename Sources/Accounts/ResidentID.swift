import BankKit

/// A Chinese resident identity card number (居民身份证号码), GB 11643-1999.
///
/// 18 characters: a 6-digit region code, the birth date `YYYYMMDD`, a 3-digit sequence (odd
/// for men, even for women) and a check character computed with ISO 7064 MOD 11-2.
public struct ResidentID: Sendable, Hashable, CustomStringConvertible {
    public let value: String
    public let birthDate: BusinessDate

    /// Weights of the first 17 digits (2^(17-i) mod 11).
    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    /// Check character for each weighted sum mod 11.
    static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// Parses and validates a number; a lower-case `x` is accepted and normalised.
    public init(_ text: String) throws(DomainError) {
        let value = text.uppercased()
        let chars = Array(value)
        guard chars.count == 18, chars[0..<17].allSatisfy({ $0.isASCII && $0.isNumber }),
              chars[17].isASCII && (chars[17].isNumber || chars[17] == "X") else {
            throw ResidentID.invalid("must be 17 digits followed by a digit or X")
        }
        guard chars[17] == ResidentID.checkCharacter(for: String(chars[0..<17])) else {
            throw ResidentID.invalid("check digit does not match")
        }
        guard let year = Int(String(chars[6..<10])), let month = Int(String(chars[10..<12])), let day = Int(String(chars[12..<14])),
              year >= 1900, let birth = try? BusinessDate(year: year, month: month, day: day) else {
            throw ResidentID.invalid("birth date is not a valid date")
        }
        self.value = value
        self.birthDate = birth
    }

    /// The check character for the first 17 digits.
    public static func checkCharacter(for first17: String) -> Character {
        precondition(first17.count == 17)
        let sum = zip(first17, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return checkCharacters[sum % 11]
    }

    /// Full years of age on `date`.
    public func age(on date: BusinessDate) -> Int {
        let (by, bm, bd) = birthDate.components
        let (y, m, d) = date.components
        return y - by - ((m, d) < (bm, bd) ? 1 : 0)
    }

    /// 男 when the sequence is odd, 女 when even.
    public var isMale: Bool { Int(String(Array(value)[16]))! % 2 == 1 }

    /// `110101********4514`: what pages and logs show.
    public var masked: String { String(value.prefix(6)) + String(repeating: "*", count: 8) + String(value.suffix(4)) }

    public var description: String { masked }

    static func invalid(_ why: String) -> DomainError {
        DomainError(.invalidIDNumber, "The resident ID number is invalid: \(why).", status: 422, extensions: ["field": .string("id_number")])
    }
}

extension ErrorCode {
    public static let invalidIDNumber: ErrorCode = "invalid_id_number"
}
