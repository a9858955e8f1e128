/// One CNAPS2 message as sent: a header naming the type, the sending and the receiving bank, and
/// the ISO 20022 document.
///
/// ```xml
/// <?xml version="1.0" encoding="UTF-8"?>
/// <CnapsMsg>
///   <Hdr>
///     <MsgTp>ibps.103.001.01</MsgTp>
///     <OrigSndr>999</OrigSndr>
///     <OrigRcvr>105</OrigRcvr>
///   </Hdr>
///   <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.003.001.02">
///     <FIToFICstmrDrctDbt>…</FIToFICstmrDrctDbt>
///   </Document>
/// </CnapsMsg>
/// ```
public struct InterbankEnvelope: Sendable, Hashable {
    /// Participant code of the sending bank (`OrigSndr`).
    public var senderBankCode: String
    /// Participant code of the receiving bank (`OrigRcvr`).
    public var receiverBankCode: String
    public var message: InterbankMessage

    public init(senderBankCode: String, receiverBankCode: String, message: InterbankMessage) {
        self.senderBankCode = senderBankCode
        self.receiverBankCode = receiverBankCode
        self.message = message
    }

    /// The header's `MsgTp`.
    public var type: CNAPSMessageType { message.type }
}
