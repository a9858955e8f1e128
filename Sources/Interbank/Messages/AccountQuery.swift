import BankKit

/// ibps.309 account-information query: "does this account at your bank belong to this person?"
///
/// The body follows ISO 20022 acmt.023 (identification verification request):
///
/// ```xml
/// <IdVrfctnReq>
///   <Assgnmt><MsgId>…</MsgId><CreDtTm>…</CreDtTm></Assgnmt>
///   <Vrfctn>
///     <PtyAndAcctId>
///       <Pty>
///         <Nm>张伟</Nm>
///         <Id><PrvtId><Othr><Id>110101199003074514</Id><SchmeNm><Cd>NIDN</Cd></SchmeNm></Othr></PrvtId></Id>
///         <CtctDtls><MobNb>+86-13800138000</MobNb></CtctDtls>
///       </Pty>
///       <Acct><Id><Othr><Id>6217000010012345677</Id></Othr></Id></Acct>
///       <Agt><FinInstnId><ClrSysMmbId><MmbId>105</MmbId></ClrSysMmbId></FinInstnId></Agt>
///     </PtyAndAcctId>
///   </Vrfctn>
/// </IdVrfctnReq>
/// ```
public struct AccountQuery: Sendable, Hashable {
    public var messageID: RongID
    public var createdAt: Timestamp
    /// The elements to check; `bankCode` is the bank asked (the header's receiver).
    public var elements: FourElements

    public init(messageID: RongID, createdAt: Timestamp, elements: FourElements) {
        self.messageID = messageID
        self.createdAt = createdAt
        self.elements = elements
    }

    static let rootName = "IdVrfctnReq"
    /// ISO 20022 scheme code for a national identity number.
    static let nationalIDScheme = "NIDN"
    /// ISO 20022 `PhoneNumber` is `+country-number`.
    static let mobilePrefix = "+86-"

    func write(_ writer: inout XMLWriter) throws {
        let elements = elements
        try MessageFields.checkText(elements.holderName, field: "holder name")
        try MessageFields.checkIDNumber(elements.idNumber)
        try MessageFields.checkMobile(elements.mobile)
        try writer.element(Self.rootName) { w in
            try MessageFields.writeHeader(&w, "Assgnmt", id: messageID, createdAt: createdAt)
            try w.element("Vrfctn") { w in
                try w.element("PtyAndAcctId") { w in
                    try w.element("Pty") { w in
                        try w.leaf("Nm", elements.holderName)
                        try w.element("Id") { w in
                            try w.element("PrvtId") { w in
                                try w.element("Othr") { w in
                                    try w.leaf("Id", elements.idNumber)
                                    try w.path("SchmeNm/Cd", Self.nationalIDScheme)
                                }
                            }
                        }
                        try w.path("CtctDtls/MobNb", Self.mobilePrefix + elements.mobile)
                    }
                    try MessageFields.writeAccount(&w, "Acct", number: elements.accountNumber)
                    try MessageFields.writeAgent(&w, "Agt", bankCode: elements.bankCode)
                }
            }
        }
    }

    static func read(_ root: XMLElementNode) throws -> AccountQuery {
        var reader = try ElementReader(root)
        let header = try MessageFields.readHeader(&reader, "Assgnmt")
        var verification = try reader.nested("Vrfctn")
        var partyAndAccount = try verification.nested("PtyAndAcctId")
        var party = try partyAndAccount.nested("Pty")
        let holderName = try party.text("Nm")
        try MessageFields.checkText(holderName, field: "holder name")
        var identification = try party.nested("Id")
        var privateID = try identification.nested("PrvtId")
        var other = try privateID.nested("Othr")
        let idNumber = try other.text("Id")
        try MessageFields.checkIDNumber(idNumber)
        guard try other.text("SchmeNm/Cd") == nationalIDScheme else {
            throw DomainError.interbankMessage("ID scheme must be \(nationalIDScheme)")
        }
        try other.finish()
        try privateID.finish()
        try identification.finish()
        let phone = try party.text("CtctDtls/MobNb")
        guard phone.hasPrefix(mobilePrefix) else {
            throw DomainError.interbankMessage("MobNb must be written \(mobilePrefix)<number>")
        }
        let mobile = String(phone.dropFirst(mobilePrefix.count))
        try MessageFields.checkMobile(mobile)
        try party.finish()
        let accountNumber = try MessageFields.readAccount(&partyAndAccount, "Acct")
        let bankCode = try MessageFields.readAgent(&partyAndAccount, "Agt")
        try partyAndAccount.finish()
        try verification.finish()
        try reader.finish()
        return AccountQuery(messageID: header.id, createdAt: header.createdAt,
                            elements: FourElements(bankCode: bankCode, accountNumber: accountNumber,
                                                   holderName: holderName, idNumber: idNumber, mobile: mobile))
    }
}
