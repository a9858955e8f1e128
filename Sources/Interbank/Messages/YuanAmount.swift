import BankKit

/// The amount text of `<IntrBkSttlmAmt Ccy="CNY">123.45</IntrBkSttlmAmt>`: yuan with exactly two
/// decimals, converted to and from integer fen digit by digit (no floating point anywhere).
public enum YuanAmount {
    /// Most integer digits accepted: ISO 20022 amounts have at most 18 digits, 2 of them decimals.
    public static let integerDigitsMax = 16

    /// `12345` → `"123.45"`, `1` → `"0.01"`, `0` → `"0.00"`. `fen` must not be negative.
    public static func text(fen: Int64) -> String {
        precondition(fen >= 0, "interbank amounts are never negative")
        return Money.fen(fen).decimalString
    }

    /// Parses `"123.45"` into `12345` fen. The wire form is stricter than `Money.parse`: only `0`
    /// or a number without leading zeros, a point and exactly two digits. `"1.2"`, `"-1.00"`,
    /// `"+1.00"`, `"1e3"`, `"01.00"`, `"1,000.00"` and `" 1.00"` are refused with
    /// `interbank_amount_invalid`.
    public static func fen(_ text: String) throws -> Int64 {
        let bytes = Array(text.utf8)
        let invalid = DomainError(.interbankAmountInvalid,
                                  "Invalid amount '\(text.prefix(24))': expected yuan with exactly two decimals, such as 123.45.",
                                  status: 422)
        guard bytes.count >= 4, bytes[bytes.count - 3] == UInt8(ascii: "."), bytes.first != UInt8(ascii: "-") else { throw invalid }
        let integerDigits = bytes[..<(bytes.count - 3)]
        guard integerDigits.count <= integerDigitsMax, integerDigits.count == 1 || integerDigits.first != UInt8(ascii: "0"),
              let money = try? Money.parse(text, asset: .cny) else {
            throw invalid
        }
        return money.minorUnits
    }
}
