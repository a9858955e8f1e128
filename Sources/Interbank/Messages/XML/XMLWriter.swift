import BankKit

/// A minimal XML writer: UTF-8, two-space indentation, leaves on one line, every text escaped.
///
/// Text that XML 1.0 cannot carry at all (control characters other than tab, newline and
/// carriage return; U+FFFE, U+FFFF) makes `leaf` throw instead of producing a document the
/// other side would reject.
struct XMLWriter {
    private(set) var output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var open: [String] = []

    /// Opens `name`, writes what `body` writes inside it, and closes it.
    mutating func element(_ name: String, attributes: KeyValuePairs<String, String> = [:],
                          _ body: (inout XMLWriter) throws -> Void) throws {
        indent()
        output += "<\(name)"
        try appendAttributes(attributes)
        output += ">\n"
        open.append(name)
        try body(&self)
        open.removeLast()
        indent()
        output += "</\(name)>\n"
    }

    /// `<name attr="…">text</name>` on one line.
    mutating func leaf(_ name: String, _ text: String, attributes: KeyValuePairs<String, String> = [:]) throws {
        indent()
        output += "<\(name)"
        try appendAttributes(attributes)
        output += ">"
        try XMLWriter.appendEscaped(text, inAttribute: false, to: &output)
        output += "</\(name)>\n"
    }

    /// A chain of single-child wrappers around a leaf: `path("CdtrAcct/Id/Othr/Id", v)` writes
    /// `<CdtrAcct><Id><Othr><Id>v</Id></Othr></Id></CdtrAcct>`.
    mutating func path(_ path: String, _ text: String) throws {
        var names = path.split(separator: "/").map(String.init)
        let last = names.removeLast()
        try wrap(names[...], last, text)
    }

    private mutating func wrap(_ names: ArraySlice<String>, _ last: String, _ text: String) throws {
        guard let first = names.first else { return try leaf(last, text) }
        try element(first) { try $0.wrap(names.dropFirst(), last, text) }
    }

    private mutating func indent() {
        output += String(repeating: "  ", count: open.count)
    }

    private mutating func appendAttributes(_ attributes: KeyValuePairs<String, String>) throws {
        for (name, value) in attributes {
            output += " \(name)=\""
            try XMLWriter.appendEscaped(value, inAttribute: true, to: &output)
            output += "\""
        }
    }

    /// Escapes markup characters; in attributes also the whitespace a parser would normalise away.
    /// A carriage return is written as `&#13;` so it survives line-end normalisation.
    static func appendEscaped(_ text: String, inAttribute: Bool, to output: inout String) throws {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"" where inAttribute: output += "&quot;"
            case "\r": output += "&#13;"
            case "\t" where inAttribute: output += "&#9;"
            case "\n" where inAttribute: output += "&#10;"
            default:
                guard XMLCharacters.isAllowed(scalar) else {
                    throw DomainError.interbankMessage("text contains U+\(String(scalar.value, radix: 16, uppercase: true)), which XML cannot carry")
                }
                output.unicodeScalars.append(scalar)
            }
        }
    }
}

/// The character rules of XML 1.0 (§2.2 `Char`, §2.3 `Name`), restricted to what Rong's messages use.
enum XMLCharacters {
    /// XML 1.0 `Char`: tab, newline, carriage return, and everything from U+0020 except U+FFFE/U+FFFF
    /// (Swift strings hold no surrogates).
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: true
        case 0x20...0xFFFD: true
        case 0x10000...0x10FFFF: true
        default: false
        }
    }
}
