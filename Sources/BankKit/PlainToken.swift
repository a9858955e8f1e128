/// Caller-chosen identifiers (a merchant's order or refund number, a request id): 1 to `lengthMax`
/// characters of `0-9 A-Z a-z _ -`, checked byte by byte — no regular expression per request,
/// and nothing after the last character (a trailing newline is refused).
public enum PlainToken {
    public static func isValid(_ text: String, lengthMax: Int) -> Bool {
        let bytes = text.utf8
        guard (1...lengthMax).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "_"), UInt8(ascii: "-"): true
            default: false
            }
        }
    }
}
