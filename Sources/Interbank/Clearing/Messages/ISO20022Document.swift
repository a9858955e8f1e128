import BankKit

/// The ISO 20022 message definitions the clearing house speaks, each a bare `<Document>` in its
/// own namespace (`urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08` …), so every document
/// validates against the published XSD as it is (`scripts/validate-iso20022`).
///
/// The versions are those of SWIFT's CBPR+ and many RTGS systems' ISO 20022 migrations.
public enum ISO20022MessageName: String, Sendable, Hashable, CaseIterable {
    /// FI to FI customer credit transfer.
    case customerCreditTransfer = "pacs.008.001.08"
    /// FI to FI payment status report.
    case paymentStatusReport = "pacs.002.001.10"
    /// FI to FI payment status request.
    case paymentStatusRequest = "pacs.028.001.03"
    /// Payment return.
    case paymentReturn = "pacs.004.001.09"

    /// `urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08` and so on.
    public var namespace: String { "urn:iso:std:iso:20022:tech:xsd:\(rawValue)" }

    /// The message element inside `<Document>`.
    public var rootElement: String {
        switch self {
        case .customerCreditTransfer: "FIToFICstmrCdtTrf"
        case .paymentStatusReport: "FIToFIPmtStsRpt"
        case .paymentStatusRequest: "FIToFIPmtStsReq"
        case .paymentReturn: "PmtRtr"
        }
    }
}

/// One clearing-house document, by type.
public enum ISO20022Document: Sendable, Hashable {
    /// pacs.008.001.08
    case creditTransfer(CustomerCreditTransfer)
    /// pacs.002.001.10
    case statusReport(TransferStatusReport)
    /// pacs.028.001.03
    case statusRequest(TransferStatusRequest)
    /// pacs.004.001.09
    case paymentReturn(TransferReturn)

    public var name: ISO20022MessageName {
        switch self {
        case .creditTransfer: .customerCreditTransfer
        case .statusReport: .paymentStatusReport
        case .statusRequest: .paymentStatusRequest
        case .paymentReturn: .paymentReturn
        }
    }

    /// The document's own `MsgId`.
    public var messageID: RongID {
        switch self {
        case .creditTransfer(let message): message.messageID
        case .statusReport(let message): message.messageID
        case .statusRequest(let message): message.messageID
        case .paymentReturn(let message): message.messageID
        }
    }
}

/// Writes and reads clearing-house documents (`ISO20022Document` ↔ XML text).
///
/// Built on the module's strict parser and writer: one `<Document>` element with the
/// namespace of its message as the default namespace (no prefixes), elements in the order the
/// XSD requires, every field checked the same way in both directions. Anything else throws
/// `interbank_message_invalid` (or `interbank_amount_invalid`) before anything is processed.
public enum ISO20022Codec {
    static let rootName = "Document"

    /// The XML text of `document`.
    public static func encode(_ document: ISO20022Document) throws -> String {
        var writer = XMLWriter()
        try writer.element(rootName, attributes: ["xmlns": document.name.namespace]) { w in
            switch document {
            case .creditTransfer(let message): try message.write(&w)
            case .statusReport(let message): try message.write(&w)
            case .statusRequest(let message): try message.write(&w)
            case .paymentReturn(let message): try message.write(&w)
            }
        }
        return writer.output
    }

    /// Reads one document, rejecting anything malformed, unknown or out of format.
    public static func decode(_ xml: String) throws -> ISO20022Document {
        let root = try StrictXMLParser.parse(xml)
        guard root.name == rootName else { throw DomainError.interbankMessage("root element must be <\(rootName)>") }
        let namespace = root.attributes["xmlns"] ?? ""
        guard let name = ISO20022MessageName.allCases.first(where: { $0.namespace == namespace }) else {
            throw DomainError.interbankMessage("unsupported Document namespace '\(namespace.prefix(60))'")
        }
        var document = try ElementReader(root, allowedAttributes: ["xmlns"])
        let body = try document.child(name.rootElement)
        try document.finish()
        switch name {
        case .customerCreditTransfer: return .creditTransfer(try CustomerCreditTransfer.read(body))
        case .paymentStatusReport: return .statusReport(try TransferStatusReport.read(body))
        case .paymentStatusRequest: return .statusRequest(try TransferStatusRequest.read(body))
        case .paymentReturn: return .paymentReturn(try TransferReturn.read(body))
        }
    }
}
