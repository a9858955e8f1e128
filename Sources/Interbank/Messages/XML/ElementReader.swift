import BankKit

/// Reads an element's children strictly in order: each expected child must come next, and
/// `finish()` fails when anything is left over. So an unknown, repeated or misplaced element
/// is an error rather than something silently skipped.
struct ElementReader {
    let element: XMLElementNode
    private var position = 0

    /// Starts reading `element`, which may carry only the `allowedAttributes`.
    init(_ element: XMLElementNode, allowedAttributes: Set<String> = []) throws {
        for name in element.attributes.keys where !allowedAttributes.contains(name) {
            throw DomainError.interbankMessage("unexpected attribute '\(name)' on <\(element.name)>")
        }
        self.element = element
    }

    /// The next child, which must be named `name`.
    mutating func child(_ name: String) throws -> XMLElementNode {
        guard let next = optionalChild(name) else {
            let found = position < element.children.count ? "<\(element.children[position].name)>" : "nothing"
            throw DomainError.interbankMessage("expected <\(name)> in <\(element.name)>, found \(found)")
        }
        return next
    }

    /// The next child if it is named `name`.
    mutating func optionalChild(_ name: String) -> XMLElementNode? {
        guard position < element.children.count, element.children[position].name == name else { return nil }
        defer { position += 1 }
        return element.children[position]
    }

    /// A reader over the next child, named `name`.
    mutating func nested(_ name: String, allowedAttributes: Set<String> = []) throws -> ElementReader {
        try ElementReader(child(name), allowedAttributes: allowedAttributes)
    }

    /// The text of the leaf at the end of a chain of single-child wrappers (`"CdtrAcct/Id/Othr/Id"`).
    mutating func text(_ path: String) throws -> String {
        var names = path.split(separator: "/").map(String.init)
        var node = try child(names.removeFirst())
        for name in names {
            var wrapper = try ElementReader(node)
            node = try wrapper.child(name)
            try wrapper.finish()
        }
        return try ElementReader.leafText(node)
    }

    /// The text of the next leaf child if it is named `name`.
    mutating func optionalText(_ name: String) throws -> String? {
        try optionalChild(name).map { try ElementReader.leafText($0) }
    }

    /// The text of a leaf element that has no attributes.
    static func leafText(_ node: XMLElementNode, allowedAttributes: Set<String> = []) throws -> String {
        _ = try ElementReader(node, allowedAttributes: allowedAttributes)
        guard node.children.isEmpty else { throw DomainError.interbankMessage("<\(node.name)> must hold text, not elements") }
        return node.text
    }

    /// Fails when children remain unread.
    func finish() throws {
        guard position == element.children.count else {
            throw DomainError.interbankMessage("unexpected <\(element.children[position].name)> in <\(element.name)>")
        }
        if element.children.isEmpty, !element.text.allSatisfy(\.isXMLWhitespace) {
            throw DomainError.interbankMessage("unexpected text in <\(element.name)>")
        }
    }
}
