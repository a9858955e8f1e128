/// The Luhn (mod 10) check digit of ISO/IEC 7812, which Chinese bank card numbers (银联卡号, 16–19
/// digits) end with. Accounts uses it to catch a mistyped card number before asking the network.
public enum Luhn {
    /// True when `digits` is at least two ASCII digits whose last digit is the Luhn check digit
    /// of the rest. Spaces, hyphens or any other character make it false.
    public static func isValid(_ digits: String) -> Bool {
        let bytes = Array(digits.utf8)
        guard bytes.count >= 2, bytes.allSatisfy(isDigit) else { return false }
        return sum(bytes, doublingFirstFromRight: false) % 10 == 0
    }

    /// The digit to append to `payload` (ASCII digits, not empty) to make a valid number:
    /// `checkDigit(for: "7992739871")` is `"3"`.
    public static func checkDigit(for payload: String) -> Character {
        let bytes = Array(payload.utf8)
        precondition(!bytes.isEmpty && bytes.allSatisfy(isDigit), "a Luhn payload is one or more ASCII digits")
        let check = (10 - sum(bytes, doublingFirstFromRight: true) % 10) % 10
        return Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(check)))
    }

    /// Sums the digits from the right, doubling every second one (a doubled digit above 9 loses 9).
    /// For a payload the rightmost digit is doubled (the check digit will sit to its right).
    private static func sum(_ bytes: [UInt8], doublingFirstFromRight: Bool) -> Int {
        var total = 0
        var double = doublingFirstFromRight
        for byte in bytes.reversed() {
            var digit = Int(byte - UInt8(ascii: "0"))
            if double {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            total += digit
            double.toggle()
        }
        return total
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
