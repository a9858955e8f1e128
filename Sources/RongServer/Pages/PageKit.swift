import BankKit
import Foundation
import HTTPTypes
import Hummingbird

/// The language of a page: Chinese first, English on request.
///
/// `?lang=en` (or a hidden `lang` form field) chooses English and `?lang=zh` Chinese; the choice
/// is remembered in the `rong_lang` cookie so links and redirects keep it without carrying it.
enum PageLanguage: String, Sendable {
    case zh = "zh-CN"
    case en

    static let cookie = "rong_lang"

    /// The language asked for in the query string, if any.
    static func requested(_ request: Request) -> PageLanguage? {
        switch request.uri.queryParameters.get("lang") {
        case "en": .en
        case "zh", "zh-CN": .zh
        default: nil
        }
    }

    static func of(_ request: Request, form: FormData? = nil) -> PageLanguage {
        if let asked = requested(request) { return asked }
        switch form?["lang"] {
        case "en": return .en
        case "zh", "zh-CN": return .zh
        default: break
        }
        return request.cookies[cookie]?.value == "en" ? .en : .zh
    }

    var code: String { self == .en ? "en" : "zh" }
    var isEnglish: Bool { self == .en }
    var other: PageLanguage { self == .en ? .zh : .en }
}

/// The fields of an `application/x-www-form-urlencoded` body.
struct FormData: Sendable {
    /// Forms are a handful of short fields.
    static let bodyBytesMax = 16 * 1024
    /// A form carrying long text (an official account's article, up to 20,000 UTF-8 bytes, which
    /// percent-encoding can triple): big enough that the service, not the parser, refuses a long one.
    static let longTextBodyBytesMax = 256 * 1024
    static let fieldsMax = 64

    private(set) var fields: [String: String] = [:]

    init(_ fields: [String: String] = [:]) { self.fields = fields }

    /// Parses `a=1&b=%E8%9E%8D+x`; a repeated name keeps its first value.
    init(encoded text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true).prefix(FormData.fieldsMax) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = FormData.decode(parts[0])
            let value = parts.count > 1 ? FormData.decode(parts[1]) : ""
            if !name.isEmpty, fields[name] == nil { fields[name] = value }
        }
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The body of a form POST (415 for another content type, 413 past `bytesMax`, 16 KiB unless the page says).
    static func parse(_ request: Request, context: RongRequestContext, bytesMax: Int = FormData.bodyBytesMax) async throws -> FormData {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            throw DomainError(.unsupportedMediaType, "Send the form as application/x-www-form-urlencoded.", status: 415)
        }
        var copy = request
        let buffer = try await copy.collectBody(upTo: bytesMax)
        return FormData(encoded: String(buffer: buffer))
    }

    subscript(_ name: String) -> String? { fields[name] }

    /// A field trimmed of surrounding spaces, empty when absent.
    func text(_ name: String) -> String { (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

    /// The fields to show again after an error: never a password.
    func kept(except hidden: Set<String> = []) -> [String: String] {
        fields.filter { !$0.key.lowercased().contains("password") && !hidden.contains($0.key) }
    }
}

/// What a form shows after a refused submission: the message, the field to mark, the input to keep.
struct FormState: Sendable {
    var values: [String: String] = [:]
    var message: String?
    var field: String?
    /// The refusal's stable code (`credit_limit_exceeded`), shown beside the message.
    var code: String?

    /// From a service's error: its message in the page's language and the form field it names
    /// (`DomainError.extensions["field"]`, translated to the form's input name by `fieldNames`).
    init(error: DomainError, form: FormData?, lang: PageLanguage, fieldNames: [String: String] = [:],
         messages: (DomainError, PageLanguage) -> String = PageText.message) {
        values = form?.kept() ?? [:]
        message = messages(error, lang)
        code = error.code.rawValue
        if case .string(let name)? = error.extensions["field"] {
            field = fieldNames[name] ?? PageText.formField[name] ?? name
        }
    }

    init(values: [String: String] = [:]) { self.values = values }

    /// `v` (values), `bad` (the field to highlight), `error` and `code` for the template.
    var context: [String: Any] {
        var out: [String: Any] = ["v": values]
        if let field { out["bad"] = [field: true] }
        if let message { out["error"] = message }
        if let code { out["code"] = code }
        return out
    }
}

/// Formatting shared by the pages.
enum PageFormat {
    /// `2026-11-23 10:00:05`, wall time in Asia/Shanghai (UTC+8 all year).
    static func shanghai(_ instant: Timestamp) -> String {
        let local = instant.secondsSinceEpoch + BusinessDate.shanghaiOffsetSeconds
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let second = local - day * 86_400
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(BusinessDate(daysSinceEpoch: day).iso) \(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))"
    }

    /// `¥1,234.56`.
    static func money(_ fen: Int64) -> String { Money.fen(fen).formatted }

    /// `+¥1,234.56` for money in, `−¥1,234.56` (a true minus sign) for money out.
    static func signedMoney(_ fen: Int64) -> String {
        fen < 0 ? "−" + money(-fen) : "+" + money(fen)
    }

    /// Yuan typed into a form (`12.34`, `1000`) as fen: strict (`Money.parse`), positive.
    static func amountFen(_ text: String) throws(DomainError) -> Int64 {
        let field: [String: ProblemValue] = ["field": .string("amount")]
        let cleaned = text.trimmingCharacters(in: .whitespaces)
        let money: Money
        do { money = try Money.parse(cleaned, asset: .cny) } catch {
            throw DomainError(.invalidAmount, error.detail, status: 422, extensions: field)
        }
        guard money.minorUnits > 0 else {
            throw DomainError(.invalidAmount, "The amount must be more than ¥0.00.", status: 422, extensions: field)
        }
        return money.minorUnits
    }
}

/// Responses of the pages.
enum PageResponse {
    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// 303 See Other: the browser follows with a GET (redirect after post).
    static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// A path with query items, percent-encoded: `/bank/bind?bank_code=103&…`.
    static func path(_ path: String, _ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return path }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let items = query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
        return path + "?" + items.joined(separator: "&")
    }
}
