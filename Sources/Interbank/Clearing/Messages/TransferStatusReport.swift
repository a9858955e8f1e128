import BankKit

/// pacs.002.001.10 FI to FI payment status report on one message: a transfer (pacs.008), a
/// status report (pacs.002) or a return (pacs.004).
///
/// ```xml
/// <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10">
///   <FIToFIPmtStsRpt>
///     <GrpHdr><MsgId>…</MsgId><CreDtTm>…</CreDtTm><InstgAgt>…</InstgAgt><InstdAgt>…</InstdAgt></GrpHdr>
///     <OrgnlGrpInfAndSts><OrgnlMsgId>…</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId></OrgnlGrpInfAndSts>
///     <TxInfAndSts>
///       <OrgnlEndToEndId>…</OrgnlEndToEndId>
///       <TxSts>RJCT</TxSts>
///       <StsRsnInf><Rsn><Cd>AC01</Cd></Rsn><AddtlInf>Account number is invalid…</AddtlInf></StsRsnInf>
///       <AccptncDtTm>…</AccptncDtTm>
///       <FctvIntrBkSttlmDt><DtTm>…</DtTm></FctvIntrBkSttlmDt>
///       <OrgnlTxRef>
///         <IntrBkSttlmAmt Ccy="CNY">123.45</IntrBkSttlmAmt>
///         <PmtTpInf><ClrChanl>RTNS</ClrChanl></PmtTpInf>
///       </OrgnlTxRef>
///     </TxInfAndSts>
///   </FIToFIPmtStsRpt>
/// </Document>
/// ```
public struct TransferStatusReport: Sendable, Hashable {
    /// `TxSts` (ISO ExternalPaymentTransactionStatus1Code), the four this clearing house uses.
    public enum TransactionStatus: String, Sendable, Hashable, CaseIterable {
        /// Accepted, settlement completed.
        case acceptedSettlementCompleted = "ACSC"
        /// Accepted, settlement in process: checks passed, waiting for the large-value window.
        case acceptedSettlementInProcess = "ACSP"
        /// Pending: further checks and a later status update follow.
        case pending = "PDNG"
        /// Rejected: nothing moved.
        case rejected = "RJCT"
    }

    /// One `StsRsnInf`: an ISO external code (`Rsn/Cd`, e.g. `AC01`) or a proprietary one
    /// (`Rsn/Prtry`, e.g. `NOTFOUND`), with an optional `AddtlInf` (≤ 105 characters).
    public struct Reason: Sendable, Hashable {
        public enum Code: Sendable, Hashable {
            case iso(String)
            case proprietary(String)
        }

        public var code: Code
        public var additionalInfo: String?

        public init(_ code: Code, _ additionalInfo: String? = nil) {
            self.code = code
            self.additionalInfo = additionalInfo
        }
    }

    /// Most `StsRsnInf` entries written or read.
    public static let reasonsMax = 4

    public var messageID: RongID
    public var createdAt: Timestamp
    /// `GrpHdr/InstgAgt`: who reports.
    public var instructingBankCode: String?
    /// `GrpHdr/InstdAgt`: to whom.
    public var instructedBankCode: String?
    /// The message this reports on.
    public var originalMessageID: RongID
    public var originalMessageName: ISO20022MessageName
    public var originalEndToEndID: String?
    public var status: TransactionStatus
    public var reasons: [Reason]
    /// `AccptncDtTm`: when the reported message reached this status.
    public var statusAt: Timestamp
    /// `FctvIntrBkSttlmDt/DtTm`: when the transfer settled, once it has.
    public var settledAt: Timestamp?
    /// `OrgnlTxRef/IntrBkSttlmAmt`: the amount of the transfer reported on.
    public var originalAmountFen: Int64?
    /// `OrgnlTxRef/PmtTpInf/ClrChanl`: `RTNS` real-time (IBPS-like), `RTGS` large-value (HVPS-like).
    public var path: ClearingPath?
    /// `OrgnlTxRef/DbtrAgt` and `OrgnlTxRef/CdtrAgt`: the transfer's banks (a return goes back to the debtor's).
    public var debtorBankCode: String?
    public var creditorBankCode: String?

    public init(messageID: RongID, createdAt: Timestamp, instructingBankCode: String? = nil, instructedBankCode: String? = nil,
                originalMessageID: RongID, originalMessageName: ISO20022MessageName, originalEndToEndID: String? = nil,
                status: TransactionStatus, reasons: [Reason] = [], statusAt: Timestamp, settledAt: Timestamp? = nil,
                originalAmountFen: Int64? = nil, path: ClearingPath? = nil, debtorBankCode: String? = nil,
                creditorBankCode: String? = nil) {
        self.messageID = messageID
        self.createdAt = createdAt
        self.instructingBankCode = instructingBankCode
        self.instructedBankCode = instructedBankCode
        self.originalMessageID = originalMessageID
        self.originalMessageName = originalMessageName
        self.originalEndToEndID = originalEndToEndID
        self.status = status
        self.reasons = reasons
        self.statusAt = statusAt
        self.settledAt = settledAt
        self.originalAmountFen = originalAmountFen
        self.path = path
        self.debtorBankCode = debtorBankCode
        self.creditorBankCode = creditorBankCode
    }

    /// The ISO clearing channel for a path.
    static func channel(_ path: ClearingPath) -> String {
        switch path {
        case .realTime: "RTNS"
        case .largeValue: "RTGS"
        }
    }

    func write(_ writer: inout XMLWriter) throws {
        guard reasons.count <= Self.reasonsMax else { throw DomainError.interbankMessage("more than \(Self.reasonsMax) status reasons") }
        if let originalEndToEndID { try ISOFields.checkReference(originalEndToEndID, field: "OrgnlEndToEndId") }
        let report = self
        try writer.element(ISO20022MessageName.paymentStatusReport.rootElement) { w in
            try w.element("GrpHdr") { w in
                try w.leaf("MsgId", MessageFields.messageIDText(report.messageID))
                try w.leaf("CreDtTm", MessageFields.timeText(report.createdAt))
                try ISOFields.writeOptionalAgent(&w, "InstgAgt", bankCode: report.instructingBankCode)
                try ISOFields.writeOptionalAgent(&w, "InstdAgt", bankCode: report.instructedBankCode)
            }
            try w.element("OrgnlGrpInfAndSts") { w in
                try ISOFields.writeOriginal(&w, id: report.originalMessageID, name: report.originalMessageName)
            }
            try w.element("TxInfAndSts") { w in
                if let endToEnd = report.originalEndToEndID { try w.leaf("OrgnlEndToEndId", endToEnd) }
                try w.leaf("TxSts", report.status.rawValue)
                for reason in report.reasons {
                    try w.element("StsRsnInf") { w in
                        try w.element("Rsn") { w in
                            switch reason.code {
                            case .iso(let code):
                                try ISOFields.checkExternalCode(code)
                                try w.leaf("Cd", code)
                            case .proprietary(let code):
                                try ISOFields.checkProprietaryCode(code)
                                try w.leaf("Prtry", code)
                            }
                        }
                        if let info = reason.additionalInfo {
                            try MessageFields.checkText(info, field: "AddtlInf", maximum: MessageFields.reasonCharactersMax)
                            try w.leaf("AddtlInf", info)
                        }
                    }
                }
                try w.leaf("AccptncDtTm", MessageFields.timeText(report.statusAt))
                if let settledAt = report.settledAt {
                    try w.path("FctvIntrBkSttlmDt/DtTm", MessageFields.timeText(settledAt))
                }
                if report.originalAmountFen != nil || report.path != nil || report.debtorBankCode != nil || report.creditorBankCode != nil {
                    try w.element("OrgnlTxRef") { w in
                        if let fen = report.originalAmountFen { try ISOFields.writeAmount(&w, "IntrBkSttlmAmt", fen: fen) }
                        if let path = report.path { try w.path("PmtTpInf/ClrChanl", Self.channel(path)) }
                        try ISOFields.writeOptionalAgent(&w, "DbtrAgt", bankCode: report.debtorBankCode)
                        try ISOFields.writeOptionalAgent(&w, "CdtrAgt", bankCode: report.creditorBankCode)
                    }
                }
            }
        }
    }

    static func read(_ root: XMLElementNode) throws -> TransferStatusReport {
        var reader = try ElementReader(root)
        var header = try reader.nested("GrpHdr")
        let id = try MessageFields.messageID(header.text("MsgId"))
        let createdAt = try MessageFields.time(header.text("CreDtTm"), "CreDtTm")
        let instructing = try ISOFields.readOptionalAgent(&header, "InstgAgt")
        let instructed = try ISOFields.readOptionalAgent(&header, "InstdAgt")
        try header.finish()
        var group = try reader.nested("OrgnlGrpInfAndSts")
        let original = try ISOFields.readOriginal(&group)
        try group.finish()
        var transaction = try reader.nested("TxInfAndSts")
        let endToEnd = try transaction.optionalText("OrgnlEndToEndId")
        if let endToEnd { try ISOFields.checkReference(endToEnd, field: "OrgnlEndToEndId") }
        let statusText = try transaction.text("TxSts")
        guard let status = TransactionStatus(rawValue: statusText) else {
            throw DomainError.interbankMessage("TxSts '\(statusText.prefix(8))' is not ACSC, ACSP, PDNG or RJCT")
        }
        var reasons: [Reason] = []
        while let node = transaction.optionalChild("StsRsnInf") {
            guard reasons.count < reasonsMax else { throw DomainError.interbankMessage("more than \(reasonsMax) status reasons") }
            var info = try ElementReader(node)
            var reason = try info.nested("Rsn")
            let code: Reason.Code
            if let iso = try reason.optionalText("Cd") {
                try ISOFields.checkExternalCode(iso)
                code = .iso(iso)
            } else {
                let proprietary = try reason.text("Prtry")
                try ISOFields.checkProprietaryCode(proprietary)
                code = .proprietary(proprietary)
            }
            try reason.finish()
            let additional = try info.optionalText("AddtlInf")
            if let additional { try MessageFields.checkText(additional, field: "AddtlInf", maximum: MessageFields.reasonCharactersMax) }
            try info.finish()
            reasons.append(Reason(code, additional))
        }
        let statusAt = try MessageFields.time(transaction.text("AccptncDtTm"), "AccptncDtTm")
        var settledAt: Timestamp?
        if let node = transaction.optionalChild("FctvIntrBkSttlmDt") {
            var choice = try ElementReader(node)
            settledAt = try MessageFields.time(choice.text("DtTm"), "FctvIntrBkSttlmDt/DtTm")
            try choice.finish()
        }
        var amountFen: Int64?
        var path: ClearingPath?
        var debtorBank: String?
        var creditorBank: String?
        if let node = transaction.optionalChild("OrgnlTxRef") {
            var reference = try ElementReader(node)
            amountFen = try ISOFields.readOptionalAmount(&reference, "IntrBkSttlmAmt")
            if let typeInfo = reference.optionalChild("PmtTpInf") {
                var paymentType = try ElementReader(typeInfo)
                path = try channelPath(paymentType.text("ClrChanl"))
                try paymentType.finish()
            }
            debtorBank = try ISOFields.readOptionalAgent(&reference, "DbtrAgt")
            creditorBank = try ISOFields.readOptionalAgent(&reference, "CdtrAgt")
            try reference.finish()
        }
        try transaction.finish()
        try reader.finish()
        return TransferStatusReport(messageID: id, createdAt: createdAt, instructingBankCode: instructing, instructedBankCode: instructed,
                                    originalMessageID: original.id, originalMessageName: original.name, originalEndToEndID: endToEnd,
                                    status: status, reasons: reasons, statusAt: statusAt, settledAt: settledAt,
                                    originalAmountFen: amountFen, path: path, debtorBankCode: debtorBank, creditorBankCode: creditorBank)
    }

    /// `ClrChanl` → the path (`RTNS` real-time, `RTGS` large-value).
    private static func channelPath(_ channel: String) throws -> ClearingPath {
        switch channel {
        case "RTNS": return .realTime
        case "RTGS": return .largeValue
        default: throw DomainError.interbankMessage("ClrChanl must be RTNS or RTGS")
        }
    }
}
