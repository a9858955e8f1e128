import BankKit

/// A strict parser for the XML subset interbank messages use: one optional XML declaration
/// (version 1.0, UTF-8), then one element tree with attributes, character data, the five
/// predefined entities and character references.
///
/// Hand-written rather than Foundation's `XMLParser` (libxml2 on Linux) so nothing else gets
/// in: no DTD, no entity declarations or external entities (XXE, billion laughs), no comments,
/// processing instructions or CDATA, no namespace prefixes, no mixed content; and no shared
/// libxml2 state between concurrent requests. Everything is bounded by the limits below.
struct StrictXMLParser {
    /// Largest message accepted, in UTF-8 bytes (the biggest message here is about 3 KB).
    static let documentBytesMax = 65_536
    /// Deepest element nesting accepted (the deepest message here, ibps.309, nests 11).
    static let depthMax = 24
    /// Most elements in one document.
    static let elementsMax = 512
    /// Most attributes on one element.
    static let attributesMax = 4

    private let bytes: [UInt8]
    private var index = 0
    private var elementCount = 0

    /// Parses `text` into its root element, or throws `interbank_message_invalid`.
    static func parse(_ text: String) throws -> XMLElementNode {
        guard text.utf8.count <= documentBytesMax else {
            throw DomainError.interbankMessage("message is larger than \(documentBytesMax) bytes")
        }
        var parser = StrictXMLParser(bytes: Array(text.utf8))
        return try parser.document()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func document() throws -> XMLElementNode {
        if starts(with: "<?xml") { try declaration() }
        skipWhitespace()
        let root = try element(depth: 1)
        skipWhitespace()
        guard index == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// `<?xml version="1.0" encoding="UTF-8"?>`; `encoding` optional, nothing else allowed.
    private mutating func declaration() throws {
        index += 5
        var attributes: [String: String] = [:]
        while true {
            let hadSpace = skipWhitespace()
            if starts(with: "?>") { index += 2; break }
            guard hadSpace else { throw fail("malformed XML declaration") }
            let (name, value) = try attribute()
            guard attributes.updateValue(value, forKey: name) == nil else { throw fail("repeated '\(name)' in the XML declaration") }
        }
        guard attributes["version"] == "1.0" else { throw fail("XML version must be 1.0") }
        guard Set(attributes.keys).isSubset(of: ["version", "encoding"]) else { throw fail("unsupported XML declaration") }
        if let encoding = attributes["encoding"], encoding.uppercased() != "UTF-8" {
            throw fail("encoding must be UTF-8")
        }
    }

    private mutating func element(depth: Int) throws -> XMLElementNode {
        guard depth <= StrictXMLParser.depthMax else { throw fail("elements nested deeper than \(StrictXMLParser.depthMax)") }
        elementCount += 1
        guard elementCount <= StrictXMLParser.elementsMax else { throw fail("more than \(StrictXMLParser.elementsMax) elements") }
        try expect("<")
        let name = try self.name()
        var node = XMLElementNode(name: name, attributes: [:], children: [], text: "")
        while true {
            let hadSpace = skipWhitespace()
            if starts(with: "/>") { index += 2; return node }
            if starts(with: ">") { index += 1; break }
            guard hadSpace else { throw fail("malformed start tag <\(name)>") }
            let (attributeName, value) = try attribute()
            guard node.attributes.updateValue(value, forKey: attributeName) == nil else {
                throw fail("repeated attribute '\(attributeName)' on <\(name)>")
            }
            guard node.attributes.count <= StrictXMLParser.attributesMax else { throw fail("too many attributes on <\(name)>") }
        }
        var text = ""
        var hasText = false
        while true {
            guard index < bytes.count else { throw fail("<\(name)> is not closed") }
            if starts(with: "</") {
                index += 2
                let closing = try self.name()
                skipWhitespace()
                try expect(">")
                guard closing == name else { throw fail("</\(closing)> closes <\(name)>") }
                break
            }
            if starts(with: "<!") || starts(with: "<?") {
                throw fail("comments, CDATA, DOCTYPE and processing instructions are not accepted")
            }
            if bytes[index] == UInt8(ascii: "<") {
                node.children.append(try element(depth: depth + 1))
                continue
            }
            let chunk = try characterData()
            if !chunk.allSatisfy(\.isXMLWhitespace) { hasText = true }
            text += chunk
        }
        if !node.children.isEmpty {
            guard !hasText else { throw fail("<\(name)> mixes text and elements") }
        } else {
            node.text = text
        }
        return node
    }

    /// `name="value"` or `name='value'`.
    private mutating func attribute() throws -> (String, String) {
        let name = try self.name()
        skipWhitespace()
        try expect("=")
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
            throw fail("attribute '\(name)' has no quoted value")
        }
        let quote = bytes[index]
        index += 1
        var value = ""
        while true {
            guard index < bytes.count else { throw fail("attribute '\(name)' is not closed") }
            let byte = bytes[index]
            if byte == quote { index += 1; break }
            if byte == UInt8(ascii: "<") { throw fail("'<' in attribute '\(name)'") }
            if byte == UInt8(ascii: "&") {
                value.unicodeScalars.append(try reference())
                continue
            }
            let scalar = try rawScalar()
            // Attribute-value normalisation (XML 1.0 §3.3.3): literal whitespace becomes a space.
            value.unicodeScalars.append(scalar == "\t" || scalar == "\n" || scalar == "\r" ? " " : scalar)
        }
        return (name, value)
    }

    /// Character data up to the next `<`, with references resolved and line ends normalised.
    private mutating func characterData() throws -> String {
        var text = ""
        while index < bytes.count, bytes[index] != UInt8(ascii: "<") {
            if bytes[index] == UInt8(ascii: "&") {
                text.unicodeScalars.append(try reference())
                continue
            }
            let scalar = try rawScalar()
            if scalar == "\r" {
                // XML 1.0 §2.11: CR LF and a lone CR both become LF.
                if index < bytes.count, bytes[index] == UInt8(ascii: "\n") { index += 1 }
                text.unicodeScalars.append("\n")
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#NN;` `&#xHH;`; any other reference is refused.
    private mutating func reference() throws -> Unicode.Scalar {
        index += 1
        guard let end = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
            throw fail("'&' that starts no reference")
        }
        let body = String(decoding: bytes[index..<end], as: UTF8.self)
        index = end + 1
        switch body {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        default: break
        }
        var value: UInt32?
        if body.hasPrefix("#x") {
            let digits = body.dropFirst(2)
            if !digits.isEmpty, digits.allSatisfy(\.isHexDigit) { value = UInt32(digits, radix: 16) }
        } else if body.hasPrefix("#") {
            let digits = body.dropFirst()
            if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) { value = UInt32(digits) }
        }
        guard let value, let scalar = Unicode.Scalar(value), XMLCharacters.isAllowed(scalar) else {
            throw fail("unknown reference '&\(body.prefix(10));'")
        }
        return scalar
    }

    /// One Unicode scalar of literal text (the input came from a `String`, so it is valid UTF-8).
    private mutating func rawScalar() throws -> Unicode.Scalar {
        let lead = bytes[index]
        let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        guard index + length <= bytes.count else { throw fail("truncated character") }
        var decoder = UTF8()
        var iterator = bytes[index..<index + length].makeIterator()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { throw fail("invalid UTF-8") }
        index += length
        guard XMLCharacters.isAllowed(scalar) else {
            throw fail("character U+\(String(scalar.value, radix: 16, uppercase: true)) is not allowed in XML")
        }
        return scalar
    }

    /// An element or attribute name: ASCII letters, digits, `_`, `-`, `.`, not starting with a digit.
    /// No namespace prefixes: the messages use a default namespace only.
    private mutating func name() throws -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            let isLetter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
            let isOther = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isLetter || (index > start && isOther) else { break }
            index += 1
        }
        guard index > start, index - start <= 64 else { throw fail("expected a name") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = index
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return index > start
    }

    private func starts(with literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { buffer in
            for offset in 0..<count where bytes[index + offset] != buffer[offset] { return false }
            return true
        }
    }

    private mutating func expect(_ literal: StaticString) throws {
        guard starts(with: literal) else { throw fail("expected '\(literal)'") }
        index += literal.utf8CodeUnitCount
    }

    private func fail(_ reason: String) -> DomainError {
        DomainError.interbankMessage("malformed XML at byte \(index): \(reason)")
    }
}

extension Character {
    /// XML's whitespace: space, tab, newline, carriage return.
    var isXMLWhitespace: Bool { self == " " || self == "\t" || self == "\n" || self == "\r" || self == "\r\n" }
}
