import BankKit

/// Formats, checks and the recurring ISO 20022 building blocks shared by the messages.
///
/// Every field is checked the same way when a message is written and when one is read, so
/// whatever this bank sends, the other side can read back, and nothing out of format gets in.
enum MessageFields {
    /// ISO 20022 `Max140Text`: names and unstructured remittance information.
    static let textCharactersMax = 140
    /// ISO 20022 `Max105Text`: the additional information of a status reason.
    static let reasonCharactersMax = 105
    /// ISO 20022 `Max34Text` for an account identification.
    static let accountNumberCharactersMax = 34
    /// ISO 20022 `Max35Text` for a person's identification.
    static let idNumberCharactersMax = 35

    // MARK: Identifiers and times

    /// A message id as ISO's `Max35Text` can hold it: the UUID's 32 lowercase hex digits, no hyphens.
    static func messageIDText(_ id: RongID) -> String {
        String(id.description.filter { $0 != "-" })
    }

    /// Reads 32 hex digits back into an id.
    static func messageID(_ text: String) throws -> RongID {
        let bytes = Array(text.utf8)
        guard bytes.count == 32, bytes.allSatisfy({ isDigit($0) || ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "f") }) else {
            throw DomainError.interbankMessage("MsgId '\(text.prefix(40))' is not 32 hex digits")
        }
        let hyphenated = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32]
            .map { String(decoding: bytes[$0], as: UTF8.self) }.joined(separator: "-")
        do { return try RongID(hyphenated) } catch {
            throw DomainError.interbankMessage("MsgId '\(text.prefix(40))' is not 32 hex digits")
        }
    }

    /// `CreDtTm`: RFC 3339 in UTC with milliseconds (ISO `ISODateTime`).
    static func timeText(_ time: Timestamp) -> String { time.rfc3339 }

    static func time(_ text: String, _ element: String) throws -> Timestamp {
        do { return try Timestamp(rfc3339: text) } catch {
            throw DomainError.interbankMessage("<\(element)> '\(text.prefix(40))' is not an ISO date-time")
        }
    }

    // MARK: Field formats

    /// A CNAPS participant code: exactly three ASCII digits (`105`).
    static func checkBankCode(_ code: String) throws {
        guard code.utf8.count == 3, code.utf8.allSatisfy(isDigit) else {
            throw DomainError.interbankMessage("bank code '\(code.prefix(12))' is not 3 digits")
        }
    }

    /// An account number: 1 to 34 ASCII letters and digits.
    static func checkAccountNumber(_ number: String) throws {
        guard (1...accountNumberCharactersMax).contains(number.utf8.count),
              number.utf8.allSatisfy({ isDigit($0) || isASCIILetter($0) }) else {
            throw DomainError.interbankMessage("account number '\(number.prefix(40))' is not 1–34 letters and digits")
        }
    }

    /// A resident ID or other personal identification: 1 to 35 ASCII letters and digits.
    static func checkIDNumber(_ number: String) throws {
        guard (1...idNumberCharactersMax).contains(number.utf8.count),
              number.utf8.allSatisfy({ isDigit($0) || isASCIILetter($0) }) else {
            throw DomainError.interbankMessage("ID number is not 1–35 letters and digits")
        }
    }

    /// A mainland mobile number as entered: 5 to 15 digits (written `+86-…` in `MobNb`).
    static func checkMobile(_ mobile: String) throws {
        guard (5...15).contains(mobile.utf8.count), mobile.utf8.allSatisfy(isDigit) else {
            throw DomainError.interbankMessage("mobile number '\(mobile.prefix(20))' is not 5–15 digits")
        }
    }

    /// Free text: at most `maximum` characters, no control characters, and not blank unless `mayBeEmpty`.
    static func checkText(_ text: String, field: String, maximum: Int = textCharactersMax, mayBeEmpty: Bool = false) throws {
        if !mayBeEmpty, text.allSatisfy(\.isWhitespace) {
            throw DomainError.interbankMessage("\(field) is empty")
        }
        guard text.count <= maximum else {
            throw DomainError.interbankMessage("\(field) is longer than \(maximum) characters")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw DomainError.interbankMessage("\(field) contains control characters")
        }
    }

    /// A transfer amount: positive and within what `YuanAmount` can write.
    static func checkAmount(_ fen: Int64) throws {
        guard fen > 0, fen <= amountFenMax else {
            throw DomainError(.interbankAmountInvalid, "Interbank amounts must be between 0.01 and \(YuanAmount.text(fen: amountFenMax)) yuan.", status: 422)
        }
    }

    /// The largest amount with `YuanAmount.integerDigitsMax` integer digits.
    static let amountFenMax: Int64 = 9_999_999_999_999_999_99

    // MARK: Building blocks

    /// `<GrpHdr><MsgId>…</MsgId><CreDtTm>…</CreDtTm></GrpHdr>` (named `Assgnmt` in acmt messages).
    static func writeHeader(_ writer: inout XMLWriter, _ name: String, id: RongID, createdAt: Timestamp) throws {
        try writer.element(name) {
            try $0.leaf("MsgId", messageIDText(id))
            try $0.leaf("CreDtTm", timeText(createdAt))
        }
    }

    static func readHeader(_ reader: inout ElementReader, _ name: String) throws -> (id: RongID, createdAt: Timestamp) {
        var header = try reader.nested(name)
        let id = try messageID(header.text("MsgId"))
        let createdAt = try time(header.text("CreDtTm"), "CreDtTm")
        try header.finish()
        return (id, createdAt)
    }

    /// `<DbtrAgt><FinInstnId><ClrSysMmbId><MmbId>105</MmbId></ClrSysMmbId></FinInstnId></DbtrAgt>`.
    static func writeAgent(_ writer: inout XMLWriter, _ name: String, bankCode: String) throws {
        try checkBankCode(bankCode)
        try writer.path("\(name)/FinInstnId/ClrSysMmbId/MmbId", bankCode)
    }

    static func readAgent(_ reader: inout ElementReader, _ name: String) throws -> String {
        let code = try reader.text("\(name)/FinInstnId/ClrSysMmbId/MmbId")
        try checkBankCode(code)
        return code
    }

    /// `<DbtrAcct><Id><Othr><Id>6217…</Id></Othr></Id></DbtrAcct>`.
    static func writeAccount(_ writer: inout XMLWriter, _ name: String, number: String) throws {
        try checkAccountNumber(number)
        try writer.path("\(name)/Id/Othr/Id", number)
    }

    static func readAccount(_ reader: inout ElementReader, _ name: String) throws -> String {
        let number = try reader.text("\(name)/Id/Othr/Id")
        try checkAccountNumber(number)
        return number
    }

    /// `<Dbtr><Nm>张伟</Nm></Dbtr>`.
    static func writeParty(_ writer: inout XMLWriter, _ name: String, holderName: String) throws {
        try checkText(holderName, field: "\(name) name")
        try writer.path("\(name)/Nm", holderName)
    }

    static func readParty(_ reader: inout ElementReader, _ name: String) throws -> String {
        let holderName = try reader.text("\(name)/Nm")
        try checkText(holderName, field: "\(name) name")
        return holderName
    }

    /// `<IntrBkSttlmAmt Ccy="CNY">123.45</IntrBkSttlmAmt>`.
    static func writeAmount(_ writer: inout XMLWriter, fen: Int64) throws {
        try checkAmount(fen)
        try writer.leaf("IntrBkSttlmAmt", YuanAmount.text(fen: fen), attributes: ["Ccy": "CNY"])
    }

    static func readAmount(_ reader: inout ElementReader) throws -> Int64 {
        let node = try reader.child("IntrBkSttlmAmt")
        let text = try ElementReader.leafText(node, allowedAttributes: ["Ccy"])
        guard node.attributes["Ccy"] == "CNY" else {
            throw DomainError.interbankMessage("IntrBkSttlmAmt must carry Ccy=\"CNY\"")
        }
        let fen = try YuanAmount.fen(text)
        try checkAmount(fen)
        return fen
    }

    /// `<RmtInf><Ustrd>…</Ustrd></RmtInf>`, left out when there is nothing to say.
    static func writeRemittance(_ writer: inout XMLWriter, _ text: String) throws {
        try checkText(text, field: "remittance information", mayBeEmpty: true)
        guard !text.isEmpty else { return }
        try writer.path("RmtInf/Ustrd", text)
    }

    static func readRemittance(_ reader: inout ElementReader) throws -> String {
        guard let node = reader.optionalChild("RmtInf") else { return "" }
        var wrapper = try ElementReader(node)
        let text = try ElementReader.leafText(wrapper.child("Ustrd"))
        try wrapper.finish()
        try checkText(text, field: "remittance information", mayBeEmpty: true)
        return text
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
}
