import BankKit

/// The amount text of `<IntrBkSttlmAmt Ccy="CNY">123.45</IntrBkSttlmAmt>`: yuan with exactly two
/// decimals, converted to and from integer fen digit by digit (no floating point anywhere).
public enum YuanAmount {
    /// Most integer digits accepted: ISO 20022 amounts have at most 18 digits, 2 of them decimals.
    public static let integerDigitsMax = 16

    /// `12345` → `"123.45"`, `1` → `"0.01"`, `0` → `"0.00"`. `fen` must not be negative.
    public static func text(fen: Int64) -> String {
        precondition(fen >= 0, "interbank amounts are never negative")
        let cents = fen % 100
        return "\(fen / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// Parses `"123.45"` into `12345` fen. Accepts only `0` or a number without leading zeros, a
    /// point and exactly two digits: `"1.2"`, `"-1.00"`, `"+1.00"`, `"1e3"`, `"01.00"`, `"1,000.00"`
    /// and `" 1.00"` are refused with `interbank_amount_invalid`.
    public static func fen(_ text: String) throws -> Int64 {
        let bytes = Array(text.utf8)
        let invalid = DomainError(.interbankAmountInvalid,
                                  "Invalid amount '\(text.prefix(24))': expected yuan with exactly two decimals, such as 123.45.",
                                  status: 422)
        guard bytes.count >= 4, bytes[bytes.count - 3] == UInt8(ascii: ".") else { throw invalid }
        let integerDigits = bytes[..<(bytes.count - 3)]
        guard integerDigits.count <= integerDigitsMax, integerDigits.count == 1 || integerDigits.first != UInt8(ascii: "0") else {
            throw invalid
        }
        var fen: Int64 = 0
        for byte in integerDigits + bytes[(bytes.count - 2)...] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw invalid }
            // 16 + 2 digits stay below Int64.max (9.2e18), so this cannot overflow.
            fen = fen * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return fen
    }
}
