/// The CNAPS2 IBPS message types Rong speaks, written in the header as `<MsgTp>ibps.309.001.01</MsgTp>`.
///
/// Each body reuses an ISO 20022 structure, named by `isoMessageName` and declared as the
/// `Document` element's default namespace (CNAPS2 does the same with `pacs.008` inside `hvps.111`).
public enum CNAPSMessageType: String, Sendable, Hashable, CaseIterable {
    /// 网上支付跨行清算 account-information query (acmt.023 identification verification request).
    case accountQuery = "ibps.309.001.01"
    /// Its answer (acmt.024 identification verification report).
    case accountQueryAnswer = "ibps.310.001.01"
    /// Online credit: money pushed to another bank (pacs.008 customer credit transfer).
    case onlineCredit = "ibps.101.001.01"
    /// The receiving bank's receipt for an online credit (pacs.002 payment status report).
    case onlineCreditReceipt = "ibps.102.001.01"
    /// Online debit: money pulled from another bank under the customer's mandate (pacs.003 direct debit).
    case onlineDebit = "ibps.103.001.01"
    /// The paying bank's receipt for an online debit (pacs.002 payment status report).
    case onlineDebitReceipt = "ibps.104.001.01"

    /// The ISO 20022 message definition the body follows.
    public var isoMessageName: String {
        switch self {
        case .accountQuery: "acmt.023.001.02"
        case .accountQueryAnswer: "acmt.024.001.02"
        case .onlineCredit: "pacs.008.001.02"
        case .onlineDebit: "pacs.003.001.02"
        case .onlineCreditReceipt, .onlineDebitReceipt: "pacs.002.001.03"
        }
    }

    /// `urn:iso:std:iso:20022:tech:xsd:pacs.008.001.02` and so on.
    public var namespace: String { "urn:iso:std:iso:20022:tech:xsd:\(isoMessageName)" }

    /// True for the messages that ask (309, 101, 103); false for answers and receipts.
    public var isRequest: Bool {
        switch self {
        case .accountQuery, .onlineCredit, .onlineDebit: true
        case .accountQueryAnswer, .onlineCreditReceipt, .onlineDebitReceipt: false
        }
    }
}
