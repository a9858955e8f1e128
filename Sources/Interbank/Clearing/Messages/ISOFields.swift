import BankKit

/// Building blocks of the clearing-house documents beyond those `MessageFields` already has.
enum ISOFields {
    /// ISO 20022 `Max35Text`: references such as `EndToEndId` and `TxId`.
    static let referenceCharactersMax = 35

    /// A `Max35Text` reference: 1–35 characters, no control characters.
    static func checkReference(_ text: String, field: String) throws {
        try MessageFields.checkText(text, field: field, maximum: referenceCharactersMax)
    }

    /// `<name Ccy="CNY">123.45</name>` for any amount element.
    static func writeAmount(_ writer: inout XMLWriter, _ name: String, fen: Int64) throws {
        try MessageFields.checkAmount(fen)
        try writer.leaf(name, YuanAmount.text(fen: fen), attributes: ["Ccy": "CNY"])
    }

    static func readAmount(_ reader: inout ElementReader, _ name: String) throws -> Int64 {
        let node = try reader.child(name)
        return try amount(node)
    }

    static func readOptionalAmount(_ reader: inout ElementReader, _ name: String) throws -> Int64? {
        try reader.optionalChild(name).map(amount)
    }

    private static func amount(_ node: XMLElementNode) throws -> Int64 {
        let text = try ElementReader.leafText(node, allowedAttributes: ["Ccy"])
        guard node.attributes["Ccy"] == "CNY" else {
            throw DomainError.interbankMessage("<\(node.name)> must carry Ccy=\"CNY\"")
        }
        let fen = try YuanAmount.fen(text)
        try MessageFields.checkAmount(fen)
        return fen
    }

    /// An agent element if `bankCode` is given.
    static func writeOptionalAgent(_ writer: inout XMLWriter, _ name: String, bankCode: String?) throws {
        guard let bankCode else { return }
        try MessageFields.writeAgent(&writer, name, bankCode: bankCode)
    }

    static func readOptionalAgent(_ reader: inout ElementReader, _ name: String) throws -> String? {
        guard let node = reader.optionalChild(name) else { return nil }
        var wrapper = try ElementReader(node)
        let code = try wrapper.text("FinInstnId/ClrSysMmbId/MmbId")
        try wrapper.finish()
        try MessageFields.checkBankCode(code)
        return code
    }

    /// `<OrgnlMsgId>…</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId>` inside the current element.
    static func writeOriginal(_ writer: inout XMLWriter, id: RongID, name: ISO20022MessageName) throws {
        try writer.leaf("OrgnlMsgId", MessageFields.messageIDText(id))
        try writer.leaf("OrgnlMsgNmId", name.rawValue)
    }

    static func readOriginal(_ reader: inout ElementReader) throws -> (id: RongID, name: ISO20022MessageName) {
        let id = try MessageFields.messageID(reader.text("OrgnlMsgId"))
        let nameText = try reader.text("OrgnlMsgNmId")
        guard let name = ISO20022MessageName(rawValue: nameText) else {
            throw DomainError.interbankMessage("OrgnlMsgNmId '\(nameText.prefix(40))' names no message this clearing house handles")
        }
        return (id, name)
    }

    /// An ISO external code (`AC01`, `AM05`): four uppercase letters and digits.
    static func checkExternalCode(_ code: String) throws {
        try PaymentStatusReport.checkReasonCode(code)
    }

    /// A proprietary code (`NOTFOUND`): 1–35 uppercase ASCII letters, digits and underscores.
    static func checkProprietaryCode(_ code: String) throws {
        guard (1...referenceCharactersMax).contains(code.utf8.count),
              code.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == UInt8(ascii: "_") }) else {
            throw DomainError.interbankMessage("proprietary code '\(code.prefix(40))' is not 1–35 uppercase letters, digits or '_'")
        }
    }
}
