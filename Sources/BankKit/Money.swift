/// An asset the ledger can hold, with its minor unit.
///
/// Money in Rong is always an integer count of an asset's minor unit: fen for CNY,
/// milligrams for account gold, whole points for loyalty points. `minorUnitDigits`
/// says how many decimal digits the minor unit has relative to the display unit.
public struct Asset: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Stable code used in the API and the database (`CNY`, `XAU_MG`, `PTS`).
    public let code: String
    /// Decimal digits between display unit and minor unit (CNY: 2, gold in grams shown from mg: 3).
    public let minorUnitDigits: Int
    /// Display prefix such as "¥"; empty when the unit is written after the number.
    public let symbol: String
    /// Display suffix such as " g"; empty when a prefix symbol is used.
    public let suffix: String

    public init(code: String, minorUnitDigits: Int, symbol: String = "", suffix: String = "") {
        precondition((0...6).contains(minorUnitDigits), "minor unit digits out of range")
        self.code = code
        self.minorUnitDigits = minorUnitDigits
        self.symbol = symbol
        self.suffix = suffix
    }

    public var description: String { code }

    /// Renminbi, in fen.
    public static let cny = Asset(code: "CNY", minorUnitDigits: 2, symbol: "¥")
    /// US dollars, in cents (FX and USD-quoted metals).
    public static let usd = Asset(code: "USD", minorUnitDigits: 2, symbol: "US$")
    /// Account gold, held in milligrams and shown in grams.
    public static let goldMilligram = Asset(code: "XAU_MG", minorUnitDigits: 3, suffix: " g")
    /// Account silver, held in milligrams and shown in grams.
    public static let silverMilligram = Asset(code: "XAG_MG", minorUnitDigits: 3, suffix: " g")
    /// Loyalty points (e-Mall), whole points.
    public static let points = Asset(code: "PTS", minorUnitDigits: 0, suffix: " 分")

    /// Every asset Rong knows; the ledger refuses any other code.
    public static let all: [Asset] = [.cny, .usd, .goldMilligram, .silverMilligram, .points]

    /// The asset with this code, or `nil` when Rong does not hold it.
    public static func named(_ code: String) -> Asset? {
        if let asset = all.first(where: { $0.code == code }) { return asset }
        return isProductUnitsCode(code) ? productUnits(String(code.dropFirst(productUnitsPrefix.utf8.count))) : nil
    }

    /// Units of one wealth product (`WP_` and the product's code), held in hundredths of a unit:
    /// one asset per product, so the ledger never moves one product's units against another's.
    public static func productUnits(_ productCode: String) -> Asset {
        Asset(code: productUnitsPrefix + productCode, minorUnitDigits: 2, suffix: " 份")
    }

    public static let productUnitsPrefix = "WP_"
    /// A product code: 2–16 capital letters or digits.
    public static let productCodeLength = 2...16

    /// `WP_` followed by 2–16 capital letters or digits.
    static func isProductUnitsCode(_ code: String) -> Bool {
        guard code.hasPrefix(productUnitsPrefix) else { return false }
        let rest = code.utf8.dropFirst(productUnitsPrefix.utf8.count)
        return productCodeLength.contains(rest.count) && rest.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }
    }

    /// The asset with this code, or an `unknown_asset` domain error.
    public static func require(_ code: String) throws(DomainError) -> Asset {
        guard let asset = named(code) else {
            throw DomainError(.unknownAsset, "Unknown asset '\(code.prefix(32))'.", status: 422)
        }
        return asset
    }
}

/// An amount of an asset: an integer count of its minor unit. No floating point, ever.
public struct Money: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// Count of the asset's minor unit (fen for CNY).
    public let minorUnits: Int64
    public let asset: Asset

    public init(minorUnits: Int64, asset: Asset) {
        self.minorUnits = minorUnits
        self.asset = asset
    }

    /// Convenience for renminbi: `Money.fen(12_345)` is ¥123.45.
    public static func fen(_ fen: Int64) -> Money { Money(minorUnits: fen, asset: .cny) }

    /// Parses a decimal string in display units, strictly: `"12.34"`, `"-0.5"`, `"1000"`.
    ///
    /// Refused: empty input, spaces, `+`, grouping commas, exponents, more fraction digits
    /// than the asset has, a lone `.`, and anything that overflows Int64 minor units.
    public static func parse(_ text: String, asset: Asset = .cny) throws(DomainError) -> Money {
        func bad(_ why: String) -> DomainError {
            DomainError(.invalidAmount, "Invalid amount '\(text.prefix(40))': \(why).", status: 422)
        }
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 32 else { throw bad("empty or too long") }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; bytes.removeFirst() }
        guard let first = bytes.first, first != UInt8(ascii: ".") else { throw bad("no integer digits") }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { throw bad("two decimal points") }
                seenPoint = true
                continue
            }
            guard byte >= 48, byte <= 57 else { throw bad("only digits and one '.' are allowed") }
            let digit = Int64(byte - 48)
            if seenPoint {
                fractionDigits += 1
                guard fractionDigits <= asset.minorUnitDigits else {
                    throw bad("at most \(asset.minorUnitDigits) decimal places for \(asset.code)")
                }
                fraction = fraction * 10 + digit
            } else {
                let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(digit)
                guard !o1, !o2 else { throw bad("too large") }
                whole = sum
            }
        }
        if seenPoint, fractionDigits == 0 { throw bad("no digits after '.'") }
        for _ in fractionDigits..<asset.minorUnitDigits { fraction *= 10 }
        let scale = Money.pow10(asset.minorUnitDigits)
        let (scaled, o1) = whole.multipliedReportingOverflow(by: scale)
        let (total, o2) = scaled.addingReportingOverflow(fraction)
        guard !o1, !o2 else { throw bad("too large") }
        return Money(minorUnits: negative ? -total : total, asset: asset)
    }

    /// Display form as a Chinese bank prints it: `¥1,234.56`, `-¥0.05`, `12.345 g`.
    public var formatted: String {
        let digits = asset.minorUnitDigits
        let magnitude = minorUnits.magnitude
        let scale = UInt64(Money.pow10(digits))
        let whole = magnitude / scale
        let fraction = magnitude % scale
        var wholeText = String(whole)
        var grouped = ""
        while wholeText.count > 3 {
            grouped = "," + wholeText.suffix(3) + grouped
            wholeText.removeLast(3)
        }
        grouped = wholeText + grouped
        var text = asset.symbol + grouped
        if digits > 0 {
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        text += asset.suffix
        return minorUnits < 0 ? "-" + text : text
    }

    /// Plain decimal form without symbol or grouping, as the API writes it: `1234.56`.
    public var decimalString: String {
        let digits = asset.minorUnitDigits
        let magnitude = minorUnits.magnitude
        let scale = UInt64(Money.pow10(digits))
        var text = String(magnitude / scale)
        if digits > 0 {
            let fractionText = String(magnitude % scale)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return minorUnits < 0 ? "-" + text : text
    }

    public var description: String { formatted }

    /// Sum, refusing different assets and Int64 overflow.
    public func adding(_ other: Money) throws(DomainError) -> Money {
        try requireSameAsset(other)
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        guard !overflow else { throw DomainError(.overflow, "Amount overflow.", status: 422) }
        return Money(minorUnits: sum, asset: asset)
    }

    /// Difference, refusing different assets and Int64 overflow.
    public func subtracting(_ other: Money) throws(DomainError) -> Money {
        try requireSameAsset(other)
        let (difference, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        guard !overflow else { throw DomainError(.overflow, "Amount overflow.", status: 422) }
        return Money(minorUnits: difference, asset: asset)
    }

    /// Product with an integer count (e.g. instalments), refusing overflow.
    public func multiplied(by count: Int64) throws(DomainError) -> Money {
        let (product, overflow) = minorUnits.multipliedReportingOverflow(by: count)
        guard !overflow else { throw DomainError(.overflow, "Amount overflow.", status: 422) }
        return Money(minorUnits: product, asset: asset)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        precondition(lhs.asset == rhs.asset, "comparing money of different assets")
        return lhs.minorUnits < rhs.minorUnits
    }

    private func requireSameAsset(_ other: Money) throws(DomainError) {
        guard asset == other.asset else {
            throw DomainError(.assetMismatch, "Cannot combine \(asset.code) with \(other.asset.code).", status: 422)
        }
    }

    static func pow10(_ digits: Int) -> Int64 {
        var value: Int64 = 1
        for _ in 0..<digits { value *= 10 }
        return value
    }
}
