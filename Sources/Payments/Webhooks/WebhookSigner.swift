import BankKit
import Crypto

extension ErrorCode {
    /// A `Rong-Signature` header that is malformed or whose HMAC does not match the body.
    public static let webhookSignatureInvalid: ErrorCode = "webhook_signature_invalid"
    /// A correctly signed webhook whose timestamp is too far from now: a possible replay.
    public static let webhookTimestampOutOfTolerance: ErrorCode = "webhook_timestamp_out_of_tolerance"
}

/// Signs and verifies webhook bodies with Stripe's scheme.
///
/// The header is `Rong-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is the lowercase
/// hexadecimal HMAC-SHA256, keyed with the merchant's signing secret (its UTF-8 bytes), of
/// `"<t>.<raw body>"`. The timestamp is inside the signed bytes, so a captured request cannot be
/// re-sent later with a fresh timestamp; receivers refuse timestamps outside a tolerance.
///
/// A header may carry several `v1=` entries (e.g. while a secret is being rotated); it verifies
/// when any one of them matches. Unknown schemes (`v0=`, …) are ignored.
public enum WebhookSigner {
    /// The HTTP header carrying the signature.
    public static let headerName = "Rong-Signature"
    /// The signature scheme this version writes and accepts.
    public static let scheme = "v1"
    /// How far (either way) a timestamp may be from the receiver's clock: five minutes.
    public static let defaultToleranceSeconds: Int64 = 300
    /// Longest header value `verify` looks at; real headers are about 80 bytes.
    static let headerMaxBytes = 1024

    /// The header value for `body` sent at `timestamp`: `t=<unix seconds>,v1=<lowercase hex>`.
    public static func sign(secret: String, timestamp: Timestamp, body: [UInt8]) -> String {
        sign(secrets: [secret], timestamp: timestamp, body: body)
    }

    /// One `v1=` signature per secret, the current one first (while a rotated-out secret is still
    /// honoured): `t=<unix seconds>,v1=<new>,v1=<old>`.
    public static func sign(secrets: [String], timestamp: Timestamp, body: [UInt8]) -> String {
        precondition(!secrets.isEmpty, "at least one secret")
        let seconds = timestamp.secondsSinceEpoch
        return (["t=\(seconds)"] + secrets.map { "\(scheme)=\(hex(mac(secret: $0, seconds: seconds, body: body)))" }).joined(separator: ",")
    }

    /// Checks a received `Rong-Signature` header against the raw request body.
    ///
    /// - Parameters:
    ///   - header: the header value as received.
    ///   - secret: the merchant's signing secret.
    ///   - body: the raw request body bytes, exactly as received (before any JSON parsing).
    ///   - now: the receiver's current time.
    ///   - toleranceSeconds: the largest accepted distance between `t` and `now`.
    /// - Throws: `webhook_signature_invalid` for a malformed header or a signature that does not
    ///   match; `webhook_timestamp_out_of_tolerance` for a genuine signature whose timestamp is
    ///   more than `toleranceSeconds` away from `now` (a replay, or a badly wrong clock).
    public static func verify(header: String, secret: String, body: [UInt8], now: Timestamp,
                              toleranceSeconds: Int64 = defaultToleranceSeconds) throws(DomainError) {
        guard header.utf8.count <= headerMaxBytes else { throw invalid("The Rong-Signature header is too long.") }
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw invalid("The Rong-Signature header is not a list of key=value pairs.") }
            let key = parts[0].trimmingSpaces
            let value = parts[1].trimmingSpaces
            switch key {
            case "t":
                guard timestamp == nil, let seconds = decimal(value) else {
                    throw invalid("The Rong-Signature header needs exactly one t=<unix seconds>.")
                }
                timestamp = seconds
            case scheme:
                guard let bytes = unhex(value), bytes.count == SHA256.byteCount else {
                    throw invalid("A v1 signature must be 64 hexadecimal digits.")
                }
                signatures.append(bytes)
            default:
                continue
            }
        }
        guard let timestamp else { throw invalid("The Rong-Signature header has no t=<unix seconds>.") }
        guard !signatures.isEmpty else { throw invalid("The Rong-Signature header has no v1 signature.") }

        let key = SymmetricKey(data: Array(secret.utf8))
        let signed = signedBytes(seconds: timestamp, body: body)
        var matched = false
        for signature in signatures {
            // Constant-time comparison inside swift-crypto.
            matched = HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: key) || matched
        }
        guard matched else { throw invalid("No v1 signature matches the body; check the signing secret and that the raw body is verified.") }

        let distance = now.secondsSinceEpoch - timestamp
        guard distance <= toleranceSeconds, distance >= -toleranceSeconds else {
            throw DomainError(.webhookTimestampOutOfTolerance,
                              "The signature timestamp is \(distance) s from now; at most \(toleranceSeconds) s is accepted.",
                              status: 400, extensions: ["tolerance_seconds": .int(toleranceSeconds)])
        }
    }

    // MARK: - Internals

    static func mac(secret: String, seconds: Int64, body: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: Array(secret.utf8))
        return Array(HMAC<SHA256>.authenticationCode(for: signedBytes(seconds: seconds, body: body), using: key))
    }

    /// `"<t>.<raw body>"` as bytes.
    static func signedBytes(seconds: Int64, body: [UInt8]) -> [UInt8] {
        var bytes = Array("\(seconds).".utf8)
        bytes.append(contentsOf: body)
        return bytes
    }

    static func invalid(_ detail: String) -> DomainError {
        DomainError(.webhookSignatureInvalid, detail, status: 400)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hexadecimal text (either case); nil for anything else or an odd length.
    static func unhex(_ text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// A non-negative decimal integer of at most 12 digits (unix seconds), nil otherwise.
    static func decimal(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 12 else { return nil }
        var value: Int64 = 0
        for c in text.utf8 {
            guard c >= 48, c <= 57 else { return nil }
            value = value * 10 + Int64(c - 48)
        }
        return value
    }
}

extension Substring {
    /// Without leading and trailing spaces (headers are sometimes written `t=1, v1=…`).
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
