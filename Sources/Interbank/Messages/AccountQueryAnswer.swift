import BankKit

/// ibps.310 answer to an account-information query.
///
/// The body follows ISO 20022 acmt.024 (identification verification report). A mismatch names
/// the elements that differ by their ISO element names (`Nm`, `PrvtId`, `MobNb`):
///
/// ```xml
/// <IdVrfctnRpt>
///   <Assgnmt><MsgId>…</MsgId><CreDtTm>…</CreDtTm></Assgnmt>
///   <OrgnlAssgnmt><MsgId>…</MsgId></OrgnlAssgnmt>
///   <Rpt>
///     <Vrfctn>false</Vrfctn>
///     <Rsn><Cd>BE01</Cd></Rsn>
///     <MsmtchdElmt>MobNb</MsmtchdElmt>
///   </Rpt>
/// </IdVrfctnRpt>
/// ```
///
/// Reasons: none when verified; `BE01` mismatch, `AC01` no such account, `AC06` (or `AC04`)
/// account blocked or closed, `RC01` unknown bank.
public struct AccountQueryAnswer: Sendable, Hashable {
    public var messageID: RongID
    public var createdAt: Timestamp
    /// The `MsgId` of the ibps.309 this answers.
    public var originalMessageID: RongID
    public var outcome: VerificationOutcome

    public init(messageID: RongID, createdAt: Timestamp, originalMessageID: RongID, outcome: VerificationOutcome) {
        self.messageID = messageID
        self.createdAt = createdAt
        self.originalMessageID = originalMessageID
        self.outcome = outcome
    }

    static let rootName = "IdVrfctnRpt"

    /// `VerificationOutcome.mismatched` field names and the ISO elements that carry them, in report order.
    static let mismatchElements: KeyValuePairs<String, String> = ["name": "Nm", "id_number": "PrvtId", "mobile": "MobNb"]

    func write(_ writer: inout XMLWriter) throws {
        let reasonCode: String?
        var mismatched: [String] = []
        switch outcome {
        case .matched: reasonCode = nil
        case .mismatched(let fields):
            guard !fields.isEmpty, Set(fields).count == fields.count else {
                throw DomainError.interbankMessage("a mismatch names each differing field once")
            }
            for field in fields {
                guard let element = Self.mismatchElements.first(where: { $0.key == field })?.value else {
                    throw DomainError.interbankMessage("unknown mismatched field '\(field)'")
                }
                mismatched.append(element)
            }
            reasonCode = ReasonCode.partyMismatch
        case .accountNotFound: reasonCode = ReasonCode.accountNumberInvalid
        case .accountUnavailable: reasonCode = ReasonCode.accountBlocked
        case .unknownBank: reasonCode = ReasonCode.bankIdentifierIncorrect
        }
        try writer.element(Self.rootName) { w in
            try MessageFields.writeHeader(&w, "Assgnmt", id: messageID, createdAt: createdAt)
            try w.path("OrgnlAssgnmt/MsgId", MessageFields.messageIDText(originalMessageID))
            try w.element("Rpt") { w in
                try w.leaf("Vrfctn", reasonCode == nil ? "true" : "false")
                if let reasonCode { try w.path("Rsn/Cd", reasonCode) }
                for element in mismatched { try w.leaf("MsmtchdElmt", element) }
            }
        }
    }

    static func read(_ root: XMLElementNode) throws -> AccountQueryAnswer {
        var reader = try ElementReader(root)
        let header = try MessageFields.readHeader(&reader, "Assgnmt")
        let original = try MessageFields.messageID(reader.text("OrgnlAssgnmt/MsgId"))
        var report = try reader.nested("Rpt")
        let verified = try report.text("Vrfctn")
        let outcome: VerificationOutcome
        switch verified {
        case "true":
            outcome = .matched
        case "false":
            var fields: [String] = []
            let code = try report.text("Rsn/Cd")
            while let element = try report.optionalText("MsmtchdElmt") {
                guard let field = mismatchElements.first(where: { $0.value == element })?.key, !fields.contains(field) else {
                    throw DomainError.interbankMessage("unknown or repeated MsmtchdElmt '\(element.prefix(20))'")
                }
                fields.append(field)
            }
            guard fields.isEmpty || code == ReasonCode.partyMismatch else {
                throw DomainError.interbankMessage("MsmtchdElmt goes with reason \(ReasonCode.partyMismatch) only")
            }
            switch code {
            case ReasonCode.partyMismatch:
                guard !fields.isEmpty else { throw DomainError.interbankMessage("reason \(code) names no MsmtchdElmt") }
                outcome = .mismatched(fields: fields)
            case ReasonCode.accountNumberInvalid: outcome = .accountNotFound
            case ReasonCode.accountBlocked, ReasonCode.accountClosed: outcome = .accountUnavailable
            case ReasonCode.bankIdentifierIncorrect: outcome = .unknownBank
            default: throw DomainError.interbankMessage("unknown verification reason '\(code.prefix(8))'")
            }
        default:
            throw DomainError.interbankMessage("Vrfctn must be true or false")
        }
        try report.finish()
        try reader.finish()
        return AccountQueryAnswer(messageID: header.id, createdAt: header.createdAt, originalMessageID: original, outcome: outcome)
    }
}
