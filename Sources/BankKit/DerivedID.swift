extension RongID {
    /// A stable id derived from parts, for idempotent batch work: the same parts always give
    /// the same id, so a step re-run after a crash submits transfers the ledger recognises.
    ///
    /// Two independent 64-bit FNV-1a hashes (not cryptographic; the inputs are Rong's own keys).
    /// Version nibble 8 (RFC 9562 "custom") tells these ids apart from generated v7 ids.
    public static func derived(_ parts: any CustomStringConvertible...) -> RongID {
        let text = parts.map(\.description).joined(separator: "\u{1F}")
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in text.utf8 {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x100_0000_01b3
            b = b &+ (b << 7)
        }
        let high = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x8000
        let low = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return RongID(high: high, low: low)
    }
}
