import BankKit

/// A mainland China mobile number: 11 digits starting with 1[3-9].
public enum MobileNumber {
    public static func validate(_ text: String, field: String = "mobile") throws(DomainError) -> String {
        let chars = Array(text)
        guard chars.count == 11, chars.allSatisfy({ $0.isASCII && $0.isNumber }), chars[0] == "1",
              ("3"..."9").contains(chars[1]) else {
            throw DomainError(.invalidMobile, "The mobile number must be 11 digits starting with 13–19.", status: 422,
                              extensions: ["field": .string(field)])
        }
        return text
    }

    /// `138****8000`.
    public static func masked(_ mobile: String) -> String {
        guard mobile.count == 11 else { return "***" }
        return String(mobile.prefix(3)) + "****" + String(mobile.suffix(4))
    }
}

extension ErrorCode {
    public static let invalidMobile: ErrorCode = "invalid_mobile"
}
