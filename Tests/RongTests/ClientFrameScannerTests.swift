import BankKit
import Foundation
@testable import Messaging
import Testing

/// The e-Link server reads common client frames without `JSONDecoder` (`ClientFrameScanner`);
/// whatever it reads must be exactly what `JSONDecoder` reads, and anything unusual goes to
/// `JSONDecoder`, which accepts or refuses it as before.
@Suite("e-Link client frames without JSONDecoder")
struct ClientFrameScannerTests {
    static let id = "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
    static let upper = "3F2A9C1E-5B7D-4E8F-9A0B-1C2D3E4F5A6B"

    /// Frames the scanner must read itself (the bench's, the chat page's, and awkward text).
    static let common = [
        #"{"type":"send","conversation_id":"\#(id)","text":"在吗","ref":"r1"}"#,
        #"{"type":"send","conversation_id":"\#(upper)","client_id":"c-1","kind":"text","text":"hello"}"#,
        #"{"type":"send","conversation_id":"\#(id)","kind":"voice","blob_id":"\#(id)","seconds":17}"#,
        #"{"type":"read","conversation_id":"\#(id)","seq":12}"#,
        #"{"type":"typing","conversation_id":"\#(id)"}"#,
        #"{"type":"sync","conversation_id":"\#(id)","after_seq":0,"limit":50,"ref":"s"}"#,
        #"{"type":"recall","conversation_id":"\#(id)","message_id":"\#(id)"}"#,
        #"{"type":"ping"}"#,
        #"{"type":"ping","ref":null}"#,
        " {\n\t\"type\" : \"ping\" ,\r\n \"ref\" : \"x\" } \n",
        #"{"type":"send","conversation_id":"\#(id)","text":"quote \" back\\slash \/ nl\n tab\t \u00e9 \u597d \ud83c\udfe6 end"}"#,
        #"{"type":"send","conversation_id":"\#(id)","text":"a\"b你\u597dc🏦d\\"}"#,
        #"{"type":"send","conversation_id":"\#(id)","text":""}"#,
        #"{"type":"read","conversation_id":"\#(id)","seq":-1}"#,
        #"{"type":"read","conversation_id":"\#(id)","seq":9223372036854775807}"#,
        #"{"type":"read","conversation_id":"\#(id)","seq":-9223372036854775808}"#,
        #"{"type":"read","conversation_id":"\#(id)","seq":0}"#,
        #"{"type":"whatever"}"#,
    ]

    /// Frames the scanner leaves to `JSONDecoder` (which may accept or refuse them).
    static let unusual = [
        #"{"type":"send","conversation_id":"\#(id)","kind":"card","card":{"kind":"product","title":"薪金宝","url":"/bank/products/x","fields":{}}}"#,
        #"{"type":"send","conversationId":"\#(id)","text":"camel"}"#,
        #"{"type":"ping","extra":1}"#,
        #"{"type":"ping","type":"send"}"#,
        #"{"type":"ping","ref":true}"#,
        #"{"type":"ping","ref":["a"]}"#,
        #"{"type":"read","conversation_id":"not-a-uuid","seq":1}"#,
        #"{"type":"read","conversation_id":"\#(id)","seq":9223372036854775808}"#,
        #"{"type":"read","conversation_id":"\#(id)","seq":1.0}"#,
        #"{"type":"read","conversation_id":"\#(id)","seq":1e2}"#,
        #"{"type":"read","conversation_id":"\#(id)","seq":01}"#,
        #"{"type":"read","conversation_id":"\#(id)","seq":"12"}"#,
        #"{"type":"send","conversation_id":"\#(id)","text":"lone \ud800 surrogate"}"#,
        #"{"type":"send","conversation_id":"\#(id)","text":"bad \x escape"}"#,
        "{\"type\":\"send\",\"text\":\"raw \u{1} control\"}",
        #"{"type":"ping",}"#,
        #"{"type":"ping"}x"#,
        #"{"type":null}"#,
        "{}", "[]", #""ping""#, "", "{", #"{"type""#,
    ]

    @Test("Common frames are read without JSONDecoder, exactly as JSONDecoder reads them")
    func commonFrames() {
        for text in Self.common {
            let scanned = ClientFrameScanner.scan(text)
            let decoded = MessagingService.decodeJSON(ClientFrame.self, text)
            #expect(scanned != nil, "not scanned: \(text)")
            #expect(decoded != nil, "JSONDecoder refuses: \(text)")
            if let scanned, let decoded { #expect("\(scanned)" == "\(decoded)", "\(text)") }
        }
    }

    @Test("Anything unusual is left to JSONDecoder")
    func unusualFrames() {
        for text in Self.unusual {
            #expect(ClientFrameScanner.scan(text) == nil, "scanned: \(text)")
        }
        // JSONDecoder still takes the ones it always took (a card, camelCase keys).
        #expect(MessagingService.decodeJSON(ClientFrame.self, Self.unusual[0])?.card?.title == "薪金宝")
        #expect(MessagingService.decodeJSON(ClientFrame.self, Self.unusual[1])?.text == "camel")
    }
}
