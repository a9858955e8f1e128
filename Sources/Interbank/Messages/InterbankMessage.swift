/// The body of one CNAPS2 message, by type.
public enum InterbankMessage: Sendable, Hashable {
    /// ibps.309
    case accountQuery(AccountQuery)
    /// ibps.310
    case accountQueryAnswer(AccountQueryAnswer)
    /// ibps.101
    case onlineCredit(OnlineCredit)
    /// ibps.102
    case onlineCreditReceipt(PaymentStatusReport)
    /// ibps.103
    case onlineDebit(OnlineDebit)
    /// ibps.104
    case onlineDebitReceipt(PaymentStatusReport)

    /// The header's `MsgTp` for this body.
    public var type: CNAPSMessageType {
        switch self {
        case .accountQuery: .accountQuery
        case .accountQueryAnswer: .accountQueryAnswer
        case .onlineCredit: .onlineCredit
        case .onlineCreditReceipt: .onlineCreditReceipt
        case .onlineDebit: .onlineDebit
        case .onlineDebitReceipt: .onlineDebitReceipt
        }
    }
}
