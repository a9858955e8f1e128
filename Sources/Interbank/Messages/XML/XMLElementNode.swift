/// One parsed XML element: its name, attributes, child elements and character data.
///
/// The parser allows no mixed content: an element with children has only whitespace between
/// them, so `text` is meaningful for leaves only.
struct XMLElementNode: Sendable, Equatable {
    var name: String
    var attributes: [String: String]
    var children: [XMLElementNode]
    var text: String
}
