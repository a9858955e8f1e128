import BankKit

extension ErrorCode {
    /// An interbank message that is not well-formed XML, has an unknown or misplaced element, or a
    /// field outside its format (bank code, account number, name, MsgId, timestamp).
    public static let interbankMessageInvalid: ErrorCode = "interbank_message_invalid"
    /// An amount that is not a positive yuan amount with exactly two decimals (`123.45`).
    public static let interbankAmountInvalid: ErrorCode = "interbank_amount_invalid"
    /// A well-formed message sent the wrong way (a receipt given to the other banks as a request).
    public static let interbankMessageUnexpected: ErrorCode = "interbank_message_unexpected"
    /// The other bank answered with something this bank cannot read, or an answer to another question.
    public static let interbankReplyInvalid: ErrorCode = "interbank_reply_invalid"
}

extension DomainError {
    /// A message failed the codec's checks; `detail` names the element or field.
    static func interbankMessage(_ detail: String) -> DomainError {
        DomainError(.interbankMessageInvalid, "Invalid interbank message: \(detail)", status: 422)
    }
}
