import BankKit

/// Reads the common client frames — a flat JSON object of strings, integers and nulls with the
/// protocol's snake_case keys (`send`, `read`, `typing`, `sync`, `ping`…) — without
/// `JSONDecoder`, which was 5–6% of the server's CPU in `rong bench im` (one decode per frame).
///
/// It answers nil for anything else — a nested object or array (a card), a float, `true`,
/// an unknown or repeated key, a camelCase key, a value of the wrong type, an invalid id,
/// malformed JSON — and the caller then decodes with `JSONDecoder`, which accepts or refuses it
/// exactly as before. So this only ever takes a frame `JSONDecoder` would read the same way; a
/// test holds the two equal over a corpus of ordinary and awkward frames.
enum ClientFrameScanner {
    static func scan(_ text: String) -> ClientFrame? {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = Scanner(bytes: bytes)
            return scanner.frame()
        }
    }

    private enum Value {
        case string(String)
        case integer(Int64)
        case null
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func frame() -> ClientFrame? {
            var type: String?, ref: String?, conversationID: RongID?, clientID: String?, kind: String?, text: String?
            var blobID: RongID?, seconds: Int?, afterSeq: Int64?, limit: Int?, seq: Int64?, messageID: RongID?
            var seen: UInt16 = 0
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return nil }
            skipSpace()
            if !take(UInt8(ascii: "}")) {
                while true {
                    skipSpace()
                    guard let key = string() else { return nil }
                    skipSpace()
                    guard take(UInt8(ascii: ":")) else { return nil }
                    skipSpace()
                    guard let value = value() else { return nil }
                    let bit: UInt16
                    switch key {
                    case "type": bit = 1 << 0; guard case .string(let v) = value else { return nil }; type = v
                    case "ref": bit = 1 << 1; guard let v = Self.optionalString(value) else { return nil }; ref = v
                    case "conversation_id": bit = 1 << 2; guard let v = Self.optionalID(value) else { return nil }; conversationID = v
                    case "client_id": bit = 1 << 3; guard let v = Self.optionalString(value) else { return nil }; clientID = v
                    case "kind": bit = 1 << 4; guard let v = Self.optionalString(value) else { return nil }; kind = v
                    case "text": bit = 1 << 5; guard let v = Self.optionalString(value) else { return nil }; text = v
                    case "blob_id": bit = 1 << 6; guard let v = Self.optionalID(value) else { return nil }; blobID = v
                    case "seconds": bit = 1 << 7; guard let v = Self.optionalInt(value) else { return nil }; seconds = v.map(Int.init)
                    case "after_seq": bit = 1 << 8; guard let v = Self.optionalInt(value) else { return nil }; afterSeq = v
                    case "limit": bit = 1 << 9; guard let v = Self.optionalInt(value) else { return nil }; limit = v.map(Int.init)
                    case "seq": bit = 1 << 10; guard let v = Self.optionalInt(value) else { return nil }; seq = v
                    case "message_id": bit = 1 << 11; guard let v = Self.optionalID(value) else { return nil }; messageID = v
                    default: return nil  // unknown, camelCase or `card`: JSONDecoder decides
                    }
                    guard seen & bit == 0 else { return nil }
                    seen |= bit
                    skipSpace()
                    if take(UInt8(ascii: ",")) { continue }
                    guard take(UInt8(ascii: "}")) else { return nil }
                    break
                }
            }
            skipSpace()
            guard at == bytes.count, let type else { return nil }
            return ClientFrame(type: type, ref: ref, conversationID: conversationID, clientID: clientID, kind: kind, text: text, blobID: blobID,
                               seconds: seconds, card: nil, afterSeq: afterSeq, limit: limit, seq: seq, messageID: messageID)
        }

        // An optional member: `.some(nil)` for JSON null, nil when the value has another type.
        static func optionalString(_ value: Value) -> String?? {
            switch value {
            case .string(let v): return .some(v)
            case .null: return .some(nil)
            case .integer: return nil
            }
        }

        static func optionalInt(_ value: Value) -> Int64?? {
            switch value {
            case .integer(let v): return .some(v)
            case .null: return .some(nil)
            case .string: return nil
            }
        }

        static func optionalID(_ value: Value) -> RongID?? {
            switch value {
            case .string(let v):
                guard let id = try? RongID(v) else { return nil }
                return .some(id)
            case .null: return .some(nil)
            case .integer: return nil
            }
        }

        mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard at < bytes.count, bytes[at] == byte else { return false }
            at += 1
            return true
        }

        mutating func value() -> Value? {
            guard at < bytes.count else { return nil }
            switch bytes[at] {
            case UInt8(ascii: "\""): return string().map(Value.string)
            case UInt8(ascii: "n"):
                guard at + 4 <= bytes.count, bytes[at + 1] == UInt8(ascii: "u"), bytes[at + 2] == UInt8(ascii: "l"), bytes[at + 3] == UInt8(ascii: "l") else {
                    return nil
                }
                at += 4
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer().map(Value.integer)
            default: return nil  // objects, arrays, true/false: JSONDecoder decides
            }
        }

        /// `-?(0|[1-9][0-9]*)` within Int64, not followed by a fraction or exponent.
        mutating func integer() -> Int64? {
            let negative = take(UInt8(ascii: "-"))
            let start = at
            var magnitude: UInt64 = 0
            while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") {
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(UInt64(bytes[at] - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                magnitude = next
                at += 1
            }
            let digits = at - start
            guard digits > 0, !(digits > 1 && bytes[start] == UInt8(ascii: "0")) else { return nil }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") || bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") { return nil }
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
                return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return Int64(magnitude)
        }

        /// A JSON string with its escapes; nil for a control character or a malformed escape.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = at
            // The usual case: no escapes, the bytes are the string.
            while at < bytes.count {
                let byte = bytes[at]
                if byte == UInt8(ascii: "\"") {
                    defer { at += 1 }
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") { break }
                guard byte >= 0x20 else { return nil }
                at += 1
            }
            var scalars = String.UnicodeScalarView()
            var utf8: [UInt8] = Array(bytes[start..<at])
            while at < bytes.count {
                let byte = bytes[at]
                switch byte {
                case UInt8(ascii: "\""):
                    at += 1
                    scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    // Flush the raw bytes so far in order before an escaped scalar.
                    if !utf8.isEmpty {
                        scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                        utf8.removeAll(keepingCapacity: true)
                    }
                    at += 1
                    guard at < bytes.count else { return nil }
                    let escape = bytes[at]
                    at += 1
                    switch escape {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{8}")
                    case UInt8(ascii: "f"): scalars.append("\u{c}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        guard let unit = hex4() else { return nil }
                        if (0xD800...0xDBFF).contains(unit) {
                            guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                            guard let scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) else { return nil }
                            scalars.append(scalar)
                        } else {
                            guard let scalar = Unicode.Scalar(unit) else { return nil }  // a lone low surrogate
                            scalars.append(scalar)
                        }
                    default: return nil
                    }
                default:
                    guard byte >= 0x20 else { return nil }
                    utf8.append(byte)
                    at += 1
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[at]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: return nil
                }
                value = value << 4 | digit
                at += 1
            }
            return value
        }
    }
}
